import { describe, expect, it } from 'vitest';
import { bearingFrequencies, synthBearing } from '../../../tools/synth/bearing.js';
import { isWavegateError } from '../../../src/errors.js';
import { envelopeSpectrum, peakFrequency, peakProminence } from './spectra.js';

describe('bearing kinematics (SKF 6205)', () => {
  it('matches the fault frequencies CWRU publishes (multiples of shaft rate)', () => {
    const f = bearingFrequencies(1);
    expect(f.bpfo).toBeCloseTo(3.5848, 3);
    expect(f.bpfi).toBeCloseTo(5.4152, 3);
    expect(f.ftf).toBeCloseTo(0.39828, 3);
    expect(2 * f.bsf).toBeCloseTo(4.7135, 3);
  });
});

describe('synthetic bearing vibration', () => {
  const fs = 12000, rpm = 1797, shaft = rpm / 60;
  const f = bearingFrequencies(shaft);
  const cases = [
    { fault: 'outer' as const, rate: f.bpfo },
    { fault: 'inner' as const, rate: f.bpfi },
    { fault: 'ball' as const, rate: 2 * f.bsf },
  ];
  for (const { fault, rate } of cases) {
    it(`${fault}-race fault: envelope spectrum peaks at ${rate.toFixed(1)} Hz`, () => {
      const b = synthBearing({ fault, seconds: 2, fs, rpm, seed: 11 });
      expect(b.impactRate).toBeCloseTo(rate, 6);
      const spec = envelopeSpectrum(b.signal, fs, 2000, 4500);
      // The strongest envelope line between 50 and 400 Hz is the impact rate (or, for the
      // amplitude-modulated faults, within a shaft/cage sideband of it).
      expect(Math.abs(peakFrequency(spec, 50, 400) - rate)).toBeLessThan(2 * spec.df + 1);
      expect(peakProminence(spec, rate, 2, 20, 500)).toBeGreaterThan(50);
      // Second harmonic of the impact rate is there too.
      expect(peakProminence(spec, 2 * rate, 3, 20, 500)).toBeGreaterThan(10);
    });
  }

  it('inner-race fault shows shaft-rate sidebands (load-zone modulation)', () => {
    const b = synthBearing({ fault: 'inner', seconds: 2, fs, rpm, seed: 5, modulationDepth: 0.8 });
    const spec = envelopeSpectrum(b.signal, fs, 2000, 4500);
    expect(peakProminence(spec, f.bpfi - shaft, 2, 20, 500)).toBeGreaterThan(10);
    expect(peakProminence(spec, f.bpfi + shaft, 2, 20, 500)).toBeGreaterThan(10);
  });

  it('normal bearing has no fault lines in its envelope', () => {
    const b = synthBearing({ fault: 'normal', seconds: 2, fs, rpm, seed: 2 });
    expect(b.impacts.length).toBe(0);
    const spec = envelopeSpectrum(b.signal, fs, 2000, 4500);
    for (const rate of [f.bpfo, f.bpfi, 2 * f.bsf]) expect(peakProminence(spec, rate, 2, 20, 500)).toBeLessThan(15);
  });

  it('slip jitters the impact spacing by about the requested fraction', () => {
    const b = synthBearing({ fault: 'outer', seconds: 5, fs, rpm, slip: 0.02, seed: 3 });
    const d = Array.from(b.impacts.subarray(1), (v, i) => (v - b.impacts[i]) / fs);
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length);
    expect(mean).toBeCloseTo(1 / f.bpfo, 3);
    expect(sd / mean).toBeGreaterThan(0.012);
    expect(sd / mean).toBeLessThan(0.03);
  });

  it('is deterministic per seed', () => {
    expect(synthBearing({ fault: 'ball', seed: 9, seconds: 0.2 }).signal).toEqual(synthBearing({ fault: 'ball', seed: 9, seconds: 0.2 }).signal);
    expect(synthBearing({ fault: 'ball', seed: 9, seconds: 0.2 }).signal).not.toEqual(synthBearing({ fault: 'ball', seed: 10, seconds: 0.2 }).signal);
  });

  it('rejects bad options with E_ARGUMENT', () => {
    for (const bad of [{ rpm: 0 }, { fault: 'cage' as never }, { resonanceHz: 7000 }]) {
      let caught: unknown;
      try { synthBearing(bad); } catch (e) { caught = e; }
      expect(isWavegateError(caught, 'E_ARGUMENT')).toBe(true);
    }
  });
});
