/**
 * INT8 against f32, old and new activation scheme side by side (docs/int8-schemes.md):
 * format version 3's 8-bit activations with h at the fixed scale 1/127, and version 4's 7-bit
 * activations with h at a per-step scale. An INT8 file's tensors are the same in both versions,
 * so each model is imported once with --int8 (version 4) and run a second time with its metadata
 * saying version 3: the only difference is the scheme.
 *
 *   npx tsx tools/quantize/int8-schemes.ts [--synth <records>] [--mitdb <dir>] [--json]
 *   npx tsx tools/quantize/int8-schemes.ts --models <f32.wgm>,<int8.wgm>,<dataset.npz>[,<name>] ... [--json]
 *
 * Sets: the demo model (fixtures/models/ecg-beat-gru.onnx) on the committed beat windows
 * (fixtures/signals/ecg-beats.npy, labelled N/S/V), on a larger synthetic beat set (--synth
 * records of 120 s, seed 4711; default 24) and on MIT-BIH beats (--mitdb, MLII, the same band-pass,
 * R at 64 of 128, every 5th N beat and every S and V beat); and every ONNX fixture of
 * fixtures/onnx (expect "ok") on its committed input. Reported: top-1 agreement with f32, max and
 * mean |p_int8 - p_f32|, and per-class sensitivity (labelled sets).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy } from '../../src/io/npy.js';
import { f16ArrayToF32 } from '../../src/model/f16.js';
import { int8BiasDType, tensorName } from '../../src/model/tensors.js';
import { decodeWgm } from '../../src/model/load.js';
import type { WgmModel } from '../../src/model/schema.js';
import { loadModel } from '../../src/runtime/model.js';
import { decodeDataset } from '../datasets/dataset-file.js';
import { buildMitdbDataset } from '../datasets/mitdb.js';
import { parsePreprocessSpec } from '../datasets/preprocess.js';
import { importOnnxFile } from '../onnx/import.js';
import { agreement, argmax } from './agreement.js';
import { buildSynthDataset, ECG_LABELS } from '../synth/dataset.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface SchemeStats {
  /** Top-1 of INT8 equal to top-1 of f32, fraction. */
  agreement: number;
  maxAbsDiff: number;
  meanAbsDiff: number;
  /** Per-class sensitivity (labelled sets), fraction, in label order. */
  sensitivity?: number[];
}

export interface SetResult {
  name: string;
  windows: number;
  classCounts?: number[];
  f32Sensitivity?: number[];
  v3: SchemeStats;
  v4: SchemeStats;
}

/**
 * The same model with its metadata saying `formatVersion`. INT8 weight tensors are those of v2-v4
 * alike; version 4 stores biases as F16, which earlier versions did not take: widened to F32
 * (exactly), they are the same numbers.
 */
function atVersion(m: WgmModel, formatVersion: number): WgmModel {
  const tensors = new Map(m.tensors);
  if (int8BiasDType(formatVersion) === 'F32') {
    for (const layer of m.metadata.layers) {
      const b = 'name' in layer ? tensors.get(tensorName.B(layer.name)) : undefined;
      if (b?.dtype === 'F16') tensors.set(tensorName.B(layer.name), { dtype: 'F32', shape: b.shape, data: f16ArrayToF32(b.data as Uint16Array) });
    }
  }
  return { metadata: { ...m.metadata, formatVersion }, tensors };
}

async function score(m: WgmModel, x: Float32Array, n: number, T: number, features?: Float32Array): Promise<Float32Array> {
  const model = await loadModel(m);
  const s = await model.createSession({ backend: 'simd', maxBatch: 256, maxWindow: T });
  const out = new Float32Array((n * m.metadata.output.size) as number);
  for (let b = 0; b < n; b += 256) {
    const k = Math.min(256, n - b);
    const C = m.metadata.input.channels;
    const F = m.metadata.input.features?.names.length ?? 0;
    const y = s.run(x.subarray(b * T * C, (b + k) * T * C), k, features ? { T, features: features.subarray(b * F, (b + k) * F) } : T);
    out.set(y, b * m.metadata.output.size);
  }
  model.dispose();
  return out;
}

function sensitivity(p: Float32Array, labels: number[], K: number): number[] {
  return Array.from({ length: K }, (_, c) => {
    const idx = labels.flatMap((l, i) => (l === c ? [i] : []));
    return idx.length ? idx.filter((i) => argmax(p, i * K, K) === c).length / idx.length : NaN;
  });
}

