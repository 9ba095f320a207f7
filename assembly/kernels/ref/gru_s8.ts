/**
 * Reference INT8 hybrid GRU (z, r, h; both linear_before_reset forms). For lbr = 0 the product
 * r*h is quantized like h (QS_A8: fixed scale 1/127; QS_A7: its own dynamic scale
 * max|r*h| / 63). Scratch: xq i32[I], hq i32[H], xw f32[3H], hr f32[3H], rh f32[H].
 */
import { OK, BAD_POINTER, BAD_ARGUMENT } from "../../status";
import { checkRnn, checkScale, checkScheme, stateRow, rowAddr } from "../common";
import { gruBlend } from "../cell";
import { sigmoidf, tanhf } from "../../math";
import { dynamicScale, qmaxOf } from "../../quant";
import { quantizeX, quantizeH } from "./lstm_s8";
import { dotS8S32 } from "./dot";

export function gruScratchS8(I: i32, H: i32, batch: i32): i32 {
  return 4 * I + 32 * H + 16;
}

export function gruS8(
  Wq: usize, Ws: usize, Rq: usize, Rs: usize, Wb: usize, Rb: usize, I: i32, H: i32, batch: i32, T: i32,
  x: usize, xStride: i32, y: usize, yStride: i32, h: usize, slots: usize,
  scratch: usize, xScale: f32, scheme: i32, linearBeforeReset: i32, reverse: i32,
): i32 {
  let st = checkRnn(I, H, batch, T, xStride, yStride, Wq, Rq, x, y, h, scratch, reverse);
  if (st != OK) return st;
  st = checkScale(xScale);
  if (st != OK) return st;
  st = checkScheme(scheme);
  if (st != OK) return st;
  if (Ws == 0 || Rs == 0 || Wb == 0 || Rb == 0) return BAD_POINTER;
  if (linearBeforeReset != 0 && linearBeforeReset != 1) return BAD_ARGUMENT;
  const hb = <usize>H << 2;
  const xq = scratch;
  const hq = xq + (<usize>I << 2);
  const xw = hq + hb;
  const hr = xw + 3 * hb;
  const rh = hr + 3 * hb;
  const rows = 3 * H;
  const qx = qmaxOf(scheme);
  const hrRows = linearBeforeReset ? rows : 2 * H;
  for (let b = 0; b < batch; b++) {
    const hp = h + <usize>stateRow(slots, b) * hb;
    for (let step = 0; step < T; step++) {
      const t = reverse ? T - 1 - step : step;
      const xp = rowAddr(x, t, b, batch, xStride);
      const sx = xScale > 0 ? xScale : dynamicScale(xp, I, qx);
      quantizeX(xp, I, sx, xq, qx);
      const sh = quantizeH(hp, H, hq, scheme);
      for (let r = 0; r < rows; r++) {
        const o = <usize>r << 2;
        const acc = dotS8S32(Wq + <usize>r * <usize>I, xq, I);
        store<f32>(xw + o, <f32>acc * (load<f32>(Ws + o) * sx) + load<f32>(Wb + o));
      }
      for (let r = 0; r < hrRows; r++) {
        const o = <usize>r << 2;
        const acc = dotS8S32(Rq + <usize>r * <usize>H, hq, H);
        store<f32>(hr + o, <f32>acc * (load<f32>(Rs + o) * sh) + load<f32>(Rb + o));
      }
      if (!linearBeforeReset) {
        // hq is free once the z/r rows are done: reuse it for q(r * h), quantized like h.
        for (let j = 0; j < H; j++) {
          const o = <usize>j << 2;
          const r = sigmoidf(load<f32>(xw + hb + o) + load<f32>(hr + hb + o));
          store<f32>(rh + o, r * load<f32>(hp + o));
        }
        const srh = quantizeH(rh, H, hq, scheme);
        for (let j = 0; j < H; j++) {
          const row = <usize>(2 * H + j);
          const o = row << 2;
          const acc = dotS8S32(Rq + row * <usize>H, hq, H);
          store<f32>(hr + o, <f32>acc * (load<f32>(Rs + o) * srh) + load<f32>(Rb + o));
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
