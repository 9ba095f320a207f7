/**
 * Preprocessing stages for dataset building, written as the PreprocessingStage objects that
 * travel in the dataset meta and then in the model file, and applied with the device's own
 * filters (src/signal/filters.ts) so that training data and device input match.
 *
 * Filters run causally from the first sample of each recording with zero initial state, exactly
 * as a device stream that starts with the recording. No zero-phase (forward-backward) filtering:
 * a device cannot run it, and a model trained on it would see different waveforms.
 *
 * Spec strings (CLI `--preprocess`, comma separated, applied in order):
 *   none                       no stage
 *   bandpass:<low>-<high>[:<order>]   Butterworth band-pass, Hz, order per side (default 2)
 *   highpass:<fc>[:<order>]    Butterworth high-pass
 *   lowpass:<fc>[:<order>]     Butterworth low-pass
 */
import { WavegateError } from '../../src/errors.js';
import { BiquadCascade, designBandpass, designHighpass, designLowpass, type Biquad } from '../../src/signal/filters.js';
import type { PreprocessingStage } from '../../src/model/schema.js';

export type FilterStage =
  | { kind: 'bandpass'; low: number; high: number; order: number; fs: number }
  | { kind: 'highpass'; fc: number; order: number; fs: number }
  | { kind: 'lowpass'; fc: number; order: number; fs: number };

function number(text: string, spec: string): number {
  const v = Number(text);
  if (text === '' || !Number.isFinite(v)) throw new WavegateError('E_ARGUMENT', `--preprocess ${spec}: ${JSON.stringify(text)} is not a number`);
  return v;
}

/** Parses a `--preprocess` value into stages at sample rate `fs`. */
export function parsePreprocessing(spec: string, fs: number): FilterStage[] {
  const out: FilterStage[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    if (part === 'none') continue;
    const [kind, arg = '', orderText] = part.split(':');
    const order = orderText === undefined ? 2 : number(orderText, part);
    if (kind === 'bandpass') {
      const m = /^([^-]+)-(.+)$/.exec(arg);
      if (!m) throw new WavegateError('E_ARGUMENT', `--preprocess ${part}: expected bandpass:<low>-<high>[:order]`);
      out.push({ kind, low: number(m[1], part), high: number(m[2], part), order, fs });
    } else if (kind === 'highpass' || kind === 'lowpass') {
      out.push({ kind, fc: number(arg, part), order, fs });
    } else {
      throw new WavegateError('E_ARGUMENT', `--preprocess ${part}: unknown stage ${JSON.stringify(kind)} (expected none, bandpass, highpass or lowpass)`);
    }
  }
  for (const s of out) designStage(s); // validate parameters now, not after reading data
  return out;
}

export function designStage(s: FilterStage): Biquad[] {
  if (s.kind === 'bandpass') return designBandpass(s.low, s.high, s.fs, s.order);
  if (s.kind === 'highpass') return designHighpass(s.fc, s.fs, s.order);
  return designLowpass(s.fc, s.fs, s.order);
}

/** Applies the stages to one channel of a whole recording (a fresh filter state per call). */
export function applyStages(signal: Float32Array, stages: readonly FilterStage[]): Float32Array {
  let out = signal;
  for (const s of stages) out = new BiquadCascade(designStage(s)).process(out);
  return out;
}

/** The stages as model-metadata entries. */
export function stagesForMeta(stages: readonly FilterStage[]): PreprocessingStage[] {
  return stages.map((s) => ({ ...s, design: 'butterworth', causal: true }));
}
