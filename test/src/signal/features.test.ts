import { describe, expect, it } from 'vitest';
import { bandEnergies, crestFactor, FeatureExtractor, frameFeatures, kurtosis, powerSpectrum, rms } from '../../../src/signal/features.js';
import { noise, sine } from './helpers.js';

/** Gaussian-ish noise: sum of 12 uniforms (Irwin-Hall), variance 1. */
function gaussian(n: number, seed: number): Float32Array {
  const parts = Array.from({ length: 12 }, (_, k) => noise(n, seed * 100 + k));
  return Float32Array.from({ length: n }, (_, i) => parts.reduce((s, p) => s + p[i], 0) / 2);
}

describe('time-domain features', () => {
  it('RMS and crest factor of a sine', () => {
    const x = sine(50, 1000, 1000, 2);
    expect(rms(x)).toBeCloseTo(Math.SQRT2, 3);
    expect(crestFactor(x)).toBeCloseTo(Math.SQRT2, 2);
  });
  it('kurtosis: 3 for Gaussian noise, much larger with impacts', () => {
    const g = gaussian(20000, 1);
    expect(kurtosis(g)).toBeGreaterThan(2.8);
    expect(kurtosis(g)).toBeLessThan(3.2);
    const spiky = g.slice();
    for (let i = 0; i < spiky.length; i += 1000) spiky[i] += 20;
    expect(kurtosis(spiky)).toBeGreaterThan(10);
    expect(kurtosis(sine(10, 1000, 1000))).toBeCloseTo(1.5, 2); // a sine's kurtosis is 3/2
  });
});

describe('spectral features', () => {
  it('a tone lands in its band with its mean square (A^2/2)', () => {
    const fs = 12000, n = 4096;
    const x = sine(3000, fs, n, 0.5);
    const spec = powerSpectrum(x, { fs });
    const bands = bandEnergies(spec, [0, 1000, 2500, 3500, 6000]);
    expect(bands[2]).toBeCloseTo(0.125, 2);
    expect(bands[0] + bands[1] + bands[3]).toBeLessThan(1e-3 * bands[2]);
  });
  it('band energies of noise add up to its variance (Parseval)', () => {
    const x = noise(2048, 3);
    const f = frameFeatures(x, { fs: 1000, bands: [0, 250, 500.001] });
    const total = f.bands![0] + f.bands![1];
    expect(total / f.rms ** 2).toBeGreaterThan(0.95);
    expect(total / f.rms ** 2).toBeLessThan(1.05);
  });
  it('streams frames with a hop and gives the same features as whole frames', () => {
    const x = noise(5000, 8);
    const fx = new FeatureExtractor({ fs: 1000, frame: 1024, hop: 512, bands: [0, 100, 500] });
    const got = [...fx.process(x.subarray(0, 1700)), ...fx.process(x.subarray(1700))];
    expect(got.map((f) => f.start)).toEqual([0, 512, 1024, 1536, 2048, 2560, 3072, 3584]);
    const want = frameFeatures(x.slice(1536, 2560), { fs: 1000, bands: [0, 100, 500] });
    expect(got[3].kurtosis).toBe(want.kurtosis);
    expect(got[3].bands).toEqual(want.bands);
  });
  it('log spectrum is finite for silence', () => {
    const f = frameFeatures(new Float32Array(256), { fs: 1000, logSpectrum: true });
    expect(f.logSpectrum!.every((v) => v === -12)).toBe(true);
  });
});
