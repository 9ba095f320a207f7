/**
 * Integer-factor decimation for dataset building (CWRU's 48 kHz normal baseline to 12 kHz).
 *
 * Anti-alias low-pass (Butterworth, order 12, -3 dB at 0.8 x the new Nyquist frequency, run
 * causally like every stage here) followed by keeping every `factor`-th sample starting at 0.
 * Only integer factors are supported: that is all the staged data needs. When src/signal gains
 * a general polyphase resampler, the dataset builder should switch to it so that the device and
 * the datasets share one implementation.
 */
import { WavegateError } from '../../src/errors.js';
import { BiquadCascade, designLowpass } from '../../src/signal/filters.js';
import type { PreprocessingStage } from '../../src/model/schema.js';

export interface DecimateStage extends PreprocessingStage {
  kind: 'decimate';
  from: number;
  to: number;
  factor: number;
  antiAlias: { design: 'butterworth'; order: number; fc: number };
}

/** The decimation stage from `from` Hz to `to` Hz, or throws when the ratio is not an integer. */
export function decimateStage(from: number, to: number): DecimateStage {
  const factor = from / to;
  if (!Number.isInteger(factor) || factor < 1) {
    throw new WavegateError('E_INPUT', `cannot resample ${from} Hz to ${to} Hz: only integer decimation factors are supported`);
  }
  return { kind: 'decimate', from, to, factor, antiAlias: { design: 'butterworth', order: 12, fc: 0.4 * to } };
}

export function decimate(signal: Float32Array, stage: DecimateStage): Float32Array {
  if (stage.factor === 1) return signal;
  const filtered = new BiquadCascade(designLowpass(stage.antiAlias.fc, stage.from, stage.antiAlias.order)).process(signal);
  const out = new Float32Array(Math.ceil(signal.length / stage.factor));
  for (let i = 0; i < out.length; i++) out[i] = filtered[i * stage.factor];
  return out;
}
