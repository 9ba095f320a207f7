/**
 * SIMD dense layer y = act(W x + b) over the plain row-major W [outF, inF] (not packed: dense
 * layers are small heads, run once per window). Four rows share each x load; remainders use the
 * reference expressions. Activations are bit-identical to the reference's.
 */
import { OK } from "../../status";
import { ACT_RELU, ACT_TANH, ACT_SIGMOID } from "../../abi";
import { rowAddr } from "../common";
import { checkDense, activate } from "../ref/dense_f32";
import { dotF32 } from "../ref/dot";
import { sigmoidf4, tanhf4 } from "./math";
import { hsum4F32 } from "./dot";

// @ts-ignore: decorator
@inline function activate4(v: v128, activation: i32): v128 {
  if (activation == ACT_RELU) return f32x4.pmax(v, f32x4.splat(0));
  if (activation == ACT_TANH) return tanhf4(v);
  if (activation == ACT_SIGMOID) return sigmoidf4(v);
  return v;
}

export function denseF32(W: usize, b: usize, inF: i32, outF: i32, batch: i32, x: usize, xStride: i32, y: usize, yStride: i32, activation: i32): i32 {
  const st = checkDense(W, inF, outF, batch, x, xStride, y, yStride, activation);
  if (st != OK) return st;
  const rb = <usize>inF << 2;
  const k4 = inF & ~3;
  for (let n = 0; n < batch; n++) {
    const xp = rowAddr(x, 0, n, 1, xStride);
    const yp = rowAddr(y, 0, n, 1, yStride);
    let r = 0;
    for (; r + 4 <= outF; r += 4) {
      const w0 = W + <usize>r * rb;
      let s0 = f32x4.splat(0);
      let s1 = f32x4.splat(0);
      let s2 = f32x4.splat(0);
      let s3 = f32x4.splat(0);
      for (let k = 0; k < k4; k += 4) {
        const o = <usize>k << 2;
        const v = v128.load(xp + o);
        s0 = f32x4.add(s0, f32x4.mul(v128.load(w0 + o), v));
        s1 = f32x4.add(s1, f32x4.mul(v128.load(w0 + rb + o), v));
        s2 = f32x4.add(s2, f32x4.mul(v128.load(w0 + 2 * rb + o), v));
        s3 = f32x4.add(s3, f32x4.mul(v128.load(w0 + 3 * rb + o), v));
      }
      let acc = hsum4F32(s0, s1, s2, s3);
      if (b != 0) acc = f32x4.add(acc, v128.load(b + (<usize>r << 2)));
      v128.store(yp + (<usize>r << 2), acc);
      // Column remainder, then the activation, per row of the group.
      for (let l = 0; l < 4; l++) {
        const ro = <usize>(r + l) << 2;
        const v = dotF32(w0 + <usize>l * rb + (<usize>k4 << 2), xp + (<usize>k4 << 2), inF - k4, load<f32>(yp + ro));
        store<f32>(yp + ro, v);
      }
      v128.store(yp + (<usize>r << 2), activate4(v128.load(yp + (<usize>r << 2)), activation));
    }
    for (; r < outF; r++) {
      const bias: f32 = b != 0 ? load<f32>(b + (<usize>r << 2)) : 0;
      store<f32>(yp + (<usize>r << 2), activate(dotF32(W + <usize>r * rb, xp, inF, bias), activation));
    }
  }
  return OK;
}
