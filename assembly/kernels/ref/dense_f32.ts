/** Reference dense layer y = act(W x + b), W plain row-major f32 [outF, inF], b optional (0). */
import { OK, BAD_DIMS, BAD_POINTER, BAD_ARGUMENT } from "../../status";
import { ACT_NONE, ACT_RELU, ACT_TANH, ACT_SIGMOID } from "../../abi";
import { MAX_DIM, rowAddr } from "../common";
import { sigmoidf, tanhf, clampLo } from "../../math";
import { dotF32 } from "./dot";

export function checkDense(W: usize, inF: i32, outF: i32, batch: i32, x: usize, xStride: i32, y: usize, yStride: i32, activation: i32): i32 {
  if (inF <= 0 || outF <= 0 || batch <= 0 || inF > MAX_DIM || outF > MAX_DIM || batch > MAX_DIM) return BAD_DIMS;
  if (xStride < inF || yStride < outF) return BAD_DIMS;
  if (W == 0 || x == 0 || y == 0) return BAD_POINTER;
  if (activation < ACT_NONE || activation > ACT_SIGMOID) return BAD_ARGUMENT;
  return OK;
}

// @ts-ignore: decorator
@inline export function activate(v: f32, activation: i32): f32 {
  if (activation == ACT_RELU) return clampLo(v, 0);
  if (activation == ACT_TANH) return tanhf(v);
  if (activation == ACT_SIGMOID) return sigmoidf(v);
  return v;
}

export function denseF32(W: usize, b: usize, inF: i32, outF: i32, batch: i32, x: usize, xStride: i32, y: usize, yStride: i32, activation: i32): i32 {
  const st = checkDense(W, inF, outF, batch, x, xStride, y, yStride, activation);
  if (st != OK) return st;
  for (let n = 0; n < batch; n++) {
    const xp = rowAddr(x, 0, n, 1, xStride);
    const yp = rowAddr(y, 0, n, 1, yStride);
    for (let r = 0; r < outF; r++) {
      const bias: f32 = b != 0 ? load<f32>(b + (<usize>r << 2)) : 0;
      const v = dotF32(W + ((<usize>r * <usize>inF) << 2), xp, inF, bias);
      store<f32>(yp + (<usize>r << 2), activate(v, activation));
    }
  }
  return OK;
}
