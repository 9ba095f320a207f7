/**
 * The device's signal chain, as offline record scoring uses it: raw frames at the record's rate in,
 * model windows (with their sample index and side features) out. This file is the one adapter
 * between scoring and src/signal: `createSignalChain` (src/signal/chain.ts) does the work, the stage
 * schema is src/model/stages.ts.
 */
import { WavegateError } from '../errors.js';
import type { InputSpec, PreprocessingStage } from '../model/schema.js';
import { parseStages } from '../model/stages.js';
import { createSignalChain, type ChainWindow as SignalChainWindow } from '../signal/chain.js';
import { buildPipeline } from '../signal/pipeline.js';
import { QRS_OPTION_NAMES } from '../signal/qrs.js';

/** One model input the chain produced. */
export interface ChainWindow {
  /** [window, channels] at the model's rate. */
  data: Float32Array;
  /** The window's first sample (fixed windows) or its R peak (beat windows), in the stream's own samples. */
  sample: number;
  /** Side features, normalised as the model says (beat models with RR features). */
  features?: Float32Array;
}

export interface RecordChain {
  /** Rate of the frames `push` takes (the record's). */
  readonly streamRate: number;
  /** Rate after preprocessing (the model's). */
  readonly modelRate: number;
  /** Pushes interleaved frames [n, channels] at the stream rate; returns the windows they complete. */
  push(frames: Float32Array): ChainWindow[];
  /** Ends the stream (offline): returns what a detector still held back. */
  end(): ChainWindow[];
}

/**
 * The chain for a model's input spec and a stream of `streamRate` Hz. A stream at another rate than
 * the model's raw rate is accepted only when the model's stages change the rate (a `resample` or
 * `decimate` stage); otherwise the chain refuses it naming both rates.
 */
export function createRecordChain(input: InputSpec, streamRate: number, source = 'stream'): RecordChain {
  const windowing = input.windowing;
  if (!windowing) throw new WavegateError('E_MODEL_UNSUPPORTED', `${source}: the model does not say how its windows are cut (no input.windowing; import it with --dataset or --meta)`);
  if (windowing.mode === 'stream') throw new WavegateError('E_MODEL_UNSUPPORTED', `${source}: the model streams (input.windowing.mode "stream"); offline scoring cuts fixed or beat windows`);
  const features = input.features;
  if (features && features.kind !== 'rr') {
    throw new WavegateError('E_MODEL_UNSUPPORTED', `${source}: the model takes "${features.kind}" side features (${features.names.join(', ')}), which only the caller can supply (score --input with an .npz "features" array)`);
  }
  let chain: ReturnType<typeof createSignalChain>;
  try {
    chain = createSignalChain(input, streamRate);
  } catch (e) {
    if (e instanceof WavegateError) throw new WavegateError(e.code, `${source}: ${e.message}`, { cause: e });
    throw e;
  }
  const pick = (w: SignalChainWindow): ChainWindow => ({ data: w.data, sample: w.sample, ...(w.features ? { features: w.features } : {}) });
  return {
    streamRate,
    modelRate: chain.outputRate,
    push: (frames) => chain.push(frames).map(pick),
    end: () => chain.flush().map(pick),
  };
}

/** Reports a problem at a field path and never returns (the caller decides code and file name). */
export type FieldFail = (path: string, problem: string) => never;

/** QRS detector settings a beat model may carry (src/signal/qrs.ts QrsOptions other than fs). */
export const QRS_SETTING_NAMES = QRS_OPTION_NAMES;

/** Checks stage kinds, keys and values with the one stage schema; `path` is the list's field path, e.g. `input.preprocessing`. */
export function checkStages(stages: unknown, path: string, fail: FieldFail): PreprocessingStage[] {
  try {
    return parseStages(stages, { path }) as PreprocessingStage[];
  } catch (e) {
    if (!(e instanceof WavegateError)) throw e;
    const at = e.message.indexOf(': ');
    return fail(e.message.slice(0, at), e.message.slice(at + 2));
  }
}

/**
 * Builds the device chain of `input` at its raw rate (without running it), so that a model is never
 * written with stages, rates or detector settings the device refuses. Returns the chain's output rate.
 */
export function checkDeviceChain(input: InputSpec, source: string): number {
  const rawRate = input.raw?.sampleRate;
  if (rawRate === undefined) throw new WavegateError('E_MODEL_FORMAT', `${source}: input.raw.sampleRate is missing`);
  if (input.windowing?.mode === 'stream' || !input.windowing) return buildPipeline(input, rawRate).outputRate;
  // External features come from the caller at run time; the chain itself needs only the rest.
  const forChain = input.features?.kind === 'external' ? { ...input, features: undefined } : input;
  return createRecordChain(forChain, rawRate, source).modelRate;
}
