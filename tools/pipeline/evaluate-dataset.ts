/**
 * Scores a held-out dataset with a .wgm on wavegate's runtime and writes the evaluation JSON: the
 * pipeline's evaluation until `wavegate eval` is on main (tools/pipeline/toolchain.ts, HAVE.eval).
 *
 *   tsx tools/pipeline/evaluate-dataset.ts --model m.wgm --dataset test.npz --out eval.json
 *
 * The dataset's windows are the device's (built by the device chain: beat windows on the device
 * QRS detector's peaks, labelled by the EC57 150 ms match; or fixed windows of the test region of
 * each recording), with their side features. Detections that match no reference beat are not in
 * the dataset: their count (meta.unmatchedDetections) is reported beside the figures, not scored.
 *
 * A classifier (model labels = dataset labels) gets per-class Se/+P/F1, accuracy, the confusion
 * matrix and the same per record. An anomaly model (labels ["normal", "anomaly"]) on a labelled
 * dataset gets AUROC of its anomaly score (faults vs normal), the share of windows of each class
 * above the shipped threshold (detector.thresholds.anomaly) and the alerts its k-of-n rule raises
 * on the normal windows, per hour.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { WavegateError } from '../../src/errors.js';
import { sha256Hex } from '../../src/model/digest.js';
import { loadModel } from '../../src/runtime/model.js';
import { decodeDataset, type DatasetArrays } from '../datasets/dataset-file.js';
import { auroc, classify, countAlerts, type AlertRule } from './metrics.js';

const BATCH = 512;

/** Model outputs [n, K] for every window of the dataset (with its side features when the model takes them). */
export async function scoreDataset(modelPath: string, ds: DatasetArrays): Promise<{ probs: Float32Array; labels: string[]; k: number; model: Awaited<ReturnType<typeof loadModel>> }> {
  const model = await loadModel(modelPath);
  const session = await model.createSession();
  const meta = model.metadata;
  const labels = meta.labels ?? [];
  const k = meta.output.size;
  const takes = meta.input.features?.names ?? [];
  const has = ds.meta.input.features?.names ?? [];
  if (takes.length && takes.join() !== has.join()) {
    throw new WavegateError('E_INPUT', `${modelPath} takes side features [${takes.join(', ')}]; the dataset has [${has.join(', ')}]`);
  }
  if (meta.input.window !== undefined && meta.input.window !== ds.t) {
    throw new WavegateError('E_INPUT', `${modelPath}: window ${meta.input.window}, the dataset's windows have ${ds.t} steps`);
  }
  const probs = new Float32Array(ds.n * k);
  const F = takes.length;
  for (let first = 0; first < ds.n; first += BATCH) {
    const b = Math.min(BATCH, ds.n - first);
    const x = ds.x.subarray(first * ds.t * ds.c, (first + b) * ds.t * ds.c);
    const features = F ? ds.features!.subarray(first * F, (first + b) * F) : undefined;
    probs.set(session.run(x, b, { T: ds.t, features }), first * k);
  }
  session.dispose();
  return { probs, labels, k, model };
}

