/**
 * ROC analysis of an anomaly score: positives (faults) should score higher than negatives
 * (normal windows).
 *
 * AUROC is the Mann-Whitney probability P(score of a random positive > score of a random
 * negative) + 1/2 P(equal): every pair counted once, ties as half, computed from average ranks in
 * O(n log n). It equals the trapezoidal area under the ROC curve built with one point per
 * distinct threshold (rocCurve). Null when either class is empty.
 */
import { WavegateError } from '../errors.js';

function check(scores: ArrayLike<number>, positive: ArrayLike<boolean>, what: string): void {
  if (scores.length !== positive.length) throw new WavegateError('E_ARGUMENT', `${what}: ${scores.length} scores, ${positive.length} labels`);
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new WavegateError('E_ARGUMENT', `${what}: score ${i} is NaN`);
  }
}

/** Area under the ROC curve (ties count one half), or null without both positives and negatives. */
export function auroc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number | null {
  check(scores, positive, 'auroc');
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0, nPos = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const rank = (i + j) / 2 + 1; // average 1-based rank of the tie group
    for (let k = i; k <= j; k++) if (positive[order[k]]) { rankSumPos += rank; nPos++; }
    i = j + 1;
  }
  const nNeg = scores.length - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export interface RocPoint {
  /** Windows scoring at or above this threshold are called positive. */
  threshold: number;
  /** False positive rate: negatives at or above the threshold / negatives. */
  fpr: number;
  /** True positive rate: positives at or above the threshold / positives. */
  tpr: number;
}

/** The ROC curve from (0, 0) (threshold +Infinity) to (1, 1), one point per distinct score; [] without both classes. */
export function rocCurve(scores: ArrayLike<number>, positive: ArrayLike<boolean>): RocPoint[] {
  check(scores, positive, 'rocCurve');
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let nPos = 0;
  for (let i = 0; i < positive.length; i++) if (positive[i]) nPos++;
  const nNeg = scores.length - nPos;
  if (nPos === 0 || nNeg === 0) return [];
  const out: RocPoint[] = [{ threshold: Number.POSITIVE_INFINITY, fpr: 0, tpr: 0 }];
  let tp = 0, fp = 0;
  for (let i = 0; i < order.length;) {
    const s = scores[order[i]];
    while (i < order.length && scores[order[i]] === s) {
      if (positive[order[i]]) tp++;
      else fp++;
      i++;
    }
    out.push({ threshold: s, fpr: fp / nNeg, tpr: tp / nPos });
  }
  return out;
}

/** Trapezoidal area under a curve from rocCurve. */
export function curveArea(points: readonly RocPoint[]): number {
  let a = 0;
  for (let i = 1; i < points.length; i++) a += ((points[i].fpr - points[i - 1].fpr) * (points[i].tpr + points[i - 1].tpr)) / 2;
  return a;
}
