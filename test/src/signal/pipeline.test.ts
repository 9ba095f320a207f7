import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildPipeline, streamChannels } from '../../../src/signal/pipeline.js';
import { BiquadCascade, designBandpass, designHighpass } from '../../../src/signal/filters.js';
import { BaselineRemover } from '../../../src/signal/baseline.js';
import { Decimator } from '../../../src/signal/decimate.js';
import { Resampler } from '../../../src/signal/resample.js';
import type { InputSpec } from '../../../src/model/schema.js';
import { expectWavegateError } from '../../helpers/expect-error.js';
import { noise, splitAt } from './helpers.js';

const raw = (sampleRate: number, channels = ['MLII']) => ({ sampleRate, units: 'mV', channels });

const ecgInput: InputSpec = {
  channels: 1,
  sampleRate: 250,
  raw: raw(360),
  preprocessing: [
    { kind: 'bandpass', low: 0.5, high: 40, order: 2 },
    { kind: 'resample', to: 250 },
    { kind: 'normalize', mean: 0.1, std: 0.5 },
  ],
};

function joined(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, q) => s + q.length, 0));
  let o = 0;
  for (const q of parts) { out.set(q, o); o += q.length; }
  return out;
}

describe('preprocessing pipeline from the stage list', () => {
  it('runs the stages in list order, each primed with the first sample reaching it', () => {
    const x = noise(3600, 2).map((v) => v + 3); // a DC offset
    const y = buildPipeline(ecgInput, 360).process(x);
    const bp = new BiquadCascade(designBandpass(0.5, 40, 360, 2));
    bp.prime(x[0]);
    const want = new Resampler({ from: 360, to: 250 }).process(bp.process(x)).map((v) => (v - 0.1) / 0.5);
    expect(y).toEqual(want);
  });

  it('a DC offset gives no start-up transient (the priming rule)', () => {
    const p = buildPipeline({ channels: 1, preprocessing: [{ kind: 'highpass', cutoff: 0.5, order: 2 }] }, 360);
    const y = p.process(new Float32Array(720).fill(300)); // 300 mV electrode offset
    expect(Math.max(...Array.from(y, Math.abs))).toBeLessThan(1e-9);
  });

  it('designs filters at the rate at their point of the chain and converts rates only where a stage says so', () => {
    const input: InputSpec = { channels: 1, sampleRate: 12000, raw: raw(12000, ['DE']), preprocessing: [{ kind: 'decimate', to: 12000 }, { kind: 'highpass', cutoff: 10, order: 2 }] };
    const x = noise(48000, 7);
    const at48 = buildPipeline(input, 48000);
    expect([at48.inputRate, at48.outputRate]).toEqual([48000, 12000]);
    const d = new Decimator(48000, 12000).process(x);
    const hp = new BiquadCascade(designHighpass(10, 12000, 2));
    hp.prime(d[0]);
    expect(at48.process(x)).toEqual(hp.process(d));
    const hp12 = new BiquadCascade(designHighpass(10, 12000, 2));
    hp12.prime(x[0]);
    expect(buildPipeline(input, 12000).process(x)).toEqual(hp12.process(x)); // decimate by 1: a no-op
  });

  it('refuses a stream at another rate when no stage converts it, naming both rates', () => {
    expectWavegateError(() => buildPipeline({ channels: 1, sampleRate: 360, raw: raw(360), preprocessing: [{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }] }, 500), 'E_INPUT', /500 Hz differs from the model's 360 Hz/);
    expectWavegateError(() => buildPipeline({ channels: 1, sampleRate: 360, preprocessing: [] }, 250), 'E_INPUT', /250 Hz does not match the model's 360 Hz/);
    expectWavegateError(() => buildPipeline({ channels: 1, sampleRate: 200, raw: raw(360), preprocessing: [{ kind: 'resample', to: 250 }] }, 360), 'E_INPUT', /turns it into 250 Hz/);
    expectWavegateError(() => buildPipeline({ channels: 1, preprocessing: [{ kind: 'lowpass', cutoff: 200, order: 2 }] }, 360), 'E_INPUT', /preprocessing\[0\]: lowpass at 200 Hz is not below the Nyquist frequency 180 Hz/);
    // a rate stage converts whatever arrives
    expect(buildPipeline(ecgInput, 500).outputRate).toBe(250);
  });

  it('runs only canonical stages: legacy keys, unknown kinds and bad values are refused', () => {
    expectWavegateError(() => buildPipeline({ channels: 1, preprocessing: [{ kind: 'highpass', fc: 0.5, order: 2 }] }, 360), 'E_MODEL_FORMAT', /input\.preprocessing\[0\]\.fc: unknown key/);
    expectWavegateError(() => buildPipeline({ channels: 1, preprocessing: [{ kind: 'wavelet' }] }, 360), 'E_MODEL_UNSUPPORTED', /wavelet/);
    expectWavegateError(() => buildPipeline({ channels: 1, preprocessing: [{ kind: 'bandpass', low: '0.5', high: 40, order: 2 }] }, 360), 'E_MODEL_FORMAT', /\[0\]\.low: expected a finite number/);
    expectWavegateError(() => buildPipeline({ channels: 2, preprocessing: [{ kind: 'normalize', mean: [0], std: [1, 1] }] }, 360), 'E_MODEL_FORMAT', /\[0\]\.mean: has 1 values/);
    expectWavegateError(() => buildPipeline(ecgInput, 360).process(Float32Array.of(1, Number.NaN)), 'E_INPUT', /sample 1/);
  });

  it('reports the delay of baseline removal and maps indices between the two time bases', () => {
    const p = buildPipeline({ channels: 1, sampleRate: 360, preprocessing: [{ kind: 'baseline', windows: [0.2, 0.6] }] }, 360);
    expect(p.delay).toBe(new BaselineRemover({ fs: 360 }).delay);
    expect(p.delay).toBe(144);
    const x = new Float32Array(2000);
    x[700] = 1; // an impulse comes out `delay` samples later
    const y = p.process(x);
    let peak = 0;
    for (let i = 0; i < y.length; i++) if (y[i] > y[peak]) peak = i;
    expect(peak).toBe(700 + 144);
    expect(p.outputIndex(700)).toBe(844);
    expect(p.inputIndex(844)).toBe(700);
    const r = buildPipeline(ecgInput, 360);
    expect(r.delay).toBeCloseTo(new Resampler({ from: 360, to: 250 }).delay, 12);
    expect(r.inputIndex(r.outputIndex(3600))).toBe(3600);
  });

  it('is chunking-invariant for every kind of stage, per channel (property, fixed seed)', () => {
    const input: InputSpec = {
      channels: 2, sampleRate: 12000, raw: raw(48000, ['DE', 'FE']),
      preprocessing: [
        { kind: 'highpass', cutoff: 10, order: 2 }, { kind: 'decimate', to: 24000 }, { kind: 'baseline', windows: [0.001, 0.003] },
        { kind: 'resample', to: 12000 }, { kind: 'bandpass', low: 20, high: 4000, order: 3 }, { kind: 'normalize', mean: [0, 1], std: [1, 2] },
      ],
    };
    const x = noise(2 * 4000, 5);
    const whole = buildPipeline(input, 48000).process(x);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4000 }), { maxLength: 8 }), (cuts) => {
        const p = buildPipeline(input, 48000);
        expect(joined(splitAt(x, cuts.map((c) => 2 * c)).map((part) => p.process(part)))).toEqual(whole);
      }),
      { numRuns: 15, seed: 808 },
    );
  });
});

