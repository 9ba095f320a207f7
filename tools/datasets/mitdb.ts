/**
 * MIT-BIH beat dataset: one window per AAMI-labelled beat with its RR features, for the records of
 * one inter-patient split, cut by the device's signal chain (chain-windows.ts) from the stage list.
 *
 * Beat positions come from the REFERENCE annotations by default (the labels' own positions: the
 * chain places them in the model's time base and cuts there), or from the device's QRS detector
 * (`peaks: 'detector'`): then windows and features are exactly what a device computes on the
 * record, and each window takes the label of the reference beat within `matchWindowS` (EC57's
 * 150 ms) of its R peak, or is dropped when there is none. RR intervals are measured between the
 * peaks used (AAMI beats only in reference mode); the first beat of a record, the last one (no
 * post-RR) and beats whose window leaves the record have no window.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WavegateError } from '../../src/errors.js';
import { readWfdbAnnotations, readWfdbRecord, leadSignal } from '../../src/io/wfdb-record.js';
import { AAMI_CLASSES, aamiIndexOf } from '../../src/labels/aami.js';
import { mitdbSplitRecords } from '../../src/labels/splits.js';
import type { FeatureSpec, InputSpec } from '../../src/model/schema.js';
import { chainRates, type Stage } from '../../src/model/stages.js';
import type { ChainWindow } from '../../src/signal/chain.js';
import type { QrsOptions } from '../../src/signal/qrs.js';
import { DEFAULT_LOCAL_BEATS, DEFAULT_RR_FEATURES } from '../../src/signal/rr-features.js';
import { chainWindows, normalizeDatasetFeatures, rawFeaturesInput } from './chain-windows.js';
import { interleave } from './interleave.js';
import { sha256Hex } from '../../src/model/digest.js';
import { classCounts, DATASET_FORMAT, DATASET_FORMAT_VERSION, WindowSink, type DatasetArrays } from './dataset-file.js';

/** The stages every ECG dataset of this project records by default: a 0.5-40 Hz band-pass (wander below, EMG and mains above). */
export const ECG_DEFAULT_STAGES: Stage[] = [{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }];

export interface MitdbBuildOptions {
  /** Folder holding NNN.hea/.dat/.atr. */
  dir: string;
  /** DS1, DS2, DS2_STAGED or a comma-separated record list. */
  split: string;
  /** Lead names, in channel order. Default ["MLII"] (looked up by name: record 114 has V5 first). */
  leads?: string[];
  /** Samples before the R peak, at the model rate. Default 90 (0.25 s at 360 Hz). */
  before?: number;
  /** Samples from the R peak to the window end. Default 166, so that window = 256. */
  after?: number;
  /** Canonical stages from the record's rate (src/model/stages.ts). Default {@link ECG_DEFAULT_STAGES}. */
  preprocessing?: Stage[];
  /** Window positions: reference annotations (default) or the device's QRS detector. */
  peaks?: 'reference' | 'detector';
  /** QRS detector options (input.windowing.qrs other than `detector`). Default none. */
  qrs?: Omit<QrsOptions, 'fs'>;
  /** RR feature names; [] for none. Default DEFAULT_RR_FEATURES. */
  features?: readonly string[];
  /** Beats in the local RR mean. Default 10. */
  localBeats?: number;
  /** Feature normalisation to apply (a training set's, for a test set). Default: computed on this dataset. */
  featureNormalize?: { mean: number[]; std: number[] };
  /** Detection-to-reference matching window in s for labels in detector mode. Default 0.15. */
  matchWindowS?: number;
  /** Called after each record. */
  onRecord?: (record: string, done: number, total: number) => void;
  /** Written into meta.createdBy. */
  createdBy?: string;
}

/**
 * Labels detections by the nearest reference beat within `tol` samples, one to one: a reference
 * beat labels at most one detection (the first that claims it), so a double detection does not
 * put the same beat twice into the dataset. -1 marks a detection with no beat.
 */
export function labelDetections(detected: ArrayLike<number>, refSamples: readonly number[], refLabels: readonly number[], tol: number): number[] {
  const out: number[] = [];
  const used = new Uint8Array(refSamples.length);
  let j = 0;
  for (let i = 0; i < detected.length; i++) {
    const d = detected[i];
    while (j + 1 < refSamples.length && refSamples[j + 1] <= d) j++;
    let best = -1;
    let bestDist = Infinity;
    for (const k of [j, j + 1]) {
      if (k < 0 || k >= refSamples.length || used[k]) continue;
      const dist = Math.abs(refSamples[k] - d);
      if (dist <= tol && dist < bestDist) (best = k), (bestDist = dist);
    }
    if (best >= 0) used[best] = 1;
    out.push(best < 0 ? -1 : refLabels[best]);
  }
  return out;
}

/** Every file of every record must be there before any work starts: one error naming all that are missing. */
function checkRecordFiles(dir: string, split: string, records: readonly string[]): void {
  const missing = records.flatMap((r) => ['hea', 'dat', 'atr'].filter((ext) => !existsSync(join(dir, `${r}.${ext}`))).map((ext) => `${r}.${ext}`));
  if (missing.length === 0) return;
  const absent = records.filter((r) => !existsSync(join(dir, `${r}.hea`)));
  const hint = absent.length === records.length ? '' : split.toUpperCase().startsWith('DS2') && !split.toUpperCase().includes('STAGED') ? ' (DS2_STAGED names the DS2 records staged here)' : '';
  throw new WavegateError('E_NOT_FOUND', `${dir}: split ${split} needs files that are not there: ${missing.join(', ')}${hint}`);
}

