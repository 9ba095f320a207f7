/**
 * Reference INT8 hybrid LSTM: int8 weights (per-row scales), int8 activations, exact int32
 * accumulators, f32 epilogue (peephole products included). The SIMD build must reproduce these
 * outputs bit for bit.
 * Scratch: xq i32[I], hq i32[H], gates f32[4H].
 */
import { OK, BAD_POINTER } from "../../status";
import { checkRnn, checkScale, stateRow, rowAddr } from "../common";
import { quantizeF32, dynamicScale, Q_MAX, H_INV_SCALE } from "../../quant";
import { dotS8S32 } from "./dot";
import { lstmCells } from "./lstm_f32";

export function lstmScratchS8(I: i32, H: i32, batch: i32): i32 {
  return 4 * I + 20 * H + 16;
}

/** Quantize x (f32[n]) with scale sx into q (i32[n]); see assembly/quant.ts. */
// @ts-ignore: decorator
@inline export function quantizeX(x: usize, n: i32, sx: f32, q: usize): void {
  for (let k = 0; k < n; k++) {
    store<i32>(q + (<usize>k << 2), quantizeF32(load<f32>(x + (<usize>k << 2)) / sx));
  }
}

/** Quantize h (f32[n]) at the fixed scale 1/127 into q (i32[n]). */
// @ts-ignore: decorator
@inline export function quantizeH(h: usize, n: i32, q: usize): void {
  for (let k = 0; k < n; k++) {
    store<i32>(q + (<usize>k << 2), quantizeF32(load<f32>(h + (<usize>k << 2)) * Q_MAX));
  }
}

/** Gate pre-activation from the two exact accumulators (the order both builds follow). */
// @ts-ignore: decorator
@inline export function preActivation(accW: i32, ws: f32, sx: f32, accR: i32, rs: f32, bias: f32): f32 {
  return <f32>accW * (ws * sx) + <f32>accR * (rs * H_INV_SCALE) + bias;
}

export function lstmS8(
  Wq: usize, Ws: usize, Rq: usize, Rs: usize, B: usize, P: usize, I: i32, H: i32, batch: i32, T: i32,
  x: usize, xStride: i32, y: usize, yStride: i32, h: usize, c: usize, slots: usize,
  scratch: usize, xScale: f32, reverse: i32,
): i32 {
  let st = checkRnn(I, H, batch, T, xStride, yStride, Wq, Rq, x, y, h, scratch, reverse);
  if (st != OK) return st;
  st = checkScale(xScale);
  if (st != OK) return st;
  if (Ws == 0 || Rs == 0 || B == 0 || c == 0) return BAD_POINTER;
  const hb = <usize>H << 2;
  const xq = scratch;
  const hq = xq + (<usize>I << 2);
  const gates = hq + hb;
  const rows = 4 * H;
  for (let b = 0; b < batch; b++) {
    const s = <usize>stateRow(slots, b);
    const hp = h + s * hb;
    const cp = c + s * hb;
    for (let step = 0; step < T; step++) {
      const t = reverse ? T - 1 - step : step;
      const xp = rowAddr(x, t, b, batch, xStride);
      const sx = xScale > 0 ? xScale : dynamicScale(xp, I);
      quantizeX(xp, I, sx, xq);
      quantizeH(hp, H, hq);
      for (let r = 0; r < rows; r++) {
        const o = <usize>r << 2;
        const accW = dotS8S32(Wq + <usize>r * <usize>I, xq, I);
        const accR = dotS8S32(Rq + <usize>r * <usize>H, hq, H);
        store<f32>(gates + o, preActivation(accW, load<f32>(Ws + o), sx, accR, load<f32>(Rs + o), load<f32>(B + o)));
      }
      lstmCells(gates, hb, hp, cp, P, H);
      if (y != 0) memory.copy(rowAddr(y, t, b, batch, yStride), hp, hb);
    }
  }
  return OK;
}
