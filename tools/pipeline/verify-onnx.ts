/**
 * The .wgm against its ONNX source in onnxruntime-node, side by side on a dataset's windows (and
 * side features): top-1 agreement, max and mean absolute difference of the outputs, per class of
 * the dataset. The pipeline's verification until `wavegate verify` is on main
 * (tools/pipeline/toolchain.ts, HAVE.verify). Exit status 1 when agreement is below --min-agreement.
 *
 *   tsx tools/pipeline/verify-onnx.ts --model m.wgm --onnx student.onnx --dataset val.npz --out verify.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { WavegateError } from '../../src/errors.js';
import { decodeDataset } from '../datasets/dataset-file.js';
import { scoreDataset } from './evaluate-dataset.js';

/** Windows compared: an evenly spaced subset keeps every record and class of a large set in. */
const MAX_WINDOWS = 4096;

export async function verifyOnnx(modelPath: string, onnxPath: string, datasetPath: string) {
  const full = decodeDataset(readFileSync(datasetPath), datasetPath);
  const step = Math.max(1, Math.ceil(full.n / MAX_WINDOWS));
  const pick = Array.from({ length: Math.ceil(full.n / step) }, (_, i) => i * step);
  const F = full.meta.input.features?.names.length ?? 0;
  const ds = {
    ...full, n: pick.length,
    x: new Float32Array(pick.length * full.t * full.c), y: BigInt64Array.from(pick, (i) => full.y[i]),
    features: F ? new Float32Array(pick.length * F) : undefined,
  };
  pick.forEach((i, j) => {
    ds.x.set(full.x.subarray(i * full.t * full.c, (i + 1) * full.t * full.c), j * full.t * full.c);
    if (F) ds.features!.set(full.features!.subarray(i * F, (i + 1) * F), j * F);
  });
  const { probs, k, model } = await scoreDataset(modelPath, ds);
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(onnxPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const takesFeatures = (model.metadata.input.features?.names.length ?? 0) > 0;
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = { [session.inputNames[0]]: new ort.Tensor('float32', ds.x, [ds.n, ds.t, ds.c]) };
  if (takesFeatures) feeds[session.inputNames[1]] = new ort.Tensor('float32', ds.features!, [ds.n, F]);
  const ref = (await session.run(feeds))[session.outputNames[0]].data as Float32Array;
  if (ref.length !== probs.length) throw new WavegateError('E_INPUT', `${onnxPath} gives ${ref.length / ds.n} outputs per window, ${modelPath} ${k}`);
  const top = (a: Float32Array, i: number) => {
    let best = 0;
    for (let j = 1; j < k; j++) if (a[i * k + j] > a[i * k + best]) best = j;
    return best;
  };
  let agree = 0;
  let maxAbs = 0;
  let sumAbs = 0;
  const perClass: Record<string, { n: number; agreement: number }> = {};
  for (let i = 0; i < ds.n; i++) {
    const same = top(probs, i) === top(ref, i);
    agree += same ? 1 : 0;
    for (let j = 0; j < k; j++) {
      const d = Math.abs(probs[i * k + j] - ref[i * k + j]);
      maxAbs = Math.max(maxAbs, d);
      sumAbs += d;
    }
    const name = ds.meta.labels[Number(ds.y[i])];
    perClass[name] ??= { n: 0, agreement: 0 };
    perClass[name].n++;
    perClass[name].agreement += same ? 1 : 0;
  }
  for (const c of Object.values(perClass)) c.agreement /= c.n;
  return {
    model: basename(modelPath), reference: basename(onnxPath), dataset: basename(datasetPath), windows: ds.n,
    agreement: agree / ds.n, maxAbsDiff: maxAbs, meanAbsDiff: sumAbs / (ds.n * k), perClass,
  };
}

async function main(argv: string[]): Promise<void> {
  const o = new Command('verify-onnx')
    .requiredOption('--model <model.wgm>', 'model file')
    .requiredOption('--onnx <model.onnx>', 'the ONNX file it was made from')
    .requiredOption('--dataset <ds.npz>', 'windows (and side features) to run')
    .option('--min-agreement <x>', 'least top-1 agreement (0-1)', '0.99')
    .requiredOption('--out <verify.json>', 'report')
    .parse(argv, { from: 'user' })
    .opts<{ model: string; onnx: string; dataset: string; minAgreement: string; out: string }>();
  const r = await verifyOnnx(o.model, o.onnx, o.dataset);
  const min = Number(o.minAgreement);
  writeFileSync(o.out, JSON.stringify({ ...r, minAgreement: min }, null, 2) + '\n');
  process.stdout.write(`${r.model} vs onnxruntime on ${r.windows} windows: top-1 agreement ${(100 * r.agreement).toFixed(2)} %, max abs diff ${r.maxAbsDiff.toExponential(2)}, mean ${r.meanAbsDiff.toExponential(2)}\n`);
  if (!(r.agreement >= min)) throw new WavegateError('E_INPUT', `top-1 agreement ${r.agreement.toFixed(4)} is below --min-agreement ${min}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(e instanceof WavegateError ? `wavegate: ${e.code}: ${e.message}\n` : `${(e as Error).stack}\n`);
    process.exit(1);
  });
}
