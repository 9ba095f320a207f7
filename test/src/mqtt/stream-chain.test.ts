import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { InputSpec } from '../../../src/model/schema.js';
import { createStreamChain, windowingOf, type ChainWindow } from '../../../src/mqtt/stream-chain.js';
import { synthEcg } from '../../../tools/synth/ecg.js';

/** Runs per chunking property: each pushes 8 s of ECG through a chain in random chunk sizes. */
const CHUNK_RUNS = 25;
const SEED = 4242;

const ecg = synthEcg({ fs: 360, seconds: 16, seed: 3, premature: { V: 0.1 } });

const FIXED: InputSpec = {
  channels: 1, sampleRate: 360, window: 256, hop: 128,
  preprocessing: [{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }],
  windowing: { mode: 'fixed', window: 256, hop: 128 },
};
const BEAT: InputSpec = {
  channels: 1, sampleRate: 360, window: 128,
  preprocessing: [{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }],
  windowing: { mode: 'beat', before: 64, after: 64, qrs: { detector: 'pan-tompkins' } },
  features: { kind: 'rr', names: ['preRR', 'postRR', 'localRR', 'averageRR', 'preRR/localRR', 'postRR/localRR'], localBeats: 10 },
};

function pushInChunks(input: InputSpec, sizes: number[]): ChainWindow[] {
  const chain = createStreamChain(input, 360);
  const out: ChainWindow[] = [];
  let at = 0, k = 0;
  while (at < ecg.signal.length) {
    const n = sizes[k++ % sizes.length];
    out.push(...chain.push(ecg.signal.subarray(at, at + n)));
    at += n;
  }
  return out;
}

describe('stream chain', () => {
  it('windows like the file says, and like older files imply', () => {
    expect(windowingOf(FIXED)).toEqual({ mode: 'fixed', window: 256, hop: 128 });
    expect(windowingOf({ channels: 1, window: 128 })).toEqual({ mode: 'fixed', window: 128, hop: 128 });
    expect(windowingOf({ channels: 1 })).toEqual({ mode: 'stream' });
  });

  it('gives the same fixed windows however the stream is cut into frames (property)', () => {
    const whole = pushInChunks(FIXED, [ecg.signal.length]);
    expect(whole.map((w) => w.first).slice(0, 3)).toEqual([0, 128, 256]);
    expect(whole).toHaveLength(Math.floor((ecg.signal.length - 256) / 128) + 1);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }), (sizes) => {
        expect(pushInChunks(FIXED, sizes)).toEqual(whole);
      }),
      { seed: SEED, numRuns: CHUNK_RUNS },
    );
  });

  it('cuts beat windows around the detected R peaks, however the stream is cut (property)', () => {
    const whole = pushInChunks(BEAT, [ecg.signal.length]);
    // each beat within 8 samples (22 ms) of a true R peak
    // the detector learns for 2 s and reports 3 s late; a beat needs the next R peak too
    expect(whole.length).toBeGreaterThanOrEqual(ecg.rPeaks.length - 6);
    for (const w of whole) {
      const r = w.first + 64;
      expect(Math.min(...Array.from(ecg.rPeaks, (p) => Math.abs(p - r)))).toBeLessThan(8);
      // RR features in input.features.names order: preRR is the gap to the previous detected beat
      expect(w.features).toHaveLength(6);
      expect(w.features![0]).toBeGreaterThan(0.4);
      expect(w.last - w.first).toBe(127);
    }
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 6 }), (sizes) => {
        expect(pushInChunks(BEAT, sizes)).toEqual(whole);
      }),
      { seed: SEED, numRuns: CHUNK_RUNS },
    );
  });

  it('starts over on reset: indices from 0, filters primed again', () => {
    const chain = createStreamChain(FIXED, 360);
    const first = chain.push(ecg.signal.subarray(0, 1000));
    chain.push(ecg.signal.subarray(1000, 1100));
    chain.reset();
    const again = chain.push(ecg.signal.subarray(0, 1000));
    expect(again).toEqual(first);
  });

  it('refuses a stream whose rate the model does not take', () => {
    expect(() => createStreamChain(FIXED, 250)).toThrow(/250 Hz/);
  });

  it('times windows from the segment start, taking the chain delay off', () => {
    const chain = createStreamChain(FIXED, 360);
    // no delay in a band-pass chain: sample j is j / 360 s after the first
    expect(chain.msAfterStart(360)).toBe(1000);
  });
});
