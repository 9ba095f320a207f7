/**
 * Compile-time choice of the kernel set: kernels/simd/* in the `simd` and `relaxed` targets
 * (ASC_FEATURE_SIMD; the relaxed target also has ASC_FEATURE_RELAXED_SIMD, which switches the
 * INT8 mat-vec inside kernels/simd to relaxed SIMD's 8-bit dot product), kernels/ref/* otherwise.
 * Both sets have the same file names and signatures; the branch is resolved by the compiler, so
 * each .wasm contains only one set.
 */
import * as rLstmF32 from "./ref/lstm_f32";
import * as rGruF32 from "./ref/gru_f32";
import * as rLstmS8 from "./ref/lstm_s8";
import * as rGruS8 from "./ref/gru_s8";
import * as rPack from "./ref/pack";
import * as rDense from "./ref/dense_f32";
import * as rRows from "./ref/rows_f32";
import * as rMatvec from "./ref/matvec_s8_s32";
import * as rDenseS8 from "./ref/dense_s8";
import * as sLstmF32 from "./simd/lstm_f32";
import * as sGruF32 from "./simd/gru_f32";
import * as sLstmS8 from "./simd/lstm_s8";
import * as sGruS8 from "./simd/gru_s8";
import * as sPack from "./simd/pack";
import * as sDense from "./simd/dense_f32";
import * as sRows from "./simd/rows_f32";
import * as sMatvec from "./simd/matvec_s8_s32";
import * as sDenseS8 from "./simd/dense_s8";
import { OP_LSTM_F32, OP_GRU_F32, OP_LSTM_S8, OP_GRU_S8, OP_DENSE_S8 } from "../abi";
import { MAX_DIM } from "./common";

export function scratchBytes(op: i32, I: i32, H: i32, batch: i32): i32 {
  if (I <= 0 || H <= 0 || batch <= 0 || I > MAX_DIM || H > MAX_DIM || batch > MAX_DIM) return -1;
  let n: i64 = -1;
  // denseS8 (I = inF, H = outF): one row's codes, the same in both builds.
  if (op == OP_DENSE_S8) n = I <= rDenseS8.DENSE_S8_MAX_IN ? rDenseS8.denseScratchS8(I) : -1;
  else if (ASC_FEATURE_SIMD) {
    if (op == OP_LSTM_F32) n = sLstmF32.lstmScratchF32(I, H, batch);
    else if (op == OP_GRU_F32) n = sGruF32.gruScratchF32(I, H, batch);
    else if (op == OP_LSTM_S8) n = sLstmS8.lstmScratchS8(I, H, batch);
    else if (op == OP_GRU_S8) n = sGruS8.gruScratchS8(I, H, batch);
  } else {
    if (op == OP_LSTM_F32) n = rLstmF32.lstmScratchF32(I, H, batch);
    else if (op == OP_GRU_F32) n = rGruF32.gruScratchF32(I, H, batch);
    else if (op == OP_LSTM_S8) n = rLstmS8.lstmScratchS8(I, H, batch);
    else if (op == OP_GRU_S8) n = rGruS8.gruScratchS8(I, H, batch);
  }
  return n < 0 || n > 0x7fffffff ? -1 : <i32>n;
}

export function packedBytesF32(rows: i32, cols: i32): i32 {
  return ASC_FEATURE_SIMD ? sPack.packedBytesF32(rows, cols) : rPack.packedBytesF32(rows, cols);
}
export function packWeightsF32(src: usize, rows: i32, cols: i32, dst: usize): i32 {
  return ASC_FEATURE_SIMD ? sPack.packWeightsF32(src, rows, cols, dst) : rPack.packWeightsF32(src, rows, cols, dst);
}
export function packedBytesS8(rows: i32, cols: i32): i32 {
  return ASC_FEATURE_SIMD ? sPack.packedBytesS8(rows, cols) : rPack.packedBytesS8(rows, cols);
}
export function packWeightsS8(src: usize, rows: i32, cols: i32, dst: usize): i32 {
  return ASC_FEATURE_SIMD ? sPack.packWeightsS8(src, rows, cols, dst) : rPack.packWeightsS8(src, rows, cols, dst);
}

export function lstmF32(
  W: usize, R: usize, B: usize, P: usize, I: i32, H: i32, batch: i32, T: i32, x: usize, xStride: i32,
  y: usize, yStride: i32, h: usize, c: usize, slots: usize, scratch: usize, reverse: i32,
): i32 {
  return ASC_FEATURE_SIMD
    ? sLstmF32.lstmF32(W, R, B, P, I, H, batch, T, x, xStride, y, yStride, h, c, slots, scratch, reverse)
    : rLstmF32.lstmF32(W, R, B, P, I, H, batch, T, x, xStride, y, yStride, h, c, slots, scratch, reverse);
}

