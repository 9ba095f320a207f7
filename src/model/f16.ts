/**
 * IEEE 754 binary16 ("F16" in safetensors) <-> number conversion, on raw 16-bit patterns.
 *
 * Node 20 has neither Float16Array nor Math.f16round, so format version 2's F16 scale tensors
 * are held as Uint16Array bit patterns and converted here. Conversions work on the exact value
 * of the JS number (a double): converting an f32 value rounds once, never twice.
 *
 * binary16: sign 1 bit, exponent 5 bits (bias 15), fraction 10 bits. Largest finite 65504,
 * smallest normal 2^-14, smallest subnormal 2^-24.
 */

/** Largest finite binary16 value. */
export const F16_MAX = 65504;
/** Bit patterns used below. */
const SIGN = 0x8000;
const INF = 0x7c00;
const NAN = 0x7e00;
const MIN_NORMAL = 2 ** -14;

/** Exact value of a binary16 bit pattern (every binary16 value is a double, so nothing rounds). */
export function f16BitsToNumber(bits: number): number {
  const sign = bits & SIGN ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal (and ±0)
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

type Rounding = (scaled: number, negative: boolean) => number;

/** Round half to even of a non-negative double below 2^53 (`scaled - floor` is exact there). */
const nearestEven: Rounding = (x) => {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
};

/** Toward +Infinity: magnitudes round up for positive values, down for negative ones. */
const towardPositive: Rounding = (x, negative) => (negative ? Math.floor(x) : Math.ceil(x));

function encode(v: number, round: Rounding): number {
  if (Number.isNaN(v)) return NAN;
  const negative = v < 0 || Object.is(v, -0);
  const sign = negative ? SIGN : 0;
  const a = Math.abs(v);
  if (a === Infinity) return sign | INF;
  if (a < MIN_NORMAL) {
    // Subnormal range: the quantum is 2^-24, so the fraction is a * 2^24 rounded (scaling by a
    // power of two is exact). A result of 1024 is the smallest normal, which the bits encode as is.
    return sign | round(a * 2 ** 24, negative);
  }
  // Binade of a: 2^e <= a < 2^(e+1). log2 may be off by one near powers of two; fix it exactly.
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  if (e > 15) return negative && round === towardPositive ? SIGN | 0x7bff : sign | INF;
  const m = round(a * 2 ** (10 - e), negative); // in [1024, 2048]
  // m = 2048 carries into the exponent: (e + 15) << 10 plus 1024 is exactly (e + 16) << 10.
  const bits = ((e + 15) << 10) + (m - 1024);
  if (bits >= INF) return negative && round === towardPositive ? SIGN | 0x7bff : sign | INF;
  return sign | bits;
}

/** Nearest binary16 (ties to even), as IEEE conversion and numpy's float16 do; overflow gives ±Infinity. */
export function numberToF16Bits(v: number): number {
  return encode(v, nearestEven);
}

/**
 * Smallest binary16 >= v (rounding toward +Infinity). Quantization scales use it so that the
 * stored scale is never below max|w| / 127 and every code stays within [-127, 127].
 * v > 65504 gives +Infinity (callers refuse it).
 */
export function numberToF16BitsUp(v: number): number {
  return encode(v, towardPositive);
}

/** `v` rounded to the nearest binary16 value, as a number (a polyfill of Math.f16round). */
export function f16round(v: number): number {
  return f16BitsToNumber(numberToF16Bits(v));
}

/** Widens binary16 bit patterns to f32 (exact: every binary16 value is an f32 value). */
export function f16ArrayToF32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = f16BitsToNumber(bits[i]);
  return out;
}
