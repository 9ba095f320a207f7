import { describe, expect, it } from 'vitest';
import { synthEcg } from '../../../tools/synth/ecg.js';
import { isWavegateError } from '../../../src/errors.js';

function intervals(r: Int32Array, fs: number): number[] {
  return Array.from(r.subarray(1), (v, i) => (v - r[i]) / fs);
}

/** Width in samples of the main deflection around r at half its peak (absolute value). */
function halfWidth(x: Float32Array, r: number): number {
  const peak = Math.abs(x[r]);
  let lo = r, hi = r;
  while (lo > 0 && Math.abs(x[lo]) > peak / 2 && Math.sign(x[lo]) === Math.sign(x[r])) lo--;
  while (hi < x.length - 1 && Math.abs(x[hi]) > peak / 2 && Math.sign(x[hi]) === Math.sign(x[r])) hi++;
  return hi - lo;
}

describe('synthetic ECG', () => {
  for (const heartRate of [50, 75, 120]) {
    it(`sinus rhythm at ${heartRate} bpm has that mean RR and the requested HRV`, () => {
      const e = synthEcg({ heartRate, seconds: 300, hrvStd: 0.02, seed: heartRate });
      expect(e.labels.every((l) => l === 'N')).toBe(true);
      const rr = intervals(e.rPeaks, e.fs);
      const mean = rr.reduce((s, v) => s + v, 0) / rr.length;
      const sd = Math.sqrt(rr.reduce((s, v) => s + (v - mean) ** 2, 0) / rr.length);
      expect(mean).toBeGreaterThan((60 / heartRate) * 0.97);
      expect(mean).toBeLessThan((60 / heartRate) * 1.03);
      expect(sd).toBeGreaterThan(0.01);
      expect(sd).toBeLessThan(0.035);
    });
  }

  it('R peaks are the maxima of a clean record', () => {
    const e = synthEcg({ seconds: 30, noise: 0, baselineWander: 0, seed: 4 });
    const w = Math.round(0.05 * e.fs);
    for (const r of e.rPeaks) {
      let best = r;
      for (let i = Math.max(0, r - w); i <= Math.min(e.signal.length - 1, r + w); i++) if (e.signal[i] > e.signal[best]) best = i;
      expect(Math.abs(best - r)).toBeLessThanOrEqual(2);
    }
  });

  it('premature beats come in the requested proportions with their RR signatures', () => {
    const e = synthEcg({ seconds: 600, premature: { S: 0.1, V: 0.15 }, hrvStd: 0.01, seed: 21 });
    const n = e.labels.length;
    const count = (c: string): number => e.labels.filter((l) => l === c).length;
    // Each N may be followed by a premature beat with probability q; a premature beat is always followed by N.
    const q = 0.25, fraction = q / (1 + q);
    expect((count('S') + count('V')) / n).toBeGreaterThan(fraction - 0.04);
    expect((count('S') + count('V')) / n).toBeLessThan(fraction + 0.04);
    expect(count('V') / (count('S') + count('V'))).toBeCloseTo(0.6, 0); // V share 0.15 / 0.25, +-0.5 binomial-safe bound
    expect(count('V') / (count('S') + count('V'))).toBeGreaterThan(0.45);
    expect(count('V') / (count('S') + count('V'))).toBeLessThan(0.75);
    const rr = intervals(e.rPeaks, e.fs);
    for (let b = 2; b < n - 2; b++) {
      if (e.labels[b] === 'N' || e.labels[b - 1] !== 'N' || e.labels[b + 1] !== 'N') continue;
      const pre = rr[b - 1], post = rr[b];
      // nearest earlier sinus interval: between two N beats
      let k = b - 2;
      while (k > 0 && !(e.labels[k] === 'N' && e.labels[k + 1] === 'N')) k--;
      const sinus = rr[k];
      expect(pre / sinus).toBeLessThan(0.75); // premature
      if (e.labels[b] === 'V') expect((pre + post) / sinus).toBeGreaterThan(1.85); // compensatory pause
      if (e.labels[b] === 'V') expect((pre + post) / sinus).toBeLessThan(2.15);
      if (e.labels[b] === 'S') expect((pre + post) / sinus).toBeLessThan(1.85); // non-compensatory
    }
  });

  it('V beats have a wide QRS, S and N a narrow one', () => {
    const e = synthEcg({ seconds: 120, premature: { S: 0.15, V: 0.15 }, noise: 0, baselineWander: 0, seed: 8 });
    const widths: Record<string, number[]> = { N: [], S: [], V: [] };
    e.rPeaks.forEach((r, i) => widths[e.labels[i]].push(halfWidth(e.signal, r) / e.fs));
    const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
    expect(mean(widths.V)).toBeGreaterThan(0.06);
    expect(mean(widths.N)).toBeLessThan(0.045);
    expect(mean(widths.S)).toBeLessThan(0.045);
  });

  it('is deterministic per seed and rejects bad options', () => {
    expect(synthEcg({ seconds: 5, seed: 3 }).signal).toEqual(synthEcg({ seconds: 5, seed: 3 }).signal);
    expect(synthEcg({ seconds: 5, seed: 3 }).signal).not.toEqual(synthEcg({ seconds: 5, seed: 4 }).signal);
    let caught: unknown;
    try { synthEcg({ heartRate: 500 }); } catch (err) { caught = err; }
    expect(isWavegateError(caught, 'E_ARGUMENT')).toBe(true);
  });
});
