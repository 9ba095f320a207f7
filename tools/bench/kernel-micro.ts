/**
 * Kernel micro-benchmark (tuning tool, not a test): ns per LSTM step for the INT8 and f32 paths
 * of build/kernel-{relaxed,simd,ref}.wasm at the target shapes, plus many-stream throughput.
 *
 *   npx tsx tools/bench/kernel-micro.ts [--repeats 15] [--cell lstm|gru] [--clock cpu|wall]
 *                                       [--only relaxed-s8,simd-s8,simd-f32,ref-s8,ref-f32] [--no-peak]
 *                                       [--sections steps,stream] [--stream-steps 90] [--scheme 1|0]
 *
 * --scheme: the INT8 activation scheme (docs/kernel-abi.md): 1 = QS_A7 (format version 4, the
 * default), 0 = QS_A8 (versions 1-3). The relaxed build needs an engine with relaxed SIMD
 * (Node >= 22). --dot-form 0|1: the relaxed build's dot form (default: the runtime's choice for
 * this CPU, src/runtime/backend.ts relaxedDotForm); a path `relaxed1-s8` / `relaxed0-s8` forces one,
 * so both can be timed interleaved.
 *
 * An --only entry `simd-s8@path/to/variant.wasm` times that path of another build, so a variant
 * can be A/B'd against build/kernel-simd.wasm in the same process, interleaved.
 *
 * Method: one instance per (build, path, shape); weights random (PyTorch-like init), a warm-up
 * phase (>= 250 ms: V8 tiers wasm up from Liftoff to TurboFan between calls), then `repeats`
 * rounds of one timed call of T steps per path, interleaved; the figure is the median per step
 * (the machine is shared, so medians, and variants compared within one run). GMAC/s counts the
 * 4H(I+H) (LSTM) or 3H(I+H) (GRU) multiply-accumulates of one step; "% int peak" divides it by
 * the 128-bit integer peak measured by tools/bench/simd-peak.ts in the same process (the same
 * definition and peak as `npm run bench`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatPeak, measureSimdPeak } from './simd-peak.js';
import { relaxedDotForm } from '../../src/runtime/backend.js';

interface Exports {
  memory: WebAssembly.Memory;
  reserve(n: number): number;
  scratchBytes(op: number, I: number, H: number, batch: number): number;
  packedBytesF32(r: number, c: number): number;
  packWeightsF32(s: number, r: number, c: number, d: number): number;
  packedBytesS8(r: number, c: number): number;
  packWeightsS8(s: number, r: number, c: number, d: number): number;
  setRelaxedDotForm(form: number): number;
  lstmF32(...a: number[]): number;
  lstmS8(...a: number[]): number;
  gruF32(...a: number[]): number;
  gruS8(...a: number[]): number;
}

type Path = 'relaxed-s8' | 'relaxed0-s8' | 'relaxed1-s8' | 'simd-s8' | 'simd-f32' | 'ref-s8' | 'ref-f32';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const repeats = Number(arg('repeats', '15'));
const cell = arg('cell', 'lstm') as 'lstm' | 'gru';
/** Paths to time; `path@file.wasm` times the same path of another build (variant A/B). */
const only = arg('only', 'relaxed-s8,simd-s8,simd-f32,ref-s8').split(',');
/** The relaxed build's dot form for `relaxed-s8` paths. */
const dotForm = Number(arg('dot-form', String(await relaxedDotForm())));
/** INT8 activation scheme: 1 = QS_A7 (format version 4), 0 = QS_A8. */
const scheme = Number(arg('scheme', '1'));
/** The static x scale handed to the INT8 kernels: x in +-1 onto the scheme's codes. */
const xScale = scheme === 1 ? 1 / 63 : 1 / 127;
const G = cell === 'lstm' ? 4 : 3;
/** cpu: process CPU time (robust when the machine is shared, the default); wall: hrtime. */
const clock = arg('clock', 'cpu') as 'cpu' | 'wall';
/** Sections to run: per-step shapes (`steps`) and/or the 1000-stream throughput (`stream`). */
const sections = arg('sections', 'steps,stream').split(',');
/** Skip the SIMD peak measurement (and the % of peak column). */
const noPeak = process.argv.includes('--no-peak');
/**
 * Steps per call of the stream section (default 90, the streaming benchmark's chunk). Shorter
 * calls (e.g. 10) interleave the variants more finely, which steadies A/Bs on a shared machine.
 */
