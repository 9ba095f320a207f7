/**
 * The anomaly calibration's statistics (tools/pipeline/calibrate-anomaly.ts), against values
 * worked out by hand. (The evaluation figures are `wavegate eval`'s, tested with it.)
 */
import { describe, expect, it } from 'vitest';
import { binomialTail, calibrate, DEFAULT_CALIBRATION, normalTail } from '../../../tools/pipeline/calibrate-anomaly.js';

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
