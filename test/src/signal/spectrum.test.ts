/**
 * The spectrum stage (src/signal/spectrum.ts) against a plain reference built from features.ts
 * (powerSpectrum of each frame, band sums, Math.log); frames and their count; a tone in its band;
 * a gain cancelling in relative level; chunk invariance; the band edges.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Stage } from '../../../src/model/stages.js';
import { powerSpectrum } from '../../../src/signal/features.js';
import { SPECTRUM_FLOOR, SpectrumFramer, spectrumBandBins } from '../../../src/signal/spectrum.js';
import { noise, sine, splitAt } from './helpers.js';

type SpectrumStage = Extract<Stage, { kind: 'spectrum' }>;
const STAGE: SpectrumStage = { kind: 'spectrum', frame: 256, hop: 128, low: 0, high: 6000, bands: 32, level: 'absolute' };
const FS = 12000;

/** The definition, written plainly: every frame's spectrum from features.ts, summed per band, ln with Math.log. */
function reference(x: Float32Array, s: SpectrumStage, fs: number): Float64Array[] {
  const out: Float64Array[] = [];
  const bins = spectrumBandBins(s, fs);
  for (let start = 0; start + s.frame <= x.length; start += s.hop) {
    const { power } = powerSpectrum(x.subarray(start, start + s.frame), { fs });
    const e = new Float64Array(s.bands);
    for (let b = 0; b < s.bands; b++) {
      let p = 0;
      for (let k = bins[b]; k < bins[b + 1]; k++) p += power[k];
      e[b] = Math.log(p + SPECTRUM_FLOOR);
    }
    if (s.level === 'relative') {
      const mean = e.reduce((a, v) => a + v, 0) / s.bands;
      for (let b = 0; b < s.bands; b++) e[b] -= mean;
    }
    out.push(e);
  }
  return out;
}

const run = (x: Float32Array, s: SpectrumStage = STAGE, fs = FS) => new SpectrumFramer(s, fs).process(x);

describe('spectrum stage', () => {
  it.each(['absolute', 'relative'] as const)('matches the plain reference (%s level), frame by frame', (level) => {
    const s = { ...STAGE, level };
    const x = noise(4000, 3).map((v, i) => v * 0.2 + 0.05 * Math.sin(i / 7));
    const y = run(x, s);
    const want = reference(x, s, FS);
    expect(y.length).toBe(want.length * s.bands);
    expect(want.length).toBe(Math.floor((4000 - 256) / 128) + 1);
    let worst = 0;
    want.forEach((e, j) => e.forEach((v, b) => (worst = Math.max(worst, Math.abs(y[j * s.bands + b] - v)))));
    expect(worst).toBeLessThan(2e-5); // float32 output of values up to |30|
  });

  it('counts frames: none before `frame` samples, then one every `hop`', () => {
    expect([0, 255, 256, 383, 384, 1024].map((n) => SpectrumFramer.count(n, 256, 128))).toEqual([0, 0, 1, 1, 2, 7]);
    expect(run(new Float32Array(255)).length).toBe(0);
    expect(run(new Float32Array(1024)).length).toBe(7 * 32);
  });

  it('puts a tone into its band, far above the rest', () => {
    // 2,000 Hz lies in band 10 of 187.5 Hz bands (1,875-2,062.5 Hz).
    const y = run(sine(2000, FS, 2048, 0.5));
    for (let j = 0; j < y.length / 32; j++) {
      const frame = Array.from(y.subarray(j * 32, (j + 1) * 32));
      const top = frame.indexOf(Math.max(...frame));
      expect(top).toBe(10);
      // A sine of amplitude A has mean square A^2 / 2, nearly all of it in its band (Hann leakage to the next).
      expect(Math.exp(frame[10])).toBeGreaterThan(0.9 * 0.125);
      expect(Math.exp(frame[10])).toBeLessThan(1.0001 * 0.125);
      expect(frame[20]).toBeLessThan(frame[10] - 20);
    }
  });

  it('relative level: a gain on the signal cancels (to the floor\'s effect)', () => {
    const s = { ...STAGE, level: 'relative' as const };
    const x = noise(3000, 9).map((v) => v * 0.1);
    const y = run(x, s);
    for (const g of [0.25, 3, 40]) {
      const z = run(x.map((v) => v * g), s);
      let worst = 0;
      for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(z[i] - y[i]));
      expect(worst).toBeLessThan(1e-5);
    }
    // In absolute level the gain g adds ln(g^2) to every band.
    const a = run(x), b = run(x.map((v) => v * 3));
    expect(b[5] - a[5]).toBeCloseTo(Math.log(9), 4);
  });

  it('gives the same bits whatever the chunking', () => {
    const x = noise(5000, 21);
    const whole = run(x);
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 12 }), (cuts) => {
      const f = new SpectrumFramer(STAGE, FS);
      const parts = splitAt(x, cuts).map((p) => f.process(p));
      const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((o, p) => (joined.set(p, o), o + p.length), 0);
      expect(joined).toEqual(whole);
    }), { seed: 5, numRuns: 60 });
  });

  it('band edges: every band holds at least one bin when bands are exactly one bin wide', () => {
    // 256-sample frames at 12 kHz: bins of 46.875 Hz; 128 bands of 46.875 Hz from 0 to 6 kHz.
    const bins = spectrumBandBins({ frame: 256, low: 0, high: 6000, bands: 128 }, 12000);
    for (let b = 0; b < 128; b++) expect(bins[b + 1] - bins[b]).toBe(1);
    const some = spectrumBandBins({ frame: 256, low: 100, high: 5000, bands: 7 }, 12000);
    expect(some[0]).toBe(Math.ceil(100 / 46.875));
    expect(some[7]).toBe(Math.ceil(5000 / 46.875));
  });
});
