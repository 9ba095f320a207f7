/**
 * Benchmark of the device's ECG chain on one core: src/signal/chain.ts for a beat model
 * (band-pass 0.5-40 Hz -> streaming QRS detection on the band-passed signal -> beat windows with
 * the default RR features), fed in chunks as a device receives them. Prints samples per second for the whole chain and for each
 * stage alone, the best of several repetitions (the first ones warm the JIT up).
 * Then the per-stream cost as the MQTT host pays it (signal-streams.ts): bytes retained per
 * stream and CPU per second of signal, N streams of 100 ms frames round robin, for the demo beat
 * model, the beat model with RR features, and the fixed-window variant bench:mqtt serves.
 *
 *   npx tsx tools/bench/signal-chain.ts [--records DIR] [--chunk 360] [--reps 5] [--json] [--ec57]
 *       [--streams 1000] [--seconds 20] [--frame 36] [--only throughput|streams]
 *
 * Input: the MLII lead of the MIT-BIH records in --records (default $WAVEGATE_DATA/mitdb or
 * ../shared/data/mitdb), else 30 min of synthetic ECG. --ec57 also prints the detector's
 * per-record EC57 table (needs the records' .atr files).
 */
import { existsSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { leadSignal, readWfdbAnnotations, readWfdbRecord } from '../../src/io/wfdb-record.js';
import type { InputSpec } from '../../src/model/schema.js';
import { BeatStream } from '../../src/signal/beats.js';
import { createSignalChain } from '../../src/signal/chain.js';
import { BiquadCascade, designBandpass } from '../../src/signal/filters.js';
import { detectQrs, QrsDetector } from '../../src/signal/qrs.js';
import { DEFAULT_LOCAL_BEATS, DEFAULT_RR_FEATURES } from '../../src/signal/rr-features.js';
import { formatEc57Table, scoreQrs, type Ec57Result } from '../../src/eval/ec57.js';
import { loadWgm } from '../../src/model/load.js';
import { synthEcg } from '../synth/ecg.js';
import { DEMO_MODEL } from '../demo/demo.js';
import { markdownTable } from './table.js';
import { measureStreamCost, type StreamCostRow } from './signal-streams.js';

interface Args {
  records: string;
  chunk: number;
  reps: number;
  json: boolean;
  ec57: boolean;
  streams: number;
  seconds: number;
  frame: number;
  only: 'throughput' | 'streams' | undefined;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { records: resolve(process.env.WAVEGATE_DATA ?? '../shared/data', 'mitdb'), chunk: 360, reps: 5, json: false, ec57: false, streams: 1000, seconds: 20, frame: 36, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--records') a.records = argv[++i];
    else if (k === '--chunk') a.chunk = Number(argv[++i]);
    else if (k === '--reps') a.reps = Number(argv[++i]);
    else if (k === '--json') a.json = true;
    else if (k === '--ec57') a.ec57 = true;
    else if (k === '--streams') a.streams = Number(argv[++i]);
    else if (k === '--seconds') a.seconds = Number(argv[++i]);
    else if (k === '--frame') a.frame = Number(argv[++i]);
    else if (k === '--only') {
      const v = argv[++i];
      if (v !== 'throughput' && v !== 'streams') throw new Error(`signal-chain: --only takes throughput or streams, got ${v}`);
      a.only = v;
    }
    else throw new Error(`signal-chain: unknown argument ${k}`);
  }
  return a;
}

interface Input {
  name: string;
  fs: number;
  signal: Float32Array;
}

function loadInputs(dir: string): Input[] {
  if (existsSync(join(dir, '100.hea'))) {
    const names = readdirSync(dir).filter((f) => f.endsWith('.hea')).map((f) => f.slice(0, -4)).sort();
    return names.map((name) => {
      const rec = readWfdbRecord(join(dir, name));
      return { name, fs: rec.header.fs, signal: leadSignal(rec, 'MLII').physical };
    });
  }
  const e = synthEcg({ seconds: 1800, premature: { S: 0.05, V: 0.05 }, noise: 0.03, seed: 1 });
  return [{ name: 'synthetic', fs: e.fs, signal: e.signal }];
}

type Stage = 'chain' | 'bandpass' | 'qrs' | 'beats';

/** The input spec of an ECG beat model at `fs`: what `wavegate dataset build --source mitdb:...` records by default. */
function beatModelInput(fs: number): InputSpec {
  return {
    channels: 1,
    sampleRate: fs,
    window: 256,
    raw: { sampleRate: fs, units: 'mV', channels: ['MLII'] },
    preprocessing: [{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }],
    windowing: { mode: 'beat', before: 90, after: 166, qrs: { detector: 'pan-tompkins' } },
    features: { kind: 'rr', names: [...DEFAULT_RR_FEATURES], localBeats: DEFAULT_LOCAL_BEATS },
  };
}

/**
 * Runs one stage (or the chain) over every input in chunks; returns the seconds of CPU time the
 * process used (user + system), which on a machine shared with other jobs is a far better
 * measure of one core's throughput than wall time; wall time is returned too.
 */
function runOnce(inputs: Input[], chunk: number, stage: Stage): { cpu: number; wall: number; beats: number } {
  let beatCount = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const { fs, signal } of inputs) {
    const bp = new BiquadCascade(designBandpass(0.5, 40, fs, 2));
    const qrs = new QrsDetector({ fs });
    const beats = new BeatStream({ before: 90, after: 166 });
    const chain = createSignalChain(beatModelInput(fs), fs);
    const peaksForBeats = stage === 'beats' ? detectQrs(signal, { fs }) : [];
    let p = 0;
    for (let i = 0; i < signal.length; i += chunk) {
      const x = signal.subarray(i, i + chunk);
      if (stage === 'bandpass') bp.process(x);
      else if (stage === 'qrs') qrs.process(x);
      else if (stage === 'beats') {
        beatCount += beats.pushSamples(x).length;
        const ready: number[] = [];
        while (p < peaksForBeats.length && peaksForBeats[p] + qrs.latencySamples < i + x.length) ready.push(peaksForBeats[p++]);
        beatCount += beats.pushPeaks(ready).length;
      } else beatCount += chain.push(x).length;
    }
  }
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6, wall: (performance.now() - t0) / 1000, beats: beatCount };
}