function stats(p: Float32Array, ref: Float32Array, n: number, K: number, labels?: number[]): SchemeStats {
  const a = agreement(ref.subarray(0, n * K), p.subarray(0, n * K), K);
  return { agreement: a.top1, maxAbsDiff: a.maxAbsDiff, meanAbsDiff: a.meanAbsDiff, ...(labels ? { sensitivity: sensitivity(p, labels, K) } : {}) };
}

/** f32, version-3 INT8 and version-4 INT8 of one ONNX model on windows x [n, T, C]. */
export async function compareSchemes(onnxPath: string, name: string, x: Float32Array, n: number, T: number, labels?: number[], features?: Float32Array): Promise<SetResult> {
  return compareModels(importOnnxFile(onnxPath).model, importOnnxFile(onnxPath, { int8: true }).model, name, x, n, T, labels, features);
}

/**
 * The same comparison for a model already imported twice (`wavegate import` without and with
 * --int8, e.g. with --dataset so that side features are normalised as the model says).
 */
export async function compareModels(f32: WgmModel, int8: WgmModel, name: string, x: Float32Array, n: number, T: number, labels?: number[], features?: Float32Array): Promise<SetResult> {
  const ref = await score(f32, x, n, T, features);
  const K = f32.metadata.output.size;
  const v3 = stats(await score(atVersion(int8, 3), x, n, T, features), ref, n, K, labels);
  const v4 = stats(await score(atVersion(int8, 4), x, n, T, features), ref, n, K, labels);
  return {
    name,
    windows: n,
    ...(labels ? { classCounts: Array.from({ length: K }, (_, c) => labels.filter((l) => l === c).length), f32Sensitivity: sensitivity(ref, labels, K) } : {}),
    v3,
    v4,
  };
}

const DEMO = join(ROOT, 'fixtures/models/ecg-beat-gru.onnx');

export async function demoSets(o: { synth?: number; mitdb?: string }): Promise<SetResult[]> {
  const out: SetResult[] = [];
  const w = readNpy(readFileSync(join(ROOT, 'fixtures/signals/ecg-beats.npy')));
  const l = readNpy(readFileSync(join(ROOT, 'fixtures/signals/ecg-beats-labels.npy')));
  out.push(await compareSchemes(DEMO, 'demo model, fixtures/signals/ecg-beats.npy', w.data as Float32Array, w.shape[0], w.shape[1], Array.from(l.data as BigInt64Array, Number)));
  if (o.synth) {
    const d = buildSynthDataset({ kind: 'ecg', count: o.synth, seconds: 120, seed: 4711 });
    out.push(await compareSchemes(DEMO, `demo model, synthetic ECG (${o.synth} records x 120 s, seed 4711)`, d.x, d.n, d.t, Array.from(d.y, Number)));
  }
  if (o.mitdb) {
    const records = readdirSync(o.mitdb).filter((f) => f.endsWith('.hea')).map((f) => f.slice(0, -4)).sort().join(',');
    const d = buildMitdbDataset({ dir: o.mitdb, split: records, before: 64, after: 64, preprocessing: parsePreprocessSpec('bandpass:0.5-40:2') });
    const y = Array.from(d.y as BigInt64Array, Number);
    const keep: number[] = [];
    let nN = 0;
    for (let i = 0; i < y.length; i++) if (y[i] <= 2 && (y[i] !== 0 || nN++ % 5 === 0)) keep.push(i);
    const x = new Float32Array(keep.length * 128);
    keep.forEach((i, j) => x.set((d.x as Float32Array).subarray(i * 128, (i + 1) * 128), j * 128));
    out.push(await compareSchemes(DEMO, `demo model, MIT-BIH MLII (${records.split(',').length} records; every 5th N, all S and V)`, x, keep.length, 128, keep.map((i) => y[i])));
  }
  return out;
}

export async function onnxFixtureSets(): Promise<SetResult[]> {
  const dir = join(ROOT, 'fixtures/onnx');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { cases: { name: string; expect: string }[] };
  const out: SetResult[] = [];
  for (const c of manifest.cases.filter((k) => k.expect === 'ok')) {
    const { io } = importOnnxFile(join(dir, `${c.name}.onnx`));
    const inp = readNpy(readFileSync(join(dir, `${c.name}.input.npy`)));
    let x = inp.data as Float32Array;
    let [B, T, C] = inp.shape;
    if (io.inputLayout === 'time_first') {
      [T, B, C] = inp.shape;
      const t = new Float32Array(x.length);
      for (let s = 0; s < T; s++) for (let b = 0; b < B; b++) t.set(x.subarray((s * B + b) * C, (s * B + b + 1) * C), (b * T + s) * C);
      x = t;
    }
    if (io.perStep) continue; // per-step outputs are checked by the oracle test; here one row per window
    const features = io.featuresName ? (readNpy(readFileSync(join(dir, `${c.name}.features.npy`))).data as Float32Array) : undefined;
    out.push(await compareSchemes(join(dir, `${c.name}.onnx`), c.name, x, B, T, undefined, features));
  }
  return out;
}

