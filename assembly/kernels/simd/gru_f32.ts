/**
 * SIMD f32 GRU (z, r, h; both linear_before_reset forms). Same tiling and padding rules as
 * simd/lstm_f32.ts; xw = W x + Wb and hr = R h + Rb are kept apart because r multiplies hr.
 */
import { OK, BAD_POINTER, BAD_ARGUMENT } from "../../status";
import { checkRnn, stateRow, rowAddr } from "../common";
import { copyF32 } from "./quant";
import { roundUp, F32_BLOCK } from "../../formats";
import { sigmoidf4, tanhf4, k4, K_ONE, K_Q127 } from "./math";
import { quantize4 } from "./quant";
import { dotGroupF32, dotGroupF32x2x2 } from "./dot";
import { TILE } from "./lstm_s8";

// @ts-ignore: decorator
@inline function f32StreamBytes(I: i32, H: i32): i32 {
  const Kx = roundUp(I, 8);
  const Ks = roundUp(H, 8);
  // xa f32[Kx] + hw f32[Ks] + rh f32[Ks] + xw, hr f32[3H + 8]
  return Kx * 4 + 2 * Ks * 4 + 2 * roundUp((3 * H + 8) * 4, 16);
}

export function gruScratchF32(I: i32, H: i32, batch: i32): i32 {
  return min(batch, TILE) * f32StreamBytes(I, H) + 96;
}

/** Adds bias to the dot products of group g (rows below `hi`, at or above `lo`) into dst. */
// @ts-ignore: decorator
@inline function biasGroup(v: v128, g: i32, lo: i32, hi: i32, bias: usize, dst: usize, tmp: usize): void {
  const r0 = g << 2;
  const o = <usize>r0 << 2;
  if (r0 >= lo && r0 + 4 <= hi) {
    v128.store(dst + o, f32x4.add(v, v128.load(bias + o)));
  } else {
    v128.store(tmp, v);
    for (let l = 0; l < 4; l++) {
      const r = r0 + l;
      if (r < lo || r >= hi) continue;
      const ro = <usize>r << 2;
      store<f32>(dst + ro, load<f32>(tmp + (<usize>l << 2)) + load<f32>(bias + ro));
    }
  }
}

/**
 * h' = (1 - z) * n + z * h over n8 lanes (a multiple of 8) from xw (W x + Wb) and hr (R h + Rb,
 * or for lbr = 0 Rn (r*h) + Rbn in the n block); gate blocks `hb` bytes apart. Same trees as
 * the reference; two v128 per iteration for overlap (see lstmEpilogue4).
 */
// @ts-ignore: decorator
@inline function gruLanes(xw: usize, hr: usize, hb: usize, hw: usize, o: usize, lbr: bool): v128 {
  const z = sigmoidf4(f32x4.add(v128.load(xw + o), v128.load(hr + o)));
  let n: v128;
  if (lbr) {
    const r = sigmoidf4(f32x4.add(v128.load(xw + hb + o), v128.load(hr + hb + o)));
    n = tanhf4(f32x4.add(v128.load(xw + 2 * hb + o), f32x4.mul(r, v128.load(hr + 2 * hb + o))));
  } else {
    n = tanhf4(f32x4.add(v128.load(xw + 2 * hb + o), v128.load(hr + 2 * hb + o)));
  }
  return f32x4.add(f32x4.mul(f32x4.sub(k4(K_ONE), z), n), f32x4.mul(z, v128.load(hw + o)));
}