export function buildMitdbDataset(options: MitdbBuildOptions): DatasetArrays {
  const records = [...mitdbSplitRecords(options.split)];
  checkRecordFiles(options.dir, options.split, records);
  const leads = options.leads ?? ['MLII'];
  const before = options.before ?? 90;
  const after = options.after ?? 166;
  if (!Number.isInteger(before) || !Number.isInteger(after) || before < 0 || after < 1) {
    throw new WavegateError('E_ARGUMENT', `beat window: before (${before}) and after (${after}) must be integers, before >= 0, after >= 1`);
  }
  if (options.preprocessing?.some((st) => st.kind === 'spectrum')) {
    throw new WavegateError('E_ARGUMENT', 'MIT-BIH datasets are beat windows around R peaks, which need the preprocessed signal; a spectrum stage hands on band values (use it for fixed-window CWRU datasets)');
  }
  const peaksMode = options.peaks ?? 'reference';
  if (peaksMode !== 'reference' && peaksMode !== 'detector') throw new WavegateError('E_ARGUMENT', `peaks must be "reference" or "detector", got ${JSON.stringify(peaksMode)}`);
  const names = options.features ?? DEFAULT_RR_FEATURES;
  const features: FeatureSpec | undefined = names.length > 0 ? { kind: 'rr', names: [...names], localBeats: options.localBeats ?? DEFAULT_LOCAL_BEATS } : undefined;
  const sink = new WindowSink((before + after) * leads.length, names.length);
  const digests: Record<string, string> = {};
  const recordRates: number[] = [];
  let input: InputSpec | undefined;
  let unmatched = 0;

  records.forEach((name, recIndex) => {
    const path = join(options.dir, name);
    for (const ext of ['hea', 'dat', 'atr']) digests[`${name}.${ext}`] = sha256Hex(readFileSync(`${path}.${ext}`));
    const rec = readWfdbRecord(path);
    const fs = rec.header.fs;
    recordRates.push(fs);
    const signals = leads.map((l) => leadSignal(rec, l));
    // The first record fixes the raw rate and units; a record at another rate goes through the
    // chain only if a rate stage converts it (buildPipeline refuses it otherwise, naming both rates).
    input ??= {
      channels: leads.length,
      sampleRate: outputRate(options.preprocessing ?? ECG_DEFAULT_STAGES, fs),
      window: before + after,
      channelNames: [...leads],
      raw: { sampleRate: fs, units: rec.header.signals[signals[0].index].units, channels: [...leads] },
      preprocessing: options.preprocessing ?? ECG_DEFAULT_STAGES,
      windowing: { mode: 'beat', before, after, qrs: { detector: 'pan-tompkins', ...options.qrs } },
      ...(features ? { features } : {}),
    };
    const frames = interleave(signals.map((s) => s.physical));
    const beats = readWfdbAnnotations(path).filter((a) => aamiIndexOf(a.symbol) >= 0);
    const refSamples = beats.map((a) => a.sample);
    const refLabels = beats.map((a) => aamiIndexOf(a.symbol));
    const windows: ChainWindow[] = [];
    chainWindows(rawFeaturesInput(input), fs, frames, (w) => windows.push(w), peaksMode === 'reference' ? refSamples : undefined);
    const labels = peaksMode === 'reference'
      ? windows.map((w) => refLabels[w.beat!])
      : labelDetections(windows.map((w) => w.sample), refSamples, refLabels, Math.round((options.matchWindowS ?? 0.15) * fs));
    windows.forEach((w, i) => {
      if (labels[i] < 0) {
        unmatched++;
        return;
      }
      sink.push(w.data, labels[i], recIndex, w.sample, w.features);
    });
    options.onRecord?.(name, recIndex + 1, records.length);
  });

  const { x, y, record, sample, features: rawRows } = sink.arrays();
  const spec = input!;
  let featureRows: Float32Array | undefined;
  if (spec.features && rawRows) {
    const done = normalizeDatasetFeatures(rawRows, spec.features.names.length, options.featureNormalize);
    featureRows = done.features;
    spec.features = { ...spec.features, normalize: done.normalize };
  }
  const labels = [...AAMI_CLASSES];
  return {
    x, n: sink.count, t: before + after, c: leads.length, y, record, sample, features: featureRows,
    meta: {
      format: DATASET_FORMAT,
      formatVersion: DATASET_FORMAT_VERSION,
      labels,
      input: spec,
      source: 'mitdb',
      sampleMarks: 'r-peak',
      peaks: peaksMode,
      split: options.split,
      records,
      recordRates,
      sourceDigests: digests,
      createdBy: options.createdBy ?? 'wavegate dataset build',
      classCounts: classCounts(y, labels),
      labelMap: 'AAMI EC57: N=N,L,R,e,j S=A,a,J,S V=V,E F=F Q=/,f,Q',
      ...(peaksMode === 'detector' ? { unmatchedDetections: unmatched } : {}),
    },
  };
}

/** The rate the stages make of `rate` (the model's input.sampleRate); undefined when they cannot take it, which the chain then reports. */
export function outputRate(stages: readonly Stage[], rate: number): number | undefined {
  const walk = chainRates(stages, rate);
  return 'problem' in walk ? undefined : walk.outputRate;
}
