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
