/**
 * A model description from a dataset file (`wavegate import --dataset ds.npz`): the dataset's
 * `meta` says how its windows were made, so a model trained on it carries exactly that.
 *
 * `describeDatasetMeta` is the one mapping from dataset metadata to model metadata. Dataset format 2
 * (docs/datasets.md) carries the model's input spec in format-3 terms under `meta.input` (`raw`,
 * canonical `preprocessing`, `windowing`, `features`, `sampleRate`), which is taken as it is; older
 * datasets are mapped from the keys they had (`fs`, `lead`, `before`/`after`/`hop`, `rrFeatures`,
 * CWRU's `resampling`), so both generations import.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { WavegateError } from '../../src/errors.js';
import { readNpz } from '../../src/io/npz.js';
import { sha256Hex } from '../../src/model/digest.js';
import { parseDescription, type ModelDescription } from './description.js';

/** What a dataset file holds, as far as importing a model goes. */
export interface DatasetFacts {
  /** The description its meta gives. */
  description: ModelDescription;
  /** Window length T and channels C of its `x` [N, T, C]. */
  window: number;
  channels: number;
  /** Side features per window (F of `features` [N, F], or of the older `rr` [N, 4]); 0 without. */
  featureCount: number;
}

/** Reads a dataset file and maps its metadata (see describeDatasetMeta). */
export function describeDatasetFile(path: string): DatasetFacts {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `${path}: cannot read dataset file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  const arrays = readNpz(bytes, path);
  const x = arrays.get('x');
  const metaBytes = arrays.get('meta');
  if (!x || x.shape.length !== 3) throw new WavegateError('E_FILE_FORMAT', `${path}: a dataset needs "x" float32 [N, T, C]`);
  if (!metaBytes || metaBytes.dtype !== 'uint8') throw new WavegateError('E_FILE_FORMAT', `${path}: a dataset needs "meta" (uint8, UTF-8 JSON)`);
  let meta: unknown;
  try {
    meta = JSON.parse(new TextDecoder().decode(metaBytes.data as Uint8Array));
  } catch (e) {
    throw new WavegateError('E_FILE_FORMAT', `${path}: meta is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw new WavegateError('E_FILE_FORMAT', `${path}: meta must be a JSON object`);
  const featuresArray = arrays.get('features') ?? arrays.get('rr');
  const featureCount = featuresArray?.shape.length === 2 ? featuresArray.shape[1] : 0;
  const mapped = describeDatasetMeta(meta as Record<string, unknown>, { file: basename(path), sha256: sha256Hex(bytes), featureCount }, path);
  return { description: parseDescription(mapped, `${path} (dataset meta)`), window: x.shape[1], channels: x.shape[2], featureCount };
}

const RATE_STAGES = new Set(['decimate', 'resample']);

/** Keys each canonical stage keeps; anything else in an older dataset's stage (fs, design, causal, from) is dropped. */
const CANONICAL_KEYS: Record<string, string[]> = {
  bandpass: ['low', 'high', 'order'],
  highpass: ['cutoff', 'order'],
  lowpass: ['cutoff', 'order'],
  baseline: ['windows'],
  decimate: ['to'],
  resample: ['to'],
  normalize: ['mean', 'std'],
};

/** Default units by source kind, for datasets that do not state them. */
const UNITS_BY_SOURCE: Record<string, string> = { mitdb: 'mV', ecg: 'mV', cwru: 'g', bearing: 'g' };

/**
 * THE mapping from a dataset's `meta` to a model description (unvalidated: the caller runs
 * parseDescription on it). `file` is the dataset's name and digest for provenance; `featureCount`
 * whether (and how many) side features the dataset stores. `source` names the file in messages.
 */