describe('outputLength', () => {
  it('predicts how many frames the chain hands on for any input length (property, fixed seed)', () => {
    const input: InputSpec = { channels: 1, preprocessing: [{ kind: 'decimate', to: 16000 }, { kind: 'resample', to: 12000 }, { kind: 'decimate', to: 4000 }] };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), (n) => {
        const p = buildPipeline(input, 48000);
        expect(p.process(noise(n, n + 1)).length).toBe(p.outputLength(n));
      }),
      { numRuns: 40, seed: 314 },
    );
  });
});

describe('a spectrum stage at the end of the chain', () => {
  const spectrum = { kind: 'spectrum' as const, frame: 64, hop: 32, low: 0, high: 1000, bands: 4, level: 'absolute' as const };
  const input = (channels: string[]): InputSpec => ({
    channels: channels.length * 4,
    sampleRate: 2000 / 32,
    raw: { sampleRate: 4000, units: 'g', channels },
    preprocessing: [{ kind: 'decimate', to: 2000 }, spectrum],
  });

  it('hands on `bands` channels per stream channel at rate / hop, bands of one channel together', () => {
    const p = buildPipeline(input(['x', 'y']), 4000);
    expect([p.channels, p.outputChannels, p.outputRate, p.delay]).toEqual([2, 8, 62.5, 0]);
    const x = noise(4000, 2), y = noise(4000, 3).map((v) => v * 10);
    const both = new Float32Array(8000);
    for (let i = 0; i < 4000; i++) [both[2 * i], both[2 * i + 1]] = [x[i], y[i]];
    const out = p.process(both);
    const alone = (v: Float32Array) => buildPipeline(input(['x']), 4000).process(v);
    const [ox, oy] = [alone(x), alone(y)];
    const frames = p.outputLength(4000);
    expect(frames).toBe(Math.floor((2000 - 64) / 32) + 1);
    expect(out.length).toBe(frames * 8);
    for (let f = 0; f < frames; f++) {
      expect(out.subarray(f * 8, f * 8 + 4)).toEqual(ox.subarray(f * 4, f * 4 + 4));
      expect(out.subarray(f * 8 + 4, f * 8 + 8)).toEqual(oy.subarray(f * 4, f * 4 + 4));
    }
  });

  it('maps frame j to the raw sample where it starts (j x hop at the rate entering the stage)', () => {
    const p = buildPipeline(input(['x']), 4000);
    expect([0, 1, 10].map((j) => p.inputIndex(j))).toEqual([0, 64, 640]);
    expect(p.outputIndex(640)).toBe(10);
  });

  it('gives the same frames whatever the chunking (decimator and framer both carry state)', () => {
    const x = noise(6000, 8);
    const whole = buildPipeline(input(['x']), 4000).process(x);
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 6000 }), { maxLength: 10 }), (cuts) => {
      const p = buildPipeline(input(['x']), 4000);
      expect(joined(splitAt(x, cuts).map((c) => p.processTransient(c).slice()))).toEqual(whole);
    }), { seed: 3, numRuns: 40 });
  });
});

describe('streamChannels', () => {
  it('divides the network channels by the bands of a final spectrum stage, and refuses what does not divide', () => {
    const spectrum = { kind: 'spectrum' as const, frame: 256, hop: 128, low: 0, high: 6000, bands: 32, level: 'relative' as const };
    expect(streamChannels({ channels: 2, preprocessing: [{ kind: 'decimate', to: 12000 }] })).toBe(2);
    expect(streamChannels({ channels: 64, preprocessing: [spectrum] })).toBe(2);
    expectWavegateError(() => streamChannels({ channels: 48, preprocessing: [spectrum] }), 'E_MODEL_FORMAT', /input\.channels: 48 is not a whole number of stream channels of 32 spectrum bands each/);
  });
});
