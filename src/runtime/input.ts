/**
 * Input checks and the [B, T, C] -> time-major [T, B, C] copy into the kernel's input buffer.
 * Every sample of a call is checked for NaN/Inf before the first kernel call of that call (so a
 * bad sample in the last tile cannot leave earlier tiles' streams advanced); the error names the
 * stream (or window), the time step and the channel. Nothing reaches the kernel unchecked.
 */
import { WavegateError } from '../errors.js';

/**
 * Copies `B` sequences of steps [t0, t0+T) into dst (time-major, `B` rows per step, `C` floats per
 * row). `seq(b)` gives sequence b's samples [*, C]. The samples were checked by checkFinite.
 */
export function copyTimeMajor(
  dst: Float32Array,
  dstBase: number,
  B: number,
  T: number,
  C: number,
  t0: number,
  seq: (b: number) => { data: Float32Array; offset: number },
): void {
  for (let b = 0; b < B; b++) {
    const { data, offset } = seq(b);
    let s = offset + t0 * C;
    for (let t = 0; t < T; t++) {
      let d = dstBase + (t * B + b) * C;
      for (let c = 0; c < C; c++, s++, d++) {
        dst[d] = data[s];
      }
    }
  }
}

/** Throws E_INPUT naming sequence `label`, step and channel of the first non-finite sample in data[offset, offset + T*C). */
export function checkFinite(data: Float32Array, offset: number, T: number, C: number, label: string): void {
  const end = offset + T * C;
  for (let i = offset; i < end; i++) {
    const v = data[i];
    // v - v is NaN exactly for NaN and ±Inf: one compare per sample.
    if (v - v !== 0) {
      const k = i - offset;
      throw new WavegateError('E_INPUT', `${label}: sample at step ${Math.floor(k / C)}, channel ${k % C} is ${v}; inputs must be finite`);
    }
  }
}

/** Checks a typed array argument. */
export function requireFloat32(v: unknown, what: string): Float32Array {
  if (!(v instanceof Float32Array)) {
    throw new WavegateError('E_INPUT', `${what}: expected a Float32Array, got ${v === null ? 'null' : Array.isArray(v) ? 'an Array' : typeof v === 'object' ? (v as object).constructor?.name : typeof v}`);
  }
  return v;
}

/** Checks a count-like argument. */
export function requireCount(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new WavegateError('E_INPUT', `${what}: expected an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}
