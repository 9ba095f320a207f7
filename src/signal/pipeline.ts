/**
 * The running preprocessing chain: a model's `input.preprocessing` stages, parsed by the one
 * stage schema (src/model/stages.ts) and run in list order, per channel, with carried state. What
 * a dataset records is what a model carries is what this runs (docs/signals.md, "The signal
 * contract").
 *
 * - Rates: the chain starts at the stream's rate. A rate stage (`decimate`, `resample`) converts
 *   whatever rate arrives to its `to`; every filter is designed in Hz at the rate at its point of
 *   the chain. A stream whose rate differs from the model's `input.raw.sampleRate` is converted
 *   only because a rate stage says so: without one, {@link buildPipeline} refuses it (E_INPUT
 *   naming both rates). The rate at the end must be the model's `input.sampleRate`.
 * - Priming, one rule for every stateful stage: it starts as if the stream had always held the
 *   first sample that reaches it (filters at their steady state for that value, median windows and
 *   delay lines full of it, the resampler's history too). A DC offset (electrodes sit hundreds of
 *   mV off; an accelerometer axis carries 1 g) then causes no start-up transient, which would
 *   otherwise last seconds behind a 0.5 Hz high-pass and put false beats into the first windows.
 * - Delay: `delay` is the pure time shift of the output, in output samples: the baseline stage's
 *   fixed median delay and the resampler's linear-phase delay. IIR filters' frequency-dependent
 *   phase is not a shift and is not counted (training data went through the same filters).
 *   {@link Pipeline.inputIndex} and {@link Pipeline.outputIndex} map between the two time bases.
 */
import { WavegateError } from '../errors.js';
import type { InputSpec } from '../model/schema.js';
import { chainRates, channelsPerInputChannel, isRateStage, parseStages, type Stage } from '../model/stages.js';
import { BaselineRemover } from './baseline.js';
import { BiquadCascade, designBandpass, designHighpass, designLowpass, type Biquad } from './filters.js';
import { Decimator } from './decimate.js';
import { Resampler } from './resample.js';
import { SpectrumFramer } from './spectrum.js';
import { assertFiniteSamples } from './validate.js';

/** One channel's running stage: takes samples, returns samples (a rate stage changes the count). */
interface ChannelStep {
  /**
   * A stage that keeps the rate writes its output into `out` when given (which may be `x`
   * itself: every such stage reads sample i before it writes sample i), else into a new array;
   * a rate stage ignores `out` and returns a new array (or `x`, for a factor of 1).
   */
  process(x: Float32Array, out?: Float32Array): Float32Array;
}

class PrimedFilter implements ChannelStep {
  private readonly f: BiquadCascade;
  private primed = false;
  constructor(sections: Biquad[]) {
    this.f = new BiquadCascade(sections);
  }
  process(x: Float32Array, out?: Float32Array): Float32Array {
    if (!this.primed && x.length > 0) {
      this.f.prime(x[0]);
      this.primed = true;
    }
    return this.f.process(x, out);
  }
}

/**
 * (x - mean) / std with the statistics the model carries, computed once on the training set:
 * never running or per-window statistics, since a device must scale exactly as training did.
 */
class ChannelNormalizer implements ChannelStep {
  private readonly inv: number;
  constructor(private readonly mean: number, std: number) {
    this.inv = 1 / std;
  }
  process(x: Float32Array, out?: Float32Array): Float32Array {
    const y = out ?? new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) y[i] = (x[i] - this.mean) * this.inv;
    return y;
  }
}

/** How one stage runs at its rate: a per-channel step factory, the rate it hands on, the delay it adds (samples at its output rate). */
interface StagePlan {
  make: (channel: number) => ChannelStep;
  outRate: number;
  /** Pure shift added, in samples at outRate. */
  delay: number;
  /** Samples out for n samples in, from the start of the stream. */
  count: (n: number) => number;
  /** Values per output frame per channel: `bands` for a spectrum stage, else 1. */
  width?: number;
}

const same = (n: number): number => n;

/**
 * Output of {@link Pipeline.processTransient}, shared by every pipeline of the process: the
 * caller consumes it before its next call, so one buffer serves all streams.
 */
let transient = new Float32Array(0);
/** The last view of it handed out: frames mostly keep their length, so it is reused. */
let transientView = transient;

function transientBuffer(n: number): Float32Array {
  if (transient.length < n) transient = new Float32Array(Math.max(n, 2 * transient.length, 1024));
  if (transientView.length !== n || transientView.buffer !== transient.buffer) transientView = transient.subarray(0, n);
  return transientView;
}

