/**
 * Reference in-place row-wise ops: softmax, sigmoid, tanh, layer norm over `rows` rows of n.
 *
 * Row sums (softmax's denominator, layer norm's mean and variance) are taken in four interleaved
 * partial sums, element k into partial k % 4 for k < n & ~3, combined as (p0 + p1) + (p2 + p3),
 * then the tail in order: the order of one f32x4 accumulator in the SIMD build, so that both
 * builds give the same bits (an INT8 model's head scores identically on either build).
 */
import { OK, BAD_DIMS, BAD_POINTER, BAD_ARGUMENT } from "../../status";
import { MAX_DIM } from "../common";
import { expf, sigmoidf, tanhf } from "../../math";

export function checkRows(x: usize, n: i32, rows: i32, stride: i32): i32 {
  if (n <= 0 || rows <= 0 || n > MAX_DIM || rows > MAX_DIM || stride < n) return BAD_DIMS;
  if (x == 0) return BAD_POINTER;
  return OK;
}

export function softmaxF32(x: usize, n: i32, rows: i32, stride: i32): i32 {
  const st = checkRows(x, n, rows, stride);
  if (st != OK) return st;
  for (let r = 0; r < rows; r++) {
    const p = x + ((<usize>r * <usize>stride) << 2);
    let m = load<f32>(p);
    for (let k = 1; k < n; k++) m = max<f32>(m, load<f32>(p + (<usize>k << 2)));
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    let k = 0;
    for (; k + 4 <= n; k += 4) {
      s0 += expStore(p, k, m);
      s1 += expStore(p, k + 1, m);
      s2 += expStore(p, k + 2, m);
      s3 += expStore(p, k + 3, m);
    }
    let sum = (s0 + s1) + (s2 + s3);
    for (; k < n; k++) sum += expStore(p, k, m);
    const inv = <f32>1.0 / sum;
    for (let k = 0; k < n; k++) store<f32>(p + (<usize>k << 2), load<f32>(p + (<usize>k << 2)) * inv);
  }
  return OK;
}

/** Stores e^(x[k] - m) in place and returns it. */
// @ts-ignore: decorator
@inline function expStore(p: usize, k: i32, m: f32): f32 {
  const e = expf(load<f32>(p + (<usize>k << 2)) - m);
  store<f32>(p + (<usize>k << 2), e);
  return e;
}

/** Sum of (x[k] - mean)^2 (mean = 0: of x[k]) over n elements, in the four-partial order above. */
// @ts-ignore: decorator
@inline function rowSum(p: usize, n: i32, mean: f32, square: bool): f32 {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    s0 += term(p, k, mean, square);
    s1 += term(p, k + 1, mean, square);
    s2 += term(p, k + 2, mean, square);
    s3 += term(p, k + 3, mean, square);
  }
  let sum = (s0 + s1) + (s2 + s3);
  for (; k < n; k++) sum += term(p, k, mean, square);
  return sum;
}

// @ts-ignore: decorator
@inline function term(p: usize, k: i32, mean: f32, square: bool): f32 {
  const v = load<f32>(p + (<usize>k << 2));
  if (!square) return v;
  const d = v - mean;
  return d * d;
}

export function sigmoidF32(x: usize, n: i32, rows: i32, stride: i32): i32 {
  const st = checkRows(x, n, rows, stride);
  if (st != OK) return st;
  for (let r = 0; r < rows; r++) {
    const p = x + ((<usize>r * <usize>stride) << 2);
    for (let k = 0; k < n; k++) store<f32>(p + (<usize>k << 2), sigmoidf(load<f32>(p + (<usize>k << 2))));
  }
  return OK;
}

export function tanhF32(x: usize, n: i32, rows: i32, stride: i32): i32 {
  const st = checkRows(x, n, rows, stride);
  if (st != OK) return st;
  for (let r = 0; r < rows; r++) {
    const p = x + ((<usize>r * <usize>stride) << 2);
    for (let k = 0; k < n; k++) store<f32>(p + (<usize>k << 2), tanhf(load<f32>(p + (<usize>k << 2))));
  }
  return OK;
}

/** y = (x - mean) / sqrt(var + eps) * gamma + beta; gamma/beta optional (0 = 1 / 0). */
export function layerNormF32(x: usize, n: i32, rows: i32, stride: i32, gamma: usize, beta: usize, epsilon: f32): i32 {
  const st = checkRows(x, n, rows, stride);
  if (st != OK) return st;
  if (!(epsilon >= 0)) return BAD_ARGUMENT;
  for (let r = 0; r < rows; r++) {
    const p = x + ((<usize>r * <usize>stride) << 2);
    const mean = rowSum(p, n, 0, false) / <f32>n;
    const sq = rowSum(p, n, mean, true);
    const inv = <f32>1.0 / sqrt<f32>(sq / <f32>n + epsilon);
    for (let k = 0; k < n; k++) {
      const o = <usize>k << 2;
      let v = (load<f32>(p + o) - mean) * inv;
      if (gamma != 0) v *= load<f32>(gamma + o);
      if (beta != 0) v += load<f32>(beta + o);
      store<f32>(p + o, v);
    }
  }
  return OK;
}
