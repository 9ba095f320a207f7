/**
 * Kernel micro-benchmark (tuning tool, not a test): ns per LSTM step for the INT8 and f32 paths
 * of build/kernel-{simd,ref}.wasm at the target shapes, plus many-stream throughput.
 *
 *   npx tsx tools/bench/kernel-micro.ts [--repeats 15] [--cell lstm|gru] [--clock cpu|wall]
 *                                       [--only simd-s8,simd-f32,ref-s8,ref-f32]
 *
 * Method: one instance per (build, path, shape); weights random (PyTorch-like init), a warm-up
 * phase (>= 250 ms: V8 tiers wasm up from Liftoff to TurboFan between calls), then `repeats` timed calls of T steps each; the figure is the median per step (the
 * machine is shared, so medians, and variants compared within one run). GMAC/s counts the
 * 4H(I+H) (LSTM) or 3H(I+H) (GRU) multiply-accumulates of one step.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Exports {
  memory: WebAssembly.Memory;
  reserve(n: number): number;
  scratchBytes(op: number, I: number, H: number, batch: number): number;
  packedBytesF32(r: number, c: number): number;
  packWeightsF32(s: number, r: number, c: number, d: number): number;
  packedBytesS8(r: number, c: number): number;
  packWeightsS8(s: number, r: number, c: number, d: number): number;
  lstmF32(...a: number[]): number;
  lstmS8(...a: number[]): number;
  gruF32(...a: number[]): number;
  gruS8(...a: number[]): number;
}

type Path = 'simd-s8' | 'simd-f32' | 'ref-s8' | 'ref-f32';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const repeats = Number(arg('repeats', '15'));
const cell = arg('cell', 'lstm') as 'lstm' | 'gru';
const only = arg('only', 'simd-s8,simd-f32,ref-s8').split(',') as Path[];
const G = cell === 'lstm' ? 4 : 3;
/** cpu: process CPU time (robust when the machine is shared, the default); wall: hrtime. */
const clock = arg('clock', 'cpu') as 'cpu' | 'wall';

const modules = new Map<string, WebAssembly.Module>();
function instance(build: string): Exports {
  let m = modules.get(build);
  if (!m) {
    const path = fileURLToPath(new URL(`../../build/kernel-${build}.wasm`, import.meta.url));
    m = new WebAssembly.Module(readFileSync(path));
    modules.set(build, m);
  }
  return new WebAssembly.Instance(m, {}).exports as unknown as Exports;
}

let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);

/** Returns a function running one call of T steps for `batch` streams. */
function setup(path: Path, I: number, H: number, batch: number, T: number): () => void {
  const [build, kind] = path.split('-') as [string, 's8' | 'f32'];
  const k = instance(build);
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
      ? () => check(k.lstmS8(W, Ws, R, Rs, B, I, H, batch, T, x, I, y, H, h, c, 0, scratch, 1 / 127, 0))
      : () => check(k.gruS8(W, Ws, R, Rs, B, B2, I, H, batch, T, x, I, y, H, h, 0, scratch, 1 / 127, 1, 0));
  }
  const W = alloc(k.packedBytesF32(rows, I));
  const R = alloc(k.packedBytesF32(rows, H));
  k.packWeightsF32(f32(rows * I, a), rows, I, W);
  k.packWeightsF32(f32(rows * H, a), rows, H, R);
  return cell === 'lstm'
    ? () => check(k.lstmF32(W, R, B, I, H, batch, T, x, I, y, H, h, c, 0, scratch, 0))
    : () => check(k.gruF32(W, R, B, B2, I, H, batch, T, x, I, y, H, h, 0, scratch, 1, 0));
}

function check(st: number): void {
  if (st !== 0) throw new Error(`kernel status ${st}`);
}

