import { isWavegateError } from '../errors.js';

/** sysexits.h EX_TEMPFAIL: a temporary failure; trying again later may work. */
export const EXIT_TEMPFAIL = 75;

/**
 * Wraps a command action so that bad input ends the process with one clear line on stderr
 * (`wavegate: E_CODE: message`) and exit status 1, instead of a stack trace; an MQTT broker that
 * cannot be reached (E_UNREACHABLE, which may pass by itself) exits 75 (EX_TEMPFAIL), so that a
 * service manager can retry that and not a bad config. Anything that is not a WavegateError is a
 * bug: it keeps its stack and exits with status 70 (EX_SOFTWARE).
 */
export function runAction<A extends unknown[]>(action: (...args: A) => Promise<void> | void) {
  return async (...args: A): Promise<void> => {
    try {
      await action(...args);
    } catch (e) {
      if (isWavegateError(e)) {
        process.stderr.write(`wavegate: ${e.code}: ${e.message}\n`);
        process.exitCode = e.code === 'E_UNREACHABLE' ? EXIT_TEMPFAIL : 1;
      } else {
        process.stderr.write(`wavegate: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
        process.exitCode = 70;
      }
    }
  };
}
