/**
 * Scalar activation quantization shared by the INT8 paths (twins in kernels/simd/quant.ts).
 *
 * q(v) = clamp(roundHalfAwayFromZero(v), -qmax, qmax), computed as trunc + exact remainder so the
 * tie rule is exact (v = 0.49999997 gives 0, not 1 as floor(v + 0.5) would). NaN gives 0.
 * qmax is 127 (scheme QS_A8) or 63 (QS_A7, assembly/abi.ts).
 * x: v = x / sx (sx static, or dynamic max|x|/qmax per step and stream; sx = 0 gives 0).
 * h: QS_A8: v = h * 127 (fixed scale 1/127; h of LSTM and GRU lies in [-1, 1]);
 *    QS_A7: v = h / sh with the dynamic sh = max|h| / 63, exactly as x.
 */

import { clampLo, clampHi } from "./math";
import { QS_A7 } from "./abi";

export const Q_MAX: f32 = 127.0;
/** Largest code of the 7-bit scheme QS_A7. */
export const Q7_MAX: f32 = 63.0;
/** QS_A7 codes plus this lie in 1..127 (relaxed SIMD's unsigned 7-bit operand). */
export const Q7_OFFSET: i32 = 64;
/** Dequantization factor of the hidden state in QS_A8: h ~ q / 127. */
export const H_INV_SCALE: f32 = <f32>1.0 / <f32>127.0;

/** Largest activation code of a scheme: 127 (QS_A8) or 63 (QS_A7). */
// @ts-ignore: decorator
@inline export function qmaxOf(scheme: i32): f32 {
  return scheme == QS_A7 ? Q7_MAX : Q_MAX;
}

// @ts-ignore: decorator
@inline export function quantizeF32(v: f32, qmax: f32 = Q_MAX): i32 {
  if (v != v) return 0;
  const t = trunc<f32>(v);
  let r = t;
  if (abs<f32>(v - t) >= <f32>0.5) r = t + copysign<f32>(1.0, v);
  r = clampHi(clampLo(r, -qmax), qmax);
  return <i32>r;
}

/** max|x[k]| over n f32 with the select-max (NaN never wins), so any order gives the same value. */
// @ts-ignore: decorator
@inline export function maxAbsF32(x: usize, n: i32): f32 {
  let m: f32 = 0;
  for (let k = 0; k < n; k++) m = clampLo(m, abs<f32>(load<f32>(x + (<usize>k << 2))));
  return m;
}

/** Scale of a dynamically quantized vector: max|x| / qmax. */
// @ts-ignore: decorator
@inline export function dynamicScale(x: usize, n: i32, qmax: f32 = Q_MAX): f32 {
  return maxAbsF32(x, n) / qmax;
}
