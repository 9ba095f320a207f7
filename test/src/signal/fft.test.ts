import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dftReference, Fft, hann } from '../../../src/signal/fft.js';

describe('Fft', () => {
  it('agrees with the reference DFT (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 256, maxLength: 256 }), (log2, values) => {
        const n = 2 ** log2;
        const re = Float64Array.from(values.slice(0, n)), im = Float64Array.from(values.slice(128, 128 + n));
        const want = dftReference(re, im);
        new Fft(n).transform(re, im);
        for (let k = 0; k < n; k++) {
          expect(re[k]).toBeCloseTo(want.re[k], 6);
          expect(im[k]).toBeCloseTo(want.im[k], 6);
        }
      }),
      { numRuns: 40 },
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
