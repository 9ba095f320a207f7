/**
 * v128 twins of assembly/quant.ts, writing i16 lanes (the SIMD s8 kernels keep activations
 * widened so the inner loop feeds i32x4.dot_i16x8_s directly). Lane-for-lane identical to
 * quantizeF32; tails use the scalar function itself.
 */
import { quantizeF32, Q_MAX, } from "../../quant";
import { k4, K_HALF_DN, K_SIGN, K_MAGIC, K_Q127, K_NQ127 } from "./math";
import { clampLo } from "../../math";

/**
 * v128 of four quantized lanes (i32) from four values v (already divided/multiplied): the same
 * integers as the scalar quantizeF32 (trunc + remainder test), by a shorter route:
 * r = trunc(v + copysign(0.49999997, v)) (the f32 just below 0.5). Checked exhaustively against
 * the trunc + remainder rule for every f32 with |v| < 130 (the rule and this route are both odd);
 * above, both are >= 130 before the clamp to 127 (monotonic). With 0.5 itself it would be wrong:
 * 0.49999997 + 0.5 rounds to 1. NaN -> 0.
 */
// @ts-ignore: decorator
@inline export function quantize4(v: v128): v128 {
  v = v128.and(v, f32x4.eq(v, v)); // NaN -> +0, like the scalar early return
  const half = v128.or(k4(K_HALF_DN), v128.and(v, k4(K_SIGN)));
  let r = f32x4.trunc(f32x4.add(v, half));
  r = f32x4.pmin(f32x4.pmax(r, k4(K_NQ127)), k4(K_Q127));
  // r is an integer in [-127, 127]: read it from the mantissa (see expf4) instead of trunc_sat.
  const magic = k4(K_MAGIC);
  return i32x4.sub(f32x4.add(r, magic), magic);
}

/** max|x[k]| over n f32 (order-independent, so equal to the scalar dynamicScale's max). */
// @ts-ignore: decorator
@inline export function maxAbs(x: usize, n: i32): f32 {
  let m4 = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= n; k += 4) m4 = f32x4.pmax(m4, f32x4.abs(v128.load(x + (<usize>k << 2))));
  let m = clampLo(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1));
  m = clampLo(clampLo(m, f32x4.extract_lane(m4, 2)), f32x4.extract_lane(m4, 3));
  for (; k < n; k++) m = clampLo(m, abs<f32>(load<f32>(x + (<usize>k << 2))));
  return m;
}

/** q[k] = quantizeF32(x[k] / sx) as i16 for k < n (q padding beyond n untouched). */
// @ts-ignore: decorator
@inline export function quantizeDivI16(x: usize, n: i32, sx: f32, q: usize): void {
  const s = f32x4.splat(sx);
  let k = 0;
  for (; k + 8 <= n; k += 8) {
    const lo = quantize4(f32x4.div(v128.load(x + (<usize>k << 2)), s));
    const hi = quantize4(f32x4.div(v128.load(x + (<usize>k << 2), 16), s));
    v128.store(q + (<usize>k << 1), i16x8.narrow_i32x4_s(lo, hi));
  }
  for (; k < n; k++) store<i16>(q + (<usize>k << 1), <i16>quantizeF32(load<f32>(x + (<usize>k << 2)) / sx));
}

/**
 * q[k] = quantizeF32(h[k] * 127) as i16 for k < n8, n8 a multiple of 8 (h must be readable and
 * finite-or-don't-care up to n8: the padded working state).
 */
// @ts-ignore: decorator
@inline export function quantizeMulI16(h: usize, n8: i32, q: usize): void {
  for (let k = 0; k < n8; k += 8) {
    const s = k4(K_Q127);
    const lo = quantize4(f32x4.mul(v128.load(h + (<usize>k << 2)), s));
    const hi = quantize4(f32x4.mul(v128.load(h + (<usize>k << 2), 16), s));
    v128.store(q + (<usize>k << 1), i16x8.narrow_i32x4_s(lo, hi));
  }
}

/**
 * Copies n f32 from src to dst (no overlap) with v128 moves and a scalar tail. Used for the per
 * step y rows: V8 compiles memory.copy to a C call, which costs more than a short row.
 */
// @ts-ignore: decorator
@inline export function copyF32(dst: usize, src: usize, n: i32): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) v128.store(dst + (<usize>k << 2), v128.load(src + (<usize>k << 2)));
  for (; k < n; k++) store<f32>(dst + (<usize>k << 2), load<f32>(src + (<usize>k << 2)));
}
