/**
 * Static activation scales from observed values: the three classic choices for a symmetric int8
 * (or int7) scale, each a clipping threshold c with scale = c / qmax.
 *
 *   minmax      c = max |v|                      nothing clipped; the step follows the largest value
 *   percentile  c = the p-th percentile of |v|   the rare outliers clipped (p = 99.9, 99.99)
 *   mse         c minimising E[(v - s q(v/s))^2] the rounding and clipping errors balanced
 *
 * (TensorRT and PyTorch's observers offer the same three; the quantizer measures which one keeps
 * the INT8 model closest to the float model, tools/quantize/select.ts.) The values are kept as a
 * seeded reservoir sample of |v| (Vitter's algorithm R, the project's PRNG), so statistics of a
 * layer that sees millions of values stay bounded in memory; the maximum is exact.
 */
import { WavegateError } from '../../src/errors.js';
import { roundHalfAway } from '../../src/model/formats.js';
import { Rng } from '../synth/rng.js';

export type CalibrationMethod = 'minmax' | 'p99.9' | 'p99.99' | 'mse';
export const CALIBRATION_METHODS: readonly CalibrationMethod[] = ['minmax', 'p99.9', 'p99.99', 'mse'];

/** Values kept per statistic: 2^18 |v| samples bound a percentile's rank error to ~0.2% of its tail (sqrt(p(1-p)/n) at p = 0.999) and the MSE search to ~0.1 s. */
export const RESERVOIR_SIZE = 1 << 18;

/** |v| statistics of one quantized input (a layer's input, or the feature columns of the first dense layer). */
export class ActivationStats {
  /** Values seen (finite ones; NaN never occurs in a validated float model's activations). */
  count = 0;
  /** Exact max |v| over every value seen. */
  maxAbs = 0;
  private readonly sample: Float64Array;
  private readonly rng: Rng;

  constructor(readonly capacity = RESERVOIR_SIZE, seed = 1) {
    this.sample = new Float64Array(capacity);
    this.rng = new Rng(seed);
  }

  /** Adds values[from, to). */
  add(values: ArrayLike<number>, from = 0, to = values.length): void {
    for (let i = from; i < to; i++) {
      const a = Math.abs(values[i]);
      if (!Number.isFinite(a)) throw new WavegateError('E_INPUT', `calibration: a non-finite activation (${values[i]}); the float model or its input is broken`);
      if (a > this.maxAbs) this.maxAbs = a;
      if (this.count < this.capacity) this.sample[this.count] = a;
      else {
        const j = Math.floor(this.rng.next() * (this.count + 1));
        if (j < this.capacity) this.sample[j] = a;
      }
      this.count++;
    }
  }

  /** The kept |v| values, ascending. */
  sorted(): Float64Array {
    return this.sample.slice(0, Math.min(this.count, this.capacity)).sort();
  }
}

/** Mean squared error of quantizing the |v| values `a` at scale s with codes in [0, qmax] (symmetric, so |v| suffices). */
export function quantizationMse(a: ArrayLike<number>, scale: number, qmax: number): number {
  if (a.length === 0) return 0;
  let e = 0;
  for (let i = 0; i < a.length; i++) {
    const q = Math.min(qmax, roundHalfAway(a[i] / scale));
    const d = a[i] - q * scale;
    e += d * d;
  }
  return e / a.length;
}

/** The p-th percentile (0..100) of ascending values, by the nearest-rank rule. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  // The epsilon keeps an exact rank exact: 99.9 / 100 * 1000 is 999.0000000000001 in binary.
  const rank = Math.ceil((p / 100) * sorted.length - 1e-9);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * Clipping threshold minimising the quantization MSE over the kept values: a grid of 128
 * thresholds in (0, max], then 64 more around the best (the error is not unimodal in c at small
 * scales, where codes jump, so a grid rather than a bisection).
 */
export function mseOptimalClip(sorted: ArrayLike<number>, maxAbs: number, qmax: number): number {
  if (!(maxAbs > 0)) return 0;
  let best = maxAbs;
  let bestErr = quantizationMse(sorted, maxAbs / qmax, qmax);
  const tryClip = (c: number) => {
    if (!(c > 0) || c > maxAbs) return;
    const e = quantizationMse(sorted, c / qmax, qmax);
    if (e < bestErr) {
      bestErr = e;
      best = c;
    }
  };
  const N = 128;
  for (let i = 1; i < N; i++) tryClip((maxAbs * i) / N);
  const step = maxAbs / N;
  const centre = best;
  for (let i = -32; i <= 32; i++) tryClip(centre + (step * i) / 32);
  return best;
}

/**
 * The static scale `method` gives for these statistics and code range (qmax 127 or 63). An input
 * that was zero throughout gets the scale 1 (any positive scale codes it as 0; the kernel needs > 0).
 */
export function chooseScale(stats: ActivationStats, method: CalibrationMethod, qmax: number): number {
  const sorted = stats.sorted();
  let clip: number;
  if (method === 'minmax') clip = stats.maxAbs;
  else if (method === 'p99.9') clip = percentile(sorted, 99.9);
  else if (method === 'p99.99') clip = percentile(sorted, 99.99);
  else clip = mseOptimalClip(sorted, stats.maxAbs, qmax);
  // A percentile can be 0 when nearly every value is (a sparse input): fall back to the maximum.
  if (!(clip > 0)) clip = stats.maxAbs;
  if (!(clip > 0)) return 1;
  return Math.fround(clip / qmax);
}
