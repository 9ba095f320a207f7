/**
 * A model description from a dataset file (`wavegate import --dataset ds.npz`): the dataset's
 * `meta` says how its windows were made, so a model trained on it carries exactly that.
 *
 * `describeDatasetMeta` is the one mapping from dataset metadata to model metadata. Dataset format 2
 * (docs/datasets.md) carries the model's input spec in format-3 terms under `meta.input` (`raw`,
 * canonical `preprocessing`, `windowing`, `features`, `sampleRate`), which is taken as it is. The
 * file is read by the one dataset codec (tools/datasets/dataset-file.ts), which refuses datasets
 * built before format 2 with a message to rebuild them.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { WavegateError } from '../../src/errors.js';
import { sha256Hex } from '../../src/model/digest.js';
import { decodeDataset } from '../datasets/dataset-file.js';
import { parseDescription, type ModelDescription } from './description.js';

/** What a dataset file holds, as far as importing a model goes. */
export interface DatasetFacts {
  /** The description its meta gives. */
  description: ModelDescription;
  /** Window length T and channels C of its `x` [N, T, C]. */
  window: number;
  channels: number;
  /** Side features per window (F of `features` [N, F]); 0 without. */
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
  const d = decodeDataset(bytes, path);
  const featureCount = d.features ? d.features.length / Math.max(1, d.n) : 0;
  const mapped = describeDatasetMeta(d.meta as unknown as Record<string, unknown>, { file: basename(path), sha256: sha256Hex(bytes), featureCount }, path);
  return { description: parseDescription(mapped, `${path} (dataset meta)`), window: d.t, channels: d.c, featureCount };
}

/**
 * THE mapping from a dataset's `meta` to a model description (unvalidated: the caller runs
 * parseDescription on it). `file` is the dataset's name and digest for provenance; `featureCount`
 * whether (and how many) side features the dataset stores. `source` names the file in messages.
 */
export function describeDatasetMeta(meta: Record<string, unknown>, file: { file: string; sha256: string; featureCount: number }, source: string): Record<string, unknown> {
  const spec = isObject(meta.input) ? meta.input : undefined;
  if (!spec) throw new WavegateError('E_FILE_FORMAT', `${source}: meta.input is missing: the dataset predates dataset format 2; rebuild it with \`wavegate dataset build\` or \`dataset synth\``);
  return {
    input: {
      ...pick(spec, ['raw', 'sampleRate', 'preprocessing', 'windowing']),
      ...(file.featureCount > 0 && spec.features !== undefined ? { features: spec.features } : {}),
    },
    ...(meta.labels !== undefined ? { labels: meta.labels } : {}),
    provenance: datasetProvenance(meta, file),
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
