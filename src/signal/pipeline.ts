/**
 * A preprocessing chain built from a model's `input.preprocessing` stages, so the device runs
 * exactly the preprocessing the training set was built with (the stages travel in the .wgm).
 *
 * Stages (in order; each keeps its own state per channel):
 *   {kind: 'bandpass', low, high, order?}   Butterworth band-pass (filters.ts), order default 2
 *   {kind: 'highpass', cutoff, order?}      Butterworth high-pass
 *   {kind: 'lowpass',  cutoff, order?}      Butterworth low-pass
 *   {kind: 'baseline', windows?}            two-median baseline removal (baseline.ts), windows in s,
 *                                           default [0.2, 0.6]; delays the signal by its `delay`
 *   {kind: 'resample', from, to}            polyphase resampler (resample.ts); `from` must be the
 *                                           rate at that point of the chain
 *   {kind: 'decimate', from, to}            integer-factor decimation (decimate.ts), as the dataset
 *                                           builders apply it
 *   {kind: 'normalize', mean, std}          fixed statistics (normalize.ts), scalar or per channel
 * The stream's sample rate must equal the chain's input rate (the first resample's `from`, or
 * the model's sampleRate when there is no resample stage); the chain's output rate must equal
 * the model's `sampleRate`. Anything else is refused with E_INPUT naming both rates.
 * Filters are primed with the first sample of each channel (no start-up transient on a DC offset).
 */
import { WavegateError } from '../errors.js';
import type { InputSpec, PreprocessingStage } from '../model/schema.js';
import { BaselineRemover } from './baseline.js';
import { BiquadCascade, designBandpass, designHighpass, designLowpass, type Biquad } from './filters.js';
import { Normalizer } from './normalize.js';
import { Decimator, decimateStage } from './decimate.js';
import { Resampler } from './resample.js';
import { assertFiniteSamples, assertSampleRate } from './validate.js';

/** One channel's processing step: takes samples, returns samples (maybe a different count). */
type ChannelStep = (x: Float32Array) => Float32Array;

function num(stage: PreprocessingStage, index: number, key: string, fallback?: number): number {
  const v = stage[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new WavegateError('E_MODEL_FORMAT', `preprocessing[${index}] (${stage.kind}): ${key} must be a finite number, got ${JSON.stringify(stage[key])}`);
  }
  return v;
}

function filterStep(sections: Biquad[]): () => ChannelStep {
  return () => {
    const f = new BiquadCascade(sections);
    let primed = false;
    return (x) => {
      if (!primed && x.length > 0) { f.prime(x[0]); primed = true; }
      return f.process(x);
    };
  };
}

export interface PipelineInfo {
  /** Sample rate the stream must have. */
  inputRate: number;
  /** Sample rate after the chain (the model's). */
  outputRate: number;
  channels: number;
  stages: PreprocessingStage[];
}

export class Pipeline {
  readonly info: PipelineInfo;
  /** Per channel, the steps in order. Normalisation runs on interleaved frames at the end. */
  private readonly steps: ChannelStep[][];
  private readonly normalizers: Normalizer[];

  constructor(info: PipelineInfo, makeSteps: Array<() => ChannelStep>, normalizers: Normalizer[]) {
    this.info = info;
    this.steps = Array.from({ length: info.channels }, () => makeSteps.map((make) => make()));
    this.normalizers = normalizers;
  }

  /**
   * Processes interleaved frames [frames, channels] at the input rate; returns interleaved frames
   * at the output rate (a resampler may make the count differ from the input's).
   */
  process(input: Float32Array): Float32Array {
    const c = this.info.channels;
    if (input.length % c !== 0) throw new WavegateError('E_INPUT', `preprocessing: ${input.length} values is not a multiple of ${c} channels`);
    assertFiniteSamples(input, 'preprocessing input');
    const frames = input.length / c;
    const outs: Float32Array[] = [];
    for (let ch = 0; ch < c; ch++) {
      let x: Float32Array = new Float32Array(frames);
      for (let f = 0; f < frames; f++) x[f] = input[f * c + ch];
      for (const step of this.steps[ch]) x = step(x);
      outs.push(x);
    }
    // Channels produce the same counts (same stages, same inputs lengths), so interleave directly.
    const n = outs[0].length;
    let y: Float32Array = new Float32Array(n * c);
    for (let ch = 0; ch < c; ch++) for (let f = 0; f < n; f++) y[f * c + ch] = outs[ch][f];
    for (const norm of this.normalizers) y = norm.process(y, y);
    return y;
  }
}

