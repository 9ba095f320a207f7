/**
 * ANSI/AAMI EC57 beat-by-beat classification scoring, as PhysioNet's `bxb` reports it: detected
 * and classified beats are matched to the reference beats (ec57.ts: 150 ms, one to one, closest
 * first, VF/VFL episodes left out), and each pair is counted in a 6 x 6 matrix
 *
 *                 predicted  N  S  V  F  Q  O       O column: reference beat never detected (missed)
 *   reference  N                                    O row: detection that matches no reference beat
 *              S ... V F Q
 *              O
 *
 * Reference classes are the AAMI classes of the annotation symbols (src/labels/aami.ts); a beat
 * symbol outside them (MIT-BIH's `B`, `n`, `r`, `?` never occur) counts as Q, as bxb's unknown.
 *
 * Per class c of N, S, V, F (docs/evaluation.md, "EC57 rules"):
 *   TP = M[c][c];  FN = the rest of row c, missed beats included;
 *   FP = the rest of column c, extra detections (row O) included, except that a reference Q beat
 *        never counts against a class, and a reference F beat called V is not a V false positive
 *        (bxb: VFP = Nv + Sv + Ov, SFP = Ns + Vs + Fs + Os);
 *   Se = TP / (TP + FN), +P = TP / (TP + FP), F1 = 2 TP / (2 TP + FN + FP); null where the
 *   denominator is 0 (no reference beats of the class, or none called that class).
 * QRS detection: TP = reference beats detected, FN = column O, FP = row O.
 * Accuracy: (Nn + Ss + Vv + Ff) / (reference N, S, V, F beats, missed included, + extra detections).
 * Gross figures sum the matrices of the records; average figures are the means of the records'
 * figures where defined.
 */
import type { WfdbAnnotation } from '../io/wfdb-annotations.js';
import { BEAT_SYMBOLS } from '../io/wfdb-annotations.js';
import { AAMI_CLASSES, aamiClassOf, type AamiClass } from '../labels/aami.js';
import { ec57Scope, matchBeats, type Ec57Options } from './ec57.js';

/** Rows (reference) and columns (predicted) of the matrix: the AAMI classes, then O. */
export const EC57_MATRIX_LABELS = [...AAMI_CLASSES, 'O'] as const;
export type Ec57MatrixLabel = (typeof EC57_MATRIX_LABELS)[number];
const O = AAMI_CLASSES.length;

/** The classes EC57 reports figures for. */
export const EC57_SCORED_CLASSES = ['N', 'S', 'V', 'F'] as const;
export type Ec57ScoredClass = (typeof EC57_SCORED_CLASSES)[number];

/** A detected beat with the class the model gave it. */
export interface ClassifiedBeat {
  /** R peak, in record samples. */
  sample: number;
  cls: AamiClass;
}

/** One scored reference beat or detection, for plots and listings. */
export interface BeatPair {
  /** Reference beat sample, or undefined for an extra detection. */
  refSample?: number;
  /** Reference class, or 'O' for an extra detection. */
  ref: Ec57MatrixLabel;
  /** Detection sample, or undefined for a missed beat. */
  detSample?: number;
  /** Predicted class, or 'O' for a missed beat. */
  pred: Ec57MatrixLabel;
}

export interface BeatComparison {
  /** matrix[ref][pred] over EC57_MATRIX_LABELS; matrix[O][O] is always 0. */
  matrix: number[][];
  /** Every scored reference beat and detection, in time order. */
  pairs: BeatPair[];
  /** Reference beats left out (VF/VFL episodes, outside [start, end)). */
  excludedBeats: number;
}

export interface ClassFigures {
  tp: number;
  fn: number;
  fp: number;
  /** Reference beats of the class (missed ones included). */
  n: number;
  se: number | null;
  ppv: number | null;
  f1: number | null;
}

export interface QrsFigures {
  tp: number;
  fn: number;
  fp: number;
  se: number | null;
  ppv: number | null;
}

/** An empty 6 x 6 matrix. */
export function emptyMatrix(): number[][] {
  return EC57_MATRIX_LABELS.map(() => EC57_MATRIX_LABELS.map(() => 0));
}

/** The element-wise sum of matrices (gross counts over records). */
export function sumMatrices(matrices: readonly number[][][]): number[][] {
  const out = emptyMatrix();
  for (const m of matrices) for (let i = 0; i < out.length; i++) for (let j = 0; j < out.length; j++) out[i][j] += m[i][j];
  return out;
}

