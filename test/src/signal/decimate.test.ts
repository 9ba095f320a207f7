import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DECIMATE_AA_FRACTION, DECIMATE_AA_ORDER, Decimator, decimationFactor } from '../../../src/signal/decimate.js';
import { buildPipeline } from '../../../src/signal/pipeline.js';
import { cascadeGain, designLowpass } from '../../../src/signal/filters.js';
import { noise } from './helpers.js';

describe('Decimator (the `decimate {to}` stage)', () => {
  it('any chunking gives the same samples as the whole signal (property, fixed seed)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 20 }), (factor, sizes) => {
        const x = noise(sizes.reduce((a, b) => a + b, 0), factor * 7919 + sizes.length);
        const whole = new Decimator(360 * factor, 360).process(x);
        const d = new Decimator(360 * factor, 360);
        const parts: number[] = [];
        let at = 0;
        for (const n of sizes) {
          parts.push(...d.process(x.subarray(at, at + n)));
          at += n;
        }
        expect(Float32Array.from(parts)).toEqual(whole);
      }),
      { numRuns: 60, seed: 4242 },
    );
  });

  it('keeps samples 0, f, 2f, ..., is a no-op at factor 1 and refuses non-integer ratios', () => {
    expect(new Decimator(360, 180).process(new Float32Array(11)).length).toBe(6);
    const x = noise(100, 2);
    expect(new Decimator(12000, 12000).process(x)).toEqual(x);
    expect(decimationFactor(48000, 12000)).toBe(4);
    expect(() => decimationFactor(360, 250)).toThrow(/360 Hz to 250 Hz.*not an integer/);
  });

  it('starts at the steady state of the first sample: a constant passes unchanged', () => {
    const y = new Decimator(48000, 12000).process(new Float32Array(4000).fill(-0.7));
    for (const v of y) expect(v).toBeCloseTo(-0.7, 5);
  });

  it('keeps a tone below the new Nyquist frequency and removes one that would alias', () => {
    const tone = (f: number) => Float32Array.from({ length: 48000 }, (_, i) => Math.sin((2 * Math.PI * f * i) / 48000));
    const rms = (x: Float32Array) => Math.sqrt(x.slice(2000).reduce((s, v) => s + v * v, 0) / (x.length - 2000));
    expect(rms(new Decimator(48000, 12000).process(tone(1000)))).toBeCloseTo(Math.SQRT1_2, 2);
    // 9 kHz would alias to 3 kHz at 12 kHz: it must be attenuated well below 1 %.
    expect(rms(new Decimator(48000, 12000).process(tone(9000)))).toBeLessThan(0.01);
    // Whatever lies above 7.2 kHz folds into the 0-4.8 kHz pass band at 12 kHz: at least 40 dB down.
    const aa = designLowpass(DECIMATE_AA_FRACTION * 12000, 48000, DECIMATE_AA_ORDER);
    expect(cascadeGain(aa, 7200, 48000)).toBeLessThan(0.01);
    expect(cascadeGain(aa, 3000, 48000)).toBeGreaterThan(0.99);
  });

  it('the pipeline runs it from whatever rate arrives', () => {
    const input = { channels: 1, sampleRate: 180, raw: { sampleRate: 180, units: 'mV', channels: ['x'] }, preprocessing: [{ kind: 'decimate', to: 180 }] };
    const x = noise(3601, 3);
    expect(buildPipeline(input, 360).process(x)).toEqual(new Decimator(360, 180).process(x));
    expect(buildPipeline(input, 720).process(x)).toEqual(new Decimator(720, 180).process(x));
    expect(buildPipeline(input, 180).process(x)).toEqual(x);
    expect(() => buildPipeline(input, 250)).toThrow(/250 Hz.*decimate from 250 Hz to 180 Hz needs an integer factor/);
  });
});
