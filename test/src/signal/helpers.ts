/** Test helpers shared by the signal tests: sines, steady-state gain, chunk splitting. */
import { Rng } from '../../../tools/synth/rng.js';

/** A float32 sine of `n` samples at `f` Hz. */
export function sine(f: number, fs: number, n: number, amplitude = 1, phase = 0): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amplitude * Math.sin((2 * Math.PI * f * i) / fs + phase);
  return x;
}

/** RMS of `x[from..]`. */
export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, to - from));
}

/** Cuts `x` at the given (sorted, deduplicated here) points. */
export function splitAt<T extends Float32Array>(x: T, cuts: number[]): T[] {
  const points = [...new Set(cuts.map((c) => Math.min(Math.max(0, c), x.length)))].sort((a, b) => a - b);
  const parts: T[] = [];
  let prev = 0;
  for (const p of [...points, x.length]) {
    parts.push(x.subarray(prev, p) as T);
    prev = p;
  }
  return parts;
}

/** Deterministic pseudo-random noise in [-1, 1) for tests (the seeded generator of tools/synth/rng.ts). */
export function noise(n: number, seed = 1): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.uniform(-1, 1);
  return x;
}