/**
 * Builds the chain for a model's input spec and a stream of `streamRate` Hz with `channels`.
 * @throws E_INPUT when the stream's rate does not fit the chain; E_MODEL_FORMAT / E_MODEL_UNSUPPORTED for bad stages
 */
export function buildPipeline(input: InputSpec, streamRate: number, channels = input.channels): Pipeline {
  const stages = input.preprocessing ?? [];
  let rate = streamRate;
  const firstResample = stages.find((s) => s.kind === 'resample' || s.kind === 'decimate');
  if (firstResample) assertSampleRate(streamRate, num(firstResample, stages.indexOf(firstResample), 'from'), 'stream vs the model\'s resample stage');
  else if (input.sampleRate !== undefined) assertSampleRate(streamRate, input.sampleRate, 'stream vs the model');
  const makeSteps: Array<() => ChannelStep> = [];
  const normalizers: Normalizer[] = [];
  stages.forEach((stage, i) => {
    if (normalizers.length > 0 && stage.kind !== 'normalize') {
      throw new WavegateError('E_MODEL_UNSUPPORTED', `preprocessing[${i}] (${stage.kind}): stages after normalize are not supported`);
    }
    switch (stage.kind) {
      case 'bandpass':
        makeSteps.push(filterStep(designBandpass(num(stage, i, 'low'), num(stage, i, 'high'), rate, num(stage, i, 'order', 2))));
        break;
      case 'highpass':
        makeSteps.push(filterStep(designHighpass(num(stage, i, 'cutoff'), rate, num(stage, i, 'order', 2))));
        break;
      case 'lowpass':
        makeSteps.push(filterStep(designLowpass(num(stage, i, 'cutoff'), rate, num(stage, i, 'order', 2))));
        break;
      case 'baseline': {
        const w = stage.windows ?? [0.2, 0.6];
        if (!Array.isArray(w) || w.length !== 2 || !w.every((v) => typeof v === 'number' && v > 0)) {
          throw new WavegateError('E_MODEL_FORMAT', `preprocessing[${i}] (baseline): windows must be two durations in seconds, got ${JSON.stringify(stage.windows)}`);
        }
        const fs = rate;
        makeSteps.push(() => {
          const b = new BaselineRemover({ fs, windows: [w[0], w[1]] });
          return (x) => b.process(x);
        });
        break;
      }
      case 'resample': {
        const from = num(stage, i, 'from'), to = num(stage, i, 'to');
        assertSampleRate(rate, from, `preprocessing[${i}] resample input`);
        makeSteps.push(() => {
          const r = new Resampler({ from, to });
          return (x) => r.process(x);
        });
        rate = to;
        break;
      }
      case 'decimate': {
        const from = num(stage, i, 'from'), to = num(stage, i, 'to');
        assertSampleRate(rate, from, `preprocessing[${i}] decimate input`);
        const spec = decimateStage(from, to);
        makeSteps.push(() => {
          const d = new Decimator(spec);
          return (x) => d.process(x);
        });
        rate = to;
        break;
      }
      case 'normalize':
        normalizers.push(new Normalizer({ mean: stage.mean as number | number[], std: stage.std as number | number[] }, channels));
        break;
      default:
        throw new WavegateError('E_MODEL_UNSUPPORTED', `preprocessing[${i}]: unknown stage kind ${JSON.stringify(stage.kind)} (bandpass, highpass, lowpass, baseline, resample, decimate, normalize)`);
    }
  });
  if (input.sampleRate !== undefined) assertSampleRate(rate, input.sampleRate, 'preprocessing output vs the model input');
  return new Pipeline({ inputRate: streamRate, outputRate: rate, channels, stages }, makeSteps, normalizers);
}
