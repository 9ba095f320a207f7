import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BaselineRemover, MedianFilter, medianReference } from '../../../src/signal/baseline.js';
import { synthEcg } from '../../../tools/synth/ecg.js';
import { noise, rms, splitAt } from './helpers.js';

describe('MedianFilter', () => {
  it('equals the sort-based reference (property, with ties)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 0, max: 20 }), (values, k) => {
        const width = 2 * k + 1;
        const m = new MedianFilter(width);
        expect(Float64Array.from(values, (v) => m.push(v))).toEqual(medianReference(values, width));
      }),
      { numRuns: 100 },
    );
  });
});

describe('BaselineRemover', () => {
  it('removes baseline wander and keeps the QRS', () => {
    const fs = 360;
    const clean = synthEcg({ seconds: 30, baselineWander: 0, noise: 0, seed: 2 });
    const wandering = synthEcg({ seconds: 30, baselineWander: 0.5, noise: 0, seed: 2 });
    const b = new BaselineRemover({ fs });
    const y = b.process(wandering.signal);
    expect(b.delay).toBe(36 + 108);
    // compare with the clean ECG, aligned by the delay, away from the start
    const err = new Float32Array(y.length - b.delay - 2 * fs);
    for (let i = 0; i < err.length; i++) err[i] = y[i + b.delay + 2 * fs] - clean.signal[i + 2 * fs];
    expect(rms(err)).toBeLessThan(0.1); // vs 0.5 mV of wander
    // the R peaks are still there at nearly full height (the median baseline sits a little above 0 under P and T waves)
    for (const r of clean.rPeaks.filter((r) => r > 2 * fs && r + b.delay < y.length)) {
      expect(y[r + b.delay]).toBeGreaterThan(0.75 * clean.signal[r]);
    }
  });

  it('chunked processing equals whole processing (property)', () => {
    const x = noise(2000, 4);
    const whole = new BaselineRemover({ fs: 360 }).process(x);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 8 }), (cuts) => {
        const b = new BaselineRemover({ fs: 360 });
        const parts = splitAt(x, cuts).map((p) => b.process(p));
        const joined = new Float32Array(x.length);
        let o = 0;
        for (const p of parts) { joined.set(p, o); o += p.length; }
        expect(joined).toEqual(whole);
      }),
      { numRuns: 20 },
    );
  });
});
