import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BeatStream, beatWindows, rrFeatures } from '../../../src/signal/beats.js';
import { isWavegateError } from '../../../src/errors.js';
import { noise } from './helpers.js';

describe('rrFeatures', () => {
  it('computes pre, post, local and running-average RR in seconds', () => {
    const peaks = [0, 100, 300, 400, 600];
    const f = rrFeatures(peaks, 100, 2);
    expect(f.map((b) => b.index)).toEqual([1, 2, 3]);
    expect(Array.from(f[0].rr)).toEqual([1, 2, 1, 1]);
    expect(Array.from(f[1].rr)).toEqual([2, 1, 1.5, 1.5]);
    expect(Array.from(f[2].rr)).toEqual([1, 2, 1.5, (1 + 2 + 1) / 3].map(Math.fround));
  });
  it('rejects peaks that do not increase', () => {
    let caught: unknown;
    try { rrFeatures([0, 5, 5], 360); } catch (e) { caught = e; }
    expect(isWavegateError(caught, 'E_INPUT')).toBe(true);
  });
});

describe('beatWindows', () => {
  it('centres the window on R and skips beats that do not fit', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => i);
    const beats = beatWindows(x, [10, 200, 500, 990, 995], { window: 64, fs: 360 });
    expect(beats.map((b) => b.r)).toEqual([200, 500]); // 990 does not fit; 10 and 995 lack a neighbour
    expect(beats[0].data[32]).toBe(200);
    expect(beats[0].data.length).toBe(64);
  });
});

describe('BeatStream', () => {
  it('any chunking of samples and peaks gives the offline beats (property)', () => {
    const channels = 2, fs = 100;
    const x = noise(3000 * channels, 5);
    const peaks = [3, 70, 150, 260, 330, 480, 600, 700, 850, 1000, 1200, 1290, 1500, 1800, 2100, 2500, 2990];
    const want = beatWindows(x, peaks, { window: 50, before: 20, fs, channels });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 150 }), (sizes, latency) => {
        // a peak may come `latency` + one chunk (<= 400) samples late
        const s = new BeatStream({ window: 50, before: 20, fs, channels, maxPeakDelay: 550 });
        const got = [];
        let pos = 0, nextPeak = 0, k = 0;
        while (pos < 3000) {
          const n = Math.min(sizes[k++ % sizes.length], 3000 - pos);
          got.push(...s.pushSamples(x.subarray(pos * channels, (pos + n) * channels)));
          pos += n;
          // a detector reports a peak `latency` samples after it
          const ready: number[] = [];
          while (nextPeak < peaks.length && peaks[nextPeak] + latency <= pos) ready.push(peaks[nextPeak++]);
          got.push(...s.pushPeaks(ready));
        }
        got.push(...s.pushPeaks(peaks.slice(nextPeak)));
        expect(got.map((b) => b.index)).toEqual(want.map((b) => b.index));
        expect(got.map((b) => Array.from(b.rr))).toEqual(want.map((b) => Array.from(b.rr)));
        expect(got.map((b) => b.data)).toEqual(want.map((b) => b.data));
      }),
      { numRuns: 100 },
    );
  });

  it('keeps memory bounded on a long stream', () => {
    const s = new BeatStream({ window: 64, fs: 360 });
    const chunk = noise(360, 1);
    for (let sec = 0; sec < 600; sec++) {
      s.pushSamples(chunk);
      s.pushPeaks([sec * 360 + 100]);
    }
    expect((s as unknown as { bufLen: number }).bufLen).toBeLessThan(5 * 360);
  });
});
