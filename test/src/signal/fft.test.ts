import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dftReference, Fft, hann } from '../../../src/signal/fft.js';

/**
 * Max |FFT - DFT| per bin, both in float64 on 256 values in [-10, 10]: the rounding of log2(n)
 * butterfly stages and of the DFT's n-term sums stays near 1e-12; 1e-9 flags any real error (a
 * wrong twiddle or bit reversal is O(1)) without depending on the summation order.
 */
const FFT_VS_DFT = 1e-9;

describe('Fft', () => {
  it('agrees with the reference DFT (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 256, maxLength: 256 }), (log2, values) => {
        const n = 2 ** log2;
        const re = Float64Array.from(values.slice(0, n)), im = Float64Array.from(values.slice(128, 128 + n));
        const want = dftReference(re, im);
        new Fft(n).transform(re, im);
        for (let k = 0; k < n; k++) {
          expect(Math.abs(re[k] - want.re[k])).toBeLessThan(FFT_VS_DFT);
          expect(Math.abs(im[k] - want.im[k])).toBeLessThan(FFT_VS_DFT);
        }
      }),
      { numRuns: 40, seed: 2029 }, // sizes 2..128, 40 draws: every size several times
    );
  });

  it('puts a sine in its bin', () => {
    const n = 1024, fs = 1024;
    const x = Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 100 * i) / fs));
    const p = new Fft(n).powerSpectrum(x, hann(n));
    let best = 0;
    for (let k = 0; k < p.length; k++) if (p[k] > p[best]) best = k;
    expect(best).toBe(100);
  });

  it('refuses sizes that are not powers of two', () => {
    expect(() => new Fft(100)).toThrow(/power of two/);
  });
});
