/**
 * Figures of a plain classification (one true and one predicted label per window, e.g. CWRU
 * bearing windows): the confusion matrix, per-class sensitivity (recall), positive predictivity
 * (precision) and F1, and accuracy. Ratios with a zero denominator are null, never a made-up 0 or 1.
 */
import { WavegateError } from '../errors.js';

export interface LabelFigures {
  /** True windows of the class. */
  n: number;
  tp: number;
  fn: number;
  fp: number;
  /** Recall TP / (TP + FN). */
  se: number | null;
  /** Precision TP / (TP + FP). */
  ppv: number | null;
  f1: number | null;
}

/** confusion[true][predicted] over `labels`. */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  if (truth.length !== predicted.length) throw new WavegateError('E_ARGUMENT', `confusionMatrix: ${truth.length} true labels, ${predicted.length} predictions`);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i], p = predicted[i];
    if (!(Number.isInteger(t) && t >= 0 && t < classes) || !(Number.isInteger(p) && p >= 0 && p < classes)) {
      throw new WavegateError('E_ARGUMENT', `confusionMatrix: label pair (${t}, ${p}) at ${i} is outside 0..${classes - 1}`);
    }
    m[t][p]++;
  }
  return m;
}

/** Per-class figures of a square confusion matrix (rows true, columns predicted). */
export function labelFigures(matrix: readonly number[][], c: number): LabelFigures {
  const tp = matrix[c][c];
  let n = 0, predictedAs = 0;
  for (let j = 0; j < matrix.length; j++) n += matrix[c][j];
  for (let i = 0; i < matrix.length; i++) predictedAs += matrix[i][c];
  const fn = n - tp, fp = predictedAs - tp;
  const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
  return { n, tp, fn, fp, se: ratio(tp, n), ppv: ratio(tp, predictedAs), f1: ratio(2 * tp, 2 * tp + fn + fp) };
}

/** Trace over total; null for an empty matrix. */
export function matrixAccuracy(matrix: readonly number[][]): number | null {
  let correct = 0, total = 0;
  matrix.forEach((row, i) => row.forEach((v, j) => {
    total += v;
    if (i === j) correct += v;
  }));
  return total > 0 ? correct / total : null;
}
