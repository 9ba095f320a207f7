import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimator, decimate, decimateStage } from '../../../src/signal/decimate.js';
import { buildPipeline } from '../../../src/signal/pipeline.js';
import { expectWavegateError } from '../../helpers/expect-error.js';
import { noise } from './helpers.js';

describe('Decimator (the `decimate` preprocessing stage)', () => {
  it('any chunking gives the same samples as the whole signal (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 20 }), (factor, sizes) => {
        const x = noise(sizes.reduce((a, b) => a + b, 0), factor * 7919 + sizes.length);
        const stage = decimateStage(360 * factor, 360);
        const whole = decimate(x, stage);
        const d = new Decimator(stage);
        const parts: number[] = [];
        let at = 0;
        for (const n of sizes) {
          parts.push(...d.process(x.subarray(at, at + n)));
          at += n;
        }
        expect(parts.length).toBe(whole.length);
        expect(Float32Array.from(parts)).toEqual(whole);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps samples 0, f, 2f, ... and refuses non-integer ratios', () => {
    const stage = decimateStage(360, 180);
    expect(decimate(new Float32Array(11), stage).length).toBe(6);
    expectWavegateError(() => decimateStage(360, 250), 'E_SAMPLE_RATE', /360 Hz to 250 Hz: only integer decimation/);
  });

  it('the device pipeline runs the stage the dataset builders record, with the same output', () => {
    const stage = decimateStage(360, 180);
    const pipe = buildPipeline({ channels: 1, sampleRate: 180, preprocessing: [stage] }, 360);
    const x = noise(3601, 3);
    expect(pipe.process(x.subarray(0, 1000)).length + pipe.process(x.subarray(1000)).length).toBe(decimate(x, stage).length);
    const fresh = buildPipeline({ channels: 1, sampleRate: 180, preprocessing: [stage] }, 360);
    expect(fresh.process(x)).toEqual(decimate(x, stage));
    expect(() => buildPipeline({ channels: 1, sampleRate: 180, preprocessing: [stage] }, 250)).toThrow(/250/);
  });
});
