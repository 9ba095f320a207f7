import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BiquadCascade, cascadeGain, designBandpass, designHighpass, designLowpass, filterReference } from '../../../src/signal/filters.js';
import { isWavegateError } from '../../../src/errors.js';
import { noise, rms, sine, splitAt } from './helpers.js';

/** Steady-state gain measured by filtering a sine and comparing RMS after the transient. */
function measuredGain(sections: ReturnType<typeof designLowpass>, f: number, fs: number): number {
  const seconds = Math.max(4, 40 / f); // at least 40 periods, and long enough for a 0.5 Hz high-pass to settle
  const n = Math.round(seconds * fs);
  const x = sine(f, fs, n);
  const y = new BiquadCascade(sections).process(x);
  const from = Math.floor(n / 2); // skip the transient
  return rms(y, from) / rms(x, from);
}

describe('Butterworth design', () => {
  const fs = 360;
  it('band-pass 0.5-40 Hz: pass-band gain ~1, -3 dB at the edges, stop-band attenuation', () => {
    const bp = designBandpass(0.5, 40, fs, 2);
    expect(measuredGain(bp, 10, fs)).toBeCloseTo(1, 2);
    expect(measuredGain(bp, 5, fs)).toBeGreaterThan(0.98);
    expect(measuredGain(bp, 0.5, fs)).toBeCloseTo(Math.SQRT1_2, 1);
    expect(measuredGain(bp, 40, fs)).toBeCloseTo(Math.SQRT1_2, 1);
    expect(measuredGain(bp, 0.05, fs)).toBeLessThan(0.012); // 2nd order: -40 dB a decade below
    expect(measuredGain(bp, 60, fs)).toBeLessThan(0.45); // mains hum
    expect(measuredGain(bp, 150, fs)).toBeLessThan(0.06);
  });

  it('analytic response matches the measured one', () => {
    const lp = designLowpass(1000, 12000, 4);
    for (const f of [100, 500, 1000, 2000, 4000]) {
      expect(measuredGain(lp, f, 12000)).toBeCloseTo(cascadeGain(lp, f, 12000), 2);
    }
  });

  it('order sets the roll-off: -24 dB/octave for order 4 well above the cut-off', () => {
    const hp = designHighpass(1000, 12000, 4);
    expect(cascadeGain(hp, 1000, 12000)).toBeCloseTo(Math.SQRT1_2, 6);
    const g250 = cascadeGain(hp, 250, 12000), g125 = cascadeGain(hp, 125, 12000);
    expect(20 * Math.log10(g250 / g125)).toBeGreaterThan(23);
    expect(20 * Math.log10(g250 / g125)).toBeLessThan(25);
  });

  it('odd orders work and are -3 dB at the cut-off', () => {
    for (const order of [1, 3, 5]) {
      expect(cascadeGain(designLowpass(30, 360, order), 30, 360)).toBeCloseTo(Math.SQRT1_2, 6);
      expect(cascadeGain(designHighpass(30, 360, order), 30, 360)).toBeCloseTo(Math.SQRT1_2, 6);
    }
  });

  it('rejects bad designs with E_ARGUMENT', () => {
    for (const bad of [() => designLowpass(200, 360), () => designHighpass(0, 360), () => designLowpass(10, 360, 0), () => designBandpass(40, 0.5, 360)]) {
      expect(bad).toThrow();
      try {
        bad();
      } catch (e) {
        expect(isWavegateError(e, 'E_ARGUMENT')).toBe(true);
      }
    }
  });
});

describe('BiquadCascade', () => {
  it('agrees with the direct-form-I reference', () => {
    const sections = designBandpass(0.5, 40, 360, 3);
    const x = noise(5000, 7);
    const y = new BiquadCascade(sections).process(x);
    const ref = filterReference(sections, x);
    for (let i = 0; i < x.length; i++) expect(Math.abs(y[i] - ref[i])).toBeLessThan(1e-5);
  });

  it('chunked processing is bit-identical to whole processing (property)', () => {
    const sections = designBandpass(0.5, 40, 360, 2);
    const x = noise(2000, 3);
    const whole = new BiquadCascade(sections).process(x);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 12 }), (cuts) => {
        const f = new BiquadCascade(sections);
        const out = splitAt(x, cuts).map((part) => f.process(part));
        const joined = new Float32Array(x.length);
        let o = 0;
        for (const p of out) { joined.set(p, o); o += p.length; }
        expect(joined).toEqual(whole);
      }),
      { numRuns: 50 },
    );
  });

  it('reset clears the carried state', () => {
    const f = new BiquadCascade(designLowpass(10, 360));
    const a = f.process(noise(100, 1));
    f.process(noise(100, 2));
    f.reset();
    expect(f.process(noise(100, 1))).toEqual(a);
  });
});

describe('BiquadCascade.prime', () => {
  it('a primed high-pass shows no start-up transient on a DC offset', () => {
    const hp = designBandpass(5, 15, 360, 2);
    const x = new Float32Array(720).fill(-1.2);
    const cold = new BiquadCascade(hp).process(x);
    const f = new BiquadCascade(hp);
    f.prime(x[0]);
    const warm = f.process(x);
    expect(Math.max(...Array.from(cold, Math.abs))).toBeGreaterThan(0.1);
    expect(Math.max(...Array.from(warm, Math.abs))).toBeLessThan(1e-9);
    const lp = new BiquadCascade(designLowpass(10, 360, 3));
    lp.prime(2);
    expect(lp.process(new Float32Array(10).fill(2))[9]).toBeCloseTo(2, 9);
  });
});
