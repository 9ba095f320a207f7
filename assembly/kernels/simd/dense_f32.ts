/**
 * SIMD dense layer y = act(W x + b) over the plain row-major W [outF, inF] (not packed: dense
 * layers are small heads, run once per window or step). Four rows per vector; the sums and the
 * activations are bit-identical to the reference's.
 */
import { OK } from "../../status";
import { ACT_RELU, ACT_TANH, ACT_SIGMOID } from "../../abi";
import { rowAddr } from "../common";
import { checkDense, activate } from "../ref/dense_f32";
import { dotF32 } from "../ref/dot";
import { sigmoidf4, tanhf4 } from "./math";

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
  for (let n = 0; n < batch; n++) {
    const xp = rowAddr(x, 0, n, 1, xStride);
    const yp = rowAddr(y, 0, n, 1, yStride);
    let r = 0;
    // Lanes are four output rows, each summed over k in order from its bias, exactly as the
    // reference's dotF32: the head's result is the same bits in both builds, so an INT8 model's
    // output (recurrent layers bit-identical already) is identical end to end on every engine.
    for (; r + 4 <= outF; r += 4) {
      const w0 = W + <usize>r * rb;
      let acc = b != 0 ? v128.load(b + (<usize>r << 2)) : f32x4.splat(0);
      for (let k = 0; k < inF; k++) {
        const o = <usize>k << 2;
        let w = f32x4.splat(load<f32>(w0 + o));
        w = f32x4.replace_lane(w, 1, load<f32>(w0 + rb + o));
        w = f32x4.replace_lane(w, 2, load<f32>(w0 + 2 * rb + o));
        w = f32x4.replace_lane(w, 3, load<f32>(w0 + 3 * rb + o));
        acc = f32x4.add(acc, f32x4.mul(w, f32x4.splat(load<f32>(xp + o))));
      }
      v128.store(yp + (<usize>r << 2), activate4(acc, activation));
    }
    for (; r < outF; r++) {
      const bias: f32 = b != 0 ? load<f32>(b + (<usize>r << 2)) : 0;
      store<f32>(yp + (<usize>r << 2), activate(dotF32(W + <usize>r * rb, xp, inF, bias), activation));
    }
  }
  return OK;
}
