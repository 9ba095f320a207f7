/**
 * Reference f32 GRU (ONNX gates z, r, h; both linear_before_reset forms).
 * Scratch: xw f32[3H] (W x + Wb), hr f32[3H] (R h + Rb), rh f32[H] (r * h for lbr = 0).
 */
import { OK, BAD_POINTER, BAD_ARGUMENT } from "../../status";
import { checkRnn, stateRow, rowAddr } from "../common";
import { gruBlend } from "../cell";
import { sigmoidf, tanhf } from "../../math";
import { dotF32 } from "./dot";

export function gruScratchF32(I: i32, H: i32, batch: i32): i32 {
  return 28 * H + 16;
}

export function gruF32(
  W: usize, R: usize, Wb: usize, Rb: usize, I: i32, H: i32, batch: i32, T: i32,
  x: usize, xStride: i32, y: usize, yStride: i32, h: usize, slots: usize,
  scratch: usize, linearBeforeReset: i32, reverse: i32,
): i32 {
  const st = checkRnn(I, H, batch, T, xStride, yStride, W, R, x, y, h, scratch, reverse);
  if (st != OK) return st;
  if (Wb == 0 || Rb == 0) return BAD_POINTER;
  if (linearBeforeReset != 0 && linearBeforeReset != 1) return BAD_ARGUMENT;
  const hb = <usize>H << 2;
  const xw = scratch;
  const hr = xw + 3 * hb;
  const rh = hr + 3 * hb;
  const rows = 3 * H;
  const hrRows = linearBeforeReset ? rows : 2 * H;
  for (let b = 0; b < batch; b++) {
    const hp = h + <usize>stateRow(slots, b) * hb;
    for (let step = 0; step < T; step++) {
      const t = reverse ? T - 1 - step : step;
      const xp = rowAddr(x, t, b, batch, xStride);
      for (let r = 0; r < rows; r++) {
        const o = <usize>r << 2;
        store<f32>(xw + o, dotF32(W + ((<usize>r * <usize>I) << 2), xp, I, load<f32>(Wb + o)));
      }
      for (let r = 0; r < hrRows; r++) {
        const o = <usize>r << 2;
        store<f32>(hr + o, dotF32(R + ((<usize>r * <usize>H) << 2), hp, H, load<f32>(Rb + o)));
      }
      if (!linearBeforeReset) {
        for (let j = 0; j < H; j++) {
          const o = <usize>j << 2;
          const r = sigmoidf(load<f32>(xw + hb + o) + load<f32>(hr + hb + o));
          store<f32>(rh + o, r * load<f32>(hp + o));
        }
        for (let j = 0; j < H; j++) {
          const row = <usize>(2 * H + j);
          store<f32>(hr + (row << 2), dotF32(R + ((row * <usize>H) << 2), rh, H, load<f32>(Rb + (row << 2))));
        }
      }
      for (let j = 0; j < H; j++) {
        const o = <usize>j << 2;
        const z = sigmoidf(load<f32>(xw + o) + load<f32>(hr + o));
        let n: f32;
        if (linearBeforeReset) {
          const r = sigmoidf(load<f32>(xw + hb + o) + load<f32>(hr + hb + o));
          n = tanhf(load<f32>(xw + 2 * hb + o) + r * load<f32>(hr + 2 * hb + o));
        } else {
          n = tanhf(load<f32>(xw + 2 * hb + o) + load<f32>(hr + 2 * hb + o));
        }
        store<f32>(hp + o, gruBlend(z, n, load<f32>(hp + o)));
      }
      if (y != 0) memory.copy(rowAddr(y, t, b, batch, yStride), hp, hb);
    }
  }
  return OK;
}
