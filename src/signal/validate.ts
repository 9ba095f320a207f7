/** Input checks shared by the signal stages: one place that turns bad samples into E_INPUT. */
import { WavegateError } from '../errors.js';

/**
 * Throws E_INPUT naming `what` and the first offending index when a sample is NaN or infinite.
 * A NaN fed into an IIR filter poisons its state forever, so stages check before they filter.
 */
export function assertFiniteSamples(samples: ArrayLike<number>, what: string): void {
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    // `v - v !== 0` is true exactly for NaN and +-Infinity, and cheaper than Number.isFinite in hot loops.
    if (v - v !== 0) throw new WavegateError('E_INPUT', `${what}: sample ${i} is ${v} (samples must be finite numbers)`);
  }
}

/** Throws E_SAMPLE_RATE when the stream's sample rate is not the one a stage or model was built for. */
export function assertSampleRate(actual: number, expected: number, what: string): void {
  if (!(Math.abs(actual - expected) <= 1e-9 * expected)) {
    throw new WavegateError('E_SAMPLE_RATE', `${what}: sample rate ${actual} Hz does not match the expected ${expected} Hz`);
  }
}
