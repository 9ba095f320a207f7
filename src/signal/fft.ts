/**
 * Radix-2 FFT (iterative, in place, precomputed twiddles and bit-reversal per size) and a plain
 * O(n^2) DFT as its reference. Written here rather than taken from npm: it is 60 lines, the
 * device bundle stays dependency-free, and the sizes used (frames of 256-4096) do not need more.
 */
import { WavegateError } from '../errors.js';
import { cosTurns, sinTurns } from './exact-math.js';

/** A reusable FFT plan for one power-of-two size. */
export class Fft {
  readonly size: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly rev: Uint32Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
      throw new WavegateError('E_ARGUMENT', `Fft: size must be a power of two >= 2, got ${size}`);
    }
    this.size = size;
    this.cos = new Float64Array(size / 2);
    this.sin = new Float64Array(size / 2);
    for (let k = 0; k < size / 2; k++) {
      // exact-math: the same twiddles on every engine (the spectrum stage's values depend on them).
      this.cos[k] = cosTurns(k / size);
      this.sin[k] = -sinTurns(k / size);
    }
    let bits = 0;
    while (1 << bits < size) bits++;
    this.rev = new Uint32Array(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
  }

  /** Forward transform of (re, im) in place: X[k] = sum x[n] e^{-2 pi i k n / N}. */
  transform(re: Float64Array, im: Float64Array): void {
    const n = this.size;
    if (re.length !== n || im.length !== n) throw new WavegateError('E_ARGUMENT', `Fft.transform: arrays must hold ${n} values`);
    // Locals, not property loads, in the loops: V8 keeps them in registers (the spectrum stage
    // runs an FFT per frame per stream). The arithmetic and its order are the plain radix-2's.
    const rev = this.rev, cos = this.cos, sin = this.sin;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        let t = re[i]; re[i] = re[j]; re[j] = t;
        t = im[i]; im[i] = im[j]; im[j] = t;
      }
    }
    for (let len = 2; len <= n; len <<= 1) {
      const half = len >> 1, step = n / len;
      // Twiddle outer, blocks inner: each twiddle is loaded once per stage. Every butterfly is
      // independent within a stage, so the order does not change a bit.
      for (let k = 0, w = 0; k < half; k++, w += step) {
        const wr = cos[w], wi = sin[w];
        for (let a = k; a < n; a += len) {
          const b = a + half;
          const br = re[b], bi = im[b];
          const xr = br * wr - bi * wi, xi = br * wi + bi * wr;
          const ar = re[a], ai = im[a];
          re[b] = ar - xr; im[b] = ai - xi;
          re[a] = ar + xr; im[a] = ai + xi;
        }
      }
    }
  }

  /** |X[k]|^2 for k = 0..N/2 of a real frame (optionally windowed, e.g. by {@link hann}). */
  powerSpectrum(frame: ArrayLike<number>, window?: Float64Array): Float64Array {
    const n = this.size;
    const re = new Float64Array(n), im = new Float64Array(n);
    const m = Math.min(n, frame.length);
    for (let i = 0; i < m; i++) re[i] = window ? frame[i] * window[i] : frame[i];
    this.transform(re, im);
    const p = new Float64Array(n / 2 + 1);
    for (let k = 0; k <= n / 2; k++) p[k] = re[k] * re[k] + im[k] * im[k];
    return p;
  }
}

/** Periodic Hann window of length n. */
export function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * cosTurns(i / n);
  return w;
}

/** Reference DFT, O(n^2): the truth the FFT is tested against. */
export function dftReference(re: ArrayLike<number>, im: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const outRe = new Float64Array(n), outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sr = 0, si = 0;
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      sr += re[t] * Math.cos(a) - im[t] * Math.sin(a);
      si += re[t] * Math.sin(a) + im[t] * Math.cos(a);
    }
    outRe[k] = sr;
    outIm[k] = si;
  }
  return { re: outRe, im: outIm };
}

/** Smallest power of two >= n. */
export function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p <<= 1;
  return p;
}
