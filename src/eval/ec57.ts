/**
 * ANSI/AAMI EC57 beat-detection scoring (as PhysioNet's `bxb` does it for QRS detection).
 *
 * - Reference beats are the beat annotations of the reference file (`.atr`).
 * - A detection matches a reference beat when it lies within 150 ms of it; matching is
 *   one-to-one, closest pairs first.
 * - Ventricular flutter and fibrillation are left out, as EC57 prescribes for QRS detection:
 *   an episode starts at a rhythm annotation whose aux text is `(VF` or `(VFL` (or at a `[`
 *   VF-onset annotation) and ends at the next rhythm annotation (or `]`). Reference beats and
 *   detections inside an episode are ignored.
 * - Optional learning period: EC57 allows the first 5 minutes of each record to be skipped.
 *   Our figures use the whole record (`start = 0`, stricter) unless told otherwise.
 * Se = TP / (TP + FN), +P = TP / (TP + FP). Gross figures sum TP, FN, FP over records; average
 * figures are the mean of the per-record ratios.
 */
import { BEAT_SYMBOLS, type WfdbAnnotation } from '../io/wfdb-annotations.js';
import { WavegateError } from '../errors.js';

export interface Ec57Options {
  /** Sample rate of the record (for the 150 ms window). Required. */
  fs: number;
  /** Match window in seconds. Default 0.15. */
  tolerance?: number;
  /** First sample scored (EC57's learning period, e.g. 5 min * fs). Default 0. */
  start?: number;
  /** Last sample scored, exclusive. Default: no limit. */
  end?: number;
}

export interface Ec57Counts {
  tp: number;
  fn: number;
  fp: number;
}

export interface Ec57Result extends Ec57Counts {
  /** Sensitivity TP / (TP + FN); 1 when there is no reference beat. */
  se: number;
  /** Positive predictivity TP / (TP + FP); 1 when there is no detection. */
  ppv: number;
  /** Reference beats left out because they fall in VF/VFL episodes or outside [start, end). */
  excludedBeats: number;
  /** Reference samples missed (for inspection). */
  missed: number[];
  /** Detections that match nothing. */
  falsePositives: number[];
}

/** [start, end) sample intervals of ventricular flutter/fibrillation episodes. */
export function vfEpisodes(annotations: readonly WfdbAnnotation[], recordLength = Number.POSITIVE_INFINITY): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let open: number | undefined;
  for (const a of annotations) {
    const isRhythm = a.symbol === '+';
    const vfRhythm = isRhythm && /^\(VFL?$/.test(a.aux.replace(/\0+$/, '').trim());
    if (a.symbol === '[' || vfRhythm) {
      if (open === undefined) open = a.sample;
    } else if ((a.symbol === ']' || isRhythm) && open !== undefined) {
      out.push([open, a.sample]);
      open = undefined;
    }
  }
  if (open !== undefined) out.push([open, recordLength]);
  return out;
}

function inAny(s: number, intervals: ReadonlyArray<[number, number]>): boolean {
  for (const [a, b] of intervals) if (s >= a && s < b) return true;
  return false;
}

/**
 * What EC57 scores in one record: the match window in samples and the test for a sample to count
 * (inside [start, end) and outside every VF/VFL episode). Shared by QRS scoring and beat
 * classification (beat-classes.ts), so both leave out exactly the same beats.
 */
export interface Ec57Scope {
  /** The match window in samples (round(tolerance * fs)). */
  tol: number;
  /** True when a reference beat or detection at this sample is scored. */
  keep(sample: number): boolean;
}

export function ec57Scope(annotations: readonly WfdbAnnotation[], options: Ec57Options): Ec57Scope {
  const { fs, tolerance = 0.15, start = 0, end = Number.POSITIVE_INFINITY } = options;
  if (!(fs > 0)) throw new WavegateError('E_ARGUMENT', `EC57: fs must be > 0, got ${fs}`);
  if (!(tolerance >= 0)) throw new WavegateError('E_ARGUMENT', `EC57: tolerance must be >= 0 s, got ${tolerance}`);
  const excluded = vfEpisodes(annotations);
  return { tol: Math.round(tolerance * fs), keep: (s) => s >= start && s < end && !inAny(s, excluded) };
}

