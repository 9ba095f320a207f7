import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BeatStream, beatWindows, type Beat } from '../../../src/signal/beats.js';
import { rrFeatureRows } from '../../../src/signal/rr-features.js';
import { isWavegateError } from '../../../src/errors.js';
import { noise } from './helpers.js';

const RR = { spec: { names: ['preRR', 'postRR', 'localRR', 'averageRR'], localBeats: 10 }, fs: 100 };

describe('beatWindows', () => {
  it('puts R at index `before` and skips beats whose window leaves the signal', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => i);
    const beats = beatWindows(x, [10, 200, 500, 990, 995], { before: 32, after: 32 });
    expect(beats.map((b) => b.r)).toEqual([200, 500]); // 10 starts before 0; 990 and 995 run past the end
    expect(beats.map((b) => b.beat)).toEqual([1, 2]);
    expect(beats[0].data[32]).toBe(200);
    expect(beats[0].data.length).toBe(64);
  });

  it('with RR features: no window for the first beat, nor for the last when postRR is used', () => {
    const x = new Float32Array(2000);
    const peaks = [100, 300, 400, 600, 900];
    const withPost = beatWindows(x, peaks, { before: 10, after: 10, features: RR });
    expect(withPost.map((b) => b.beat)).toEqual([1, 2, 3]);
    expect(withPost.map((b) => Array.from(b.features!))).toEqual(rrFeatureRows(peaks, 100, RR.spec).map((r) => Array.from(r.values)));
    const preOnly = beatWindows(x, peaks, { before: 10, after: 10, features: { spec: { names: ['preRR'], localBeats: 3 }, fs: 100 } });
    expect(preOnly.map((b) => b.beat)).toEqual([1, 2, 3, 4]);
  });

  it('rejects peaks that do not increase', () => {
    let caught: unknown;
    try { beatWindows(new Float32Array(100), [0, 5, 5], { before: 1, after: 1 }); } catch (e) { caught = e; }
    expect(isWavegateError(caught, 'E_INPUT')).toBe(true);
  });
});

describe('BeatStream', () => {
  it('any chunking of samples and late peaks gives the offline beats (property, fixed seed)', () => {
    const channels = 2;
    const x = noise(3000 * channels, 5);
    const peaks = [3, 70, 150, 260, 330, 480, 600, 700, 850, 1000, 1200, 1290, 1500, 1800, 2100, 2500, 2990];
    const options = { before: 20, after: 30, channels, features: RR };
    const want = beatWindows(x, peaks, options);
    const key = (b: Beat) => [b.beat, b.r, Array.from(b.data), Array.from(b.features!)];
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 150 }), (sizes, latency) => {
        // a detector reports a peak `latency` samples after it, at the end of a chunk (<= 400)
        const s = new BeatStream({ ...options, maxPeakDelay: 550 });
        const got: Beat[] = [];
        let pos = 0, nextPeak = 0, k = 0;
        while (pos < 3000) {
          const n = Math.min(sizes[k++ % sizes.length], 3000 - pos);
          got.push(...s.pushSamples(x.subarray(pos * channels, (pos + n) * channels)));
          pos += n;
          const ready: number[] = [];
          while (nextPeak < peaks.length && peaks[nextPeak] + latency <= pos) ready.push(peaks[nextPeak++]);
          got.push(...s.pushPeaks(ready));
        }
        got.push(...s.pushPeaks(peaks.slice(nextPeak)));
        expect(got.map(key)).toEqual(want.map(key));
      }),
      { numRuns: 100, seed: 20260105 },
    );
  });

  it('keeps memory bounded on a long stream', () => {
    const s = new BeatStream({ before: 32, after: 32, maxPeakDelay: 400, features: { spec: RR.spec, fs: 360 } });
    const chunk = noise(360, 1);
    for (let sec = 0; sec < 600; sec++) {
      s.pushSamples(chunk);
      s.pushPeaks([sec * 360 + 100]);
    }
    expect((s as unknown as { bufLen: number }).bufLen).toBeLessThan(5 * 360);
  });
});
