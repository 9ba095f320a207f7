/**
 * AUROC (src/eval/roc.ts) on hand-counted cases, and against the trapezoidal area of its own ROC
 * curve and a brute-force pair count on seeded random scores with ties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auroc, curveArea, rocCurve } from '../../../src/eval/roc.js';
import { confusionMatrix, labelFigures, matrixAccuracy } from '../../../src/eval/classification.js';
import { expectWavegateError } from '../../helpers/expect-error.js';

/** P(positive > negative) + 1/2 P(equal), over every pair. */
function bruteForce(scores: number[], positive: boolean[]): number {
  let s = 0, pairs = 0;
  scores.forEach((a, i) => scores.forEach((b, j) => {
    if (!positive[i] || positive[j]) return;
    pairs++;
    s += a > b ? 1 : a === b ? 0.5 : 0;
  }));
  return s / pairs;
}

/** Rounding between the rank formula, the pair count and the trapezoids (sums of at most 80 x 80 pairs). */
const AUROC_BUDGET = 1e-12;

describe('AUROC', () => {
  it('is 1 for a perfect ranking, 0 reversed, 1/2 when every score ties', () => {
    expect(auroc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(auroc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
    expect(auroc([0.5, 0.5, 0.5], [true, false, true])).toBe(0.5);
  });

  it('counts a hand-made case pair by pair', () => {
    // positives 0.9, 0.4, 0.4; negatives 0.4, 0.1: pairs (9 vs 4: 1, 9 vs 1: 1, 4 vs 4: 1/2 twice, 4 vs 1: 1 twice) = 5 of 6.
    expect(auroc([0.9, 0.4, 0.4, 0.4, 0.1], [true, true, true, false, false])).toBeCloseTo(5 / 6, 15);
    const roc = rocCurve([0.9, 0.4, 0.4, 0.4, 0.1], [true, true, true, false, false]);
    expect(roc).toEqual([
      { threshold: Infinity, fpr: 0, tpr: 0 },
      { threshold: 0.9, fpr: 0, tpr: 1 / 3 },
      { threshold: 0.4, fpr: 0.5, tpr: 1 },
      { threshold: 0.1, fpr: 1, tpr: 1 },
    ]);
  });

  it('is null without both classes, and refuses NaN or mismatched lengths', () => {
    expect(auroc([0.2, 0.3], [true, true])).toBeNull();
    expect(auroc([], [])).toBeNull();
    expect(rocCurve([0.2], [false])).toEqual([]);
    expectWavegateError(() => auroc([Number.NaN, 1], [true, false]), 'E_ARGUMENT', /score 0 is NaN/);
    expectWavegateError(() => auroc([1], [true, false]), 'E_ARGUMENT', /1 scores, 2 labels/);
  });

  it('equals the pair count and the area under its ROC curve (seeded random scores with ties)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { minLength: 2, maxLength: 80 }), (rows) => {
      const scores = rows.map(([s]) => s / 20), positive = rows.map(([, p]) => p);
      const a = auroc(scores, positive);
      if (!positive.some((p) => p) || positive.every((p) => p)) return a === null;
      return Math.abs(a! - bruteForce(scores, positive)) < AUROC_BUDGET && Math.abs(a! - curveArea(rocCurve(scores, positive))) < AUROC_BUDGET;
    }), { seed: 20260612, numRuns: 200 });
  });
});

describe('classification figures', () => {
  it('builds the confusion matrix and per-class recall, precision, F1', () => {
    const m = confusionMatrix([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], 3);
    expect(m).toEqual([[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
    expect(labelFigures(m, 0)).toEqual({ n: 3, tp: 2, fn: 1, fp: 0, se: 2 / 3, ppv: 1, f1: 0.8 });
    expect(labelFigures(m, 1)).toEqual({ n: 2, tp: 1, fn: 1, fp: 1, se: 0.5, ppv: 0.5, f1: 0.5 });
    expect(matrixAccuracy(m)).toBeCloseTo(4 / 6, 15);
    expect(labelFigures(confusionMatrix([0], [0], 2), 1)).toEqual({ n: 0, tp: 0, fn: 0, fp: 0, se: null, ppv: null, f1: null });
    expect(matrixAccuracy(confusionMatrix([], [], 2))).toBeNull();
    expectWavegateError(() => confusionMatrix([0, 3], [0, 0], 3), 'E_ARGUMENT', /outside 0..2/);
  });
});
