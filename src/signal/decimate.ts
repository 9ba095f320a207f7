/**
 * Integer-factor decimation with carried state: what the `decimate {to}` stage runs.
 *
 * Anti-alias low-pass (Butterworth, order {@link DECIMATE_AA_ORDER}, -3 dB at
 * {@link DECIMATE_AA_FRACTION} x the new rate, i.e. 0.8 x the new Nyquist frequency, causal like
 * every filter of the chain and primed with the first sample), then every `factor`-th sample,
 * starting with the first sample of the stream: output k is input k * factor. The factor is
 * whatever the arriving rate makes it (48 kHz -> 12 kHz: 4; 12 kHz -> 12 kHz: 1, a no-op), so
 * one stage serves recordings at several rates. Chunked and whole processing give identical output.
 */
import { WavegateError } from '../errors.js';
import { BiquadCascade, designLowpass } from './filters.js';

/** Butterworth order of the anti-alias filter. */
export const DECIMATE_AA_ORDER = 12;
/** Anti-alias cut-off as a fraction of the output rate (0.4: 80 % of the new Nyquist frequency). */
export const DECIMATE_AA_FRACTION = 0.4;

/** The integer factor from `from` Hz to `to` Hz; E_SAMPLE_RATE naming both rates when there is none. */
export function decimationFactor(from: number, to: number): number {
  const factor = from / to;
  const k = Math.round(factor);
  if (!(k >= 1) || Math.abs(factor - k) > 1e-9 * factor) {
    throw new WavegateError('E_SAMPLE_RATE', `cannot decimate ${from} Hz to ${to} Hz: the factor ${+factor.toFixed(6)} is not an integer`);
  }
  return k;
}

/**
 * The anti-aliased chunk before the kept samples are taken, shared by every decimator: process()
 * consumes it before it returns, so one buffer serves all the streams of a process.
 */
let filtered = new Float32Array(0);

export class Decimator {
  readonly factor: number;
  private readonly filter: BiquadCascade | undefined;
  private primed = false;
  /** Input samples to skip before the next kept one. */
  private skip = 0;

  constructor(readonly from: number, readonly to: number) {
    this.factor = decimationFactor(from, to);
    this.filter = this.factor === 1 ? undefined : new BiquadCascade(designLowpass(DECIMATE_AA_FRACTION * to, from, DECIMATE_AA_ORDER));
  }

  /** Filters a chunk and returns the samples it keeps (about chunk.length / factor). */
  process(input: Float32Array): Float32Array {
    if (!this.filter) return input;
    if (!this.primed && input.length > 0) {
      this.filter.prime(input[0]);
      this.primed = true;
    }
    if (filtered.length < input.length) filtered = new Float32Array(Math.max(input.length, 2 * filtered.length, 1024));
    this.filter.process(input, filtered); // the first input.length values
    const f = this.factor;
    const n = input.length;
    const count = this.skip >= n ? 0 : Math.ceil((n - this.skip) / f);
    const out = new Float32Array(count);
    for (let k = 0; k < count; k++) out[k] = filtered[this.skip + k * f];
    this.skip = this.skip + count * f - n;
    return out;
  }
}
