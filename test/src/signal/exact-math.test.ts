/**
 * exact-math.ts: ln, cos and sin from basic IEEE operations (the same bits on every engine),
 * against the engine's Math.* within an ulp or two, and exact where the value is.
 */
import { describe, expect, it } from 'vitest';
import { cosTurns, ln, sinTurns } from '../../../src/signal/exact-math.js';
import { Rng } from '../../../tools/synth/rng.js';

describe('ln', () => {
  it('agrees with Math.log to within 2 ulp over the whole double range, subnormals included', () => {
    const rng = new Rng(11);
    let worst = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = Math.exp(rng.uniform(-744, 709));
      if (!(x > 0) || !Number.isFinite(x)) continue;
      const want = Math.log(x);
      // Relative error where ln is away from 0; absolute near x = 1.
      const err = Math.abs(ln(x) - want) / Math.max(1, Math.abs(want));
      worst = Math.max(worst, err);
    }
    expect(worst).toBeLessThan(4.5e-16);
    for (const x of [1 + 1e-12, 1 - 1e-12, 0.999, 1.001, Math.SQRT2, Math.SQRT1_2, 5e-324, 1e-310, Number.MAX_VALUE]) {
      expect(Math.abs(ln(x) - Math.log(x))).toBeLessThanOrEqual(4.5e-16 * Math.max(1, Math.abs(Math.log(x))));
    }
  });

  it('is exact where the logarithm is (powers of two) and follows IEEE for the edge values', () => {
    expect(ln(1)).toBe(0);
    expect(ln(2)).toBe(Math.LN2);
    expect(ln(1024)).toBe(10 * 0.6931471805599453);
    expect(ln(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(ln(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(ln(-1)).toBeNaN();
    expect(ln(Number.NaN)).toBeNaN();
  });
});

describe('cosTurns, sinTurns', () => {
  it('agree with Math.cos/Math.sin at the k/n of FFT twiddles and windows, n up to 8192', () => {
    let worst = 0;
    for (const n of [2, 4, 8, 16, 64, 256, 1024, 8192]) {
      for (let k = 0; k < n; k++) {
        const a = (2 * Math.PI * k) / n;
        worst = Math.max(worst, Math.abs(cosTurns(k / n) - Math.cos(a)), Math.abs(sinTurns(k / n) - Math.sin(a)));
      }
    }
    expect(worst).toBeLessThan(1e-15);
  });

  it('are exact at the quarter turns and symmetric (the reduction on t is exact for k/n)', () => {
    expect([cosTurns(0), cosTurns(0.25), cosTurns(0.5), cosTurns(0.75), cosTurns(1)]).toEqual([1, 0, -1, 0, 1]);
    expect([sinTurns(0), sinTurns(0.25), sinTurns(0.5), sinTurns(0.75)]).toEqual([0, 1, 0, -1]);
    for (let k = 0; k < 256; k++) {
      expect(cosTurns(k / 256)).toBe(cosTurns((256 - k) / 256));
      expect(cosTurns(k / 256)).toBe(cosTurns(k / 256 + 3));
    }
  });
});
