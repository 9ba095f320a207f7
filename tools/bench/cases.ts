/**
 * What the RNN benchmark measures: the implementations, the layer sizes, and the row it prints.
 * The names and row keys are an interface (scripts read `--json`), so they live here, once.
 */
import { WavegateError } from '../../src/errors.js';
import { relaxedSupport } from '../../src/runtime/backend.js';
import { macsPerStep, type Cell } from './weights.js';

export const IMPLS = [
  'wavegate-f32-scalar',
  'wavegate-f32-simd',
  'wavegate-int8-simd',
  'wavegate-int8-relaxed',
  'ort-web',
  'ort-web-int8',
  'ort-node',
  'ort-node-int8',
] as const;
export type ImplName = (typeof IMPLS)[number];

/** The runtime (and so the worker process) an implementation runs in. */
export type Runtime = 'wavegate' | 'ort-web' | 'ort-node';

export function runtimeOf(impl: ImplName): Runtime {
  if (impl.startsWith('wavegate-')) return 'wavegate';
  return impl.startsWith('ort-web') ? 'ort-web' : 'ort-node';
}

export function isInt8(impl: ImplName): boolean {
  return impl.endsWith('-int8') || impl.startsWith('wavegate-int8-');
}

/**
 * The implementations this Node can run: all, less wavegate-int8-relaxed where the runtime does
 * not accept the relaxed build (Node 20: src/runtime/backend.ts). The workers run under the same
 * Node as the driver, so the driver's answer is theirs.
 */
export async function runnableImpls(impls: readonly ImplName[]): Promise<ImplName[]> {
  const relaxed = (await relaxedSupport()).usable;
  return impls.filter((i) => relaxed || i !== 'wavegate-int8-relaxed');
}

/** The kernel build `auto` picks in this Node, and why relaxed is not used when it is not (printed above the tables). */
export async function kernelBuildLine(): Promise<string> {
  const r = await relaxedSupport();
  return r.usable ? 'wavegate kernel build (auto): relaxed (build/kernel-relaxed.wasm)' : `wavegate kernel build (auto): simd (build/kernel-simd.wasm); relaxed not used: ${r.reason}`;
}

export interface LayerSize {
  I: number;
  H: number;
  T: number;
}

/** The sizes: two ECG-sized layers, a multichannel one, and a big one that spills L2 in f32. */
export const DEFAULT_SIZES: LayerSize[] = [
  { I: 1, H: 64, T: 360 },
  { I: 1, H: 128, T: 360 },
  { I: 8, H: 128, T: 1000 },
  { I: 64, H: 256, T: 200 },
];
export const DEFAULT_BATCHES = [1, 32];

export interface BenchCase extends LayerSize {
  cell: Cell;
  batch: number;
}

/** One result row; `--json` prints exactly these keys. */
export interface BenchRow {
  impl: ImplName;
  I: number;
  H: number;
  T: number;
  batch: number;
  /** Wall time of one call over the whole [T, batch, I] sequence, divided by T (not by batch). */
  nsPerStep: number;
  /** MACs of the call / its wall time: macsPerStep * batch / nsPerStep. */
  gmacs: number;
}

export function makeRow(impl: ImplName, c: BenchCase, callNs: number): BenchRow {
  const nsPerStep = callNs / c.T;
  return {
    impl,
    I: c.I,
    H: c.H,
    T: c.T,
    batch: c.batch,
    nsPerStep,
    gmacs: (macsPerStep(c.cell, c.I, c.H) * c.batch) / nsPerStep,
  };
}

/** Parses `1x64x360,64x256x200` (I x H x T). Any size is accepted, not only the defaults. */
export function parseSizes(text: string): LayerSize[] {
  return text.split(',').map((part) => {
    const m = /^\s*(\d+)x(\d+)x(\d+)\s*$/.exec(part);
    const dims = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
    if (!m || dims.some((d) => d < 1 || d > 100_000)) {
      throw new WavegateError('E_ARGUMENT', `--sizes: "${part}" is not IxHxT with positive integers (e.g. 1x64x360)`);
    }
    return { I: dims[0], H: dims[1], T: dims[2] };
  });
}

/** Parses a comma list of names against the allowed ones (for --impls). */
export function parseImpls(text: string): ImplName[] {
  return text.split(',').map((name) => {
    const n = name.trim();
    if (!(IMPLS as readonly string[]).includes(n)) {
      throw new WavegateError('E_ARGUMENT', `--impls: unknown implementation "${n}" (known: ${IMPLS.join(', ')})`);
    }
    return n as ImplName;
  });
}

export function parseBatches(text: string): number[] {
  return text.split(',').map((b) => {
    const n = Number(b);
    if (!Number.isInteger(n) || n < 1 || n > 4096) {
      throw new WavegateError('E_ARGUMENT', `--batches: "${b}" is not a batch size in 1..4096`);
    }
    return n;
  });
}

export function sizeKey(c: { I: number; H: number; T: number }): string {
  return `${c.I}x${c.H}x${c.T}`;
}
