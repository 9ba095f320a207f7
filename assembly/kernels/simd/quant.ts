/**
 * v128 twins of assembly/quant.ts, writing activation rows in this build's format. Lane-for-lane
 * identical to quantizeF32; tails use the scalar function itself.
 *
 * Activation rows (the mat-vec's right-hand side, one per stream; K elements, K a multiple of 8,
 * in 2K bytes of scratch):
 *   simd build (kernel-simd.wasm): the code q as i16 at a + 2k (fed to i32x4.dot_i16x8_s as is).
 *   relaxed build (kernel-relaxed.wasm, ASC_FEATURE_RELAXED_SIMD): unsigned bytes in 0..127, the
 *     second operand of i32x4.relaxed_dot_i8x16_i7x16_add_s, in its deterministic subset:
 *       QS_A7: one plane, a[k] = q + 64 (q in [-63, 63], so 1..127);
 *       QS_A8: two planes, a[k] = 127 + min(q, 0) and a[pl + k] = max(q, 0) (q in [-127, 127]),
 *              whose sum is q + 127.
 *     The mat-vec starts its accumulators at -64 (QS_A7) or -127 (QS_A8) times the row sums of
 *     the weights (kernels/simd/dot.ts), so it computes the same int32 as sum w * q.
 * `pl` (the second plane's byte offset, K) and `scheme` are ignored by the simd build.
 */
import { quantizeF32, qmaxOf, Q7_MAX, Q7_OFFSET, H_INV_SCALE } from "../../quant";
import { QS_A8, QS_A7 } from "../../abi";
import { clampLo } from "../../math";
import { k4, K_HALF_DN, K_SIGN, K_MAGIC, K_Q127, K_Q63 } from "./math";

/** True in kernel-relaxed.wasm: activation rows are the u7 planes above, not i16. */
export const RELAXED: bool = ASC_FEATURE_RELAXED_SIMD;

/** Row of the clamp constant of a scheme in the constant table (its negative is the next row). */
// @ts-ignore: decorator
@inline export function qIndex(scheme: i32): i32 {
  return scheme == QS_A7 ? K_Q63 : K_Q127;
}

/**
 * v128 of four quantized lanes (i32) from four values v (already divided/multiplied): the same
 * integers as the scalar quantizeF32 (trunc + remainder test), by a shorter route:
 * r = trunc(v + copysign(0.49999997, v)) (the f32 just below 0.5). Checked exhaustively against
 * the trunc + remainder rule for every f32 with |v| < 130 (the rule and this route are both odd);
 * above, both are >= 130 before the clamp to qmax (monotonic). With 0.5 itself it would be wrong:
 * 0.49999997 + 0.5 rounds to 1. NaN -> 0. qi: qIndex of the scheme (clamp to +-127 or +-63).
 */
// @ts-ignore: decorator
@inline export function quantize4(v: v128, qi: i32 = K_Q127): v128 {
  v = v128.and(v, f32x4.eq(v, v)); // NaN -> +0, like the scalar early return
  const half = v128.or(k4(K_HALF_DN), v128.and(v, k4(K_SIGN)));
  let r = f32x4.trunc(f32x4.add(v, half));
  r = f32x4.pmin(f32x4.pmax(r, k4(qi + 1)), k4(qi));
  // r is an integer in [-127, 127]: read it from the mantissa (see expf4) instead of trunc_sat.
  const magic = k4(K_MAGIC);
  return i32x4.sub(f32x4.add(r, magic), magic);
}

/** Stores the codes of lanes j .. j+7 (i32 lanes of q0, q1) into activation row a. */
// @ts-ignore: decorator
@inline export function storeQ8(a: usize, j: i32, q0: v128, q1: v128, pl: usize, scheme: i32): void {
  const v = i16x8.narrow_i32x4_s(q0, q1);
  if (!RELAXED) {
    v128.store(a + (<usize>j << 1), v);
  } else if (scheme == QS_A7) {
    const u = i16x8.add(v, i16x8.splat(<i16>Q7_OFFSET));
    v128.store64_lane(a + <usize>j, i8x16.narrow_i16x8_u(u, u), 0);
  } else {
    const lo = i16x8.add(i16x8.min_s(v, i16x8.splat(0)), i16x8.splat(127));
    const n = i8x16.narrow_i16x8_u(lo, i16x8.max_s(v, i16x8.splat(0)));
    v128.store64_lane(a + <usize>j, n, 0);
    v128.store64_lane(a + pl + <usize>j, n, 1);
  }
}

/** storeQ8 for one code (tails). */
// @ts-ignore: decorator
@inline export function storeQ1(a: usize, j: i32, q: i32, pl: usize, scheme: i32): void {
  if (!RELAXED) {
    store<i16>(a + (<usize>j << 1), <i16>q);
  } else if (scheme == QS_A7) {
    store<u8>(a + <usize>j, <u8>(q + Q7_OFFSET));
  } else {
    store<u8>(a + <usize>j, <u8>(127 + min(q, 0)));
    store<u8>(a + pl + <usize>j, <u8>max(q, 0));
  }
}

/** max|x[k]| over n f32 (order-independent, so equal to the scalar maxAbsF32). */
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

