/**
 * Reference INT8 dense layer (the head of an INT8 model), the ground truth of denseS8:
 *
 *   q[k]  = clamp(roundHalfAway(x[k] / s), -qmax, qmax)   s = xScale for k < split, tailScale after
 *   accA  = sum_{k < split} Wq[r, k] q[k]                  exact int32
 *   accB  = sum_{k >= split} Wq[r, k] q[k]                 exact int32 (absent when split == inF)
 *   y[r]  = act(f32(accA) * (Ws[r] * xScale) + f32(accB) * (Ws[r] * tailScale) + b[r])
 *
 * evaluated in f32 in exactly this order (the SIMD build follows it). Wq is the plain row-major
 * int8 matrix [outF, inF] (not packed: heads are small and run once per window), Ws f32 [outF]
 * per-row scales, b f32 [outF] or 0. Two column ranges because the first dense layer of a model
 * with side features reads [pooled recurrent output ++ features], whose ranges differ (h lies in
 * (-1, 1), normalised features do not): each range gets its own static scale, and the integer sums
 * stay exact. qmax is 127 (QS_A8) or 63 (QS_A7). Scratch: one row's codes, denseScratchS8(inF).
 */
import { OK, BAD_DIMS, BAD_POINTER, BAD_ARGUMENT } from "../../status";
import { QS_A7 } from "../../abi";
import { checkScheme, rowAddr } from "../common";
import { quantizeF32 } from "../../quant";
import { checkDense, activate } from "./dense_f32";
import { dotS8S32 } from "./dot";

/** Widest INT8 dense input: 127 * 127 * inF must fit an i32 accumulator. */
export const DENSE_S8_MAX_IN: i32 = 131072;

/** Scratch bytes of one denseS8 call (independent of outF and batch). */
export function denseScratchS8(inF: i32): i32 {
  return 4 * inF + 16;
}

/** Argument checks shared by both builds; returns a status. */
export function checkDenseS8(
  Wq: usize, Ws: usize, inF: i32, outF: i32, batch: i32, x: usize, xStride: i32, y: usize, yStride: i32,
  activation: i32, scratch: usize, split: i32, xScale: f32, tailScale: f32, scheme: i32,
): i32 {
  let st = checkDense(Wq, inF, outF, batch, x, xStride, y, yStride, activation);
  if (st != OK) return st;
  if (inF > DENSE_S8_MAX_IN || split < 1 || split > inF) return BAD_DIMS;
  if (Ws == 0 || scratch == 0) return BAD_POINTER;
  if (!(xScale > 0) || xScale == Infinity) return BAD_ARGUMENT;
  if (split < inF && (!(tailScale > 0) || tailScale == Infinity)) return BAD_ARGUMENT;
  return checkScheme(scheme);
}

/** Code of one activation: quantizeF32 (clamped to 127) narrowed to +-63 for QS_A7. */
// @ts-ignore: decorator
@inline export function denseCode(v: f32, scheme: i32): i32 {
  const q = quantizeF32(v);
  if (scheme != QS_A7) return q;
  return q > 63 ? 63 : q < -63 ? -63 : q;
}

/** The f32 epilogue of one output row (both builds call this). */
// @ts-ignore: decorator
@inline export function denseEpilogue(accA: i32, accB: i32, twoRanges: bool, ws: f32, xScale: f32, tailScale: f32, bias: f32, activation: i32): f32 {
  let v = <f32>accA * (ws * xScale);
  if (twoRanges) v = v + <f32>accB * (ws * tailScale);
  return activate(v + bias, activation);
}

export function denseS8(
  Wq: usize, Ws: usize, b: usize, inF: i32, outF: i32, batch: i32, x: usize, xStride: i32, y: usize, yStride: i32,
  activation: i32, scratch: usize, split: i32, xScale: f32, tailScale: f32, scheme: i32,
): i32 {
  const st = checkDenseS8(Wq, Ws, inF, outF, batch, x, xStride, y, yStride, activation, scratch, split, xScale, tailScale, scheme);
  if (st != OK) return st;
  const q = scratch;
  const twoRanges = split < inF;
  for (let n = 0; n < batch; n++) {
    const xp = rowAddr(x, 0, n, 1, xStride);
    const yp = rowAddr(y, 0, n, 1, yStride);
    for (let k = 0; k < inF; k++) {
      const s = k < split ? xScale : tailScale;
      store<i32>(q + (<usize>k << 2), denseCode(load<f32>(xp + (<usize>k << 2)) / s, scheme));
    }
    for (let r = 0; r < outF; r++) {
      const w = Wq + <usize>r * <usize>inF;
      const accA = dotS8S32(w, q, split);
      const accB = twoRanges ? dotS8S32(w + <usize>split, q + (<usize>split << 2), inF - split) : 0;
      const bias: f32 = b != 0 ? load<f32>(b + (<usize>r << 2)) : 0;
      store<f32>(yp + (<usize>r << 2), denseEpilogue(accA, accB, twoRanges, load<f32>(Ws + (<usize>r << 2)), xScale, tailScale, bias, activation));
    }
  }
  return OK;
}
