/**
 * `npm run bench:models`: for each default model (models/*.wgm, or the files named), what
 * `wavegate inspect` reports about its size (file bytes, parameters, weight bytes, INT8 or f32) and
 * the core benchmark's per-window latency: Session.run on one window of the model's own length
 * (with its side features), batch 1, on each kernel build this Node runs (ref, simd, relaxed),
 * timed like `npm run bench` (tools/bench/measure.ts: warm-up, then the median of timed calls).
 * The windows are random in the model's input range (timing does not depend on the values). For
 * fixed-window models it also times the model's signal chain (src/signal/chain.ts) per window:
 * one hop of raw samples at the model's raw rate pushed through the chain (filters, decimation, a
 * spectrum stage's FFTs), what a device spends on top of the kernel; beat models' chains depend on
 * the beats the detector finds (`npm run bench:signal` times the ECG chain). The load average is
 * printed beside the figures: the machine may be shared.
 *
 *   npm run bench:models                          # models/*.wgm, ref + simd (+ relaxed)
 *   npm run bench:models -- models/ecg-arrhythmia.wgm --backends simd --seconds 3 --clock cpu
 *   npm run bench:models -- --json
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { loadModel, type Model } from '../../src/runtime/model.js';
import type { BackendChoice } from '../../src/runtime/options.js';
import type { WgmMetadata } from '../../src/model/schema.js';
import { createSignalChain } from '../../src/signal/chain.js';
import { Rng } from '../synth/rng.js';
import { formatMachine, machineInfo } from './machine.js';
import { DEFAULT_MEASURE, measure, parseClock, parseSeconds, reportedNs, type MeasureOptions } from './measure.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ModelBenchRow {
  model: string;
  bytes: number;
  parameters: number;
  weightBytes: number;
  int8: boolean;
  /** Window length T and channels C of one inference, side features F. */
  T: number;
  C: number;
  F: number;
  backend: string;
  /** Per-window latency at batch 1, microseconds (wall or CPU, as `clock`). */
  usPerWindow: number;
  /** The signal chain's time per window (one hop of raw samples), microseconds; fixed windows only. */
  chainUsPerWindow?: number;
  repeats: number;
}

/** The sizes `wavegate inspect` prints (Model.inspect: parameters, tensor bytes in the file). */
async function sizes(model: Model): Promise<{ parameters: number; weightBytes: number; int8: boolean }> {
  const r = await model.inspect();
  return { parameters: r.parameterCount, weightBytes: r.weightFileBytes, int8: r.layers.some((l) => l.tensors.some((t) => t.dtype === 'I8')) };
}

/** Times the model's chain on one hop of raw samples a call (after the first window has been filled). */
async function chainPerWindow(meta: WgmMetadata, m: Partial<MeasureOptions>): Promise<number | undefined> {
  const w = meta.input.windowing;
  if (w?.mode !== 'fixed' || !meta.input.raw) return undefined;
  const rate = meta.input.raw.sampleRate;
  const chain = createSignalChain(meta.input, rate);
  const raw = Math.round((w.hop * rate) / chain.outputRate);
  const rng = new Rng(7);
  const chunk = Float32Array.from({ length: raw * chain.streamChannels }, () => rng.uniform(-0.1, 0.1));
  for (let n = 0; n < w.window + w.hop; n += w.hop) chain.push(chunk);
  const r = await measure(() => chain.push(chunk), m);
  return reportedNs(r, { clock: m.clock ?? 'wall' }) / 1000;
}

export async function benchModel(path: string, backends: BackendChoice[], m: Partial<MeasureOptions>): Promise<ModelBenchRow[]> {
  const model = await loadModel(new Uint8Array(readFileSync(path)));
  const rows: ModelBenchRow[] = [];
  try {
    const meta = model.metadata;
    const T = meta.input.window ?? (meta.input.windowing?.mode === 'beat' ? meta.input.windowing.before + meta.input.windowing.after : 256);
    const C = meta.input.channels;
    const F = meta.input.features?.names.length ?? 0;
    const size = await sizes(model);
    const chainUs = await chainPerWindow(meta, m);
    const rng = new Rng(1);
    const rand = () => rng.uniform(-1, 1);
    const x = Float32Array.from({ length: T * C }, rand);
    const features = F ? Float32Array.from({ length: F }, rand) : undefined;
    for (const backend of backends) {
      let session;
      try {
        session = await model.createSession({ backend, maxBatch: 1 });
      } catch {
        continue; // this Node does not run that build (relaxed SIMD)
      }
      try {
        const r = await measure(() => session.run(x, 1, { T, features }), m);
        rows.push({ model: path.split('/').pop()!, bytes: statSync(path).size, ...size, T, C, F, backend: session.backend, usPerWindow: reportedNs(r, { clock: m.clock ?? 'wall' }) / 1000, ...(chainUs !== undefined ? { chainUsPerWindow: chainUs } : {}), repeats: r.repeats });
      } finally {
        session.dispose();
      }
    }
  } finally {
    model.dispose();
  }
  return rows;
}

export function formatModelBench(rows: ModelBenchRow[], clock: string): string {
  const lines = [`| model | file bytes | parameters | weight bytes | weights | T x C (+F) | kernel | us per window (${clock}, batch 1) | chain us per window |`, '|---|---:|---:|---:|---|---|---|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.model} | ${r.bytes.toLocaleString('en')} | ${r.parameters.toLocaleString('en')} | ${r.weightBytes.toLocaleString('en')} | ${r.int8 ? 'INT8' : 'f32'} | ${r.T} x ${r.C}${r.F ? ` (+${r.F})` : ''} | ${r.backend} | ${r.usPerWindow.toFixed(1)} | ${r.chainUsPerWindow !== undefined ? r.chainUsPerWindow.toFixed(1) : '-'} |`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const o = new Command('bench:models')
    .argument('[models...]', '.wgm files (default: models/*.wgm)')
    .option('--backends <list>', 'kernel builds: ref, simd, relaxed', 'ref,simd,relaxed')
    .option('--seconds <s>', 'timed seconds per point', String(DEFAULT_MEASURE.targetSeconds))
    .option('--clock <wall|cpu>', 'wall time or process CPU time per call', 'wall')
    .option('--json', 'print the rows as JSON')
    .parse(argv, { from: 'user' });
  const opts = o.opts<{ backends: string; seconds: string; clock: string; json?: boolean }>();
  const files = o.args.length > 0 ? o.args : readdirSync(join(ROOT, 'models')).filter((f) => f.endsWith('.wgm')).sort().map((f) => join(ROOT, 'models', f));
  const m: Partial<MeasureOptions> = { targetSeconds: parseSeconds(opts.seconds), clock: parseClock(opts.clock) };
  const before = loadavg();
  const rows: ModelBenchRow[] = [];
  for (const f of files) rows.push(...(await benchModel(f, opts.backends.split(',') as BackendChoice[], m)));
  const after = loadavg();
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ rows, loadavg: { before, after } })}\n`);
    return;
  }
  process.stdout.write(`${formatMachine(machineInfo())}\nload average (1, 5, 15 min) before ${before.map((v) => v.toFixed(2)).join(', ')}, after ${after.map((v) => v.toFixed(2)).join(', ')}\n\n${formatModelBench(rows, opts.clock)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