/**
 * One-to-one matching of reference beats to detections (both sorted by sample) within `tol`
 * samples, closest pairs first (ties: the earlier reference beat, then the earlier detection),
 * each end used once. Returns, per reference beat, the index of its detection (-1: missed) and,
 * per detection, the index of its reference beat (-1: an extra detection).
 */
export function matchBeats(ref: ArrayLike<number>, det: ArrayLike<number>, tol: number): { refMatch: Int32Array; detMatch: Int32Array } {
  const pairs: Array<[number, number, number]> = [];
  let j0 = 0;
  for (let i = 0; i < ref.length; i++) {
    while (j0 < det.length && det[j0] < ref[i] - tol) j0++;
    for (let j = j0; j < det.length && det[j] <= ref[i] + tol; j++) pairs.push([Math.abs(det[j] - ref[i]), i, j]);
  }
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const refMatch = new Int32Array(ref.length).fill(-1), detMatch = new Int32Array(det.length).fill(-1);
  for (const [, i, j] of pairs) {
    if (refMatch[i] >= 0 || detMatch[j] >= 0) continue;
    refMatch[i] = j;
    detMatch[j] = i;
  }
  return { refMatch, detMatch };
}

/** Scores detections of one record against its reference annotations. */
export function scoreQrs(annotations: readonly WfdbAnnotation[], detections: ArrayLike<number>, options: Ec57Options): Ec57Result {
  const { tol, keep } = ec57Scope(annotations, options);
  const allRef = annotations.filter((a) => BEAT_SYMBOLS.has(a.symbol)).map((a) => a.sample);
  const ref = allRef.filter(keep);
  const det = Array.from(detections).filter(keep).sort((a, b) => a - b);
  const { refMatch, detMatch } = matchBeats(ref, det, tol);
  const missed = ref.filter((_, i) => refMatch[i] < 0);
  const falsePositives = det.filter((_, j) => detMatch[j] < 0);
  const fn = missed.length, fp = falsePositives.length;
  const tp = ref.length - fn;
  return {
    tp, fn, fp,
    se: tp + fn === 0 ? 1 : tp / (tp + fn),
    ppv: tp + fp === 0 ? 1 : tp / (tp + fp),
    excludedBeats: allRef.length - ref.length,
    missed, falsePositives,
  };
}

/** Gross Se/+P over records (sums of counts) and the average of per-record ratios. */
export function grossFigures(results: readonly Ec57Result[]): { gross: Ec57Counts & { se: number; ppv: number }; averageSe: number; averagePpv: number } {
  const sum = results.reduce((s, r) => ({ tp: s.tp + r.tp, fn: s.fn + r.fn, fp: s.fp + r.fp }), { tp: 0, fn: 0, fp: 0 });
  const n = Math.max(1, results.length);
  return {
    gross: { ...sum, se: sum.tp / Math.max(1, sum.tp + sum.fn), ppv: sum.tp / Math.max(1, sum.tp + sum.fp) },
    averageSe: results.reduce((s, r) => s + r.se, 0) / n,
    averagePpv: results.reduce((s, r) => s + r.ppv, 0) / n,
  };
}

/** A fixed-width text table of per-record results and the gross line (for the CLI and docs). */
export function formatEc57Table(rows: ReadonlyArray<{ record: string; result: Ec57Result }>): string {
  const pct = (v: number): string => (100 * v).toFixed(2).padStart(7);
  const lines = ['record     TP    FN    FP    Se %    +P %', ...rows.map(({ record, result: r }) =>
    `${record.padEnd(6)} ${String(r.tp).padStart(6)} ${String(r.fn).padStart(5)} ${String(r.fp).padStart(5)} ${pct(r.se)} ${pct(r.ppv)}`)];
  if (rows.length > 1) {
    const g = grossFigures(rows.map((r) => r.result)).gross;
    lines.push(`${'gross'.padEnd(6)} ${String(g.tp).padStart(6)} ${String(g.fn).padStart(5)} ${String(g.fp).padStart(5)} ${pct(g.se)} ${pct(g.ppv)}`);
  }
  return lines.join('\n');
}
