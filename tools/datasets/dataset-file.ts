/**
 * The dataset file the trainer reads and `wavegate import --dataset` takes its metadata from: an
 * .npz (no pickle) with
 *   x        float32 [N, T, C]  windows: exactly the model's input (the signal chain's output)
 *   y        int64   [N]        class index into meta.labels
 *   record   int32   [N]        index into meta.records (the recording each window came from)
 *   sample   int64   [N]        where the window sits in its recording: the R peak (beat windows)
 *                               or the first frame (fixed windows), as a sample index of the raw
 *                               recording at its own rate, meta.recordRates[record]
 *   features float32 [N, F]     side features, normalised, in meta.input.features.names order
 *                               (only when meta.input.features is present)
 *   meta     uint8   [bytes]    UTF-8 JSON, see DatasetMeta
 * Documented in docs/datasets.md; tools/trainer/dataset.py reads exactly these keys.
 */
import { WavegateError } from '../../src/errors.js';
import { encodeNpz, readNpz, requireArray } from '../../src/io/npz.js';
import type { InputSpec } from '../../src/model/schema.js';

export const DATASET_FORMAT = 'wavegate-dataset';
/** 2: meta.input (the model's v3 InputSpec), `sample` and `features` arrays; 1 (no `format` field) had `rr` and meta.fs. */
export const DATASET_FORMAT_VERSION = 2;
/** The most bytes of `x` a dataset may hold (datasets are built in memory): 512 MiB. MIT-BIH DS1 with the default window is 52 MB. */
export const DATASET_MAX_X_BYTES = 512 * 1024 * 1024;

export interface DatasetMeta {
  format: typeof DATASET_FORMAT;
  formatVersion: number;
  /** Class names; y indexes this list. */
  labels: string[];
  /**
   * The input spec a model trained on these windows carries (format-3 terms): raw rate, units and
   * channels; the preprocessing stages; the windowing; the side features with their
   * normalisation; the rate (sampleRate) and shape (window, channels) of x.
   */
  input: InputSpec;
  /** Source kind: "mitdb", "cwru" or "synthetic". */
  source: string;
  /** What `sample` marks: the R peak of a beat window, or the first frame of a fixed window. */
  sampleMarks: 'r-peak' | 'window-start';
  /** Beat windows: where the R peaks of the windows came from (the device always uses its detector). */
  peaks?: 'reference' | 'detector';
  /** Split name, e.g. DS1, DS2_STAGED, train, synthetic. */
  split: string;
  /** Recording names; `record` indexes this list. */
  records: string[];
  /** Sample rate of each recording (the time base of `sample`), parallel to records. */
  recordRates: number[];
  /** SHA-256 of every source file read, by file name. */
  sourceDigests: Record<string, string>;
  /** Tool, version and command that built the file. */
  createdBy: string;
  /** Window counts per class label. */
  classCounts: Record<string, number>;
  [key: string]: unknown;
}

export interface DatasetArrays {
  x: Float32Array;
  n: number;
  t: number;
  c: number;
  y: BigInt64Array;
  record: Int32Array;
  sample: BigInt64Array;
  /** [n, meta.input.features.names.length] row-major, when the dataset has side features. */
  features?: Float32Array;
  meta: DatasetMeta;
}

function featureCount(meta: DatasetMeta): number {
  return meta.input.features?.names.length ?? 0;
}

/** Encodes a dataset as .npz bytes (stored entries unless `compress`); deterministic for identical inputs. */
export function encodeDataset(d: DatasetArrays, options: { compress?: boolean } = {}): Uint8Array {
  const { n, t, c } = d;
  const f = featureCount(d.meta);
  if (d.x.length !== n * t * c || d.y.length !== n || d.record.length !== n || d.sample.length !== n || (d.features?.length ?? 0) !== n * f) {
    throw new WavegateError('E_ARGUMENT', `dataset arrays disagree with N=${n}, T=${t}, C=${c}, F=${f}`);
  }
  const arrays: Parameters<typeof encodeNpz>[0] = {
    x: { data: d.x, shape: [n, t, c] },
    y: d.y,
    record: d.record,
    sample: d.sample,
    meta: new TextEncoder().encode(JSON.stringify(d.meta)),
  };
  if (d.features) arrays.features = { data: d.features, shape: [n, f] };
  return encodeNpz(arrays, options);
}

