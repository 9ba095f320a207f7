import { describe, expect, it } from 'vitest';
import { BeatPipeline } from '../../../src/signal/beat-pipeline.js';
import { isWavegateError } from '../../../src/errors.js';
import type { InputSpec } from '../../../src/model/schema.js';
import { synthEcg } from '../../../tools/synth/ecg.js';

const model: InputSpec = {
  channels: 1, sampleRate: 360, window: 128,
  preprocessing: [{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }, { kind: 'normalize', mean: 0, std: 0.4 }],
};

describe('BeatPipeline', () => {
  it('streams raw ECG into centred beat windows with RR features, one per true beat', () => {
    const e = synthEcg({ seconds: 60, premature: { S: 0.15, V: 0.15 }, seed: 31 });
    const p = new BeatPipeline(model, 360);
    const beats = [];
    for (let i = 0; i < e.signal.length; i += 250) beats.push(...p.push(e.signal.subarray(i, i + 250)));
    // every beat but the first one and the last few (awaiting latency / the next R) comes out
    expect(beats.length).toBeGreaterThan(e.rPeaks.length - 6);
    expect(beats.length).toBeLessThan(e.rPeaks.length);
    for (const b of beats) {
      const truth = e.rPeaks.findIndex((r) => Math.abs(r - b.r) <= 5);
      expect(truth, `beat at ${b.r}`).toBeGreaterThan(0);
      expect(b.data.length).toBe(128);
      expect(b.rr[0]).toBeCloseTo((e.rPeaks[truth] - e.rPeaks[truth - 1]) / 360, 1);
    }
  });

  it('refuses a stream at the wrong rate and multi-channel models', () => {
    let caught: unknown;
    try { new BeatPipeline(model, 250); } catch (err) { caught = err; }
    expect(isWavegateError(caught, 'E_SAMPLE_RATE')).toBe(true);
    caught = undefined;
    try { new BeatPipeline({ ...model, channels: 2 }, 360); } catch (err) { caught = err; }
    expect(isWavegateError(caught, 'E_MODEL_UNSUPPORTED')).toBe(true);
  });
});