/** The AAMI class EC57 gives a reference beat symbol (bxb: unknown beat types are Q), or undefined for non-beats. */
export function referenceClassOf(symbol: string): AamiClass | undefined {
  if (!BEAT_SYMBOLS.has(symbol)) return undefined;
  return aamiClassOf(symbol) ?? 'Q';
}

/** Matches classified detections to the reference beats of one record and counts the pairs. */
export function compareBeats(annotations: readonly WfdbAnnotation[], detections: readonly ClassifiedBeat[], options: Ec57Options): BeatComparison {
  const { tol, keep } = ec57Scope(annotations, options);
  const allRef = annotations.flatMap((a) => {
    const cls = referenceClassOf(a.symbol);
    return cls ? [{ sample: a.sample, cls }] : [];
  });
  const ref = allRef.filter((b) => keep(b.sample));
  const det = detections.filter((b) => keep(b.sample)).sort((a, b) => a.sample - b.sample);
  const { refMatch, detMatch } = matchBeats(ref.map((b) => b.sample), det.map((b) => b.sample), tol);
  const matrix = emptyMatrix();
  const pairs: BeatPair[] = [];
  ref.forEach((r, i) => {
    const j = refMatch[i];
    const d = j >= 0 ? det[j] : undefined;
    matrix[AAMI_CLASSES.indexOf(r.cls)][d ? AAMI_CLASSES.indexOf(d.cls) : O]++;
    pairs.push({ refSample: r.sample, ref: r.cls, ...(d ? { detSample: d.sample } : {}), pred: d ? d.cls : 'O' });
  });
  det.forEach((d, j) => {
    if (detMatch[j] >= 0) return;
    matrix[O][AAMI_CLASSES.indexOf(d.cls)]++;
    pairs.push({ ref: 'O', detSample: d.sample, pred: d.cls });
  });
  pairs.sort((a, b) => (a.refSample ?? a.detSample!) - (b.refSample ?? b.detSample!));
  return { matrix, pairs, excludedBeats: allRef.length - ref.length };
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
const Q = AAMI_CLASSES.indexOf('Q');
const F = AAMI_CLASSES.indexOf('F');
const V = AAMI_CLASSES.indexOf('V');

/** Se, +P and F1 of one class from a matrix, with EC57's exceptions (file comment). */
export function classFigures(matrix: readonly number[][], cls: AamiClass): ClassFigures {
  const c = AAMI_CLASSES.indexOf(cls);
  const tp = matrix[c][c];
  let n = 0, fp = 0;
  for (let j = 0; j <= O; j++) n += matrix[c][j];
  for (let i = 0; i <= O; i++) {
    if (i === c || i === Q || (c === V && i === F)) continue;
    fp += matrix[i][c];
  }
  const fn = n - tp;
  return { tp, fn, fp, n, se: ratio(tp, tp + fn), ppv: ratio(tp, tp + fp), f1: ratio(2 * tp, 2 * tp + fn + fp) };
}

/** QRS detection figures from a matrix: detected reference beats, missed ones, extra detections. */
export function qrsFigures(matrix: readonly number[][]): QrsFigures {
  let tp = 0, fn = 0, fp = 0;
  for (let i = 0; i < O; i++) {
    for (let j = 0; j < O; j++) tp += matrix[i][j];
    fn += matrix[i][O];
    fp += matrix[O][i];
  }
  return { tp, fn, fp, se: ratio(tp, tp + fn), ppv: ratio(tp, tp + fp) };
}

/** Beat accuracy: correct N, S, V, F calls over those reference beats (missed included) plus extra detections. */
export function beatAccuracy(matrix: readonly number[][]): number | null {
  let correct = 0, total = 0;
  for (const cls of EC57_SCORED_CLASSES) {
    const c = AAMI_CLASSES.indexOf(cls);
    correct += matrix[c][c];
    for (let j = 0; j <= O; j++) total += matrix[c][j];
  }
  for (let j = 0; j < O; j++) total += matrix[O][j];
  return ratio(correct, total);
}

/** The mean of the defined values (null when none is): EC57's average statistics over records. */
export function meanDefined(values: ReadonlyArray<number | null>): number | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length > 0 ? v.reduce((s, x) => s + x, 0) / v.length : null;
}