function plan(stage: Stage, rate: number): StagePlan {
  switch (stage.kind) {
    case 'bandpass':
      return { make: () => new PrimedFilter(designBandpass(stage.low, stage.high, rate, stage.order)), outRate: rate, delay: 0, count: same };
    case 'highpass':
      return { make: () => new PrimedFilter(designHighpass(stage.cutoff, rate, stage.order)), outRate: rate, delay: 0, count: same };
    case 'lowpass':
      return { make: () => new PrimedFilter(designLowpass(stage.cutoff, rate, stage.order)), outRate: rate, delay: 0, count: same };
    case 'baseline': {
      const delay = new BaselineRemover({ fs: rate, windows: stage.windows }).delay;
      return { make: () => new BaselineRemover({ fs: rate, windows: stage.windows }), outRate: rate, delay, count: same };
    }
    case 'decimate': {
      const factor = new Decimator(rate, stage.to).factor;
      return { make: () => new Decimator(rate, stage.to), outRate: stage.to, delay: 0, count: (n) => Math.ceil(n / factor) };
    }
    case 'resample': {
      const r = new Resampler({ from: rate, to: stage.to });
      // Output k needs input floor(k M / L): the largest k with k M < n L.
      return { make: () => new Resampler({ from: rate, to: stage.to }), outRate: stage.to, delay: r.delay, count: (n) => (n > 0 ? Math.floor((n * r.up - 1) / r.down) + 1 : 0) };
    }
    case 'normalize': {
      const pick = (v: number | number[], ch: number): number => (Array.isArray(v) ? v[ch] : v);
      return { make: (ch) => new ChannelNormalizer(pick(stage.mean, ch), pick(stage.std, ch)), outRate: rate, delay: 0, count: same };
    }
    case 'spectrum':
      // Frame j stands for the raw time of its first sample: no delay counted, like a decimator's sample j.
      return { make: () => new SpectrumFramer(stage, rate), outRate: rate / stage.hop, delay: 0, count: (n) => SpectrumFramer.count(n, stage.frame, stage.hop), width: stage.bands };
  }
}

export class Pipeline {
  /** Rate of the stream the chain takes, Hz. */
  readonly inputRate: number;
  /** Rate the chain hands on (the model's input.sampleRate), Hz. */
  readonly outputRate: number;
  /** Channels of the stream the chain takes. */
  readonly channels: number;
  /** Channels of each frame it hands on: `channels`, times `bands` after a spectrum stage. */
  readonly outputChannels: number;
  readonly stages: readonly Stage[];
  /** Pure time shift of the output, in output samples (0 without baseline or resample stages). */
  readonly delay: number;
  private readonly steps: ChannelStep[][];
  private readonly counts: Array<(n: number) => number>;

  /** Use {@link buildPipeline}. */
  constructor(stages: readonly Stage[], inputRate: number, channels: number) {
    let rate = inputRate;
    let delay = 0;
    const plans: StagePlan[] = [];
    for (const s of stages) {
      const p = plan(s, rate);
      delay = delay * (p.outRate / rate) + p.delay;
      rate = p.outRate;
      plans.push(p);
    }
    this.inputRate = inputRate;
    this.outputRate = rate;
    this.channels = channels;
    this.outputChannels = channels * plans.reduce((w, p) => w * (p.width ?? 1), 1);
    this.stages = stages;
    this.delay = delay;
    this.steps = Array.from({ length: channels }, (_, ch) => plans.map((p) => p.make(ch)));
    this.counts = plans.map((p) => p.count);
  }

  /** Frames the chain hands on for the first `frames` input frames of a stream (any chunking). */
  outputLength(frames: number): number {
    return this.counts.reduce((n, count) => count(n), frames);
  }

  /**
   * Processes interleaved frames [frames, channels] at the input rate; returns interleaved frames
   * [frames, outputChannels] at the output rate (a rate stage makes the count differ from the
   * input's; after a spectrum stage each input channel's bands lie together).
   * @throws E_INPUT for NaN/infinite samples or a length that is not a whole number of frames
   */
  process(input: Float32Array): Float32Array {
    return this.run(input, false);
  }

  /**
   * {@link process} for a caller that is done with the result before it calls any pipeline
   * again (the signal chain, which copies what it keeps): the result may be `input` itself or a
   * buffer shared by all pipelines, so a single-channel chunk costs no allocation. Same values.
   */
  processTransient(input: Float32Array): Float32Array {
    return this.run(input, true);
  }

