/**
 * Calibrates an anomaly model's alert threshold on normal validation data and writes it into the
 * model's detector defaults (detector.thresholds.anomaly, normalLabels, the k-of-n rule and the
 * cooldown), so a device alerts the way the model card says without configuration.
 *
 *   tsx tools/pipeline/calibrate-anomaly.ts --model uncalibrated.wgm --dataset val.npz --out model.wgm
 *     [--report calibration.json] [--max-alerts-per-hour 1] [--k 3] [--n 5] [--cooldown 60]
 *
 * Only the windows labelled "normal" are read (never a fault recording). The device's own scores
 * (the INT8 model on wavegate's runtime) are mapped to logits z = ln(s / (1 - s)), which are close
 * to Gaussian for a well-trained one-class score; a Gaussian fit (mean, std) gives the per-window
 * false-positive probability p(t) at a threshold t, and a k-of-n rule raises an alert when k of the
 * last n windows pass, so the alert rate is about (windows per hour) x P(Binomial(n, p) >= k)
 * (independent windows, which overlapping windows are not: hence the safety factor). The threshold
 * is the lowest one whose rate is below --max-alerts-per-hour / --safety, and never below the
 * highest normal validation score (no validation window may pass) nor --floor.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { WavegateError } from '../../src/errors.js';
import { decodeWgm } from '../../src/model/load.js';
import { encodeWgm } from '../../src/model/write.js';
import { loadModel } from '../../src/runtime/model.js';
import { decodeDataset, type DatasetArrays } from '../datasets/dataset-file.js';

export interface CalibrationOptions {
  maxAlertsPerHour: number;
  safety: number;
  k: number;
  n: number;
  cooldown: number;
  floor: number;
}

export const DEFAULT_CALIBRATION: CalibrationOptions = { maxAlertsPerHour: 1, safety: 10, k: 3, n: 5, cooldown: 60, floor: 0.5 };

/** Upper tail of the standard normal, Q(x) = P(Z > x) (erfc by Numerical Recipes' Chebyshev fit, |error| < 1.2e-7). */
export function normalTail(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** P(Binomial(n, p) >= k). */
export function binomialTail(n: number, k: number, p: number): number {
  let sum = 0;
  let c = 1;
  for (let i = 0; i <= n; i++) {
    if (i >= k) sum += c * p ** i * (1 - p) ** (n - i);
    c = (c * (n - i)) / (i + 1);
  }
  return sum;
}

const logit = (s: number) => Math.log(Math.max(s, 1e-7) / Math.max(1 - s, 1e-7));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function calibrate(normalScores: ArrayLike<number>, windowsPerHour: number, o: CalibrationOptions) {
  const z = Array.from(normalScores, logit);
  const mean = z.reduce((a, b) => a + b, 0) / z.length;
  const std = Math.max(1e-3, Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, z.length - 1)));
  const rate = (zt: number) => windowsPerHour * binomialTail(o.n, o.k, normalTail((zt - mean) / std));
  const target = o.maxAlertsPerHour / o.safety;
  let lo = mean;
  let hi = mean + 40 * std;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (rate(mid) > target) lo = mid;
    else hi = mid;
  }
  const gaussian = sigmoid(hi);
  const maxNormal = Math.max(...Array.from(normalScores));
  const threshold = Math.max(gaussian, maxNormal, o.floor);
  return {
    threshold, gaussianThreshold: gaussian, maxNormalScore: maxNormal, logitMean: mean, logitStd: std,
    expectedAlertsPerHour: rate(logit(threshold)), windowsPerHour, normalWindows: z.length,
  };
}

/** The model's outputs [n, K] on every window of the dataset, with its side features when it takes them. */
async function scoreDataset(modelPath: string, ds: DatasetArrays): Promise<{ probs: Float32Array; labels: string[]; k: number }> {
  const model = await loadModel(modelPath);
  try {
    const meta = model.metadata;
    if (meta.input.window !== undefined && meta.input.window !== ds.t) throw new WavegateError('E_INPUT', `${modelPath}: window ${meta.input.window}, the dataset's windows have ${ds.t} steps`);
    const F = meta.input.features?.names.length ?? 0;
    const k = meta.output.size;
    const batch = 256;
    const session = await model.createSession({ maxBatch: batch });
    const probs = new Float32Array(ds.n * k);
    for (let first = 0; first < ds.n; first += batch) {
      const b = Math.min(batch, ds.n - first);
      const x = ds.x.subarray(first * ds.t * ds.c, (first + b) * ds.t * ds.c);
      probs.set(session.run(x, b, { T: ds.t, features: F ? ds.features!.subarray(first * F, (first + b) * F) : undefined }), first * k);
    }
    session.dispose();
    return { probs, labels: meta.labels ?? [], k };
  } finally {
    model.dispose();
  }
}

