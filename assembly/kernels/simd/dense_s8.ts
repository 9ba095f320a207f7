/**
 * SIMD INT8 dense layer: the reference's arithmetic (kernels/ref/dense_s8.ts) with the integer
 * sums taken eight columns at a time (i8 weights widened by v128.load8x8_s, i16 codes,
 * i32x4.dot_i16x8_s). Integer sums are exact in any order, and the codes and the f32 epilogue are
 * the reference's own scalar functions, so the outputs are the reference's bits.
 * Scratch: one row's codes as i16 (denseScratchS8 bytes, the reference's figure).
 */
import { OK } from "../../status";
import { rowAddr } from "../common";
import { checkDenseS8, denseCode, denseEpilogue } from "../ref/dense_s8";

/** Exact sum over columns [k0, k1) of w[k] (i8) * q[k] (i16 codes). */
// @ts-ignore: decorator
@inline function dotRangeS8I16(w: usize, q: usize, k0: i32, k1: i32): i32 {
  let acc4 = i32x4.splat(0);
  let k = k0;
  for (; k + 8 <= k1; k += 8) {
    acc4 = i32x4.add(acc4, i32x4.dot_i16x8_s(v128.load8x8_s(w + <usize>k), v128.load(q + (<usize>k << 1))));
  }
  let acc = i32x4.extract_lane(acc4, 0) + i32x4.extract_lane(acc4, 1) + i32x4.extract_lane(acc4, 2) + i32x4.extract_lane(acc4, 3);
  for (; k < k1; k++) acc += <i32>load<i8>(w + <usize>k) * <i32>load<i16>(q + (<usize>k << 1));
  return acc;
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
      store<i16>(q + (<usize>k << 1), <i16>denseCode(load<f32>(xp + (<usize>k << 2)) / s, scheme));
    }
    for (let r = 0; r < outF; r++) {
      const w = Wq + <usize>r * <usize>inF;
      const accA = dotRangeS8I16(w, q, 0, split);
      const accB = twoRanges ? dotRangeS8I16(w, q, split, inF) : 0;
      const bias: f32 = b != 0 ? load<f32>(b + (<usize>r << 2)) : 0;
      store<f32>(yp + (<usize>r << 2), denseEpilogue(accA, accB, twoRanges, load<f32>(Ws + (<usize>r << 2)), xScale, tailScale, bias, activation));
    }
  }
  return OK;
}
