import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { QrsDetector } from '../../../src/signal/qrs.js';
import { isWavegateError } from '../../../src/errors.js';
import { synthEcg } from '../../../tools/synth/ecg.js';

function detectAll(x: Float32Array, fs: number, chunk = x.length): number[] {
  const d = new QrsDetector({ fs });
  const peaks: number[] = [];
  for (let i = 0; i < x.length; i += chunk) peaks.push(...d.process(x.subarray(i, i + chunk)));
  return [...peaks, ...d.flush()];
}

/** Se and +P with the 150 ms rule, one-to-one, greedy in time order (enough for clean synthetic data). */
function score(ref: ArrayLike<number>, det: number[], fs: number): { se: number; ppv: number; maxError: number } {
  const tol = 0.15 * fs;
  let tp = 0, j = 0, maxError = 0;
  for (let i = 0; i < ref.length; i++) {
    while (j < det.length && det[j] < ref[i] - tol) j++;
    if (j < det.length && Math.abs(det[j] - ref[i]) <= tol) { tp++; maxError = Math.max(maxError, Math.abs(det[j] - ref[i])); j++; }
  }
  return { se: tp / ref.length, ppv: tp / Math.max(1, det.length), maxError };
}

describe('QrsDetector on synthetic ECG', () => {
  it('finds every N, S and V beat of a clean record, close to the true R peak', () => {
    const e = synthEcg({ seconds: 120, premature: { S: 0.15, V: 0.15 }, seed: 12 });
    const peaks = detectAll(e.signal, e.fs);
    const s = score(e.rPeaks, peaks, e.fs);
    expect(s.se).toBe(1);
    expect(s.ppv).toBe(1);
    expect(s.maxError).toBeLessThanOrEqual(3); // within 3 samples (8 ms) of the true R peak
  });

  for (const heartRate of [45, 150]) {
    it(`works at ${heartRate} bpm with noise and baseline wander`, () => {
      const e = synthEcg({ seconds: 90, heartRate, noise: 0.05, baselineWander: 0.4, seed: heartRate });
      const s = score(e.rPeaks, detectAll(e.signal, e.fs), e.fs);
      expect(s.se).toBeGreaterThan(0.99);
      expect(s.ppv).toBeGreaterThan(0.99);
    });
  }

  it('works at other sample rates (250 Hz, 1000 Hz)', () => {
    for (const fs of [250, 1000]) {
      const e = synthEcg({ seconds: 40, fs, premature: { V: 0.1 }, seed: 3 });
      const s = score(e.rPeaks, detectAll(e.signal, fs), fs);
      expect(s.se).toBe(1);
      expect(s.ppv).toBe(1);
    }
  });

  it('chunked processing gives exactly the peaks of whole processing (property)', () => {
    const e = synthEcg({ seconds: 30, premature: { S: 0.1, V: 0.1 }, noise: 0.03, seed: 5 });
    const whole = detectAll(e.signal, e.fs);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 10 }), (sizes) => {
        const d = new QrsDetector({ fs: e.fs });
        const peaks: number[] = [];
        let pos = 0, k = 0;
        while (pos < e.signal.length) {
          const n = sizes[k++ % sizes.length];
          peaks.push(...d.process(e.signal.subarray(pos, pos + n)));
          pos += n;
        }
        expect([...peaks, ...d.flush()]).toEqual(whole);
      }),
      { numRuns: 25 },
    );
  });

  it('keeps only the history its decisions read: a longer one changes no peak (property, fixed seed)', () => {
    // The rings hold max(learning, refractory + lookahead) + the R search reach (qrs.ts, "Memory"),
    // then refractory + lookahead + that reach once the learning period's candidates are decided,
    // not the latency: 1024 then 512 samples at 360 Hz. Any option set, any signal: the peaks
    // must be those of a detector that keeps 32768 samples (more than any decision here reaches).
    const d360 = new QrsDetector({ fs: 360 });
    expect(d360.historySamples).toBe(1024);
    d360.process(synthEcg({ seconds: 3, seed: 2 }).signal);
    expect(d360.historySamples).toBe(512);
    fc.assert(
      fc.property(
        fc.record({
          fs: fc.constantFrom(128, 250, 360, 500),
          seed: fc.integer({ min: 1, max: 1000 }),
          integration: fc.double({ min: 0.08, max: 0.2, noNaN: true }),
          refractory: fc.double({ min: 0.15, max: 0.3, noNaN: true }),
          lookahead: fc.double({ min: 0.1, max: 0.5, noNaN: true }),
          learning: fc.double({ min: 0.5, max: 4, noNaN: true }),
          refine: fc.double({ min: 0.01, max: 0.15, noNaN: true }),
          searchBack: fc.double({ min: 1.1, max: 2, noNaN: true }),
          band: fc.constantFrom<[number, number]>([5, 15], [3, 20], [8, 12]),
        }),
        ({ fs, seed, ...opts }) => {
          const e = synthEcg({ seconds: 30, fs, heartRate: 40 + (seed % 100), premature: { S: 0.1, V: 0.15 }, noise: 0.08, baselineWander: 0.3, seed });
          // a lead-off stretch forces search-backs and a fresh learning of the levels
          e.signal.fill(0, 10 * fs, 14 * fs);
          const options = { fs, latency: 8, ...opts };
          const run = (d: QrsDetector): number[] => {
            const peaks: number[] = [];
            for (let i = 0; i < e.signal.length; i += 97) peaks.push(...d.process(e.signal.subarray(i, i + 97)));
            return [...peaks, ...d.flush()];
          };
          const small = new QrsDetector(options);
          const large = new QrsDetector(options, 1 << 15);
          expect(large.historySamples).toBe(1 << 15);
          expect(run(small)).toEqual(run(large));
          // every read within the reach the rings were sized for at the time (which the
          // power-of-two rounding alone would not show)
          expect(small.readMargin).toBeGreaterThanOrEqual(0);
          expect(small.readMargin).toBeLessThan(Number.POSITIVE_INFINITY);
          expect(small.historySamples).toBeLessThan(large.historySamples);
        },
      ),
      { numRuns: 20, seed: 20261206 },
    );
  });

  it('emits each R peak exactly `latency` samples after it', () => {
    const e = synthEcg({ seconds: 20, seed: 8 });
    const d = new QrsDetector({ fs: e.fs });
    expect(d.latencySamples).toBe(3 * e.fs);
    for (let i = 0; i < e.signal.length; i++) {
      for (const p of d.process(e.signal.subarray(i, i + 1))) expect(i - p).toBe(d.latencySamples);
    }
  });

  it('does not care about units or offset (raw ADC counts give the same peaks as mV)', () => {
    const e = synthEcg({ seconds: 60, premature: { V: 0.1 }, noise: 0.03, seed: 17 });
    const adc = e.signal.map((v) => Math.round(v * 200 + 1024));
    const mv = adc.map((v) => (v - 1024) / 200);
    expect(detectAll(adc, e.fs)).toEqual(detectAll(mv, e.fs));
  });

  it('finds nothing in a flat line or a lead-off stretch, and recovers after it', () => {
    expect(detectAll(new Float32Array(360 * 20).fill(0.7), 360)).toEqual([]);
    const e = synthEcg({ seconds: 60, seed: 2 });
    const x = e.signal.slice();
    x.fill(0, 20 * 360, 30 * 360); // 10 s of lead-off
    const s = score(e.rPeaks.filter((r) => r < 20 * 360 - 100 || r > 30 * 360 + 100), detectAll(x, 360), 360);
    expect(s.se).toBeGreaterThan(0.98);
    expect(s.ppv).toBeGreaterThan(0.97);
  });

  it('rejects NaN samples and unsupported sample rates', () => {
    const d = new QrsDetector({ fs: 360 });
    let caught: unknown;
    try { d.process(Float32Array.of(0, Number.POSITIVE_INFINITY)); } catch (err) { caught = err; }
    expect(isWavegateError(caught, 'E_INPUT')).toBe(true);
    caught = undefined;
    try { new QrsDetector({ fs: 50 }); } catch (err) { caught = err; }
    expect(isWavegateError(caught, 'E_ARGUMENT')).toBe(true);
    caught = undefined;
    try { new QrsDetector({ fs: 360, latency: 0.5 }); } catch (err) { caught = err; }
    expect(isWavegateError(caught, 'E_ARGUMENT')).toBe(true);
  });
});
