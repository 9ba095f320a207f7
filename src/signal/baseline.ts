/**
 * Baseline-wander removal by two cascaded median filters (200 ms then 600 ms), the method of de
 * Chazal et al. (IEEE TBME 51(7), 2004) for MIT-BIH beat classification: the first median
 * removes the QRS and P waves, the second the T wave, leaving the baseline, which is
 * subtracted. Unlike a 0.5 Hz high-pass it leaves the ST segment undistorted.
 *
 * Streaming with a fixed delay: output n is input n - D minus the baseline centred there, with
 * D = (w1 - 1) / 2 + (w2 - 1) / 2 samples (w = window lengths made odd); 144 samples (400 ms)
 * at 360 Hz. Before the first sample the signal is taken as equal to it (primed windows).
 * Each median keeps its window sorted: O(w) per sample, about 2 x 300 element moves at 360 Hz.
 */
import { WavegateError } from '../errors.js';

/** Running median of the last `width` samples (width odd), with carried state. */
export class MedianFilter {
  readonly width: number;
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private pos = 0;
  private primed = false;

  constructor(width: number) {
    if (!Number.isInteger(width) || width < 1 || width % 2 === 0) throw new WavegateError('E_ARGUMENT', `MedianFilter: width must be an odd integer >= 1, got ${width}`);
    this.width = width;
    this.ring = new Float64Array(width);
    this.sorted = new Float64Array(width);
  }

  /** Index of the first element >= v in the sorted window. */
  private lowerBound(v: number): number {
    let lo = 0, hi = this.width;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Pushes one sample, returns the median of the last `width` samples. */
  push(v: number): number {
    if (!this.primed) {
      this.ring.fill(v);
      this.sorted.fill(v);
      this.primed = true;
    }
    const old = this.ring[this.pos];
    this.ring[this.pos] = v;
    this.pos = (this.pos + 1) % this.width;
    // remove `old`, insert `v`, shifting only the elements between the two positions
    const s = this.sorted;
    let i = this.lowerBound(old);
    if (v >= old) {
      while (i + 1 < this.width && s[i + 1] < v) { s[i] = s[i + 1]; i++; }
    } else {
      while (i > 0 && s[i - 1] > v) { s[i] = s[i - 1]; i--; }
    }
    s[i] = v;
    return s[(this.width - 1) >> 1];
  }
}

export interface BaselineOptions {
  fs: number;
  /** Median windows in seconds. Default [0.2, 0.6]. */
  windows?: [number, number];
}

export class BaselineRemover {
  /** Output delay in samples. */
  readonly delay: number;
  private readonly m1: MedianFilter;
  private readonly m2: MedianFilter;
  private readonly line: Float64Array;
  private pos = 0;
  private primed = false;

  constructor(options: BaselineOptions) {
    const [a, b] = options.windows ?? [0.2, 0.6];
    const odd = (s: number): number => 2 * Math.floor((s * options.fs) / 2) + 1;
    this.m1 = new MedianFilter(odd(a));
    this.m2 = new MedianFilter(odd(b));
    this.delay = (this.m1.width - 1) / 2 + (this.m2.width - 1) / 2;
    this.line = new Float64Array(this.delay + 1);
  }

  process(input: Float32Array, output: Float32Array = new Float32Array(input.length)): Float32Array {
    for (let i = 0; i < input.length; i++) {
      const x = input[i];
      if (!this.primed) { this.line.fill(x); this.primed = true; }
      this.line[this.pos] = x;
      this.pos = (this.pos + 1) % this.line.length;
      const delayed = this.line[this.pos]; // written delay samples ago
      output[i] = delayed - this.m2.push(this.m1.push(x));
    }
    return output;
  }
}

/** Plain reference: median of each window recomputed by sorting (for tests). */
export function medianReference(x: ArrayLike<number>, width: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let n = 0; n < x.length; n++) {
    const w: number[] = [];
    for (let k = n - width + 1; k <= n; k++) w.push(x[Math.max(0, k)]);
    w.sort((p, q) => p - q);
    out[n] = w[(width - 1) >> 1];
  }
  return out;
}