const streamT = Number(arg('stream-steps', '90'));

const modules = new Map<string, WebAssembly.Module>();
function instance(build: string, file?: string): Exports {
  let m = modules.get(file ?? build);
  if (!m) {
    const path = file ?? fileURLToPath(new URL(`../../build/kernel-${build}.wasm`, import.meta.url));
    m = new WebAssembly.Module(readFileSync(path));
    modules.set(file ?? build, m);
  }
  return new WebAssembly.Instance(m, {}).exports as unknown as Exports;
}

let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);

/** Returns a function running one call of T steps for `batch` streams. */
function setup(spec: string, I: number, H: number, batch: number, T: number): () => void {
  // `simd-s8@some/other.wasm` times another build of the same kernel (A/B of a variant).
  const [path, file] = spec.split('@') as [Path, string | undefined];
  const [flavour, kind] = path.split('-') as [string, 's8' | 'f32'];
  const build = flavour.startsWith('relaxed') ? 'relaxed' : flavour;
  const k = instance(build, file);
  if (build === 'relaxed') k.setRelaxedDotForm(flavour === 'relaxed' ? dotForm : Number(flavour.slice(-1)));
  const alloc = (n: number) => {
    const p = k.reserve(Math.max(16, n));
    if (!p) throw new Error('reserve failed');
    return p;
  };
  const f32 = (n: number, amp: number) => {
    const p = alloc(n * 4);
    const a = new Float32Array(k.memory.buffer, p, n);
    for (let i = 0; i < n; i++) a[i] = (2 * rand() - 1) * amp;
    return p;
  };
  const i8 = (n: number) => {
    const p = alloc(n);
    const a = new Int8Array(k.memory.buffer, p, n);
    for (let i = 0; i < n; i++) a[i] = Math.floor(rand() * 255) - 127;
    return p;
  };
  const rows = G * H;
  const a = 1 / Math.sqrt(H);
  const x = f32(T * batch * I, 1);
  const y = alloc(T * batch * H * 4);
  const h = f32(batch * H, 0.5);
  const c = f32(batch * H, 0.5);
  const B = f32(rows, a);
  const B2 = f32(rows, a);
  const op = (cell === 'lstm' ? 0 : 1) + (kind === 's8' ? 2 : 0);
  const scratch = alloc(k.scratchBytes(op, I, H, batch));
  if (kind === 's8') {
    const W = alloc(k.packedBytesS8(rows, I));
    const R = alloc(k.packedBytesS8(rows, H));
    k.packWeightsS8(i8(rows * I), rows, I, W);
    k.packWeightsS8(i8(rows * H), rows, H, R);
    const Ws = f32(rows, a / 127);
    const Rs = f32(rows, a / 127);
    return cell === 'lstm'
      ? () => check(k.lstmS8(W, Ws, R, Rs, B, 0, I, H, batch, T, x, I, y, H, h, c, 0, scratch, xScale, scheme, 0))
      : () => check(k.gruS8(W, Ws, R, Rs, B, B2, I, H, batch, T, x, I, y, H, h, 0, scratch, xScale, scheme, 1, 0));
  }
  const W = alloc(k.packedBytesF32(rows, I));
  const R = alloc(k.packedBytesF32(rows, H));
  k.packWeightsF32(f32(rows * I, a), rows, I, W);
  k.packWeightsF32(f32(rows * H, a), rows, H, R);
  return cell === 'lstm'
    ? () => check(k.lstmF32(W, R, B, 0, I, H, batch, T, x, I, y, H, h, c, 0, scratch, 0))
    : () => check(k.gruF32(W, R, B, B2, I, H, batch, T, x, I, y, H, h, 0, scratch, 1, 0));
}

