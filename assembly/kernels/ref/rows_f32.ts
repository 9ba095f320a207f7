/** Reference in-place row-wise ops: softmax, sigmoid, tanh, layer norm over `rows` rows of n. */
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
    let sum: f32 = 0;
    for (let k = 0; k < n; k++) {
      const e = expf(load<f32>(p + (<usize>k << 2)) - m);
      store<f32>(p + (<usize>k << 2), e);
      sum += e;
    }
    const inv = <f32>1.0 / sum;
    for (let k = 0; k < n; k++) store<f32>(p + (<usize>k << 2), load<f32>(p + (<usize>k << 2)) * inv);
  }
  return OK;
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
    let sum: f32 = 0;
    for (let k = 0; k < n; k++) sum += load<f32>(p + (<usize>k << 2));
    const mean = sum / <f32>n;
    let sq: f32 = 0;
    for (let k = 0; k < n; k++) {
      const d = load<f32>(p + (<usize>k << 2)) - mean;
      sq += d * d;
    }
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
