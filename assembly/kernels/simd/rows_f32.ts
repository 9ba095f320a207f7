/**
 * SIMD in-place row ops, bit-identical to the reference: sigmoid and tanh evaluate the same
 * per-element expression, and the row sums of softmax and layer norm keep one f32x4 accumulator
 * whose order the reference reproduces with four scalar partial sums (kernels/ref/rows_f32.ts).
 */
import { OK, BAD_ARGUMENT } from "../../status";
import { expf, sigmoidf, tanhf } from "../../math";
import { checkRows } from "../ref/rows_f32";
import { expf4, sigmoidf4, tanhf4 } from "./math";

// @ts-ignore: decorator
@inline function hsumF32(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

export function sigmoidF32(x: usize, n: i32, rows: i32, stride: i32): i32 {
  const st = checkRows(x, n, rows, stride);
  if (st != OK) return st;
  for (let r = 0; r < rows; r++) {
    const p = x + ((<usize>r * <usize>stride) << 2);
    let k = 0;
    for (; k + 4 <= n; k += 4) v128.store(p + (<usize>k << 2), sigmoidf4(v128.load(p + (<usize>k << 2))));
    for (; k < n; k++) store<f32>(p + (<usize>k << 2), sigmoidf(load<f32>(p + (<usize>k << 2))));
  }
  return OK;
}

export function tanhF32(x: usize, n: i32, rows: i32, stride: i32): i32 {
  const st = checkRows(x, n, rows, stride);
  if (st != OK) return st;
  for (let r = 0; r < rows; r++) {
    const p = x + ((<usize>r * <usize>stride) << 2);
    let k = 0;
    for (; k + 4 <= n; k += 4) v128.store(p + (<usize>k << 2), tanhf4(v128.load(p + (<usize>k << 2))));
    for (; k < n; k++) store<f32>(p + (<usize>k << 2), tanhf(load<f32>(p + (<usize>k << 2))));
  }
  return OK;
}

export function softmaxF32(x: usize, n: i32, rows: i32, stride: i32): i32 {
  const st = checkRows(x, n, rows, stride);
  if (st != OK) return st;
  for (let r = 0; r < rows; r++) {
    const p = x + ((<usize>r * <usize>stride) << 2);
    let m = load<f32>(p);
    for (let k = 1; k < n; k++) m = max<f32>(m, load<f32>(p + (<usize>k << 2)));
    const m4 = f32x4.splat(m);
    let s4 = f32x4.splat(0);
    let k = 0;
    for (; k + 4 <= n; k += 4) {
      const e = expf4(f32x4.sub(v128.load(p + (<usize>k << 2)), m4));
      v128.store(p + (<usize>k << 2), e);
      s4 = f32x4.add(s4, e);
    }
    let sum = hsumF32(s4);
    for (; k < n; k++) {
      const e = expf(load<f32>(p + (<usize>k << 2)) - m);
      store<f32>(p + (<usize>k << 2), e);
      sum += e;
    }
    const inv = <f32>1.0 / sum;
    const inv4 = f32x4.splat(inv);
    k = 0;
    for (; k + 4 <= n; k += 4) v128.store(p + (<usize>k << 2), f32x4.mul(v128.load(p + (<usize>k << 2)), inv4));
    for (; k < n; k++) store<f32>(p + (<usize>k << 2), load<f32>(p + (<usize>k << 2)) * inv);
  }
  return OK;
}

export function layerNormF32(x: usize, n: i32, rows: i32, stride: i32, gamma: usize, beta: usize, epsilon: f32): i32 {
  const st = checkRows(x, n, rows, stride);
  if (st != OK) return st;
  if (!(epsilon >= 0)) return BAD_ARGUMENT;
  for (let r = 0; r < rows; r++) {
    const p = x + ((<usize>r * <usize>stride) << 2);
    let s4 = f32x4.splat(0);
    let k = 0;
    for (; k + 4 <= n; k += 4) s4 = f32x4.add(s4, v128.load(p + (<usize>k << 2)));
    let sum = hsumF32(s4);
    for (; k < n; k++) sum += load<f32>(p + (<usize>k << 2));
    const mean = sum / <f32>n;
    const mean4 = f32x4.splat(mean);
    let q4 = f32x4.splat(0);
    k = 0;
    for (; k + 4 <= n; k += 4) {
      const d = f32x4.sub(v128.load(p + (<usize>k << 2)), mean4);
      q4 = f32x4.add(q4, f32x4.mul(d, d));
    }
    let sq = hsumF32(q4);
    for (; k < n; k++) {
      const d = load<f32>(p + (<usize>k << 2)) - mean;
      sq += d * d;
    }
    const inv = <f32>1.0 / sqrt<f32>(sq / <f32>n + epsilon);
    for (k = 0; k < n; k++) {
      const o = <usize>k << 2;
      let v = (load<f32>(p + o) - mean) * inv;
      if (gamma != 0) v *= load<f32>(gamma + o);
      if (beta != 0) v += load<f32>(beta + o);
      store<f32>(p + o, v);
    }
  }
  return OK;
}