export function describeDatasetMeta(meta: Record<string, unknown>, file: { file: string; sha256: string; featureCount: number }, source: string): Record<string, unknown> {
  const missing = (field: string, hint: string): never => {
    throw new WavegateError('E_FILE_FORMAT', `${source}: meta.${field} is missing; ${hint}`);
  };
  const spec = isObject(meta.input) ? meta.input : undefined;
  const provenance = datasetProvenance(meta, file);
  if (spec) {
    // Dataset format 2: the input spec is already in model terms.
    return {
      input: {
        ...pick(spec, ['raw', 'sampleRate', 'preprocessing', 'windowing']),
        ...(file.featureCount > 0 && spec.features !== undefined ? { features: spec.features } : {}),
      },
      ...(meta.labels !== undefined ? { labels: meta.labels } : {}),
      provenance,
    };
  }
  const fs = typeof meta.fs === 'number' ? meta.fs : undefined;
  const raw = (meta.raw ?? {}) as Record<string, unknown>;

  // Preprocessing: canonical stages; an older CWRU dataset recorded its decimation apart (meta.resampling).
  const stages = (Array.isArray(meta.preprocessing) ? meta.preprocessing : []).map((s) => canonicalStage(s));
  const resampled = meta.resampling && typeof meta.resampling === 'object' && Object.keys(meta.resampling).length > 0;
  if (resampled && !stages.some((s) => RATE_STAGES.has(String(s.kind)))) stages.unshift({ kind: 'decimate', to: fs });

  // The sensor's rate: stated (v3), else the rate the first rate stage started from (older files), else the dataset rate.
  const firstRate = (Array.isArray(meta.preprocessing) ? meta.preprocessing : []).find((s) => RATE_STAGES.has(String((s as { kind?: unknown })?.kind))) as { from?: unknown } | undefined;
  const sampleRate = raw.sampleRate ?? (resampled ? fs : undefined) ?? (typeof firstRate?.from === 'number' ? firstRate.from : undefined) ?? fs ?? missing('raw.sampleRate', 'the dataset does not say the rate of its recordings');
  const units = raw.units ?? meta.units ?? UNITS_BY_SOURCE[String(meta.source ?? meta.kind)] ?? missing('raw.units', 'the dataset does not say the unit of its samples (give it with --meta)');
  const lead = raw.channels ?? (Array.isArray(meta.channels) ? meta.channels : undefined) ?? meta.lead ?? missing('raw.channels', 'the dataset does not name its channels');
  const channels = Array.isArray(lead) ? lead : [lead];

  const windowing = meta.windowing ?? windowingOf(meta, missing);
  const features = file.featureCount > 0 ? featuresOf(meta) : undefined;
  return {
    input: {
      raw: { sampleRate, units, channels },
      ...(fs !== undefined ? { sampleRate: fs } : {}),
      preprocessing: stages,
      windowing,
      ...(features ? { features } : {}),
    },
    ...(meta.labels !== undefined ? { labels: meta.labels } : {}),
    provenance,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

/** provenance.dataset: the file's digest and name, its split, source kind and records. */
function datasetProvenance(meta: Record<string, unknown>, file: { file: string; sha256: string }): Record<string, unknown> {
  const records = Array.isArray(meta.records) ? meta.records.map(String) : undefined;
  const source = meta.source ?? meta.kind;
  return {
    dataset: {
      sha256: file.sha256,
      split: typeof meta.split === 'string' && meta.split !== '' ? meta.split : 'unspecified',
      ...(typeof source === 'string' ? { source } : {}),
      file: file.file,
      ...(records && records.length > 0 ? { records } : {}),
    },
  };
}

function canonicalStage(s: unknown): Record<string, unknown> {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) return { kind: s };
  const stage = s as Record<string, unknown>;
  const keep = CANONICAL_KEYS[String(stage.kind)];
  if (!keep) return { ...stage }; // an unknown kind: left whole for the stage check to refuse by name
  return Object.fromEntries(Object.entries(stage).filter(([k]) => k === 'kind' || keep.includes(k)));
}

function windowingOf(meta: Record<string, unknown>, missing: (field: string, hint: string) => never): Record<string, unknown> {
  const window = meta.window ?? missing('window', 'the dataset does not give its window length');
  if (meta.windows === 'sliding' || meta.hop !== undefined) return { mode: 'fixed', window, hop: meta.hop ?? window };
  const before = meta.before ?? missing('before', 'a beat dataset gives the samples before the R peak');
  const after = meta.after ?? (typeof window === 'number' && typeof before === 'number' ? window - before : missing('after', 'a beat dataset gives the samples from the R peak on'));
  return { mode: 'beat', before, after, qrs: meta.qrs ?? { detector: 'pan-tompkins' } };
}

function featuresOf(meta: Record<string, unknown>): unknown {
  if (meta.features !== undefined) return meta.features;
  if (Array.isArray(meta.rrFeatures)) return { kind: 'rr', names: meta.rrFeatures, localBeats: meta.localBeats ?? 10 };
  return undefined;
}
