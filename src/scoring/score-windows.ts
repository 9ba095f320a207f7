/**
 * Scores windows that are already cut ([N, T, C], e.g. a dataset's `x`), with their side features
 * when the model takes them: what `wavegate score --input` runs.
 */
import { WavegateError } from '../errors.js';
import type { NpyArray } from '../io/npy.js';
import type { SampleWindows } from '../io/samples.js';
import type { Model } from '../runtime/model.js';
import type { BackendChoice } from '../runtime/options.js';
import { assertKnownOptions } from '../options-check.js';
import { runWindows } from './run-windows.js';
import { topLabel } from './score-record.js';

export interface ScoredInputWindow {
  /** Window number in the input, from 0. */
  index: number;
  /** The label of the largest output, when the model has labels. */
  label?: string;
  output: number[];
}

export interface ScoreWindowsOptions {
  /** Side features [N, F] float32, F = the model's `input.features.names.length`. Required when the model takes them. */
  features?: Float32Array;
  /** Windows per kernel call. Default 64. */
  batch?: number;
  /** Kernel build. Default `auto`. */
  backend?: BackendChoice;
  /** Called after each batch: windows scored so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

const SCORE_WINDOWS_OPTIONS = ['features', 'batch', 'backend', 'onProgress'] as const;

/** Checks the windows' shape against the model; `source` names the input in messages. */
export function checkWindows(model: Model, samples: SampleWindows, source: string): void {
  const { channels, window } = model.metadata.input;
  if (samples.c !== channels) throw new WavegateError('E_INPUT', `${source}: windows have ${samples.c} channel(s), the model expects ${channels}`);
  if (window !== undefined && samples.t !== window) throw new WavegateError('E_INPUT', `${source}: windows are ${samples.t} steps long, the model expects ${window}`);
}

/**
 * The side features of `n` windows from an .npz's `features` array (float32 [N, F]), checked
 * against the model. Undefined when the model takes none (an array the model does not use is ignored).
 */
export function featuresFor(model: Model, array: NpyArray | undefined, n: number, source: string): Float32Array | undefined {
  const spec = model.metadata.input.features;
  if (!spec) return undefined;
  const F = spec.names.length;
  const what = `${F} side feature(s) per window (${spec.names.join(', ')})`;
  if (!array) throw new WavegateError('E_INPUT', `${source}: the model takes ${what}; give an .npz with a "features" array float32 [N, ${F}] beside "x"`);
  if (array.dtype !== 'float32') throw new WavegateError('E_INPUT', `${source}: features: expected float32, got ${array.dtype}`);
  if (array.shape.length !== 2 || array.shape[0] !== n || array.shape[1] !== F) {
    throw new WavegateError('E_INPUT', `${source}: features has shape [${array.shape.join(', ')}]; the model takes ${what}, so [${n}, ${F}] for ${n} window(s)`);
  }
  const data = array.data as Float32Array;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new WavegateError('E_INPUT', `${source}: features[${Math.floor(i / F)}, ${i % F}] (${spec.names[i % F]}) is ${data[i]}`);
  }
  return data;
}

/** Scores every window in order, yielding batches. */
export async function* scoreWindows(model: Model, samples: SampleWindows, options: ScoreWindowsOptions = {}): AsyncGenerator<ScoredInputWindow[]> {
  assertKnownOptions(options, SCORE_WINDOWS_OPTIONS, 'scoreWindows() options');
  checkWindows(model, samples, 'windows');
  const batch = options.batch ?? 64;
  const session = await model.createSession({ maxBatch: batch, maxWindow: samples.t, backend: options.backend });
  const stride = samples.t * samples.c;
  const F = model.metadata.input.features?.names.length ?? 0;
  const labels = model.metadata.labels;
  if (options.features && options.features.length !== samples.n * F) {
    throw new WavegateError('E_INPUT', `side features: ${options.features.length} values for ${samples.n} window(s) of ${F} feature(s)`);
  }
  try {
    for (let start = 0; start < samples.n; start += batch) {
      const n = Math.min(batch, samples.n - start);
      const features = F > 0 ? options.features?.subarray(start * F, (start + n) * F) : undefined;
      const y = runWindows(session, samples.data.subarray(start * stride, (start + n) * stride), n, samples.t, features);
      const S = session.outputSize;
      const out: ScoredInputWindow[] = [];
      for (let k = 0; k < n; k++) {
        const output = Array.from(y.subarray(k * S, (k + 1) * S));
        const label = topLabel(output, labels);
        out.push({ index: start + k, ...(label !== undefined ? { label } : {}), output });
      }
      yield out;
      options.onProgress?.(start + n, samples.n);
    }
  } finally {
    session.dispose();
  }
}
