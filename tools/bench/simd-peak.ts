/**
 * The 128-bit WASM SIMD peak of this machine, measured, so that "% of peak" in the RNN benchmark
 * is computed against a number taken in the same run on the same CPU.
 *
 * A tiny WebAssembly module is assembled byte by byte here (no toolchain involved) with two
 * functions whose unrolled loops update K independent accumulators:
 *   int:  acc_k = i32x4.add(acc_k, i32x4.dot_i16x8_s(a, b))   8 MACs per dot (pmaddwd + paddd on x86)
 *   f32:  acc_k = f32x4.add(acc_k, f32x4.mul(a, b))           4 MACs per mul+add (WASM has no FMA)
 *   relaxed: acc_k = i32x4.relaxed_dot_i8x16_i7x16_add_s(a, b, acc_k)   16 MACs (the relaxed
 *         build's instruction; b's bytes in 0..127, its deterministic subset; one vpdpbusd with
 *         AVX-VNNI, sdot on arm64 with the dot-product extension, else a longer sequence), and its
 *         form 1, acc_k + extadd_pairwise(i16x8.relaxed_dot_i8x16_i7x16_s(a, b)) (the relaxed
 *         build's choice on x86 without AVX-VNNI, docs/kernel-abi.md), in a module of their own,
 *         measured only where the engine accepts relaxed SIMD; the relaxed-dot peak is the better
 * where `a` is either the accumulator itself (form `register`) or a 16-byte load from an
 * L1-resident buffer (form `load`, what a matrix-vector kernel does with its weights). Every
 * operand differs, so the JIT cannot merge two of them. Several K and both forms are tried, each
 * run several times, and the fastest run is the peak: the best K depends on the CPU's latencies and on how many xmm
 * registers V8 leaves free before it spills. Integer overflow wraps (well defined, no cost); the
 * f32 sums stay finite and normal.
 *
 * Usage: `npx tsx tools/bench/simd-peak.ts [--json]`.
 */
import { pathToFileURL } from 'node:url';

/**
 * Independent accumulator chains tried. Too few leave the multiplier idle waiting on latency,
 * too many spill to the stack (V8 keeps a scratch xmm); the peak is the best of these.
 */
export const PEAK_CHAIN_COUNTS = [8, 10, 12];
/** Copies of the K-chain block per loop iteration (amortizes the loop counter). */
export const PEAK_UNROLL = 4;

