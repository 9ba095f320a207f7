/**
 * ln, cos and sin from IEEE-754 additions, multiplications and divisions only, so every engine on
 * every CPU computes the same bits. `Math.log` and `Math.cos` are not specified to the last bit
 * (an engine may use the platform's libm, whose results differ by an ulp across libraries and
 * CPUs), and a spectrum stage feeds their results into the model's input, where one ulp can move
 * an INT8 code. Accuracy: within 1-2 ulp of the exact value (tested against Math.*), far below
 * the float32 the chain hands on.
 */

const view = new DataView(new ArrayBuffer(8));
const LN2 = 0.6931471805599453;
const SMALLEST_NORMAL = 2.2250738585072014e-308;
const TWO_POW_54 = 18014398509481984;
/** 1/(2k+1) for k = 0..11: the atanh series of ln. */
const ATANH = Array.from({ length: 12 }, (_, k) => 1 / (2 * k + 1));

/**
 * Natural logarithm. x = m 2^e with m in [sqrt(1/2), sqrt(2)), then ln m = 2 atanh(s),
 * s = (m - 1)/(m + 1), |s| <= 0.1716: twelve terms leave a truncation error below 1e-19.
 * 0 gives -Infinity, a negative number or NaN gives NaN, Infinity gives Infinity.
 */
export function ln(x: number): number {
  if (!(x > 0)) return x === 0 ? Number.NEGATIVE_INFINITY : Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return x;
  let e = 0;
  if (x < SMALLEST_NORMAL) {
    x *= TWO_POW_54;
    e = -54;
  }
  view.setFloat64(0, x, true);
  const hi = view.getUint32(4, true);
  e += ((hi >>> 20) & 0x7ff) - 1023;
  view.setUint32(4, (hi & 0x000fffff) | 0x3ff00000, true);
  let m = view.getFloat64(0, true);
  if (m > Math.SQRT2) {
    m *= 0.5;
    e += 1;
  }
  const s = (m - 1) / (m + 1), z = s * s;
  let p = ATANH[ATANH.length - 1];
  for (let k = ATANH.length - 2; k >= 0; k--) p = p * z + ATANH[k];
  return e * LN2 + 2 * s * p;
}

const TWO_PI = 2 * Math.PI;

/**
 * sin and cos of |x| <= pi/4 by their Taylor series to x^21 and x^20 (truncation below 1e-20),
 * nested: sin x = x (1 - z/(2*3) (1 - z/(4*5) (1 - ...))), z = x^2.
 */
function sinSmall(x: number): number {
  const z = x * x;
  let p = 0;
  for (let k = 21; k >= 3; k -= 2) p = (z / ((k - 1) * k)) * (1 - p);
  return x * (1 - p);
}

/** cos x = 1 - z/(1*2) (1 - z/(3*4) (1 - ...)). */
function cosSmall(x: number): number {
  const z = x * x;
  let p = 0;
  for (let k = 20; k >= 2; k -= 2) p = (z / ((k - 1) * k)) * (1 - p);
  return 1 - p;
}

/**
 * cos(2 pi t) for t in turns. The reduction to an angle of at most pi/4 works on t, where it is
 * exact for the t = k/n (n a power of two) of FFT twiddles and windows.
 */
export function cosTurns(t: number): number {
  t -= Math.floor(t); // [0, 1)
  if (t > 0.5) t = 1 - t; // cos is even: [0, 1/2]
  let sign = 1;
  if (t > 0.25) {
    t = 0.5 - t; // cos(pi - a) = -cos a: [0, 1/4]
    sign = -1;
  }
  return sign * (t > 0.125 ? sinSmall(TWO_PI * (0.25 - t)) : cosSmall(TWO_PI * t));
}

/** sin(2 pi t) for t in turns: cos(2 pi (1/4 - t)). */
export function sinTurns(t: number): number {
  return cosTurns(0.25 - t);
}
