/**
 * The MQTT host's adapter onto the signal contract's per-stream chain (src/signal/chain.ts,
 * `createSignalChain`): the model's preprocessing, then fixed windows, beat windows around the
 * detected R peaks with their RR side features, or (streaming models) the preprocessed frames
 * themselves. The one module of src/mqtt that touches src/signal.
 *
 * Indices: every window names its first and last sample as indices of the preprocessed stream
 * (the model rate) counted from the first frame pushed since construction or the last reset() (a
 * "segment"); {@link StreamChain.msAfterStart} turns one into milliseconds after the segment's
 * first raw sample, taking the chain's delay (baseline, resampling) off.
 */
import type { InputSpec, WindowingSpec } from '../model/schema.js';
import { createSignalChain, type ChainMode, type SignalChain } from '../signal/chain.js';

export type { ChainMode } from '../signal/chain.js';

export interface ChainWindow {
  /** [T, C] row-major at the model rate (for `stream` chains, the new preprocessed frames). */
  data: Float32Array;
  /** Model-rate index of the first and last sample, from the segment's start. */
  first: number;
  last: number;
  /** Side features in input.features.names order, normalised (beat models with RR features). */
  features?: Float32Array;
}

export interface StreamChain {
  readonly mode: ChainMode;
  /** Sample rate the chain hands out (the model's). */
  readonly outputRate: number;
  /** Pushes raw interleaved frames at the stream rate; returns what they complete. */
  push(samples: Float32Array): ChainWindow[];
  /** Milliseconds from the segment's first raw sample to model-rate sample `j` (the chain's delay taken off). */
  msAfterStart(j: number): number;
  /** Starts a new segment: a fresh chain (filters primed again on the next sample, partial windows dropped, indices from 0). */
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
 * @throws E_SAMPLE_RATE / E_INPUT when the stream's rate does not fit the model's chain; E_MODEL_* for what the chain cannot run
 */
export function createStreamChain(input: InputSpec, streamRate: number): StreamChain {
  return new HostChain(input, streamRate);
}

class HostChain implements StreamChain {
  private chain: SignalChain;
  private readonly windowing: WindowingSpec;

  constructor(private readonly input: InputSpec, private readonly streamRate: number) {
    this.chain = createSignalChain(input, streamRate);
    this.windowing = windowingOf(input);
  }

  get mode(): ChainMode {
    return this.chain.mode;
  }

  get outputRate(): number {
    return this.chain.outputRate;
  }

  push(samples: Float32Array): ChainWindow[] {
    const w = this.windowing;
    const C = this.input.channels;
    return this.chain.push(samples).map((x) => {
      // `at`: the window's first frame (fixed), its R peak (beat), the chunk's first frame (stream).
      const first = w.mode === 'beat' ? x.at - w.before : x.at;
      const last = w.mode === 'beat' ? x.at + w.after - 1 : x.at + x.data.length / C - 1;
      return x.features ? { data: x.data, first, last, features: x.features } : { data: x.data, first, last };
    });
  }

  msAfterStart(j: number): number {
    return ((j - this.chain.pipeline.delay) * 1000) / this.chain.outputRate;
  }

  reset(): void {
    this.chain = createSignalChain(this.input, this.streamRate);
  }
}