// @ts-ignore: decorator
@inline export function gruEpilogue4(xw: usize, hr: usize, hb: usize, hw: usize, n8: i32, lbr: bool, hq: usize = 0): void {
  for (let j = 0; j < n8; j += 8) {
    const o = <usize>j << 2;
    const h0 = gruLanes(xw, hr, hb, hw, o, lbr);
    const h1 = gruLanes(xw, hr, hb, hw, o + 16, lbr);
    v128.store(hw + o, h0);
    v128.store(hw + o, h1, 16);
    // INT8 path: q(h' * 127) for the next step's mat-vec, while h' is in registers (hq = 0 for
    // the f32 path: a constant after inlining, so this folds away).
    if (hq != 0) {
      const q127 = k4(K_Q127);
      v128.store(hq + (<usize>j << 1), i16x8.narrow_i32x4_s(quantize4(f32x4.mul(h0, q127)), quantize4(f32x4.mul(h1, q127))));
    }
  }
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

  const Kx = roundUp(I, 8);
  const Ks = roundUp(H, 8);
  const nbx = roundUp(I, F32_BLOCK) / F32_BLOCK;
  const nbh = roundUp(H, F32_BLOCK) / F32_BLOCK;
  const hb = <usize>H << 2;
  const bt = min(batch, TILE);
  const rows = 3 * H;
  const groups = (rows + 3) >> 2;
  const nGroup0 = (2 * H) >> 2;
  const xaS = <usize>Kx << 2;
  const stS = <usize>Ks << 2;
  const preS = <usize>roundUp((3 * H + 8) * 4, 16);
  const xa0 = scratch;
  const hw0 = xa0 + <usize>bt * xaS;
  const rh0 = hw0 + <usize>bt * stS;
  const xw0 = rh0 + <usize>bt * stS;
  const hr0 = xw0 + <usize>bt * preS;
  const tmp = hr0 + <usize>bt * preS; // 16 bytes: lanes of a partial row group
  const acc2 = tmp + 32; // 32 bytes: results of a stream pair
  const gW = <usize>nbx * 64;
  const gR = <usize>nbh * 64;
  const lbr = linearBeforeReset != 0;
  const hrEnd = lbr ? rows : 2 * H;

  for (let b0 = 0; b0 < batch; b0 += TILE) {
    const nb = min(TILE, batch - b0);
    for (let i = 0; i < nb; i++) {
      const hw = hw0 + <usize>i * stS;
      memory.fill(hw, 0, stS);
      memory.copy(hw, h + <usize>stateRow(slots, b0 + i) * hb, hb);
      memory.fill(xa0 + <usize>i * xaS, 0, xaS);
      memory.fill(rh0 + <usize>i * stS, 0, stS);
      memory.fill(xw0 + <usize>i * preS, 0, preS);
      memory.fill(hr0 + <usize>i * preS, 0, preS);
    }
    for (let step = 0; step < T; step++) {
      const t = reverse ? T - 1 - step : step;
      for (let i = 0; i < nb; i++) {
        copyF32(xa0 + <usize>i * xaS, rowAddr(x, t, b0 + i, batch, xStride), I);
      }
      for (let g = 0; g < groups; g++) {
        const wg = W + <usize>g * gW;
        const rg = R + <usize>g * gR;
        const withR = g << 2 < hrEnd;
        let i = 0;
        for (; i + 2 <= nb; i += 2) {
          const xa = xa0 + <usize>i * xaS;
          // W x for the pair (no R operand), then R h for the pair.
          dotGroupF32x2x2(wg, xa, xa + xaS, nbx, rg, 0, 0, 0, acc2);
          biasGroup(v128.load(acc2), g, 0, rows, Wb, xw0 + <usize>i * preS, tmp);
          biasGroup(v128.load(acc2, 16), g, 0, rows, Wb, xw0 + <usize>(i + 1) * preS, tmp);
          if (withR) {
            const ha = hw0 + <usize>i * stS;
            dotGroupF32x2x2(rg, ha, ha + stS, nbh, wg, 0, 0, 0, acc2);
            biasGroup(v128.load(acc2), g, 0, hrEnd, Rb, hr0 + <usize>i * preS, tmp);
            biasGroup(v128.load(acc2, 16), g, 0, hrEnd, Rb, hr0 + <usize>(i + 1) * preS, tmp);
          }
        }
        for (; i < nb; i++) {
          biasGroup(dotGroupF32(wg, xa0 + <usize>i * xaS, nbx), g, 0, rows, Wb, xw0 + <usize>i * preS, tmp);
          if (withR) {
            biasGroup(dotGroupF32(rg, hw0 + <usize>i * stS, nbh), g, 0, hrEnd, Rb, hr0 + <usize>i * preS, tmp);
          }
        }
      }
      if (!lbr) {
        for (let i = 0; i < nb; i++) {
          const xw = xw0 + <usize>i * preS;
          const hr = hr0 + <usize>i * preS;
          const hw = hw0 + <usize>i * stS;
          const rh = rh0 + <usize>i * stS;
          // Lanes at and beyond H must stay exactly zero here: they meet the zero-padded
          // columns of R, and a non-finite value there would poison the f32 sums.
          for (let j = 0; j < H; j += 4) {
            const o = <usize>j << 2;
            const r = sigmoidf4(f32x4.add(v128.load(xw + hb + o), v128.load(hr + hb + o)));
            v128.store(rh + o, f32x4.mul(r, v128.load(hw + o)));
          }
          memory.fill(rh + hb, 0, stS - hb);
        }
        for (let g = nGroup0; g < groups; g++) {
          const rg = R + <usize>g * gR;
          for (let i = 0; i < nb; i++) {
            biasGroup(dotGroupF32(rg, rh0 + <usize>i * stS, nbh), g, 2 * H, rows, Rb, hr0 + <usize>i * preS, tmp);
          }
        }
      }
      for (let i = 0; i < nb; i++) {
        const hw = hw0 + <usize>i * stS;
        gruEpilogue4(xw0 + <usize>i * preS, hr0 + <usize>i * preS, hb, hw, Ks, lbr);
        if (y != 0) copyF32(rowAddr(y, t, b0 + i, batch, yStride), hw, H);
      }
    }
    for (let i = 0; i < nb; i++) {
      memory.copy(h + <usize>stateRow(slots, b0 + i) * hb, hw0 + <usize>i * stS, hb);
    }
  }
  return OK;
}
