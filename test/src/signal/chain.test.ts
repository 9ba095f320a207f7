/**
 * The per-stream signal chain (src/signal/chain.ts): what a device runs for a model's input spec.
 * Beat windows around the device's own QRS detections with RR features, fixed windows, stream
 * chunks; the same windows whatever the chunking; the sample index in the raw stream's time base.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { InputSpec } from '../../../src/model/schema.js';
import { createSignalChain, type ChainWindow } from '../../../src/signal/chain.js';
import { buildPipeline } from '../../../src/signal/pipeline.js';
import { beatWindows } from '../../../src/signal/beats.js';
import { detectQrs } from '../../../src/signal/qrs.js';
import { rrFeatureRows } from '../../../src/signal/rr-features.js';
import { synthEcg } from '../../../tools/synth/ecg.js';
import { expectWavegateError } from '../../helpers/expect-error.js';
import { noise } from './helpers.js';

const NAMES = ['preRR', 'postRR', 'localRR', 'averageRR', 'preRR/localRR'];

function beatModel(extra: Partial<InputSpec> = {}): InputSpec {
  return {
    channels: 1, sampleRate: 360, window: 128,
    raw: { sampleRate: 360, units: 'mV', channels: ['MLII'] },
    preprocessing: [{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }, { kind: 'normalize', mean: 0, std: 0.4 }],
    windowing: { mode: 'beat', before: 50, after: 78, qrs: { detector: 'pan-tompkins' } },
    features: { kind: 'rr', names: NAMES, localBeats: 8, normalize: { mean: [0.8, 0.8, 0.8, 0.8, 1], std: [0.2, 0.2, 0.1, 0.1, 0.2] } },
    ...extra,
  };
}

/** Pushes `x` in chunks of the given sizes (cycled), then flushes; returns every window. */
function run(input: InputSpec, rate: number, x: Float32Array, sizes: number[], channels = 1): ChainWindow[] {
  const chain = createSignalChain(input, rate);
  const out: ChainWindow[] = [];
  for (let pos = 0, k = 0; pos < x.length / channels; k++) {
    const n = sizes[k % sizes.length];
    out.push(...chain.push(x.subarray(pos * channels, Math.min(x.length, (pos + n) * channels))));
    pos += n;
  }
  return [...out, ...chain.flush()];
}

const key = (w: ChainWindow) => [w.index, w.sample, w.at, w.beat, Array.from(w.data), w.features && Array.from(w.features)];

describe('beat chain (detector peaks)', () => {
  const ecg = synthEcg({ seconds: 60, premature: { S: 0.15, V: 0.15 }, seed: 31 });

  it('cuts one window per detected beat, on the preprocessed signal, with the RR features of the detections', () => {
    const windows = run(beatModel(), 360, ecg.signal, [250]);
    const pre = buildPipeline(beatModel(), 360).process(ecg.signal);
    const peaks = detectQrs(pre, { fs: 360 });
    const rows = rrFeatureRows(peaks, 360, { names: NAMES, localBeats: 8, normalize: beatModel().features!.normalize });
    // every detection but the first (no pre-RR) and the last (no post-RR) has a window
    expect(windows.map((w) => w.at)).toEqual(rows.map((r) => r.r));
    expect(windows.map((w) => w.features)).toEqual(rows.map((r) => r.values));
    for (const w of windows) {
      expect(w.data).toEqual(pre.slice(w.at - 50, w.at + 78));
      expect(w.sample).toBe(w.at); // no delay, no rate change: raw and model time bases agree
      expect(Math.min(...ecg.rPeaks.map((r) => Math.abs(r - w.sample)))).toBeLessThanOrEqual(5);
    }
    expect(windows.length).toBeGreaterThan(ecg.rPeaks.length - 5);
  });

  it('gives the same windows and features whatever the chunking, with a delaying, resampling chain (property, fixed seed)', () => {
    const input = beatModel({
      sampleRate: 250, window: 100,
      preprocessing: [{ kind: 'baseline', windows: [0.2, 0.6] }, { kind: 'resample', to: 250 }, { kind: 'lowpass', cutoff: 40, order: 2 }],
      windowing: { mode: 'beat', before: 40, after: 60, qrs: { detector: 'pan-tompkins', latency: 3 } },
    });
    const x = ecg.signal.subarray(0, 360 * 30);
    const whole = run(input, 360, x, [x.length]);
    expect(whole.length).toBeGreaterThan(25);
    // sample maps the R peak back to the raw record: baseline delay and rate change undone
    for (const w of whole) expect(Math.min(...ecg.rPeaks.map((r) => Math.abs(r - w.sample)))).toBeLessThanOrEqual(8);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 12 }), (sizes) => {
        expect(run(input, 360, x, sizes).map(key)).toEqual(whole.map(key));
      }),
      { numRuns: 12, seed: 1985 },
    );
  });
});

