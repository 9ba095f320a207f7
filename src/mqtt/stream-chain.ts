/**
 * The one place the MQTT host calls the signal chain (src/signal): for one stream, the model's
 * preprocessing, then fixed windows (window-assembler.ts), beat windows around detected R peaks
 * (beat-pipeline.ts), or the preprocessed samples themselves for streaming models (Session.push).
 * When the signal contract's per-stream device chain lands (issue 8), this file alone changes.
 *
 * Indices: every window names its first and last sample as indices at the model rate, counted
 * from the first sample pushed since construction or the last reset() (a "segment"); the host
 * turns them into times with the segment's first timestamp.
 */
import { WavegateError } from '../errors.js';
import type { InputSpec, WindowingSpec } from '../model/schema.js';
import { BeatPipeline } from '../signal/beat-pipeline.js';
import { buildPipeline, type Pipeline } from '../signal/pipeline.js';
import { WindowAssembler } from '../signal/window-assembler.js';

export type ChainMode = WindowingSpec['mode'];

export interface ChainWindow {
  /** [T, C] row-major at the model rate (for `stream` chains, the new preprocessed samples). */
  data: Float32Array;
  /** Model-rate index of the first and last sample, from the segment's start. */
  first: number;
  last: number;
  /** Beat models: the beat's RR features in seconds (pre, post, local, average). */
  rr?: Float32Array;
}

export interface StreamChain {
  readonly mode: ChainMode;
  /** Sample rate the chain hands out (the model's). */
  readonly outputRate: number;
  /** Pushes raw interleaved frames at the stream rate; returns what they complete. */
  push(samples: Float32Array): ChainWindow[];
  /** Starts a new segment: filters re-primed, partial windows dropped, indices from 0. */
  reset(): void;
}

/** How a model cuts its input: its `input.windowing`, or for older files fixed windows of input.window. */
export function windowingOf(input: InputSpec): WindowingSpec {
  if (input.windowing) return input.windowing;
  if (input.window !== undefined) return { mode: 'fixed', window: input.window, hop: input.hop ?? input.window };
  return { mode: 'stream' };
}

/**
 * Builds the chain for a model's input and a stream of `streamRate` Hz.
 * @throws E_INPUT when the stream's rate does not fit the model's chain
 */
export function createStreamChain(input: InputSpec, streamRate: number): StreamChain {
  const windowing = windowingOf(input);
  switch (windowing.mode) {
    case 'fixed':
      return new FixedChain(input, streamRate, windowing.window, windowing.hop);
    case 'beat':
      return new BeatChain(input, streamRate, windowing);
    case 'stream':
      return new PushChain(input, streamRate);
    default:
      throw new WavegateError('E_MODEL_UNSUPPORTED', `input.windowing.mode ${JSON.stringify((windowing as { mode: unknown }).mode)} is not one this host runs`);
  }
}

class FixedChain implements StreamChain {
  readonly mode = 'fixed';
  private pipeline!: Pipeline;
  private assembler!: WindowAssembler;
  private chunks = 0;

  constructor(private readonly input: InputSpec, private readonly streamRate: number, private readonly window: number, private readonly hop: number) {
    this.reset();
  }

  get outputRate(): number {
    return this.pipeline.info.outputRate;
  }

  push(samples: Float32Array): ChainWindow[] {
    // Without stages the chain is the identity (the decoder has checked the samples): skip its copies.
    const y = this.identity ? samples : this.pipeline.process(samples);
    // The host has already checked sequence numbers; the assembler sees one contiguous segment.
    return this.assembler.push(this.chunks++, y).map((w) => ({ data: w.data, first: w.start, last: w.start + this.window - 1 }));
  }

  private get identity(): boolean {
    return this.pipeline.info.stages.length === 0;
  }

  reset(): void {
    this.pipeline = buildPipeline(this.input, this.streamRate);
    this.assembler = new WindowAssembler({ length: this.window, hop: this.hop, channels: this.input.channels, checkFinite: false });
    this.chunks = 0;
  }
}

class BeatChain implements StreamChain {
  readonly mode = 'beat';
  private beats!: BeatPipeline;

  constructor(private readonly input: InputSpec, private readonly streamRate: number, private readonly w: Extract<WindowingSpec, { mode: 'beat' }>) {
    this.reset();
  }

  get outputRate(): number {
    return this.beats.pipeline.info.outputRate;
  }

  push(samples: Float32Array): ChainWindow[] {
    const window = this.w.before + this.w.after;
    const out: ChainWindow[] = [];
    // BeatPipeline keeps samples for one second past the detector's latency; a longer chunk would
    // lose the windows of its early beats (their peaks arrive after the samples are gone), so
    // long frames go in one-second pieces.
    const step = Math.max(1, Math.floor(this.streamRate)) * this.input.channels;
    for (let at = 0; at < samples.length; at += step) {
      for (const b of this.beats.push(samples.subarray(at, at + step))) out.push({ data: b.data, first: b.r - this.w.before, last: b.r - this.w.before + window - 1, rr: b.rr });
    }
    return out;
  }

  reset(): void {
    const { detector: _detector, ...qrs } = this.w.qrs;
    this.beats = new BeatPipeline(this.input, this.streamRate, { window: this.w.before + this.w.after, before: this.w.before, qrs });
  }
}

class PushChain implements StreamChain {
  readonly mode = 'stream';
  private pipeline!: Pipeline;
  private produced = 0;

  constructor(private readonly input: InputSpec, private readonly streamRate: number) {
    this.reset();
  }

  get outputRate(): number {
    return this.pipeline.info.outputRate;
  }

  push(samples: Float32Array): ChainWindow[] {
    const y = this.pipeline.process(samples);
    const frames = y.length / this.input.channels;
    if (frames === 0) return [];
    const first = this.produced;
    this.produced += frames;
    return [{ data: y, first, last: first + frames - 1 }];
  }

  reset(): void {
    this.pipeline = buildPipeline(this.input, this.streamRate);
    this.produced = 0;
  }
}
