/**
 * SIMD f32 LSTM. Same loop structure as simd/lstm_s8.ts (stream tiles, time, 4-row groups,
 * streams), with W x and R h summed into the same four f32x4 accumulators per group.
 * Differs from the reference only by the summation order of the dot products. Peepholes
 * (P != 0) take lstmEpiloguePeep4.
 */
import { OK, BAD_POINTER } from "../../status";
import { checkRnn, stateRow, rowAddr } from "../common";
import { copyF32 } from "./quant";
import { roundUp, F32_BLOCK } from "../../formats";
import { dotGroupF32x2, dotGroupF32x2x2 } from "./dot";
import { TILE, lstmEpilogue4, lstmEpiloguePeep4 } from "./lstm_s8";

// @ts-ignore: decorator
@inline function f32StreamBytes(I: i32, H: i32): i32 {
  // xa f32[Kx] + hw f32[Ks] + cw f32[Ks] + pre f32[4H + 8]
  return roundUp(I, 8) * 4 + 2 * roundUp(H, 8) * 4 + roundUp((4 * H + 8) * 4, 16);
}

export function lstmScratchF32(I: i32, H: i32, batch: i32): i32 {
  return min(batch, TILE) * f32StreamBytes(I, H) + 64;
}

export function lstmF32(
  W: usize, R: usize, B: usize, P: usize, I: i32, H: i32, batch: i32, T: i32,
  x: usize, xStride: i32, y: usize, yStride: i32, h: usize, c: usize, slots: usize,
  scratch: usize, reverse: i32,
): i32 {
  const st = checkRnn(I, H, batch, T, xStride, yStride, W, R, x, y, h, scratch, reverse);
  if (st != OK) return st;
  if (B == 0 || c == 0) return BAD_POINTER;

  const Kx = roundUp(I, 8);
  const Ks = roundUp(H, 8);
  const nbx = roundUp(I, F32_BLOCK) / F32_BLOCK;
  const nbh = roundUp(H, F32_BLOCK) / F32_BLOCK;
  const hb = <usize>H << 2;
  const bt = min(batch, TILE);
  const xaS = <usize>Kx << 2;
  const stS = <usize>Ks << 2;
  const preS = <usize>roundUp((4 * H + 8) * 4, 16);
  const xa0 = scratch;
  const hw0 = xa0 + <usize>bt * xaS;
  const cw0 = hw0 + <usize>bt * stS;
  const pre0 = cw0 + <usize>bt * stS;
  const tmp = pre0 + <usize>bt * preS; // 32 bytes: results of a stream pair
  const gW = <usize>nbx * 64;
  const gR = <usize>nbh * 64;

  for (let b0 = 0; b0 < batch; b0 += TILE) {
    const nb = min(TILE, batch - b0);
    for (let i = 0; i < nb; i++) {
      const s = <usize>stateRow(slots, b0 + i);
      const hw = hw0 + <usize>i * stS;
      const cw = cw0 + <usize>i * stS;
      memory.fill(hw, 0, stS);
      memory.fill(cw, 0, stS);
      memory.copy(hw, h + s * hb, hb);
      memory.copy(cw, c + s * hb, hb);
      memory.fill(xa0 + <usize>i * xaS, 0, xaS);
      memory.fill(pre0 + <usize>i * preS, 0, preS);
    }
    for (let step = 0; step < T; step++) {
      const t = reverse ? T - 1 - step : step;
      for (let i = 0; i < nb; i++) {
        copyF32(xa0 + <usize>i * xaS, rowAddr(x, t, b0 + i, batch, xStride), I);
      }
      for (let g = 0; g < H; g++) {
        const wg = W + <usize>g * gW;
        const rg = R + <usize>g * gR;
        const o = <usize>g << 4;
        const b4 = v128.load(B + o);
        let i = 0;
        for (; i + 2 <= nb; i += 2) {
          const xa = xa0 + <usize>i * xaS;
          const ha = hw0 + <usize>i * stS;
          dotGroupF32x2x2(wg, xa, xa + xaS, nbx, rg, ha, ha + stS, nbh, tmp);
          const pa = pre0 + <usize>i * preS + o;
          v128.store(pa, f32x4.add(v128.load(tmp), b4));
          v128.store(pa + preS, f32x4.add(v128.load(tmp, 16), b4));
        }
        for (; i < nb; i++) {
          const v = dotGroupF32x2(wg, xa0 + <usize>i * xaS, nbx, rg, hw0 + <usize>i * stS, nbh);
          v128.store(pre0 + <usize>i * preS + o, f32x4.add(v, b4));
        }
      }
      for (let i = 0; i < nb; i++) {
        const hw = hw0 + <usize>i * stS;
        if (P != 0) lstmEpiloguePeep4(pre0 + <usize>i * preS, hb, hw, cw0 + <usize>i * stS, Ks, P, 0, 0, 0);
        else lstmEpilogue4(pre0 + <usize>i * preS, hb, hw, cw0 + <usize>i * stS, Ks);
        if (y != 0) copyF32(rowAddr(y, t, b0 + i, batch, yStride), hw, H);
      }
    }
    for (let i = 0; i < nb; i++) {
      const s = <usize>stateRow(slots, b0 + i);
      memory.copy(h + s * hb, hw0 + <usize>i * stS, hb);
      memory.copy(c + s * hb, cw0 + <usize>i * stS, hb);
    }
  }
  return OK;
}
