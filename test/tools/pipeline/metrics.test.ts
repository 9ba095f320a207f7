/**
 * The figures the pipeline reports (tools/pipeline/metrics.ts) and the anomaly calibration's
 * statistics (tools/pipeline/calibrate-anomaly.ts), against values worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { binomialTail, calibrate, DEFAULT_CALIBRATION, normalTail } from '../../../tools/pipeline/calibrate-anomaly.js';
import { auroc, classify, countAlerts } from '../../../tools/pipeline/metrics.js';

describe('classify', () => {
  it('gives EC57 Se, +P and F1 per class from the confusion matrix', () => {
    // truth N N N S S V, predicted N S N S N V
    const c = classify([0, 0, 0, 1, 1, 2], [0, 1, 0, 1, 0, 2], ['N', 'S', 'V', 'F']);
    expect(c.confusion.matrix).toEqual([[2, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]]);
    expect(c.classes.N).toEqual({ se: 2 / 3, ppv: 2 / 3, f1: 2 / 3, n: 3 });
    expect(c.classes.S).toEqual({ se: 0.5, ppv: 0.5, f1: 0.5, n: 2 });
    expect(c.classes.V).toEqual({ se: 1, ppv: 1, f1: 1, n: 1 });
    expect(c.classes.F).toEqual({ se: null, ppv: null, f1: null, n: 0 }); // no such beats, none called
    expect(c.accuracy).toBeCloseTo(4 / 6, 12);
  });

  it('a class never called gets +P null and F1 0', () => {
    const c = classify([0, 1], [0, 0], ['N', 'S']);
    expect(c.classes.S).toEqual({ se: 0, ppv: null, f1: 0, n: 1 });
  });
});

describe('auroc', () => {
  it('is 1 for a perfect ranking, 0 for an inverted one, 0.5 for ties', () => {
    expect(auroc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(auroc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
    expect(auroc([0.5, 0.5, 0.5, 0.5], [false, true, false, true])).toBe(0.5);
  });

  it('counts the pairs a positive wins (3 of 4 here)', () => {
    // positives 0.6, 0.9; negatives 0.3, 0.7: 0.9 beats both, 0.6 beats 0.3 only
    expect(auroc([0.3, 0.6, 0.7, 0.9], [false, true, false, true])).toBe(0.75);
  });

  it('is null without both classes', () => {
    expect(auroc([0.1, 0.2], [false, false])).toBeNull();
  });
});

describe('countAlerts', () => {
  const rule = { threshold: 0.5, minDuration: 2, window: 3, cooldownWindows: 2 };
  it('needs k of the last n windows above the threshold', () => {
    expect(countAlerts([0.9, 0.1, 0.1, 0.9, 0.1, 0.1], rule)).toBe(0);
    expect(countAlerts([0.9, 0.1, 0.9], rule)).toBe(1);
  });
  it('stays quiet for the cooldown after an alert', () => {
    // alert at index 1; indices 2-3 quiet and the window restarts; 4, 5 raise the next
    expect(countAlerts([0.9, 0.9, 0.9, 0.9, 0.9, 0.9], rule)).toBe(2);
  });
});

describe('anomaly calibration statistics', () => {
  it('normalTail matches the standard normal table', () => {
    expect(normalTail(0)).toBeCloseTo(0.5, 7);
    expect(normalTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalTail(-1)).toBeCloseTo(0.841345, 6);
    expect(normalTail(5)).toBeCloseTo(2.8665e-7, 9);
  });

  it('binomialTail sums the upper terms', () => {
    expect(binomialTail(5, 3, 0.5)).toBeCloseTo(0.5, 12);
    expect(binomialTail(5, 0, 0.3)).toBeCloseTo(1, 12);
    expect(binomialTail(3, 3, 0.1)).toBeCloseTo(0.001, 12);
  });

  it('puts the threshold where the expected false alerts meet the budget, above every normal score', () => {
    const scores = Array.from({ length: 200 }, (_, i) => 1 / (1 + Math.exp(-(-6 + Math.sin(i) * 0.5)))); // logits in [-6.5, -5.5]
    const r = calibrate(scores, 84_000, { ...DEFAULT_CALIBRATION, floor: 0 });
    expect(r.threshold).toBeGreaterThanOrEqual(r.maxNormalScore);
    expect(r.expectedAlertsPerHour).toBeLessThanOrEqual(DEFAULT_CALIBRATION.maxAlertsPerHour / DEFAULT_CALIBRATION.safety + 1e-9);
    expect(r.threshold).toBeLessThan(0.5); // well separated: the budget is met far below 0.5
    expect(calibrate(scores, 84_000, DEFAULT_CALIBRATION).threshold).toBe(0.5); // the floor
  });
});
