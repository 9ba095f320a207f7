import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Resampler, resampleReference } from '../../../src/signal/resample.js';
import { isWavegateError } from '../../../src/errors.js';
import { noise, rms, sine, splitAt } from './helpers.js';

/** Output/input RMS of a tone, after the filter has settled. */
function toneGain(from: number, to: number, f: number): number {
  const x = sine(f, from, from); // 1 s
  const y = new Resampler({ from, to }).process(x);
  return rms(y, Math.floor(y.length / 4), Math.floor((3 * y.length) / 4)) / rms(x);
}

describe('Resampler', () => {
  it('48 kHz -> 12 kHz: flat pass-band, aliases suppressed by >= 80 dB', () => {
    for (const f of [100, 1000, 3000, 4000]) expect(Math.abs(20 * Math.log10(toneGain(48000, 12000, f)))).toBeLessThan(0.1);
    // tones above the new Nyquist (6 kHz) would fold into the band: they must vanish
    for (const f of [6500, 7000, 9000, 13000, 20000]) expect(20 * Math.log10(toneGain(48000, 12000, f))).toBeLessThan(-80);
  });

  it('360 Hz -> 250 Hz (L/M = 25/36) keeps the ECG band and rejects what would alias', () => {
    const r = new Resampler({ from: 360, to: 250 });
    expect([r.up, r.down]).toEqual([25, 36]);
    expect(toneGain(360, 250, 10)).toBeCloseTo(1, 2);
    expect(toneGain(360, 250, 40)).toBeCloseTo(1, 2);
    expect(20 * Math.log10(toneGain(360, 250, 150))).toBeLessThan(-75);
  });

  it('up-sampling 250 -> 360 Hz preserves a tone and adds no images', () => {
    expect(toneGain(250, 360, 20)).toBeCloseTo(1, 2);
  });

  it('produces to/from times as many samples and matches the plain reference', () => {
    const x = noise(1000, 4);
    const y = new Resampler({ from: 360, to: 250 }).process(x);
    expect(y.length).toBe(Math.ceil((1000 * 250) / 360));
    const ref = resampleReference(x, { from: 360, to: 250 });
    expect(ref.length).toBe(y.length);
    for (let i = 0; i < y.length; i++) expect(Math.abs(y[i] - ref[i])).toBeLessThan(1e-5);
  });

  it('chunked processing is bit-identical to whole processing (property)', () => {
    const x = noise(1500, 9);
    for (const [from, to] of [[48000, 12000], [360, 250], [250, 360]]) {
      const whole = new Resampler({ from, to }).process(x);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: 1500 }), { maxLength: 10 }), (cuts) => {
          const r = new Resampler({ from, to });
          const parts = splitAt(x, cuts).map((p) => r.process(p));
          const joined = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
          let o = 0;
          for (const p of parts) { joined.set(p, o); o += p.length; }
          expect(joined).toEqual(whole);
        }),
        { numRuns: 15, seed: 360250 },
      );
    }
  });

  it('starts as if the stream had always held its first sample: a constant passes unchanged', () => {
    for (const [from, to] of [[48000, 12000], [360, 250], [250, 360]]) {
      const y = new Resampler({ from, to }).process(new Float32Array(500).fill(2.5));
      for (const v of y) expect(Math.abs(v - 2.5)).toBeLessThan(1e-4); // the filter's DC gain is 1 within 4e-5
    }
  });

  it('rejects non-integer rates, NaN input', () => {
    let caught: unknown;
    try { new Resampler({ from: 360.5, to: 250 }); } catch (e) { caught = e; }
    expect(isWavegateError(caught, 'E_ARGUMENT')).toBe(true);
    caught = undefined;
    try { new Resampler({ from: 360, to: 250 }).process(Float32Array.of(1, Number.NaN)); } catch (e) { caught = e; }
    expect(isWavegateError(caught, 'E_INPUT')).toBe(true);
  });
});