export async function calibrateModel(modelPath: string, datasetPath: string, outPath: string, o: CalibrationOptions) {
  const ds = decodeDataset(readFileSync(datasetPath), datasetPath);
  const normal = ds.meta.labels.indexOf('normal');
  if (normal < 0) throw new WavegateError('E_INPUT', `${datasetPath}: no "normal" label (labels ${ds.meta.labels.join(', ')})`);
  const { probs, labels, k } = await scoreDataset(modelPath, ds);
  if (labels.join() !== 'normal,anomaly') throw new WavegateError('E_INPUT', `${modelPath}: labels [${labels.join(', ')}], an anomaly model has ["normal", "anomaly"]`);
  const scores: number[] = [];
  for (let i = 0; i < ds.n; i++) if (Number(ds.y[i]) === normal) scores.push(probs[i * k + 1]);
  if (scores.length < 2) throw new WavegateError('E_INPUT', `${datasetPath}: ${scores.length} normal window(s); calibration needs more`);
  const w = ds.meta.input.windowing;
  const hop = w?.mode === 'fixed' ? w.hop : ds.t;
  const rate = ds.meta.input.sampleRate ?? 0;
  if (!(rate > 0)) throw new WavegateError('E_INPUT', `${datasetPath}: meta.input.sampleRate is missing`);
  const result = calibrate(scores, (3600 * rate) / hop, o);
  const model = decodeWgm(readFileSync(modelPath));
  model.metadata.detector = {
    thresholds: { anomaly: Number(result.threshold.toPrecision(6)) }, normalLabels: ['normal'],
    minDuration: o.k, window: o.n, hysteresis: o.n, cooldown: o.cooldown,
  };
  writeFileSync(outPath, encodeWgm({ metadata: model.metadata, tensors: model.tensors }));
  return { model: basename(outPath), dataset: basename(datasetPath), ...result, rule: { k: o.k, n: o.n, cooldown: o.cooldown }, detector: model.metadata.detector };
}

async function main(argv: string[]): Promise<void> {
  const d = DEFAULT_CALIBRATION;
  const o = new Command('calibrate-anomaly')
    .requiredOption('--model <model.wgm>', 'anomaly model (labels normal, anomaly)')
    .requiredOption('--dataset <val.npz>', 'validation dataset; its "normal" windows calibrate')
    .requiredOption('--out <model.wgm>', 'the model with its detector defaults')
    .option('--report <calibration.json>', 'calibration figures')
    .option('--max-alerts-per-hour <r>', 'false alerts per hour of normal data allowed', String(d.maxAlertsPerHour))
    .option('--safety <f>', 'divide the allowed rate by this (correlated windows)', String(d.safety))
    .option('--k <k>', 'windows above the threshold needed', String(d.k))
    .option('--n <n>', 'among the last n windows', String(d.n))
    .option('--cooldown <s>', 'seconds before the next alert', String(d.cooldown))
    .option('--floor <t>', 'lowest threshold shipped', String(d.floor))
    .parse(argv, { from: 'user' })
    .opts<Record<string, string>>();
  const r = await calibrateModel(o.model, o.dataset, o.out, {
    maxAlertsPerHour: Number(o.maxAlertsPerHour), safety: Number(o.safety), k: Number(o.k), n: Number(o.n), cooldown: Number(o.cooldown), floor: Number(o.floor),
  });
  if (o.report) writeFileSync(o.report, JSON.stringify(r, null, 2) + '\n');
  process.stdout.write(`threshold ${r.threshold.toPrecision(4)} (Gaussian ${r.gaussianThreshold.toPrecision(4)}, highest normal ${r.maxNormalScore.toPrecision(4)}, ${r.normalWindows} normal windows); expected ${r.expectedAlertsPerHour.toExponential(2)} false alerts/hour with ${r.rule.k} of ${r.rule.n}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(e instanceof WavegateError ? `wavegate: ${e.code}: ${e.message}\n` : `${(e as Error).stack}\n`);
    process.exit(1);
  });
}