describe('beat chain (given peaks)', () => {
  it('places raw peaks in the model time base and cuts what beatWindows cuts from the preprocessed signal', () => {
    const ecg = synthEcg({ seconds: 30, seed: 5 });
    const input = beatModel({ preprocessing: [{ kind: 'baseline', windows: [0.2, 0.6] }] });
    const chain = createSignalChain(input, 360, { peaks: 'given' });
    const got = [...chain.pushPeaks(ecg.rPeaks), ...chain.push(ecg.signal), ...chain.flush()];
    const p = buildPipeline(input, 360);
    const want = beatWindows(p.process(ecg.signal), ecg.rPeaks.map((r) => r + p.delay), {
      before: 50, after: 78, features: { spec: { names: NAMES, localBeats: 8, normalize: input.features!.normalize }, fs: 360 },
    });
    expect(got.map((w) => [w.beat, w.at, w.data, w.features])).toEqual(want.map((b) => [b.beat, b.r, b.data, b.features]));
    expect(got.map((w) => w.sample)).toEqual(want.map((b) => ecg.rPeaks[b.beat]));
  });
});

describe('fixed and stream chains', () => {
  const input: InputSpec = {
    channels: 2, sampleRate: 12000, window: 256, hop: 128,
    raw: { sampleRate: 12000, units: 'g', channels: ['DE', 'FE'] },
    preprocessing: [{ kind: 'decimate', to: 12000 }, { kind: 'highpass', cutoff: 10, order: 2 }],
    windowing: { mode: 'fixed', window: 256, hop: 128 },
  };

  it('cuts windows every hop from the first frame; sample is the window start in raw frames', () => {
    const x = noise(2 * 48000, 3);
    const at48 = run(input, 48000, x, [4096], 2);
    const y = buildPipeline(input, 48000).process(x);
    expect(at48.length).toBe(Math.floor((12000 - 256) / 128) + 1);
    at48.forEach((w, i) => {
      expect(w.at).toBe(128 * i);
      expect(w.sample).toBe(4 * 128 * i); // decimated by 4
      expect(w.data).toEqual(y.slice(2 * 128 * i, 2 * (128 * i + 256)));
    });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 8 }), (sizes) => {
        expect(run(input, 48000, x, sizes, 2).map(key)).toEqual(at48.map(key));
      }),
      { numRuns: 10, seed: 97 },
    );
  });

  it('stream mode hands on each chunk preprocessed', () => {
    const s = { ...input, windowing: { mode: 'stream' as const } };
    const x = noise(2 * 1000, 4);
    const got = run(s, 12000, x, [300], 2);
    expect(got.map((w) => w.sample)).toEqual([0, 300, 600, 900]);
    const whole = buildPipeline(s, 12000).process(x);
    expect(Float32Array.from(got.flatMap((w) => Array.from(w.data)))).toEqual(whole);
  });

  it('refuses what it cannot run, naming the field', () => {
    expectWavegateError(() => createSignalChain({ ...input, features: { kind: 'rr', names: ['preRR'], localBeats: 4 } }, 12000), 'E_MODEL_UNSUPPORTED', /RR features need beat windowing/);
    expectWavegateError(() => createSignalChain(beatModel({ windowing: { mode: 'beat', before: 50, after: 78, qrs: { detector: 'pan-tompkins', treshold: 1 } } }), 360), 'E_MODEL_FORMAT', /input\.windowing\.qrs\.treshold: unknown detector option/);
    expectWavegateError(() => createSignalChain(beatModel({ features: { kind: 'rr', names: ['preRR', 'heartRate'], localBeats: 4 } }), 360), 'E_MODEL_FORMAT', /names\[1\]: unknown RR feature "heartRate"/);
    expectWavegateError(() => createSignalChain(beatModel(), 250), 'E_INPUT', /250 Hz differs from the model's 360 Hz/);
    expectWavegateError(() => createSignalChain(input, 12000).pushPeaks([1]), 'E_STATE', /pushPeaks needs beat windowing/);
    const c = createSignalChain(input, 12000);
    c.flush();
    expectWavegateError(() => c.push(new Float32Array(2)), 'E_STATE', /push after flush/);
  });
});

describe('fixed windows of spectrum frames', () => {
  const spectrum = { kind: 'spectrum' as const, frame: 256, hop: 128, low: 0, high: 6000, bands: 8, level: 'relative' as const };
  const input: InputSpec = {
    channels: 8, sampleRate: 93.75, raw: { sampleRate: 12000, units: 'g', channels: ['DE'] },
    preprocessing: [spectrum], windowing: { mode: 'fixed', window: 7, hop: 2 },
  };

  it('takes one stream channel, cuts windows of 7 frames x 8 bands, `sample` at the first frame\'s first sample', () => {
    const x = noise(12000, 4);
    const chain = createSignalChain(input, 12000);
    expect([chain.streamChannels, chain.channels, chain.outputRate]).toEqual([1, 8, 93.75]);
    const windows = [...chain.push(x.subarray(0, 5000)), ...chain.push(x.subarray(5000)), ...chain.flush()];
    const frames = buildPipeline(input, 12000).process(x);
    const n = frames.length / 8;
    expect(windows.length).toBe(Math.floor((n - 7) / 2) + 1);
    windows.forEach((w, i) => {
      expect(w.at).toBe(2 * i);
      expect(w.sample).toBe(2 * i * 128);
      expect(w.data).toEqual(frames.subarray(2 * i * 8, (2 * i + 7) * 8));
    });
  });

  it('refuses beat windowing: there is no signal left to detect R peaks in', () => {
    expectWavegateError(
      () => createSignalChain({ ...input, windowing: { mode: 'beat', before: 3, after: 4, qrs: { detector: 'pan-tompkins' } } }, 12000),
      'E_MODEL_UNSUPPORTED', /beat windows need a signal to detect R peaks in/,
    );
  });
});
