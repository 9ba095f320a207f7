/**
 * Test helpers for the kernel builds: load build/kernel-{ref,simd,relaxed}.wasm, lay out arrays in
 * the kernel's memory through its own `reserve`, and call the raw exports.
 * Each `instance()` is a fresh WebAssembly instance, so tests never share memory or state.
 */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { relaxedSupport } from '../../src/runtime/backend.js';
import { Rng } from '../../tools/synth/rng.js';
import type { KernelExports as HostKernelExports } from '../../src/runtime/abi.js';

export type Build = 'ref' | 'simd' | 'relaxed';

/**
 * The SIMD builds this engine runs correctly: 'simd', plus 'relaxed' where the runtime's own
 * check accepts it (Node >= 22; not Node 20, see src/runtime/backend.ts). The relaxed build's
 * bit-identity tests therefore run in the Node 24 leg of .ci/run, and
 * test/src/runtime/relaxed-engines.test.ts asserts which engines must accept it.
 */
export const FAST_BUILDS: readonly Build[] = (await relaxedSupport()).usable ? ['simd', 'relaxed'] : ['simd'];
export const BUILDS: readonly Build[] = ['ref', ...FAST_BUILDS];

/** A SIMD build and, for the relaxed one, its dot form (setRelaxedDotForm: 0 or 1; both exact). */
export interface FastVariant {
  name: string;
  build: Build;
  dotForm: 0 | 1;
}
/** Every SIMD variant the INT8 bit-identity tests run: simd, and relaxed in both dot forms. */
export const FAST_VARIANTS: readonly FastVariant[] = FAST_BUILDS.flatMap((build): FastVariant[] =>
  build === 'relaxed'
    ? [{ name: 'relaxed (dot form 0)', build, dotForm: 0 }, { name: 'relaxed (dot form 1)', build, dotForm: 1 }]
    : [{ name: build, build, dotForm: 0 }],
);

/** The raw kernel exports: the host's (src/runtime/abi.ts) and the test hooks the host does not call. */
export interface KernelExports extends HostKernelExports {
  tanhF32(x: number, n: number, rows: number, stride: number): number;
  matvecS8S32(Wq: number, rows: number, cols: number, xq: number, out: number, scheme: number): number;
}

const modules = new Map<Build, WebAssembly.Module>();

export function wasmPath(build: Build): string {
  return fileURLToPath(new URL(`../../build/kernel-${build}.wasm`, import.meta.url));
}

function moduleOf(build: Build): WebAssembly.Module {
  let m = modules.get(build);
  if (!m) {
    const path = wasmPath(build);
    if (!existsSync(path)) {
      throw new Error(`${path} is missing: run \`npm run build:wasm\` (npm test does it first)`);
    }
    m = new WebAssembly.Module(readFileSync(path));
    modules.set(build, m);
  }
  return m;
}

/** A fresh kernel instance with typed-array helpers over its memory. */
export class Kernel {
  readonly k: KernelExports;
  /** dotForm: the relaxed build's dot form (setRelaxedDotForm); ignored by the other builds. */
  constructor(readonly build: Build, dotForm: 0 | 1 = 0) {
    this.k = new WebAssembly.Instance(moduleOf(build), {}).exports as unknown as KernelExports;
    if (build === 'relaxed' && this.k.setRelaxedDotForm(dotForm) !== dotForm) throw new Error(`setRelaxedDotForm(${dotForm}) refused`);
  }
  alloc(bytes: number): number {
    const p = this.k.reserve(Math.max(bytes, 16));
    if (p === 0) throw new Error(`reserve(${bytes}) failed`);
    return p;
  }
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, ptr, n);
  }
  i32(ptr: number, n: number): Int32Array {
    return new Int32Array(this.k.memory.buffer, ptr, n);
  }
  putF32(data: ArrayLike<number>): number {
    const p = this.alloc(data.length * 4);
    this.f32(p, data.length).set(data);
    return p;
  }
  putI32(data: ArrayLike<number>): number {
    const p = this.alloc(data.length * 4);
    this.i32(p, data.length).set(data);
    return p;
  }
  putI8(data: ArrayLike<number>): number {
    const p = this.alloc(data.length);
    new Int8Array(this.k.memory.buffer, p, data.length).set(data);
    return p;
  }
  /** Pack row-major f32 weights into this build's layout. */
  packF32(data: ArrayLike<number>, rows: number, cols: number): number {
    const src = this.putF32(data);
    const dst = this.alloc(this.k.packedBytesF32(rows, cols));
    expectOk(this.k.packWeightsF32(src, rows, cols, dst), 'packWeightsF32');
    return dst;
  }
  /** Pack row-major int8 weights into this build's layout. */
  packS8(data: ArrayLike<number>, rows: number, cols: number): number {
    const src = this.putI8(data);
    const dst = this.alloc(this.k.packedBytesS8(rows, cols));
    expectOk(this.k.packWeightsS8(src, rows, cols, dst), 'packWeightsS8');
    return dst;
  }
  scratch(op: number, I: number, H: number, batch: number): number {
    const n = this.k.scratchBytes(op, I, H, batch);
    if (n < 0) throw new Error(`scratchBytes(${op}, ${I}, ${H}, ${batch}) = ${n}`);
    return this.alloc(n);
  }
}

export function expectOk(status: number, what: string): void {
  if (status !== 0) throw new Error(`${what} returned status ${status}`);
}

/** Uniform [0, 1) from the project's seeded generator (tools/synth/rng.ts), so failures reproduce from the printed seed. */
export function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

export function uniform(rand: () => number, n: number, lo: number, hi: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rand();
  return a;
}

export function randomI8(rand: () => number, n: number): Int8Array {
  const a = new Int8Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.floor(rand() * 255) - 127;
  return a;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d; // NaN propagates as the max
  }
  return m;
}

/** Byte-for-byte equality of two float arrays (bit-identical results, NaN payloads included). */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}
