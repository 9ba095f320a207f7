/**
 * File sizes of whole-model INT8 against f32 for realistic student shapes, with the metadata a
 * real model carries (docs/quantization.md, "File size"):
 *
 *   npx tsx tools/quantize/size-study.ts --dataset ds1.npz [--cells gru,lstm] [--hidden 64,96]
 *
 * For each shape: one recurrent layer (I = the dataset's channels), last-step pooling and a dense
 * head over [h ++ the dataset's side features] to its labels, with seeded PyTorch-like weights
 * (sizes do not depend on training). The f32 file is what `wavegate import --dataset` writes, the
 * `import --int8` file its recurrent-only INT8, and the INT8 file what `wavegate quantize --calib`
 * writes (the calibration provenance included). Prints bytes, ratios, the data sections' ratio
 * and the header bytes, the parts the 27% bar depends on.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WavegateError } from '../../src/errors.js';
import { makeTensor } from '../../src/model/formats.js';
import { FORMAT_NAME, FORMAT_VERSION, type LayerSpec, type WgmModel } from '../../src/model/schema.js';
import { encodeWgm } from '../../src/model/write.js';
import { applyDescription } from '../describe/apply.js';
import { describeDatasetFile } from '../describe/from-dataset.js';
import { quantizeRecurrentWeights } from '../onnx/int8.js';
import { Rng } from '../synth/rng.js';
import { quantizeModel } from './quantize.js';

export interface SizeRow {
  cell: 'gru' | 'lstm';
  H: number;
  f32Bytes: number;
  importInt8Bytes: number;
  int8Bytes: number;
  f32Header: number;
  int8Header: number;
}

/** A float student: recurrent layer -> last step -> dense over [h ++ F features] -> softmax over K labels. */
export function floatStudent(cell: 'gru' | 'lstm', I: number, H: number, F: number, K: number, T: number, seed = 1): WgmModel {
  const rng = new Rng(seed);
  const u = (n: number, a: number) => Float32Array.from({ length: n }, () => rng.uniform(-a, a));
  const G = (cell === 'lstm' ? 4 : 3) * H;
  const a = 1 / Math.sqrt(H);
  const base = { name: 'rnn0', inputSize: I, hiddenSize: H, direction: 'forward' as const, precision: 'f32' as const };
  const layers: LayerSpec[] = [
    cell === 'lstm' ? { type: 'lstm', ...base } : { type: 'gru', ...base, linearBeforeReset: true },
    { type: 'pool', name: 'pool', mode: 'last' },
    { type: 'dense', name: 'dense0', inFeatures: H + F, outFeatures: K, activation: 'none' },
  ];
  const tensors = new Map([
    ['rnn0.W', makeTensor('F32', [1, G, I], u(G * I, a))],
    ['rnn0.R', makeTensor('F32', [1, G, H], u(G * H, a))],
    ['rnn0.B', makeTensor('F32', [1, 2 * G], u(2 * G, a))],
    ['dense0.W', makeTensor('F32', [K, H + F], u(K * (H + F), 1 / Math.sqrt(H + F)))],
    ['dense0.b', makeTensor('F32', [K], u(K, 0.1))],
  ]);
  return {
    metadata: {
      format: FORMAT_NAME, formatVersion: FORMAT_VERSION, name: `${cell}${H}`,
      input: { channels: I, window: T, ...(F > 0 ? { features: { kind: 'external' as const, names: Array.from({ length: F }, (_, i) => `f${i}`) } } : {}) },
      layers, output: { activation: 'softmax', size: K },
      provenance: { sourceSha256: '0'.repeat(64), sourceFile: `${cell}${H}.onnx`, producer: 'tools/quantize/size-study.ts', onnxProducer: 'pytorch 1.13.0', onnxOpset: 14, onnxInputLayout: 'batch_first' },
    },
    tensors,
  };
}

const headerBytes = (b: Uint8Array) => 8 + Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));

export async function sizeRows(dataset: string, cells: ('gru' | 'lstm')[], hidden: number[]): Promise<SizeRow[]> {
  const facts = describeDatasetFile(dataset);
  const K = facts.description.labels?.length;
  if (!K) throw new WavegateError('E_INPUT', `${dataset}: the dataset names no labels`);
  const createdAt = '2026-01-01T00:00:00Z';
  const rows: SizeRow[] = [];
  for (const cell of cells) {
    for (const H of hidden) {
      const student = floatStudent(cell, facts.channels, H, facts.featureCount, K, facts.window);
      const described = applyDescription(student, { onnx: `${cell}${H}.onnx`, dataset: { path: dataset, facts } });
      const stamp = (m: WgmModel) => ({ ...m, metadata: { ...m.metadata, provenance: { ...m.metadata.provenance, createdAt } } });
      const f32 = encodeWgm(stamp(described));
      const importInt8 = encodeWgm(stamp(quantizeRecurrentWeights(described)));
      const { bytes } = await quantizeModel(student, `${cell}${H}.onnx`, { calib: dataset, calibWindows: 64, selectWindows: 300, createdAt });
      rows.push({ cell, H, f32Bytes: f32.length, importInt8Bytes: importInt8.length, int8Bytes: bytes.length, f32Header: headerBytes(f32), int8Header: headerBytes(bytes) });
    }
  }
  return rows;
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const dataset = arg('--dataset');
  if (!dataset) throw new WavegateError('E_ARGUMENT', 'size-study: --dataset <ds.npz> is required (e.g. wavegate dataset build --source mitdb:... --split DS1)');
  const cells = (arg('--cells') ?? 'gru,lstm').split(',') as ('gru' | 'lstm')[];
  const hidden = (arg('--hidden') ?? '64,96').split(',').map(Number);
  const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}%`;
  process.stdout.write('| cell | H | f32 file | import --int8 | quantize | quantize / f32 | data sections | headers f32 / INT8 |\n|---|---|---|---|---|---|---|---|\n');
  for (const r of await sizeRows(dataset, cells, hidden)) {
    const data = (r.int8Bytes - r.int8Header) / (r.f32Bytes - r.f32Header);
    process.stdout.write(`| ${r.cell} | ${r.H} | ${r.f32Bytes} | ${r.importInt8Bytes} (${pct(r.importInt8Bytes, r.f32Bytes)}) | ${r.int8Bytes} | ${pct(r.int8Bytes, r.f32Bytes)} | ${(100 * data).toFixed(1)}% | ${r.f32Header} / ${r.int8Header} |\n`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`size-study: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
