/**
 * MIT-BIH beat dataset: one window per AAMI-labelled beat, centred on its R peak, with RR
 * features, for the records of one inter-patient split.
 *
 * Windows come from the REFERENCE beat annotations by default (the labels' own positions), or
 * from a QRS detector (`peaks: 'detector'`), each detection then labelled by the reference beat
 * within `matchWindowS` (EC57's 150 ms) and dropped when none is. Beat windows and RR features
 * are cut by src/signal/beats.ts, the same code the device runs; the first and last beat of a
 * record (no pre-/post-RR) and beats whose window leaves the record are skipped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WavegateError } from '../../src/errors.js';
import { readWfdbAnnotations, readWfdbRecord, leadSignal } from '../../src/io/wfdb-record.js';
import { AAMI_CLASSES, aamiIndexOf } from '../../src/labels/aami.js';
import { mitdbSplitRecords } from '../../src/labels/splits.js';
import { beatWindows } from '../../src/signal/beats.js';
import { applyStages, stagesForMeta, type FilterStage } from './preprocess.js';
import { decimate, decimateStage, type DecimateStage } from '../../src/signal/decimate.js';
import { interleave } from './interleave.js';
import { sha256Hex } from '../../src/model/digest.js';
import { classCounts, WindowSink, type DatasetArrays } from './dataset-file.js';

/** A QRS detector: R-peak sample indices of a whole signal. */
export type PeakDetector = (signal: Float32Array, fs: number) => ArrayLike<number>;

export interface MitdbBuildOptions {
  /** Folder holding NNN.hea/.dat/.atr. */
  dir: string;
  /** DS1, DS2, DS2_STAGED or a comma-separated record list. */
  split: string;
  /** Lead names, in channel order. Default ["MLII"] (looked up by name: record 114 has V5 first). */
  leads?: string[];
  /** Samples before the R peak. Default 90 (0.25 s at 360 Hz). */
  before?: number;
  /** Samples from the R peak to the window end. Default 166, so that window = 256. */
  after?: number;
  /** Filter stages, at the record rate. Default none. */
  preprocessing?: FilterStage[];
  /** Dataset sample rate; an integer divisor of the record rate (decimated after filtering). Default: the record rate. */
  fs?: number;
  /** Window positions: reference annotations (default) or a detector's peaks. */
  peaks?: 'reference' | 'detector';
  /** Required when peaks is 'detector'. */
  detector?: PeakDetector;
  /** Detection-to-reference matching window in s for labels in detector mode. Default 0.15. */
  matchWindowS?: number;
  /** Beats in the local RR average. Default 10. */
  localBeats?: number;
  /** Called after each record. */
  onRecord?: (record: string, done: number, total: number) => void;
  /** Written into meta.createdBy. */
  createdBy?: string;
}

export const MITDB_RR_FEATURES = ['preRR', 'postRR', 'localRR', 'averageRR'];

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

export function buildMitdbDataset(options: MitdbBuildOptions): DatasetArrays {
  const records = [...mitdbSplitRecords(options.split)];
  const leads = options.leads ?? ['MLII'];
  const before = options.before ?? 90;
  const after = options.after ?? 166;
  const window = before + after;
  if (!Number.isInteger(before) || !Number.isInteger(after) || before < 0 || after < 1) {
    throw new WavegateError('E_ARGUMENT', `beat window: before (${before}) and after (${after}) must be integers, before >= 0, after >= 1`);
  }
  const peaksMode = options.peaks ?? 'reference';
  if (peaksMode === 'detector' && !options.detector) throw new WavegateError('E_ARGUMENT', 'peaks "detector" needs a QRS detector');
  const stages = options.preprocessing ?? [];
  const sink = new WindowSink(window * leads.length);
  const digests: Record<string, string> = {};
  let fs: number | undefined;
  let unmatched = 0;
  let resampling: DecimateStage | undefined;

  records.forEach((name, recIndex) => {
    const path = join(options.dir, name);
    for (const ext of ['hea', 'dat', 'atr']) digests[`${name}.${ext}`] = sha256Hex(readFileSync(`${path}.${ext}`));
    const rec = readWfdbRecord(path);
    if (fs === undefined) fs = rec.header.fs;
    if (rec.header.fs !== fs) throw new WavegateError('E_SAMPLE_RATE', `record ${name}: ${rec.header.fs} Hz differs from ${fs} Hz of the first record`);
    for (const s of stages) if (s.fs !== fs) throw new WavegateError('E_SAMPLE_RATE', `record ${name}: preprocessing designed for ${s.fs} Hz, record is ${fs} Hz`);
    const decim = options.fs === undefined || options.fs === fs ? undefined : decimateStage(fs, options.fs);
    if (decim) resampling = decim;
    const channels = leads.map((l) => {
      const filtered = applyStages(leadSignal(rec, l).physical, stages);
      return decim ? decimate(filtered, decim) : filtered;
    });
    const signal = interleave(channels);
    const outFs = decim ? decim.to : fs;

    const beats = readWfdbAnnotations(path).filter((a) => aamiIndexOf(a.symbol) >= 0);
    // Annotation times at the dataset rate (a decimated sample k holds record sample k * factor).
    const refSamples = dedupe(beats.map((a) => (decim ? Math.round(a.sample / decim.factor) : a.sample)));
    const refLabels = beats.map((a) => aamiIndexOf(a.symbol));
    let peaks: ArrayLike<number>;
    let labels: number[];
    if (peaksMode === 'reference') {
      peaks = refSamples;
      labels = refLabels;
    } else {
      peaks = options.detector!(channels[0], outFs);
      labels = labelDetections(peaks, refSamples, refLabels, Math.round((options.matchWindowS ?? 0.15) * outFs));
    }
    for (const beat of beatWindows(signal, peaks, { window, before, fs: outFs, channels: leads.length, localBeats: options.localBeats })) {
      const y = labels[beat.index];
      if (y < 0) {
        unmatched++;
        continue;
      }
      sink.push(beat.data, y, recIndex, beat.rr);
    }
    options.onRecord?.(name, recIndex + 1, records.length);
  });

  const { x, y, record, rr } = sink.arrays();
  const labels = [...AAMI_CLASSES];
  return {
    x,
    n: sink.count,
    t: window,
    c: leads.length,
    y,
    record,
    rr,
    meta: {
      labels,
      fs: resampling ? resampling.to : (fs ?? 0),
      window,
      before,
      after,
      lead: leads,
      channels: leads.length,
      preprocessing: [...stagesForMeta(stages), ...(resampling ? [resampling] : [])],
      split: options.split,
      records,
      sourceDigests: digests,
      createdBy: options.createdBy ?? 'wavegate dataset build',
      source: 'mitdb',
      windows: peaksMode,
      classCounts: classCounts(y, labels),
      rrFeatures: MITDB_RR_FEATURES,
      rrUnits: 's',
      labelMap: 'AAMI EC57: N=N,L,R,e,j S=A,a,J,S V=V,E F=F Q=/,f,Q',
      ...(peaksMode === 'detector' ? { unmatchedDetections: unmatched } : {}),
    },
  };
}

/** Nudges equal neighbours apart by one sample so that peaks stay strictly increasing after decimation. */
function dedupe(samples: number[]): number[] {
  for (let i = 1; i < samples.length; i++) if (samples[i] <= samples[i - 1]) samples[i] = samples[i - 1] + 1;
  return samples;
}