/**
 * Effective clock available to this process, in "1-cycle loop iterations" per ns: a dependent
 * integer add per iteration runs at ~1 iteration per cycle on any modern x86/ARM core, so this
 * approximates GHz actually received (on a shared machine it is well below the nominal clock).
 * Multiplying a time by it gives an approximate cycle count, comparable across loaded runs.
 */
function effectiveGHz(): number {
  const spin = (n: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s = (s + i) | 0;
    return s;
  };
  spin(1e6);
  const g: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    spin(1e6);
    g.push(1e6 / Number(process.hrtime.bigint() - t0));
  }
  return median(g);
}

function median(v: number[]): number {
  const s = [...v].sort((p, q) => p - q);
  return s[s.length >> 1];
}

interface Timing {
  /** Median ns per call. */
  ns: number;
  /** Median approximate cycles per call (each repeat scaled by a calibration run right after it). */
  cycles: number;
  /** Median effective GHz seen by the calibration runs. */
  ghz: number;
}

/** Times `run`; each repeat is followed by a short calibration spin (see effectiveGHz). */
function time(run: () => void): Timing {
  // Warm up past V8's Liftoff baseline tier: wasm functions tier up to TurboFan between calls.
  const w0 = performance.now();
  for (let i = 0; i < 3 || performance.now() - w0 < 250; i++) run();
  const ns: number[] = [];
  const cyc: number[] = [];
  const ghz: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let t: number;
    if (clock === 'cpu') {
      const c0 = process.cpuUsage();
      run();
      const d = process.cpuUsage(c0);
      t = (d.user + d.system) * 1000;
    } else {
      const t0 = process.hrtime.bigint();
      run();
      t = Number(process.hrtime.bigint() - t0);
    }
    const g = effectiveGHz();
    ns.push(t);
    ghz.push(g);
    cyc.push(t * g);
  }
  return { ns: median(ns), cycles: median(cyc), ghz: median(ghz) };
}

console.log(`kernel-micro: ${cell.toUpperCase()}, median of ${repeats} after >= 250 ms warm-up, ${clock} clock, node ${process.version}`);
console.log('path       I    H  batch    T   ns/step  GMAC/s  ~cycles/step  MAC/cycle  (eff. GHz)');
const shapes = [
  { I: 1, H: 64, T: 200 },
  { I: 1, H: 128, T: 100 },
  { I: 64, H: 256, T: 40 },
];
for (const s of shapes) {
  for (const p of only) {
    if (p.startsWith('ref') && s.H > 128 && repeats > 5) continue; // the scalar path is only a baseline
    const tm = time(setup(p, s.I, s.H, 1, s.T));
    const ns = tm.ns / s.T;
    const ghz = tm.ghz;
    const macs = G * s.H * (s.I + s.H);
    const cyc = tm.cycles / s.T;
    console.log(`${p.padEnd(9)} ${String(s.I).padStart(3)} ${String(s.H).padStart(4)} ${'1'.padStart(6)} ${String(s.T).padStart(4)} ${ns.toFixed(0).padStart(9)} ${(macs / ns).toFixed(1).padStart(7)} ${cyc.toFixed(0).padStart(13)} ${(macs / cyc).toFixed(2).padStart(10)}  (${ghz.toFixed(2)})`);
  }
}
// Streaming: 1000 streams of H=64, I=1, one call per 90-step chunk for all streams.
for (const p of only.filter((q) => q.startsWith('simd'))) {
  const batch = 1000;
  const T = 90;
  const tm = time(setup(p, 1, 64, batch, T));
  const sps = (batch * T) / (tm.ns / 1e9);
  const per = tm.ns / (batch * T);
  console.log(`${p.padEnd(9)}   1   64 ${String(batch).padStart(6)} ${String(T).padStart(4)}  stream-steps/s ${(sps / 1e6).toFixed(2)} M  (${per.toFixed(0)} ns, ~${(tm.cycles / (batch * T)).toFixed(0)} cycles per stream-step; eff. GHz ${tm.ghz.toFixed(2)})`);
}
