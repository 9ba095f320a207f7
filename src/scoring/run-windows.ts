/**
 * Scores a batch of windows, with the side features a model takes: the one place scoring calls
 * `Session.run`, so the call with features is written once.
 */
import { WavegateError } from '../errors.js';
import type { Session } from '../runtime/session.js';

/**
 * Runs `n` windows [n, T, C] and, when the model takes side features, their feature vectors
 * [n, F] (checked here: F must be the model's `input.features.names.length`). Returns [n, outSize].
 */
export function runWindows(session: Session, windows: Float32Array, n: number, T: number, features?: Float32Array): Float32Array {
  const spec = session.metadata.input.features;
  if (!spec) {
    if (features) throw new WavegateError('E_INPUT', 'side features were given, but the model takes none (no input.features)');
    return session.run(windows, n, T);
  }
  const F = spec.names.length;
  if (!features) throw new WavegateError('E_INPUT', `the model takes ${F} side feature(s) per window (${spec.names.join(', ')}) and none were given`);
  if (features.length !== n * F) throw new WavegateError('E_INPUT', `side features: ${features.length} values for ${n} window(s) of ${F} feature(s) (${spec.names.join(', ')})`);
  return session.run(windows, n, { T, features });
}