  private run(input: Float32Array, shared: boolean): Float32Array {
    const c = this.channels;
    if (input.length % c !== 0) throw new WavegateError('E_INPUT', `preprocessing: ${input.length} values is not a multiple of ${c} channels`);
    assertFiniteSamples(input, 'preprocessing input');
    if (c === 1) {
      // Every stage after the first that keeps the rate works in place on the chain's own array.
      let x = input;
      for (const step of this.steps[0]) x = step.process(x, x !== input ? x : shared ? transientBuffer(x.length) : undefined);
      return x === input && !shared ? input.slice() : x;
    }
    const frames = input.length / c;
    const outs: Float32Array[] = [];
    for (let ch = 0; ch < c; ch++) {
      let x: Float32Array = new Float32Array(frames);
      for (let f = 0; f < frames; f++) x[f] = input[f * c + ch];
      for (const step of this.steps[ch]) x = step.process(x);
      outs.push(x);
    }
    // Every channel runs the same stages on the same number of frames, so the counts agree.
    const w = this.outputChannels / c, n = outs[0].length / w, stride = c * w;
    const y = new Float32Array(n * stride);
    for (let ch = 0; ch < c; ch++) {
      const o = outs[ch];
      for (let f = 0; f < n; f++) for (let b = 0; b < w; b++) y[f * stride + ch * w + b] = o[f * w + b];
    }
    return y;
  }

  /** The input-stream sample (rounded) that output sample `j` stands for: (j - delay) x inputRate / outputRate. */
  inputIndex(j: number): number {
    return Math.round(((j - this.delay) * this.inputRate) / this.outputRate);
  }

  /** The output sample (rounded) at which input sample `s` appears: s x outputRate / inputRate + delay. */
  outputIndex(s: number): number {
    return Math.round((s * this.outputRate) / this.inputRate + this.delay);
  }
}

/**
 * Builds the chain of a model's input spec for a stream of `streamRate` Hz with `channels`
 * interleaved channels (default {@link streamChannels}: `input.channels`, or `input.channels /
 * bands` when the list ends in a spectrum stage).
 * @throws E_INPUT when the stream's rate cannot enter the chain: it differs from
 *   `input.raw.sampleRate` and no rate stage converts it, a stage cannot take the rate it gets,
 *   or the chain does not end at `input.sampleRate`; E_MODEL_FORMAT / E_MODEL_UNSUPPORTED for
 *   stages the schema refuses
 */
export function buildPipeline(input: Pick<InputSpec, 'channels' | 'preprocessing' | 'sampleRate' | 'raw'>, streamRate: number, channels?: number): Pipeline {
  if (!(Number.isFinite(streamRate) && streamRate > 0)) throw new WavegateError('E_INPUT', `preprocessing: stream sample rate must be > 0 Hz, got ${streamRate}`);
  channels ??= streamChannels(input);
  const stages = parseStages(input.preprocessing ?? [], { channels });
  const rawRate = input.raw?.sampleRate;
  const converts = stages.some(isRateStage);
  if (rawRate !== undefined && !converts && streamRate !== rawRate) {
    throw new WavegateError('E_INPUT', `stream sample rate ${streamRate} Hz differs from the model's ${rawRate} Hz (input.raw.sampleRate), and its preprocessing has no decimate or resample stage to convert it`);
  }
  const walk = chainRates(stages, streamRate);
  if ('problem' in walk) throw new WavegateError('E_INPUT', `stream at ${streamRate} Hz: input.preprocessing[${walk.index}]: ${walk.problem}`);
  const expected = input.sampleRate ?? (converts ? undefined : rawRate);
  if (expected !== undefined && walk.outputRate !== expected) {
    throw new WavegateError('E_INPUT', `stream sample rate ${streamRate} Hz does not match the model's ${expected} Hz (input.sampleRate)${converts ? `: its preprocessing turns it into ${walk.outputRate} Hz` : ''}`);
  }
  return new Pipeline(stages, streamRate, channels);
}

/**
 * Channels of the stream a model takes: its network's input channels (`input.channels`), divided
 * by the bands of a spectrum stage that ends its preprocessing (each stream channel becomes that
 * many). The model loader checks that they divide (src/model/validate-metadata.ts).
 */
export function streamChannels(input: Pick<InputSpec, 'channels' | 'preprocessing'>): number {
  const bands = channelsPerInputChannel(parseStages(input.preprocessing ?? []));
  if (input.channels % bands !== 0) throw new WavegateError('E_MODEL_FORMAT', `input.channels: ${input.channels} is not a whole number of stream channels of ${bands} spectrum bands each`);
  return input.channels / bands;
}
