import { expect } from 'vitest';
import { isWavegateError, type WavegateErrorCode } from '../../src/errors.js';

/** Asserts that `fn` throws a WavegateError with `code` whose message matches `pattern`. */
export function expectWavegateError(fn: () => unknown, code: WavegateErrorCode, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(isWavegateError(e, code), String(e)).toBe(true);
    expect((e as Error).message).toMatch(pattern);
    return;
  }
  throw new Error(`expected a WavegateError ${code}`);
}

/** The readers' usual case: a malformed file. */
export const expectFormatError = (fn: () => unknown, pattern: RegExp): void => expectWavegateError(fn, 'E_FILE_FORMAT', pattern);