function check(st: number): void {
  if (st !== 0) throw new Error(`kernel status ${st}`);
}

function median(v: number[]): number {
  const s = [...v].sort((p, q) => p - q);
  return s[s.length >> 1];
}

/** One timed call, ns (process CPU time with --clock cpu, else wall). */
function timeOnce(run: () => void): number {
  if (clock === 'cpu') {
    const c0 = process.cpuUsage();
    run();
    const d = process.cpuUsage(c0);
    return (d.user + d.system) * 1000;
  }
  const t0 = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - t0);
}

/**
 * Median ns per call of each runner. The runners are warmed up (>= 250 ms each: V8 tiers wasm up
 * from Liftoff to TurboFan between calls), then timed interleaved, one call of each per round, so
 * that load changes on a shared machine hit every variant alike.
 */
function timeInterleaved(runs: (() => void)[]): number[] {
  for (const run of runs) {
    const w0 = performance.now();
    for (let i = 0; i < 3 || performance.now() - w0 < 250; i++) run();
  }
  const ns: number[][] = runs.map(() => []);
  for (let r = 0; r < repeats; r++) runs.forEach((run, j) => ns[j].push(timeOnce(run)));
  return ns.map(median);
}

// "% of peak" = this kernel's GMAC/s over the 128-bit integer peak (tools/bench/simd-peak.ts, the
// same function and definition the RNN benchmark uses), both in GMAC/s with MACs = G*H*(I+H) per
// step. The peak is the best of several wall-clock runs; --clock cpu kernel times are CPU time,
// which on a busy machine is the closer of the two to "time the core spent on us".
const peak = noPeak ? undefined : await measureSimdPeak();
if (peak) console.log(formatPeak(peak));
console.log(`kernel-micro: ${cell.toUpperCase()}, INT8 scheme ${scheme === 1 ? 'QS_A7' : 'QS_A8'}, median of ${repeats} (interleaved) after >= 250 ms warm-up, ${clock} clock, node ${process.version}`);
console.log('path                 I    H  batch    T   ns/step  GMAC/s  % int peak');
const shapes = [
  { I: 1, H: 64, T: 200 },
  { I: 1, H: 128, T: 100 },
  { I: 64, H: 256, T: 40 },
];
for (const s of sections.includes('steps') ? shapes : []) {
  // the scalar path is only a baseline
  const paths = only.filter((p) => !(p.startsWith('ref') && s.H > 128 && repeats > 5));
  const ns = timeInterleaved(paths.map((p) => setup(p, s.I, s.H, 1, s.T)));
  paths.forEach((p, j) => {
    const per = ns[j] / s.T;
    const macs = G * s.H * (s.I + s.H);
    const pct = peak ? ((100 * macs) / per / peak.intDotGmacs).toFixed(0) : '-';
    console.log(`${p.padEnd(18)} ${String(s.I).padStart(3)} ${String(s.H).padStart(4)} ${'1'.padStart(6)} ${String(s.T).padStart(4)} ${per.toFixed(0).padStart(9)} ${(macs / per).toFixed(1).padStart(7)} ${pct.padStart(10)}`);
  });
}
// Streaming: 1000 streams of H=64, I=1, one call per chunk (--stream-steps, 90) for all streams.
{
  const batch = 1000;
  const T = streamT;
  const paths = sections.includes('stream') ? only.filter((q) => !q.startsWith('ref')) : [];
  const ns = timeInterleaved(paths.map((p) => setup(p, 1, 64, batch, T)));
  paths.forEach((p, j) => {
    const per = ns[j] / (batch * T);
    console.log(`${p.padEnd(18)}   1   64 ${String(batch).padStart(6)} ${String(T).padStart(4)}  stream-steps/s ${(1e3 / per).toFixed(2)} M  (${per.toFixed(0)} ns per stream-step)`);
  });
}
