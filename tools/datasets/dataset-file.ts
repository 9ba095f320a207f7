/**
 * The dataset file the trainer reads: an .npz (no pickle) with
 *   x       float32 [N, T, C]   windows
 *   y       int64   [N]         class index into meta.labels
 *   record  int32   [N]         index into meta.records (the recording each window came from)
 *   rr      float32 [N, 4]      optional side features (MIT-BIH: pre, post, local, average RR in s)
 *   meta    uint8   [bytes]     UTF-8 JSON, see DatasetMeta
 * Documented in docs/datasets.md; tools/trainer/dataset.py reads exactly these keys.
 */
import { WavegateError } from '../../src/errors.js';
import { encodeNpz, readNpz, requireArray } from '../../src/io/npz.js';
import type { PreprocessingStage } from '../../src/model/schema.js';

export interface DatasetMeta {
  /** Class names; y indexes this list. */
  labels: string[];
  /** Sample rate of x in Hz (after any resampling). */
  fs: number;
  /** Window length T in samples. */
  window: number;
  /** Samples before the R peak (beat windows); 0 for sliding windows. */
  before: number;
  /** Samples from the R peak to the window end (window - before); window for sliding windows. */
  after: number;
  /** Hop between sliding windows in samples (absent for beat windows). */
  hop?: number;
  /** Source channel names in x's C order, e.g. ["MLII"] or ["DE"]. */
  lead: string[];
  /** C. */
  channels: number;
  /** Stages applied in order, with their parameters; the model file carries the same list. */
  preprocessing: PreprocessingStage[];
  /** Split name, e.g. DS1, DS2_STAGED, train. */
  split: string;
  /** Recording names; `record` indexes this list. */
  records: string[];
  /** SHA-256 of every source file read, by file name. */
  sourceDigests: Record<string, string>;
  /** Tool, version and command that built the file. */
  createdBy: string;
  /** Source kind: "mitdb" or "cwru". */
  source: string;
  /** Where windows come from: "reference" annotations, "detector" peaks, or "sliding". */
  windows: 'reference' | 'detector' | 'sliding';
  /** Window counts per class label. */
  classCounts: Record<string, number>;
  /** Names of the rr columns when rr is present. */
  rrFeatures?: string[];
  [key: string]: unknown;
}

export interface DatasetArrays {
  x: Float32Array;
  n: number;
  t: number;
  c: number;
  y: BigInt64Array;
  record: Int32Array;
  rr?: Float32Array;
  meta: DatasetMeta;
}

/** Encodes a dataset as .npz bytes (stored entries unless `compress`); deterministic for identical inputs. */
export function encodeDataset(d: DatasetArrays, options: { compress?: boolean } = {}): Uint8Array {
  const { n, t, c } = d;
  if (d.x.length !== n * t * c || d.y.length !== n || d.record.length !== n || (d.rr && d.rr.length !== n * 4)) {
    throw new WavegateError('E_ARGUMENT', `dataset arrays disagree with N=${n}, T=${t}, C=${c}`);
  }
  const arrays: Parameters<typeof encodeNpz>[0] = {
    x: { data: d.x, shape: [n, t, c] },
    y: d.y,
    record: d.record,
    meta: new TextEncoder().encode(JSON.stringify(d.meta)),
  };
  if (d.rr) arrays.rr = { data: d.rr, shape: [n, 4] };
  return encodeNpz(arrays, options);
}

/** Reads a dataset file back (used by tests and by tools that consume datasets). */
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
  const rr = m.get('rr');
  if (rr && (rr.dtype !== 'float32' || rr.shape.join() !== `${n},4`)) throw new WavegateError('E_FILE_FORMAT', `${source}: rr must be float32 [${n}, 4]`);
  let meta: DatasetMeta;
  try {
    meta = JSON.parse(new TextDecoder().decode(metaBytes.data as Uint8Array)) as DatasetMeta;
  } catch (e) {
    throw new WavegateError('E_FILE_FORMAT', `${source}: meta is not JSON: ${(e as Error).message}`);
  }
  return { x: x.data as Float32Array, n, t, c, y: y.data as BigInt64Array, record: record.data as Int32Array, rr: rr?.data as Float32Array | undefined, meta };
}

/** Counts windows per label. */
export function classCounts(y: BigInt64Array, labels: readonly string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(labels.map((l) => [l, 0]));
  for (const v of y) out[labels[Number(v)]]++;
  return out;
}

/** Growable float32 buffer for windows of unknown count. */
export class WindowSink {
  private buf: Float32Array;
  private len = 0;
  readonly y: number[] = [];
  readonly record: number[] = [];
  private rrBuf: number[] = [];
  constructor(readonly windowValues: number) {
    this.buf = new Float32Array(windowValues * 1024);
  }
  push(window: Float32Array, y: number, record: number, rr?: ArrayLike<number>): void {
    if (window.length !== this.windowValues) throw new WavegateError('E_ARGUMENT', `window of ${window.length} values, expected ${this.windowValues}`);
    if (this.len + window.length > this.buf.length) {
      const grown = new Float32Array(this.buf.length * 2);
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(window, this.len);
    this.len += window.length;
    this.y.push(y);
    this.record.push(record);
    if (rr) for (let i = 0; i < rr.length; i++) this.rrBuf.push(rr[i]);
  }
  get count(): number {
    return this.y.length;
  }
  arrays(): { x: Float32Array; y: BigInt64Array; record: Int32Array; rr: Float32Array | undefined } {
    return {
      x: this.buf.slice(0, this.len),
      y: BigInt64Array.from(this.y, (v) => BigInt(v)),
      record: Int32Array.from(this.record),
      rr: this.rrBuf.length > 0 ? Float32Array.from(this.rrBuf) : undefined,
    };
  }
}