export function gruF32(
  W: usize, R: usize, Wb: usize, Rb: usize, I: i32, H: i32, batch: i32, T: i32, x: usize, xStride: i32,
  y: usize, yStride: i32, h: usize, slots: usize, scratch: usize, linearBeforeReset: i32, reverse: i32,
): i32 {
  return ASC_FEATURE_SIMD
    ? sGruF32.gruF32(W, R, Wb, Rb, I, H, batch, T, x, xStride, y, yStride, h, slots, scratch, linearBeforeReset, reverse)
    : rGruF32.gruF32(W, R, Wb, Rb, I, H, batch, T, x, xStride, y, yStride, h, slots, scratch, linearBeforeReset, reverse);
}

export function lstmS8(
  Wq: usize, Ws: usize, Rq: usize, Rs: usize, B: usize, P: usize, I: i32, H: i32, batch: i32, T: i32,
  x: usize, xStride: i32, y: usize, yStride: i32, h: usize, c: usize, slots: usize, scratch: usize,
  xScale: f32, scheme: i32, reverse: i32,
): i32 {
  return ASC_FEATURE_SIMD
    ? sLstmS8.lstmS8(Wq, Ws, Rq, Rs, B, P, I, H, batch, T, x, xStride, y, yStride, h, c, slots, scratch, xScale, scheme, reverse)
    : rLstmS8.lstmS8(Wq, Ws, Rq, Rs, B, P, I, H, batch, T, x, xStride, y, yStride, h, c, slots, scratch, xScale, scheme, reverse);
}

export function gruS8(
  Wq: usize, Ws: usize, Rq: usize, Rs: usize, Wb: usize, Rb: usize, I: i32, H: i32, batch: i32, T: i32,
  x: usize, xStride: i32, y: usize, yStride: i32, h: usize, slots: usize, scratch: usize,
  xScale: f32, scheme: i32, linearBeforeReset: i32, reverse: i32,
): i32 {
  return ASC_FEATURE_SIMD
    ? sGruS8.gruS8(Wq, Ws, Rq, Rs, Wb, Rb, I, H, batch, T, x, xStride, y, yStride, h, slots, scratch, xScale, scheme, linearBeforeReset, reverse)
    : rGruS8.gruS8(Wq, Ws, Rq, Rs, Wb, Rb, I, H, batch, T, x, xStride, y, yStride, h, slots, scratch, xScale, scheme, linearBeforeReset, reverse);
}

export function denseF32(W: usize, b: usize, inF: i32, outF: i32, batch: i32, x: usize, xStride: i32, y: usize, yStride: i32, activation: i32): i32 {
  return ASC_FEATURE_SIMD
    ? sDense.denseF32(W, b, inF, outF, batch, x, xStride, y, yStride, activation)
    : rDense.denseF32(W, b, inF, outF, batch, x, xStride, y, yStride, activation);
}
export function softmaxF32(x: usize, n: i32, rows: i32, stride: i32): i32 {
  return ASC_FEATURE_SIMD ? sRows.softmaxF32(x, n, rows, stride) : rRows.softmaxF32(x, n, rows, stride);
}
export function sigmoidF32(x: usize, n: i32, rows: i32, stride: i32): i32 {
  return ASC_FEATURE_SIMD ? sRows.sigmoidF32(x, n, rows, stride) : rRows.sigmoidF32(x, n, rows, stride);
}
export function tanhF32(x: usize, n: i32, rows: i32, stride: i32): i32 {
  return ASC_FEATURE_SIMD ? sRows.tanhF32(x, n, rows, stride) : rRows.tanhF32(x, n, rows, stride);
}
export function layerNormF32(x: usize, n: i32, rows: i32, stride: i32, gamma: usize, beta: usize, epsilon: f32): i32 {
  return ASC_FEATURE_SIMD
    ? sRows.layerNormF32(x, n, rows, stride, gamma, beta, epsilon)
    : rRows.layerNormF32(x, n, rows, stride, gamma, beta, epsilon);
}
export function matvecS8S32(Wq: usize, rows: i32, cols: i32, xq: usize, out: usize, scheme: i32): i32 {
  return ASC_FEATURE_SIMD ? sMatvec.matvecS8S32(Wq, rows, cols, xq, out, scheme) : rMatvec.matvecS8S32(Wq, rows, cols, xq, out, scheme);
}

export function denseS8(
  Wq: usize, Ws: usize, b: usize, inF: i32, outF: i32, batch: i32, x: usize, xStride: i32, y: usize, yStride: i32,
  activation: i32, scratch: usize, split: i32, xScale: f32, tailScale: f32, scheme: i32,
): i32 {
  return ASC_FEATURE_SIMD
    ? sDenseS8.denseS8(Wq, Ws, b, inF, outF, batch, x, xStride, y, yStride, activation, scratch, split, xScale, tailScale, scheme)
    : rDenseS8.denseS8(Wq, Ws, b, inF, outF, batch, x, xStride, y, yStride, activation, scratch, split, xScale, tailScale, scheme);
}
