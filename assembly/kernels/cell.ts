/**
 * Scalar gate epilogues shared by the f32 and INT8 reference kernels and by SIMD tails.
 * The SIMD twins (kernels/simd/cell.ts) evaluate the same expression trees lane-wise.
 */
import { sigmoidf, tanhf } from "../math";

/** LSTM: c' = f*c + i*g with i, f = sigmoid, g = tanh of the pre-activations. */
// @ts-ignore: decorator
@inline export function lstmCellC(pi: f32, pf: f32, pc: f32, c: f32): f32 {
  return sigmoidf(pf) * c + sigmoidf(pi) * tanhf(pc);
}

/**
 * LSTM peephole (ONNX input P, gate order i, o, f): the gate's pre-activation plus p * c, where c
 * is the previous cell state for i and f and the new one (c') for o. Evaluated as pre + (p * c)
 * in f32 by every path (the SIMD twin is f32x4.add(pre, f32x4.mul(p, c))); INT8 layers too.
 */
// @ts-ignore: decorator
@inline export function peep(pre: f32, p: f32, c: f32): f32 {
  return pre + p * c;
}

/** LSTM: h' = o * tanh(c'). */
// @ts-ignore: decorator
@inline export function lstmCellH(po: f32, c: f32): f32 {
  return sigmoidf(po) * tanhf(c);
}

/** GRU: h' = (1 - z) * n + z * h. */
// @ts-ignore: decorator
@inline export function gruBlend(z: f32, n: f32, h: f32): f32 {
  return (<f32>1.0 - z) * n + z * h;
}