const pct = (v: number) => (100 * v).toFixed(2);

export function formatResults(demo: SetResult[], onnx: SetResult[]): string {
  const lines: string[] = ['| set | windows (N/S/V) | f32 sensitivity N / S / V | v3 (8-bit, h 1/127): top-1 agreement, max / mean \\|dp\\|, sensitivity | v4 (7-bit, h per step): the same | v4 - v3 sensitivity (points) |', '|---|---|---|---|---|---|'];
  for (const r of demo) {
    const sens = (s?: number[]) => (s ? s.map(pct).join(' / ') : '—');
    const diff = r.v4.sensitivity!.map((v, i) => (100 * (v - r.v3.sensitivity![i])).toFixed(2)).join(' / ');
    const cell = (s: SchemeStats) => `${pct(s.agreement)}%, ${s.maxAbsDiff.toExponential(2)} / ${s.meanAbsDiff.toExponential(2)}, ${sens(s.sensitivity)}`;
    lines.push(`| ${r.name} | ${r.windows} (${r.classCounts!.join('/')}) | ${sens(r.f32Sensitivity)} | ${cell(r.v3)} | ${cell(r.v4)} | ${diff} |`);
  }
  lines.push('', `Classes: ${ECG_LABELS.join(', ')}. ONNX fixtures (committed inputs, one output row per window), max |int8 - f32| and top-1 agreement:`, '');
  lines.push('| fixture | windows | v3 max \\|d\\| | v4 max \\|d\\| | v3 top-1 | v4 top-1 |', '|---|---|---|---|---|---|');
  for (const r of onnx) lines.push(`| ${r.name} | ${r.windows} | ${r.v3.maxAbsDiff.toExponential(2)} | ${r.v4.maxAbsDiff.toExponential(2)} | ${pct(r.v3.agreement)}% | ${pct(r.v4.agreement)}% |`);
  return lines.join('\n');
}

/** One row per model: windows per class, f32 sensitivity, and each scheme's agreement, differences and sensitivity (%). */
export function formatModelRows(rows: SetResult[]): string {
  const sens = (v?: number[]) => (v ? v.map((x) => (Number.isNaN(x) ? '-' : pct(x))).join(' / ') : '-');
  const lines = ['| model, set | windows per class | f32 sensitivity | v3: top-1 agreement, max / mean \\|dp\\|, sensitivity | v4: the same | v4 - v3 sensitivity (points) |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const cell = (s: SchemeStats) => `${pct(s.agreement)}%, ${s.maxAbsDiff.toExponential(2)} / ${s.meanAbsDiff.toExponential(2)}, ${sens(s.sensitivity)}`;
    const diff = r.v4.sensitivity!.map((v, i) => (Number.isNaN(v) ? '-' : (100 * (v - r.v3.sensitivity![i])).toFixed(2))).join(' / ');
    lines.push(`| ${r.name} | ${r.classCounts!.join(' / ')} | ${sens(r.f32Sensitivity)} | ${cell(r.v3)} | ${cell(r.v4)} | ${diff} |`);
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const pairs = argv.flatMap((a, i) => (a === '--models' ? [argv[i + 1]] : []));
  if (pairs.length > 0) {
    // --models <f32.wgm>,<int8.wgm>,<dataset.npz>[,<name>]: any imported model pair on a labelled dataset
    const rows: SetResult[] = [];
    for (const spec of pairs) {
      const [f32Path, int8Path, dsPath, name] = spec.split(',');
      const d = decodeDataset(readFileSync(dsPath), dsPath);
      const f32 = decodeWgm(readFileSync(f32Path));
      rows.push(await compareModels(f32, decodeWgm(readFileSync(int8Path)), name ?? int8Path, d.x, d.n, d.t, Array.from(d.y, Number), d.features));
    }
    if (argv.includes('--json')) console.log(JSON.stringify(rows, null, 1));
    else console.log(formatModelRows(rows));
    return;
  }
  const demo = await demoSets({ synth: Number(arg('--synth') ?? 24), mitdb: arg('--mitdb') });
  const onnx = await onnxFixtureSets();
  if (argv.includes('--json')) console.log(JSON.stringify({ demo, onnx }, null, 1));
  else console.log(formatResults(demo, onnx));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`int8-schemes: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