/** Reads a dataset file back (tests, `wavegate import --dataset`, tools that consume datasets). */
export function decodeDataset(bytes: Uint8Array, source = '<dataset>'): DatasetArrays {
  const m = readNpz(bytes, source);
  const x = requireArray(m, 'x', source);
  const y = requireArray(m, 'y', source);
  const record = requireArray(m, 'record', source);
  const metaBytes = requireArray(m, 'meta', source);
  if (x.dtype !== 'float32' || x.shape.length !== 3) throw new WavegateError('E_FILE_FORMAT', `${source}: x must be float32 [N, T, C]`);
  const [n, t, c] = x.shape;
  if (y.dtype !== 'int64' || y.shape.join() !== `${n}`) throw new WavegateError('E_FILE_FORMAT', `${source}: y must be int64 [${n}]`);
  if (record.dtype !== 'int32' || record.shape.join() !== `${n}`) throw new WavegateError('E_FILE_FORMAT', `${source}: record must be int32 [${n}]`);
  if (metaBytes.dtype !== 'uint8') throw new WavegateError('E_FILE_FORMAT', `${source}: meta must be uint8 UTF-8 JSON`);
  let meta: DatasetMeta;
  try {
    meta = JSON.parse(new TextDecoder().decode(metaBytes.data as Uint8Array)) as DatasetMeta;
  } catch (e) {
    throw new WavegateError('E_FILE_FORMAT', `${source}: meta is not JSON: ${(e as Error).message}`);
  }
  if (meta?.format !== DATASET_FORMAT || typeof meta.input !== 'object' || meta.input === null) {
    throw new WavegateError('E_FILE_FORMAT', `${source}: meta is not a ${DATASET_FORMAT} version ${DATASET_FORMAT_VERSION} description (no format/input; rebuild the dataset with this version)`);
  }
  const sample = requireArray(m, 'sample', source);
  if (sample.dtype !== 'int64' || sample.shape.join() !== `${n}`) throw new WavegateError('E_FILE_FORMAT', `${source}: sample must be int64 [${n}]`);
  const f = featureCount(meta);
  const features = m.get('features');
  if (f > 0 && (!features || features.dtype !== 'float32' || features.shape.join() !== `${n},${f}`)) {
    throw new WavegateError('E_FILE_FORMAT', `${source}: features must be float32 [${n}, ${f}] (meta.input.features names ${f})`);
  }
  if (f === 0 && features) throw new WavegateError('E_FILE_FORMAT', `${source}: a features array without meta.input.features`);
  return {
    x: x.data as Float32Array, n, t, c, y: y.data as BigInt64Array, record: record.data as Int32Array,
    sample: sample.data as BigInt64Array, features: features?.data as Float32Array | undefined, meta,
  };
}

/** Counts windows per label. */
export function classCounts(y: BigInt64Array, labels: readonly string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(labels.map((l) => [l, 0]));
  for (const v of y) out[labels[Number(v)]]++;
  return out;
}

/** Growable buffers for windows of unknown count, capped at {@link DATASET_MAX_X_BYTES} of x. */
export class WindowSink {
  private buf: Float32Array;
  private len = 0;
  readonly y: number[] = [];
  readonly record: number[] = [];
  readonly sample: number[] = [];
  private feat: number[] = [];
  constructor(readonly windowValues: number, readonly featureValues = 0, readonly maxBytes = DATASET_MAX_X_BYTES) {
    this.buf = new Float32Array(windowValues * 1024);
  }
  push(window: Float32Array, y: number, record: number, sample: number, features?: ArrayLike<number>): void {
    if (window.length !== this.windowValues) throw new WavegateError('E_ARGUMENT', `window of ${window.length} values, expected ${this.windowValues}`);
    if ((features?.length ?? 0) !== this.featureValues) throw new WavegateError('E_ARGUMENT', `feature row of ${features?.length ?? 0} values, expected ${this.featureValues}`);
    if (4 * (this.len + window.length) > this.maxBytes) {
      throw new WavegateError('E_ARGUMENT', `the dataset would hold more than ${this.maxBytes / 2 ** 20} MiB of windows (the limit; ${this.count} windows of ${this.windowValues} values so far): use shorter windows, fewer records or a larger hop`);
    }
    if (this.len + window.length > this.buf.length) {
      const grown = new Float32Array(Math.max(this.buf.length * 2, this.len + window.length));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(window, this.len);
    this.len += window.length;
    this.y.push(y);
    this.record.push(record);
    this.sample.push(sample);
    if (features) for (let i = 0; i < features.length; i++) this.feat.push(features[i]);
  }
  get count(): number {
    return this.y.length;
  }
  arrays(): { x: Float32Array; y: BigInt64Array; record: Int32Array; sample: BigInt64Array; features: Float32Array | undefined } {
    return {
      x: this.buf.slice(0, this.len),
      y: BigInt64Array.from(this.y, (v) => BigInt(v)),
      record: Int32Array.from(this.record),
      sample: BigInt64Array.from(this.sample, (v) => BigInt(v)),
      features: this.featureValues > 0 ? Float32Array.from(this.feat) : undefined,
    };
  }
}