/**
 * max|h| over the H real lanes of hw, given m4, the lane-wise select-max of |h| over the whole
 * 8-lane blocks below H (kept by the epilogues while h is in registers): the same value as
 * maxAbs(hw, H), the select-max being order-independent.
 */
// @ts-ignore: decorator
@inline export function maxAbsTail(m4: v128, hw: usize, H: i32): f32 {
  let m = clampLo(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1));
  m = clampLo(clampLo(m, f32x4.extract_lane(m4, 2)), f32x4.extract_lane(m4, 3));
  for (let k = H & ~7; k < H; k++) m = clampLo(m, abs<f32>(load<f32>(hw + (<usize>k << 2))));
  return m;
}

/** Activation row a = q(x[k] / sx) for k < n, codes in +-qmax of the scheme (padding untouched). */
// @ts-ignore: decorator
@inline export function quantizeRow(x: usize, n: i32, sx: f32, a: usize, pl: usize, scheme: i32): void {
  const s = f32x4.splat(sx);
  const qi = qIndex(scheme);
  let k = 0;
  for (; k + 8 <= n; k += 8) {
    const lo = quantize4(f32x4.div(v128.load(x + (<usize>k << 2)), s), qi);
    const hi = quantize4(f32x4.div(v128.load(x + (<usize>k << 2), 16), s), qi);
    storeQ8(a, k, lo, hi, pl, scheme);
  }
  for (; k < n; k++) storeQ1(a, k, quantizeF32(load<f32>(x + (<usize>k << 2)) / sx, qmaxOf(scheme)), pl, scheme);
}

/**
 * x of step t for the tile's nb streams (from stream b0): each stream's scale to sx0 + 4i (xScale,
 * or the dynamic max|x| / qmax) and its codes to activation row xq0 + i * xqS. With one input
 * channel stored contiguously (I = 1, xStride = 1: the streaming case) four streams are done per
 * v128: for one value max|x| is |x| (pmax(0, |x|) drops a NaN like the scalar select-max), so the
 * scales and codes are the same as the per-stream route's, lane for lane.
 */
// @ts-ignore: decorator
@inline export function quantizeTileX(
  x: usize, t: i32, b0: i32, nb: i32, batch: i32, xStride: i32, I: i32, xScale: f32,
  sx0: usize, xq0: usize, xqS: usize, pl: usize, scheme: i32,
): void {
  const qmax = qmaxOf(scheme);
  let i = 0;
  if (I == 1 && xStride == 1) {
    const qi = qIndex(scheme);
    const xt = x + (<usize>(t * batch + b0) << 2);
    for (; i + 4 <= nb; i += 4) {
      const v = v128.load(xt + (<usize>i << 2));
      const sx = xScale > 0 ? f32x4.splat(xScale) : f32x4.div(f32x4.pmax(f32x4.splat(0), f32x4.abs(v)), f32x4.splat(qmax));
      v128.store(sx0 + (<usize>i << 2), sx);
      const q = quantize4(f32x4.div(v, sx), qi);
      const a = xq0 + <usize>i * xqS;
      storeQ1(a, 0, i32x4.extract_lane(q, 0), pl, scheme);
      storeQ1(a + xqS, 0, i32x4.extract_lane(q, 1), pl, scheme);
      storeQ1(a + 2 * xqS, 0, i32x4.extract_lane(q, 2), pl, scheme);
      storeQ1(a + 3 * xqS, 0, i32x4.extract_lane(q, 3), pl, scheme);
    }
  }
  for (; i < nb; i++) {
    const xp = x + ((<usize>(t * batch + b0 + i) * <usize>xStride) << 2);
    const sx = xScale > 0 ? xScale : maxAbs(xp, I) / qmax;
    store<f32>(sx0 + (<usize>i << 2), sx);
    quantizeRow(xp, I, sx, xq0 + <usize>i * xqS, pl, scheme);
  }
}

/**
 * q(h) of the working state hw (H real lanes, n8 padded ones, finite don't-cares) into activation
 * row a, and h's dequantization scale: QS_A8 q = round(h * 127) over all n8 lanes, scale 1/127;
 * QS_A7 the dynamic sh = max|h| / 63 over the H real lanes, q = round(h / sh) (padding untouched).
 * `m`: max|h| over the H lanes when the caller has it (the epilogues take it from registers,
 * maxAbsTail), else negative.
 */
// @ts-ignore: decorator
@inline export function quantizeState(hw: usize, H: i32, n8: i32, a: usize, pl: usize, scheme: i32, m: f32 = -1): f32 {
  if (scheme == QS_A7) {
    const sh = (m >= 0 ? m : maxAbs(hw, H)) / Q7_MAX;
    quantizeRow(hw, H, sh, a, pl, scheme);
    return sh;
  }
  const s = k4(K_Q127);
  for (let k = 0; k < n8; k += 8) {
    const lo = quantize4(f32x4.mul(v128.load(hw + (<usize>k << 2)), s));
    const hi = quantize4(f32x4.mul(v128.load(hw + (<usize>k << 2), 16), s));
    storeQ8(a, k, lo, hi, pl, QS_A8);
  }
  return H_INV_SCALE;
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
