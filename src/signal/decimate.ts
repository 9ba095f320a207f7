/**
 * Integer-factor decimation with carried state: the `decimate` preprocessing stage.
 *
 * Anti-alias low-pass (Butterworth, order 12, -3 dB at 0.8 x the new Nyquist frequency, causal,
 * like every filter stage here), then every `factor`-th sample, starting with the first sample
 * of the stream. The dataset builders (tools/datasets) decimate with this class and record the
 * stage in the dataset's metadata; src/signal/pipeline.ts runs the same stage on the device, so
 * a model trained on decimated windows sees the same samples in service. Chunked and whole
 * processing give identical output.
 */
import { WavegateError } from '../errors.js';
import type { PreprocessingStage } from '../model/schema.js';
import { BiquadCascade, designLowpass } from './filters.js';

export interface DecimateStage extends PreprocessingStage {
  kind: 'decimate';
  from: number;
  to: number;
  factor: number;
  antiAlias: { design: 'butterworth'; order: number; fc: number };
}

/** The decimation stage from `from` Hz to `to` Hz, or throws E_SAMPLE_RATE when the ratio is not an integer. */
export function decimateStage(from: number, to: number): DecimateStage {
  const factor = from / to;
  if (!Number.isInteger(factor) || factor < 1) {
    throw new WavegateError('E_SAMPLE_RATE', `cannot resample ${from} Hz to ${to} Hz: only integer decimation factors are supported`);
  }
  return { kind: 'decimate', from, to, factor, antiAlias: { design: 'butterworth', order: 12, fc: 0.4 * to } };
}

export class Decimator {
  private readonly filter: BiquadCascade;
  /** Input samples to skip before the next kept one. */
  private skip = 0;

  constructor(readonly stage: DecimateStage) {
    this.filter = new BiquadCascade(designLowpass(stage.antiAlias.fc, stage.from, stage.antiAlias.order));
  }

  /** Filters a chunk and returns the samples it keeps (about chunk.length / factor). */
  process(input: Float32Array): Float32Array {
    if (this.stage.factor === 1) return input;
    const filtered = this.filter.process(input);
    const count = this.skip >= filtered.length ? 0 : Math.ceil((filtered.length - this.skip) / this.stage.factor);
    const out = new Float32Array(count);
    for (let k = 0; k < count; k++) out[k] = filtered[this.skip + k * this.stage.factor];
    this.skip = this.skip + count * this.stage.factor - filtered.length;
    return out;
  }
}

/** Whole-signal convenience: a fresh Decimator over `signal`. */
export function decimate(signal: Float32Array, stage: DecimateStage): Float32Array {
  return new Decimator(stage).process(signal);
}