/** The models of the per-stream table: the demo beat model as its file describes itself, the beat model with RR features, the fixed-window variant of bench:mqtt. */
async function streamModels(): Promise<Array<{ name: string; input: InputSpec }>> {
  const demo = (await loadWgm(DEMO_MODEL)).metadata.input;
  const { preprocessing: _p, windowing: _w, ...bare } = demo;
  return [
    { name: 'beat (demo model)', input: demo },
    { name: 'beat + RR features', input: beatModelInput(360) },
    { name: 'fixed 128 (bench:mqtt --fixed)', input: { ...bare, window: 128, hop: 128, windowing: { mode: 'fixed', window: 128, hop: 128 } } },
  ];
}

function formatStreamRows(rows: StreamCostRow[], args: Args): string {
  const r0 = rows[0];
  const head = `Per stream, as the MQTT host runs chains: ${r0.streams} streams, frames of ${args.frame} samples round robin, ${r0.seconds} s of 360 Hz signal each, load average ${loadavg()[0].toFixed(1)}`;
  const body = rows.map((r) => [r.model, (r.bytesAtCreation / 1024).toFixed(1), (r.bytesAfterSignal / 1024).toFixed(1), r.cpuUsPerStreamSecond.toFixed(1), r.wallUsPerStreamSecond.toFixed(1), `${r.gcCount} / ${r.gcMs}`, String(r.windows)]);
  return `${head}\n${markdownTable(['model', 'KB at creation', 'KB after signal', 'CPU µs per stream-second', 'wall µs per stream-second', 'GCs / ms', 'windows'], body)}\n`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const inputs = loadInputs(args.records);
  const samples = inputs.reduce((s, i) => s + i.signal.length, 0);
  const results: Record<string, number> = {};
  const wallResults: Record<string, number> = {};
  let chainBeats = 0;
  const source = inputs.length > 1 ? `${inputs.length} MIT-BIH records (MLII)` : inputs[0].name;
  const json: Record<string, unknown> = { source, loadAverage: loadavg()[0], node: process.version };
  if (args.only !== 'streams') {
    for (const stage of ['chain', 'bandpass', 'qrs', 'beats'] as Stage[]) {
      let best = Number.POSITIVE_INFINITY, bestWall = Number.POSITIVE_INFINITY;
      for (let r = 0; r < args.reps; r++) {
        const t = runOnce(inputs, args.chunk, stage);
        best = Math.min(best, t.cpu);
        bestWall = Math.min(bestWall, t.wall);
        if (stage === 'chain') chainBeats = t.beats;
      }
      results[stage] = samples / best;
      wallResults[stage] = samples / bestWall;
    }
    Object.assign(json, { samples, chunk: args.chunk, beatWindows: chainBeats, samplesPerCpuSecond: results, samplesPerWallSecond: wallResults });
    if (!args.json) {
      process.stdout.write(`ECG chain on one core: ${source}, ${(samples / 1e6).toFixed(1)} M samples, chunks of ${args.chunk}, best of ${args.reps}, node ${process.version}, load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores\n`);
      process.stdout.write(`  (throughput per CPU-second of this process; per wall-second in brackets)\n`);
      const w = (k: string): string => `(${(wallResults[k] / 1e6).toFixed(1)})`;
      process.stdout.write(`  chain (band-pass + QRS + beat windows): ${(results.chain / 1e6).toFixed(1)} M samples/s ${w('chain')}, ${Math.round(results.chain / 360).toLocaleString('en')} real-time 360 Hz channels, ${chainBeats} beat windows\n`);
      process.stdout.write(`  band-pass 0.5-40 Hz alone:              ${(results.bandpass / 1e6).toFixed(1)} M samples/s ${w('bandpass')}\n`);
      process.stdout.write(`  QRS detector alone:                     ${(results.qrs / 1e6).toFixed(1)} M samples/s ${w('qrs')}\n`);
      process.stdout.write(`  beat windows (incl. an offline QRS pass): ${(results.beats / 1e6).toFixed(1)} M samples/s ${w('beats')}\n`);
    }
  }
  if (args.only !== 'throughput') {
    const at360 = inputs.filter((i) => i.fs === 360 && i.signal.length > args.seconds * 360).map((i) => i.signal);
    if (at360.length === 0) throw new Error('signal-chain: the per-stream table needs 360 Hz records longer than --seconds');
    const rows: StreamCostRow[] = [];
    for (const m of await streamModels()) rows.push(await measureStreamCost(m.name, m.input, 360, at360, args));
    json.streams = rows;
    if (!args.json) process.stdout.write(formatStreamRows(rows, args));
  }
  if (args.json) process.stdout.write(`${JSON.stringify(json)}\n`);
  if (args.ec57) {
    const rows: Array<{ record: string; result: Ec57Result }> = [];
    for (const { name, fs, signal } of inputs) {
      if (!existsSync(join(args.records, `${name}.atr`))) continue;
      rows.push({ record: name, result: scoreQrs(readWfdbAnnotations(join(args.records, name)), detectQrs(signal, { fs }), { fs }) });
    }
    process.stdout.write(`${formatEc57Table(rows)}\n`);
  }
}

await main();