function argmaxRows(probs: Float32Array, k: number): Int32Array {
  const out = new Int32Array(probs.length / k);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

function datasetInfo(path: string, bytes: Uint8Array, ds: DatasetArrays) {
  return {
    file: basename(path), sha256: sha256Hex(bytes), split: ds.meta.split, source: ds.meta.source, windows: ds.n,
    records: ds.meta.records, peaks: ds.meta.peaks, unmatchedDetections: ds.meta.unmatchedDetections ?? null,
  };
}

export async function evaluateDataset(modelPath: string, datasetPath: string): Promise<Record<string, unknown>> {
  const bytes = readFileSync(datasetPath);
  const ds = decodeDataset(bytes, datasetPath);
  const { probs, labels, k, model } = await scoreDataset(modelPath, ds);
  const truth = Int32Array.from(ds.y, (v) => Number(v));
  const base = {
    method: 'tools/pipeline/evaluate-dataset.ts: the .wgm on the windows of a held-out dataset built by the device chain',
    model: { file: basename(modelPath), sha256: sha256Hex(readFileSync(modelPath)), labels },
    dataset: datasetInfo(datasetPath, bytes, ds),
  };
  if (labels.length === 2 && labels[0] === 'normal' && labels[1] === 'anomaly') return { ...base, ...anomalyFigures(model.metadata.detector, probs, k, ds, truth) };
  if (labels.join() !== ds.meta.labels.join()) {
    throw new WavegateError('E_INPUT', `${modelPath}: labels [${labels.join(', ')}] differ from the dataset's [${ds.meta.labels.join(', ')}]`);
  }
  const predicted = argmaxRows(probs, k);
  const all = classify(truth, predicted, labels);
  const records = ds.meta.records.map((name, r) => {
    const idx: number[] = [];
    for (let i = 0; i < ds.n; i++) if (ds.record[i] === r) idx.push(i);
    const c = classify(idx.map((i) => truth[i]), idx.map((i) => predicted[i]), labels);
    return { record: name, n: idx.length, accuracy: c.accuracy, classes: c.classes };
  });
  return { ...base, records, classes: all.classes, accuracy: all.accuracy, confusion: all.confusion, qrs: null, auroc: null };
}

type Detector = NonNullable<Awaited<ReturnType<typeof loadModel>>['metadata']['detector']>;

function anomalyFigures(detector: Detector | undefined, probs: Float32Array, k: number, ds: DatasetArrays, truth: Int32Array) {
  const normal = ds.meta.labels.indexOf('normal');
  if (normal < 0) throw new WavegateError('E_INPUT', `the dataset has no "normal" label (labels ${ds.meta.labels.join(', ')})`);
  const score = Float32Array.from({ length: ds.n }, (_, i) => probs[i * k + 1]);
  const isFault = Array.from(truth, (y) => y !== normal);
  const threshold = detector?.thresholds?.anomaly ?? detector?.threshold ?? 0.5;
  const hop = ds.meta.input.windowing?.mode === 'fixed' ? ds.meta.input.windowing.hop : ds.t;
  const rate = ds.meta.input.sampleRate ?? 0;
  if (!(rate > 0)) throw new WavegateError('E_INPUT', `the dataset does not give its sample rate (meta.input.sampleRate)`);
  const rule: AlertRule = {
    threshold, minDuration: detector?.minDuration ?? 1, window: detector?.window ?? detector?.minDuration ?? 1,
    cooldownWindows: Math.ceil(((detector?.cooldown ?? 0) * rate) / hop),
  };
  const classes: Record<string, { n: number; flagged: number; meanScore: number }> = {};
  for (const [c, name] of ds.meta.labels.entries()) {
    const s = Array.from(score).filter((_, i) => truth[i] === c);
    if (!s.length) continue;
    classes[name] = { n: s.length, flagged: s.filter((v) => v >= threshold).length / s.length, meanScore: s.reduce((a, b) => a + b, 0) / s.length };
  }
  // The normal windows of each recording in time order, as a device would see them.
  let alerts = 0;
  let normalWindows = 0;
  const files = ds.meta.records.map((name, r) => {
    const idx: number[] = [];
    for (let i = 0; i < ds.n; i++) if (ds.record[i] === r) idx.push(i);
    idx.sort((a, b) => Number(ds.sample[a] - ds.sample[b]));
    const s = idx.map((i) => score[i]);
    const label = idx.length ? ds.meta.labels[truth[idx[0]]] : null;
    const fileAlerts = countAlerts(s, rule);
    if (label === 'normal') ((alerts += fileAlerts), (normalWindows += idx.length));
    return { file: name, label, n: idx.length, flagged: s.filter((v) => v >= threshold).length / Math.max(1, s.length), alerts: fileAlerts };
  });
  const normalSeconds = (normalWindows * hop) / rate;
  return {
    files, accuracy: null, classes, auroc: auroc(score, isFault), threshold, rule,
    normalAlerts: { windows: normalWindows, seconds: normalSeconds, alerts, perHour: normalSeconds > 0 ? (alerts * 3600) / normalSeconds : null },
  };
}

function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? '    -' : (100 * v).toFixed(1).padStart(5);
}

export function formatEvaluation(e: Record<string, unknown>): string {
  const lines: string[] = [];
  if (e.auroc !== null && e.auroc !== undefined && e.files) {
    lines.push(`AUROC (faults vs normal) ${(e.auroc as number).toFixed(4)} at threshold ${(e.threshold as number).toFixed(4)}`);
    for (const [name, c] of Object.entries(e.classes as Record<string, { n: number; flagged: number }>)) lines.push(`  ${name.padEnd(8)} ${String(c.n).padStart(6)} windows, ${pct(c.flagged)} % above the threshold`);
    const a = e.normalAlerts as { alerts: number; seconds: number; perHour: number | null };
    lines.push(`normal data: ${a.alerts} alert(s) in ${a.seconds.toFixed(1)} s`);
    return lines.join('\n');
  }
  lines.push(`class      n    Se%   +P%   F1%`);
  for (const [name, c] of Object.entries(e.classes as Record<string, { n: number; se: number | null; ppv: number | null; f1: number | null }>)) {
    lines.push(`${name.padEnd(6)} ${String(c.n).padStart(6)} ${pct(c.se)} ${pct(c.ppv)} ${pct(c.f1)}`);
  }
  lines.push(`accuracy ${pct(e.accuracy as number)} %`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('evaluate-dataset')
    .description('score a held-out dataset with a .wgm and write the evaluation JSON')
    .requiredOption('--model <model.wgm>', 'model file')
    .requiredOption('--dataset <test.npz>', 'held-out dataset (wavegate dataset build)')
    .requiredOption('--out <eval.json>', 'evaluation JSON')
    .parse(argv, { from: 'user' });
  const o = program.opts<{ model: string; dataset: string; out: string }>();
  const e = await evaluateDataset(o.model, o.dataset);
  writeFileSync(o.out, JSON.stringify(e, null, 2) + '\n');
  process.stdout.write(`${formatEvaluation(e)}\nwrote ${o.out}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(e instanceof WavegateError ? `wavegate: ${e.code}: ${e.message}\n` : `${(e as Error).stack}\n`);
    process.exit(1);
  });
}
