/**
 * Option objects of the public API are checked for names they do not know: a misspelt option
 * (`maxBach`) silently falling back to its default is a wrong answer that looks right.
 */
import { WavegateError } from './errors.js';

/**
 * Throws E_ARGUMENT naming every key of `options` that is not in `known` (and the known ones),
 * e.g. `session options: unknown option "maxBach" (known: maxBatch, maxChunk, ...)`.
 * `undefined` or `null` options pass (callers default them); anything but an object is refused.
 */
export function assertKnownOptions(options: unknown, known: readonly string[], where: string): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new WavegateError('E_ARGUMENT', `${where}: options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`);
  }
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    const names = unknown.map((k) => JSON.stringify(k)).join(', ');
    throw new WavegateError('E_ARGUMENT', `${where}: unknown option${unknown.length > 1 ? 's' : ''} ${names} (known: ${known.join(', ')})`);
  }
}