const SIMD = 0xfd;
const OP = {
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  f32Const: 0x43,
  i32Sub: 0x6b,
  brIf: 0x0d,
  loop: 0x03,
  end: 0x0b,
  void: 0x40,
  i32x4Splat: [SIMD, 0x11],
  f32x4Splat: [SIMD, 0x13],
  i32x4ExtractLane: [SIMD, 0x1b],
  i32x4Add: [SIMD, 0xae, 0x01],
  i32x4DotI16x8S: [SIMD, 0xba, 0x01],
  i32x4RelaxedDotI8x16I7x16AddS: [SIMD, 0x93, 0x02],
  i16x8RelaxedDotI8x16I7x16S: [SIMD, 0x92, 0x02],
  i32x4ExtaddPairwiseI16x8S: [SIMD, 0x7e],
  f32x4Add: [SIMD, 0xe4, 0x01],
  f32x4Mul: [SIMD, 0xe6, 0x01],
  i32x4TruncSatF32x4S: [SIMD, 0xf8, 0x01],
  v128Load: [SIMD, 0x00],
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128, for i32.const immediates. */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function f32Bytes(v: number): number[] {
  return [...new Uint8Array(new Float32Array([v]).buffer)];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(s: string): number[] {
  const bytes = [...Buffer.from(s, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

/**
 * `register`: the multiplied operand is the accumulator itself (a pure register loop; latency-bound
 *   when chains are few). `load`: the multiplied operand is loaded from a 16-byte slot of an
 *   L1-resident buffer, as a matrix-vector kernel streams its weights; the accumulator chain is
 *   then only the add, and the load uses a load port, not a vector ALU.
 */
export type PeakForm = 'register' | 'load';
export const PEAK_FORMS: PeakForm[] = ['register', 'load'];

// Locals: 0 = iterations (i32 param), 1 = b (v128), 2 = c (v128), 3.. = accumulators.
const ACC0 = 3;

function memarg(offset: number): number[] {
  return [4, ...uleb(offset)]; // align 2^4 = 16 bytes
}

type PeakKind = 'int' | 'f32' | 'relaxed' | 'relaxedWide';

function loopBody(kind: PeakKind, chains: number, form: PeakForm): number[] {
  const out: number[] = [];
  for (let u = 0; u < PEAK_UNROLL; u++) {
    for (let k = 0; k < chains; k++) {
      const acc = ACC0 + k;
      // Distinct offsets per (u, k): the JIT cannot reuse one load for another.
      const operand =
        form === 'load' ? [OP.i32Const, 0, ...OP.v128Load, ...memarg(16 * (u * chains + k))] : [OP.localGet, acc];
      if (kind === 'int') {
        out.push(OP.localGet, acc, ...operand, OP.localGet, 1, ...OP.i32x4DotI16x8S, ...OP.i32x4Add);
      } else if (kind === 'relaxed') {
        out.push(...operand, OP.localGet, 1, OP.localGet, acc, ...OP.i32x4RelaxedDotI8x16I7x16AddS);
      } else if (kind === 'relaxedWide') {
        out.push(OP.localGet, acc, ...operand, OP.localGet, 1, ...OP.i16x8RelaxedDotI8x16I7x16S, ...OP.i32x4ExtaddPairwiseI16x8S, ...OP.i32x4Add);
      } else if (form === 'load') {
        out.push(OP.localGet, acc, ...operand, OP.localGet, 1, ...OP.f32x4Mul, ...OP.f32x4Add);
      } else {
        out.push(OP.localGet, acc, OP.localGet, 1, ...OP.f32x4Mul, OP.localGet, 2, ...OP.f32x4Add);
      }
      out.push(OP.localSet, acc);
    }
  }
  return out;
}

/** One function `(iterations: i32) -> i32` of the given kind. */
function peakFunction(kind: PeakKind, chains: number, form: PeakForm): number[] {
  const body: number[] = [];
  const integer = kind !== 'f32';
  const splat = (value: number): number[] =>
    integer ? [OP.i32Const, ...sleb(value), ...OP.i32x4Splat] : [OP.f32Const, ...f32Bytes(value), ...OP.f32x4Splat];
  // b, c and distinct accumulator seeds (distinct values: nothing for the JIT to fold). The int
  // b has int16 lanes (2, 1): acc + dot(acc, b) then never collapses to 0 (an even multiplier would
  // shift every bit out after 32 steps and leave the register form adding zeros). The relaxed b
  // has bytes (2, 0, 1, 0), all in 0..127.
  body.push(...(integer ? splat(0x00010002) : splat(0.999)), OP.localSet, 1);
  body.push(...(integer ? splat(1) : splat(0.001)), OP.localSet, 2);
  for (let k = 0; k < chains; k++) body.push(...(integer ? splat(k + 2) : splat(0.01 * (k + 1))), OP.localSet, ACC0 + k);
  body.push(OP.loop, OP.void, ...loopBody(kind, chains, form));
  body.push(OP.localGet, 0, OP.i32Const, 1, OP.i32Sub, OP.localTee, 0, OP.brIf, 0, OP.end);
  // Fold the accumulators into the result so that none of the work is dead code.
  body.push(OP.localGet, ACC0);
  for (let k = 1; k < chains; k++) body.push(OP.localGet, ACC0 + k, ...(integer ? OP.i32x4Add : OP.f32x4Add));
  if (kind === 'f32') body.push(...OP.i32x4TruncSatF32x4S);
  body.push(...OP.i32x4ExtractLane, 0, OP.end);
  const locals = [1, ...uleb(2 + chains), 0x7b]; // one group of v128 locals
  const fn = [...locals, ...body];
  return [...uleb(fn.length), ...fn];
}

/**
 * The module's bytes: one page of memory (exported as `memory`, filled by the caller) and
 * functions `intPeak` and `f32Peak`, each with `chains` accumulators, of the given form.
 */
export function buildPeakModule(chains: number, form: PeakForm = 'register'): Uint8Array<ArrayBuffer> {
  const type = section(1, [1, 0x60, 1, 0x7f, 1, 0x7f]);
  const funcs = section(3, [2, 0, 0]);
  const memory = section(5, [1, 0x00, 1]);
  const exports = section(7, [3, ...name('intPeak'), 0, 0, ...name('f32Peak'), 0, 1, ...name('memory'), 2, 0]);
  const code = section(10, [2, ...peakFunction('int', chains, form), ...peakFunction('f32', chains, form)]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...funcs, ...memory, ...exports, ...code]);
}

/** A module with `relaxedPeak` and `relaxedWidePeak` (the relaxed dot's two forms); it validates only where relaxed SIMD does. */
export function buildRelaxedPeakModule(chains: number, form: PeakForm = 'register'): Uint8Array<ArrayBuffer> {
  const type = section(1, [1, 0x60, 1, 0x7f, 1, 0x7f]);
  const funcs = section(3, [2, 0, 0]);
  const memory = section(5, [1, 0x00, 1]);
  const exports = section(7, [3, ...name('relaxedPeak'), 0, 0, ...name('relaxedWidePeak'), 0, 1, ...name('memory'), 2, 0]);
  const code = section(10, [2, ...peakFunction('relaxed', chains, form), ...peakFunction('relaxedWide', chains, form)]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...funcs, ...memory, ...exports, ...code]);
}

/** MACs one loop iteration performs. */
export function macsPerIteration(kind: PeakKind, chains: number): number {
  return PEAK_UNROLL * chains * (kind === 'int' ? 8 : kind === 'f32' ? 4 : 16);
}

export interface PeakOptions {
  /** Seconds per timed run. Default 0.05. */
  secondsPerRun: number;
  /**
   * Timed runs per configuration; the fastest counts. Default 10. A peak is a property of the
   * hardware: another process sharing the core can only make a run slower, never faster, so the
   * best run is the estimate (the RNN rows use medians, so "% of peak" errs on the low side).
   */
  runs: number;
  /** Accumulator counts tried; the best is the peak. Default PEAK_CHAIN_COUNTS. */
  chainCounts: number[];
  /** Loop forms tried (see PeakForm). Default PEAK_FORMS. */
  forms: PeakForm[];
}

export interface SimdPeak {
  /** i32x4.dot_i16x8_s + i32x4.add, GMAC/s (8 MACs per dot). */
  intDotGmacs: number;
  /** f32x4.mul + f32x4.add, GMAC/s (4 MACs per pair). */
  f32Gmacs: number;
  /** Form and accumulator count that gave each peak. */
  intConfig: string;
  f32Config: string;
  /**
   * The relaxed-dot peak, GMAC/s (16 MACs per dot): the better of i32x4.relaxed_dot_i8x16_i7x16_add_s
   * and its form 1 (relaxedConfig says which); absent where the engine has no relaxed SIMD.
   */
  relaxedDotGmacs?: number;
  relaxedConfig?: string;
}

type PeakFn = (iterations: number) => number;

function timeGmacs(fn: PeakFn, macsPerIter: number, o: PeakOptions): number {
  let iterations = 1000;
  // Calibrate (this also warms up to the optimizing tier): grow until a run takes >= 20 ms.
  for (;;) {
    const t0 = process.hrtime.bigint();
    fn(iterations);
    const ns = Number(process.hrtime.bigint() - t0);
    if (ns >= 20e6) {
      iterations = Math.max(1, Math.round((iterations * o.secondsPerRun * 1e9) / ns));
      break;
    }
    iterations *= 4;
  }
  const rates: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    const t0 = process.hrtime.bigint();
    fn(iterations);
    rates.push((iterations * macsPerIter) / Number(process.hrtime.bigint() - t0));
  }
  return Math.max(...rates);
}

export async function measureSimdPeak(options: Partial<PeakOptions> = {}): Promise<SimdPeak> {
  const o: PeakOptions = { secondsPerRun: 0.05, runs: 10, chainCounts: PEAK_CHAIN_COUNTS, forms: PEAK_FORMS, ...options };
  const peak: SimdPeak = { intDotGmacs: 0, f32Gmacs: 0, intConfig: '', f32Config: '' };
  for (const form of o.forms) {
    for (const chains of o.chainCounts) {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(buildPeakModule(chains, form)));
      const ex = instance.exports as unknown as { intPeak: PeakFn; f32Peak: PeakFn; memory: WebAssembly.Memory };
      const config = `${form}, ${chains} chains`;
      fillOperands(ex.memory, 'int');
      const intRate = timeGmacs(ex.intPeak, macsPerIteration('int', chains), o);
      if (intRate > peak.intDotGmacs) Object.assign(peak, { intDotGmacs: intRate, intConfig: config });
      fillOperands(ex.memory, 'f32');
      const f32Rate = timeGmacs(ex.f32Peak, macsPerIteration('f32', chains), o);
      if (f32Rate > peak.f32Gmacs) Object.assign(peak, { f32Gmacs: f32Rate, f32Config: config });
      if (WebAssembly.validate(buildRelaxedPeakModule(chains, form))) {
        const r = new WebAssembly.Instance(new WebAssembly.Module(buildRelaxedPeakModule(chains, form))).exports as unknown as { relaxedPeak: PeakFn; relaxedWidePeak: PeakFn; memory: WebAssembly.Memory };
        fillOperands(r.memory, 'relaxed');
        for (const [fn, label] of [[r.relaxedPeak, 'form 0'], [r.relaxedWidePeak, 'form 1']] as const) {
          const rate = timeGmacs(fn, macsPerIteration('relaxed', chains), o);
          if (rate > (peak.relaxedDotGmacs ?? 0)) Object.assign(peak, { relaxedDotGmacs: rate, relaxedConfig: `${label}, ${config}` });
        }
      }
    }
  }
  return peak;
}

/**
 * Operands for the `load` form: int16 lanes 1..7, or f32 values near 1e-3 (normal numbers: a
 * denormal operand makes x86 multiplies ~100x slower and would measure the microcode assist).
 */
function fillOperands(memory: WebAssembly.Memory, kind: PeakKind): void {
  if (kind === 'relaxed') {
    const i8 = new Int8Array(memory.buffer, 0, 32768);
    for (let i = 0; i < i8.length; i++) i8[i] = (i % 13) - 6; // the signed operand (weights)
  } else if (kind === 'int') {
    const i16 = new Int16Array(memory.buffer, 0, 16384);
    for (let i = 0; i < i16.length; i++) i16[i] = (i % 7) + 1;
  } else {
    const f32 = new Float32Array(memory.buffer, 0, 8192);
    for (let i = 0; i < f32.length; i++) f32[i] = 1e-3 * ((i % 7) + 1);
  }
}

/** Two human lines, as the benchmark tables print them. */
export function formatPeak(p: SimdPeak): string {
  return [
    `128-bit WASM SIMD integer peak (i32x4.dot_i16x8_s + i32x4.add; ${p.intConfig}): ${p.intDotGmacs.toFixed(1)} GMAC/s`,
    ...(p.relaxedDotGmacs ? [`128-bit WASM relaxed-dot peak (i32x4.relaxed_dot_i8x16_i7x16_add_s or its form 1, the better; ${p.relaxedConfig}): ${p.relaxedDotGmacs.toFixed(1)} GMAC/s`] : []),
    `128-bit WASM SIMD f32 peak (f32x4.mul + f32x4.add; ${p.f32Config}): ${p.f32Gmacs.toFixed(1)} GMAC/s`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const peak = await measureSimdPeak();
  if (process.argv.includes('--json')) console.log(JSON.stringify(peak));
  else {
    console.log(formatPeak(peak));
  }
}
