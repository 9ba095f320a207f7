/**
 * Scalar activation quantization shared by the INT8 paths (twins in kernels/simd/quant.ts).
 *
 * q(v) = clamp(roundHalfAwayFromZero(v), -127, 127), computed as trunc + exact remainder so the
 * tie rule is exact (v = 0.49999997 gives 0, not 1 as floor(v + 0.5) would). NaN gives 0.
 * x: v = x / sx (sx static, or dynamic max|x|/127 per step and stream; sx = 0 gives 0).
 * h: v = h * 127 (fixed scale 1/127; h of LSTM and GRU lies in [-1, 1]).
 */

import { clampLo, clampHi } from "./math";

export const Q_MAX: f32 = 127.0;
/** Dequantization factor of the hidden state: h ~ q / 127. */
export const H_INV_SCALE: f32 = <f32>1.0 / <f32>127.0;

// @ts-ignore: decorator
@inline export function quantizeF32(v: f32): i32 {
  if (v != v) return 0;
  const t = trunc<f32>(v);
  let r = t;
  if (abs<f32>(v - t) >= <f32>0.5) r = t + copysign<f32>(1.0, v);
  r = clampHi(clampLo(r, -Q_MAX), Q_MAX);
  return <i32>r;
}

/** Scale of a dynamically quantized vector: max|x| / 127 (max is order-independent). */
// @ts-ignore: decorator
@inline export function dynamicScale(x: usize, n: i32): f32 {
  let m: f32 = 0;
  // Select-max (NaN never wins), so any evaluation order gives the same value.
  for (let k = 0; k < n; k++) m = clampLo(m, abs<f32>(load<f32>(x + (<usize>k << 2))));
  return m / Q_MAX;
}
