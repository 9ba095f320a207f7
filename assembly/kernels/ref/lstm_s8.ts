/**
 * Reference INT8 hybrid LSTM: int8 weights (per-row scales), int8 activations (scheme QS_A8 or
 * QS_A7, assembly/abi.ts), exact int32 accumulators, f32 epilogue (peephole products included).
 * The SIMD and relaxed builds must reproduce these outputs bit for bit.
 * Scratch: xq i32[I], hq i32[H], gates f32[4H].
 */
import { OK, BAD_POINTER } from "../../status";
import { checkRnn, checkScale, checkScheme, stateRow, rowAddr } from "../common";
import { quantizeF32, dynamicScale, qmaxOf, Q_MAX, H_INV_SCALE } from "../../quant";
import { QS_A7 } from "../../abi";
import { dotS8S32 } from "./dot";
import { lstmCells } from "./lstm_f32";

export function lstmScratchS8(I: i32, H: i32, batch: i32): i32 {
  return 4 * I + 20 * H + 16;
}

/** Quantize x (f32[n]) with scale sx into q (i32[n]), codes in [-qmax, qmax]; see assembly/quant.ts. */
// @ts-ignore: decorator
@inline export function quantizeX(x: usize, n: i32, sx: f32, q: usize, qmax: f32 = Q_MAX): void {
  for (let k = 0; k < n; k++) {
    store<i32>(q + (<usize>k << 2), quantizeF32(load<f32>(x + (<usize>k << 2)) / sx, qmax));
  }
}

/**
 * Quantize h (f32[n]) into q (i32[n]) and return its dequantization scale: QS_A8 the fixed
 * 1/127 (q = round(h * 127)); QS_A7 the dynamic max|h| / 63 (q = round(h / sh), as x).
 */
// @ts-ignore: decorator
@inline export function quantizeH(h: usize, n: i32, q: usize, scheme: i32): f32 {
  if (scheme == QS_A7) {
    const sh = dynamicScale(h, n, qmaxOf(scheme));
    quantizeX(h, n, sh, q, qmaxOf(scheme));
    return sh;
  }
  for (let k = 0; k < n; k++) {
    store<i32>(q + (<usize>k << 2), quantizeF32(load<f32>(h + (<usize>k << 2)) * Q_MAX));
  }
  return H_INV_SCALE;
}

/**
 * Gate pre-activation from the two exact accumulators (the order every build follows); sh is
 * h's scale (H_INV_SCALE in QS_A8, so the expression is ABI 2's).
 */
// @ts-ignore: decorator
@inline export function preActivation(accW: i32, ws: f32, sx: f32, accR: i32, rs: f32, sh: f32, bias: f32): f32 {
  return <f32>accW * (ws * sx) + <f32>accR * (rs * sh) + bias;
}

export function lstmS8(
  Wq: usize, Ws: usize, Rq: usize, Rs: usize, B: usize, P: usize, I: i32, H: i32, batch: i32, T: i32,
  x: usize, xStride: i32, y: usize, yStride: i32, h: usize, c: usize, slots: usize,
  scratch: usize, xScale: f32, scheme: i32, reverse: i32,
): i32 {
  let st = checkRnn(I, H, batch, T, xStride, yStride, Wq, Rq, x, y, h, scratch, reverse);
  if (st != OK) return st;
  st = checkScale(xScale);
  if (st != OK) return st;
  st = checkScheme(scheme);
  if (st != OK) return st;
  if (Ws == 0 || Rs == 0 || B == 0 || c == 0) return BAD_POINTER;
  const hb = <usize>H << 2;
  const xq = scratch;
  const hq = xq + (<usize>I << 2);
  const gates = hq + hb;
  const rows = 4 * H;
  const qx = qmaxOf(scheme);
  for (let b = 0; b < batch; b++) {
    const s = <usize>stateRow(slots, b);
    const hp = h + s * hb;
    const cp = c + s * hb;
    for (let step = 0; step < T; step++) {
      const t = reverse ? T - 1 - step : step;
      const xp = rowAddr(x, t, b, batch, xStride);
      const sx = xScale > 0 ? xScale : dynamicScale(xp, I, qx);
      quantizeX(xp, I, sx, xq, qx);
      const sh = quantizeH(hp, H, hq, scheme);
      for (let r = 0; r < rows; r++) {
        const o = <usize>r << 2;
        const accW = dotS8S32(Wq + <usize>r * <usize>I, xq, I);
        const accR = dotS8S32(Rq + <usize>r * <usize>H, hq, H);
        store<f32>(gates + o, preActivation(accW, load<f32>(Ws + o), sx, accR, load<f32>(Rs + o), sh, load<f32>(B + o)));
      }
      lstmCells(gates, hb, hp, cp, P, H);
      if (y != 0) memory.copy(rowAddr(y, t, b, batch, yStride), hp, hb);
    }
  }
  return OK;
}
