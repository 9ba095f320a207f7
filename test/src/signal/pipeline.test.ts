import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildPipeline } from '../../../src/signal/pipeline.js';
import { BiquadCascade, designBandpass } from '../../../src/signal/filters.js';
import { Resampler } from '../../../src/signal/resample.js';
import { isWavegateError } from '../../../src/errors.js';
import type { InputSpec } from '../../../src/model/schema.js';
import { noise, splitAt } from './helpers.js';

const ecgInput: InputSpec = {
  channels: 1,
  sampleRate: 250,
  preprocessing: [
    { kind: 'bandpass', low: 0.5, high: 40, order: 2 },
    { kind: 'resample', from: 360, to: 250 },
    { kind: 'normalize', mean: 0.1, std: 0.5 },
  ],
};

function expectCode(fn: () => unknown, code: string, pattern?: RegExp): void {
  let caught: unknown;
  try { fn(); } catch (e) { caught = e; }
  expect(isWavegateError(caught), String(caught)).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
  if (pattern) expect((caught as Error).message).toMatch(pattern);
}

describe('preprocessing pipeline from model metadata', () => {
  it('runs the stages in order, as the individual stages would', () => {
    const x = noise(3600, 2);
    const y = buildPipeline(ecgInput, 360).process(x);
    const bp = new BiquadCascade(designBandpass(0.5, 40, 360, 2));
    bp.prime(x[0]);
    const want = new Resampler({ from: 360, to: 250 }).process(bp.process(x)).map((v) => (v - 0.1) / 0.5);
    expect(y.length).toBe(want.length);
    for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo(want[i], 5);
  });

  it('is chunking-invariant, per channel (property)', () => {
    const input: InputSpec = { channels: 2, sampleRate: 12000, preprocessing: [{ kind: 'highpass', cutoff: 10, order: 2 }, { kind: 'resample', from: 48000, to: 12000 }, { kind: 'normalize', mean: [0, 1], std: [1, 2] }] };
    const x = noise(2 * 4000, 5);
    const whole = buildPipeline(input, 48000).process(x);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4000 }), { maxLength: 8 }), (cuts) => {
        const p = buildPipeline(input, 48000);
        const parts = splitAt(x, cuts.map((c) => 2 * c)).map((part) => p.process(part));
        const joined = new Float32Array(parts.reduce((s, q) => s + q.length, 0));
        let o = 0;
        for (const q of parts) { joined.set(q, o); o += q.length; }
        expect(joined).toEqual(whole);
      }),
      { numRuns: 15 },
    );
  });

  it('refuses a stream at the wrong sample rate, naming both rates', () => {
    expectCode(() => buildPipeline(ecgInput, 250), 'E_SAMPLE_RATE', /250 Hz .*360 Hz/);
    expectCode(() => buildPipeline({ channels: 1, sampleRate: 360, preprocessing: [{ kind: 'bandpass', low: 0.5, high: 40 }] }, 500), 'E_SAMPLE_RATE', /500 Hz/);
    expectCode(() => buildPipeline({ channels: 1, sampleRate: 200, preprocessing: [{ kind: 'resample', from: 360, to: 250 }] }, 360), 'E_SAMPLE_RATE', /250 Hz .*200 Hz/);
  });

  it('refuses unknown or malformed stages and bad samples', () => {
    expectCode(() => buildPipeline({ channels: 1, preprocessing: [{ kind: 'wavelet' }] }, 360), 'E_MODEL_UNSUPPORTED', /wavelet/);
    expectCode(() => buildPipeline({ channels: 1, preprocessing: [{ kind: 'bandpass', low: '0.5', high: 40 }] }, 360), 'E_MODEL_FORMAT', /low/);
    expectCode(() => buildPipeline({ channels: 1, preprocessing: [{ kind: 'normalize', mean: 0, std: 0 }] }, 360), 'E_MODEL_FORMAT', /std/);
    expectCode(() => buildPipeline(ecgInput, 360).process(Float32Array.of(1, Number.NaN)), 'E_INPUT', /sample 1/);
  });
});

describe('baseline stage', () => {
  it('runs the median baseline remover and validates its windows', () => {
    const p = buildPipeline({ channels: 1, sampleRate: 360, preprocessing: [{ kind: 'baseline' }] }, 360);
    const y = p.process(new Float32Array(1000).fill(2.5));
    expect(Math.max(...Array.from(y, Math.abs))).toBe(0); // a constant is all baseline
    expectCode(() => buildPipeline({ channels: 1, preprocessing: [{ kind: 'baseline', windows: [0.2] }] }, 360), 'E_MODEL_FORMAT', /windows/);
  });
});
