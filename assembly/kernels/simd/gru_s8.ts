/**
 * SIMD INT8 hybrid GRU (z, r, h; both linear_before_reset forms). Bit-identical to
 * kernels/ref/gru_s8.ts. Same tiling as simd/lstm_s8.ts; 3H rows may end in a partial 4-row
 * slice, whose lanes are finished with the scalar expressions of the reference. For lbr = 0 the
 * Rn (r*h) product is a second pass over the row groups that hold the n rows.
 */
import { OK, BAD_POINTER, BAD_ARGUMENT } from "../../status";
import { checkRnn, checkScale, stateRow, rowAddr } from "../common";
import { roundUp, S8_BLOCK } from "../../formats";
import { Q_MAX, H_INV_SCALE } from "../../quant";
import { sigmoidf4, tanhf4 } from "./math";
import { dotGroupS8, dotGroupS8x2, groupBytesS8 } from "./dot";
import { maxAbs, quantizeDivI16, quantizeMulI16, quantize4, copyF32 } from "./quant";
import { TILE, s8StreamBytes } from "./lstm_s8";
import { gruEpilogue4 } from "./gru_f32";

export function gruScratchS8(I: i32, H: i32, batch: i32): i32 {
  return min(batch, TILE) * s8StreamBytes(I, H, 3) + 16 * TILE + 32 + 128 * TILE;
}

/**
 * dst[r] = f32(acc[r]) * (s[r] * m) + bias[r] for the rows r of group g below `hi` and at or
 * above `lo` (a partial group is finished lane by lane with the same expression).
 */
// @ts-ignore: decorator
@inline function dequantGroup(acc: v128, g: i32, lo: i32, hi: i32, s: usize, m: f32, bias: usize, dst: usize, tmp: usize): void {
  const r0 = g << 2;
  const o = <usize>r0 << 2;
  if (r0 >= lo && r0 + 4 <= hi) {
    const v = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(acc), f32x4.mul(v128.load(s + o), f32x4.splat(m))), v128.load(bias + o));
    v128.store(dst + o, v);
  } else {
    v128.store(tmp, acc);
    for (let l = 0; l < 4; l++) {
      const r = r0 + l;
      if (r < lo || r >= hi) continue;
      const ro = <usize>r << 2;
      store<f32>(dst + ro, <f32>load<i32>(tmp + (<usize>l << 2)) * (load<f32>(s + ro) * m) + load<f32>(bias + ro));
    }
  }
}

export function gruS8(
  Wq: usize, Ws: usize, Rq: usize, Rs: usize, Wb: usize, Rb: usize, I: i32, H: i32, batch: i32, T: i32,
  x: usize, xStride: i32, y: usize, yStride: i32, h: usize, slots: usize,
  scratch: usize, xScale: f32, linearBeforeReset: i32, reverse: i32,
): i32 {
  let st = checkRnn(I, H, batch, T, xStride, yStride, Wq, Rq, x, y, h, scratch, reverse);
  if (st != OK) return st;
  st = checkScale(xScale);
  if (st != OK) return st;
  if (Ws == 0 || Rs == 0 || Wb == 0 || Rb == 0) return BAD_POINTER;
  if (linearBeforeReset != 0 && linearBeforeReset != 1) return BAD_ARGUMENT;

  const Kx = roundUp(I, S8_BLOCK);
  const Ks = roundUp(H, S8_BLOCK);
  const hb = <usize>H << 2;
  const bt = min(batch, TILE);
  const rows = 3 * H;
  const groups = (rows + 15) >> 4; // row groups of 16
  const xqS = <usize>roundUp(Kx * 2, 16);
  const hqS = <usize>roundUp(Ks * 2, 16);
  const stS = <usize>Ks << 2;
  const preS = <usize>roundUp((3 * H + 8) * 4, 16);
  const xq0 = scratch;
  const hq0 = xq0 + <usize>bt * xqS;
  const hw0 = hq0 + <usize>bt * hqS;
  const xw0 = hw0 + <usize>bt * stS * 2;
  const hr0 = xw0 + <usize>bt * preS;
  const sx0 = hr0 + <usize>bt * preS;
  const tmp = sx0 + 16 * TILE; // 16 bytes: lanes of a partial 4-row slice
  const accW0 = tmp + 32; // per stream 64 bytes: the 16 row sums of W x of a group
  const accR0 = accW0 + 64 * TILE; // per stream 64 bytes: the same for R h
  const gW = groupBytesS8(I);
  const gR = groupBytesS8(H);
  const lbr = linearBeforeReset != 0;

  for (let b0 = 0; b0 < batch; b0 += TILE) {
    const nb = min(TILE, batch - b0);
    for (let i = 0; i < nb; i++) {
      const hw = hw0 + <usize>i * stS;
      memory.fill(hw, 0, stS);
      memory.copy(hw, h + <usize>stateRow(slots, b0 + i) * hb, hb);
      memory.fill(xq0 + <usize>i * xqS, 0, xqS);
      memory.fill(xw0 + <usize>i * preS, 0, preS);
      memory.fill(hr0 + <usize>i * preS, 0, preS);
    }
    for (let step = 0; step < T; step++) {
      const t = reverse ? T - 1 - step : step;
      for (let i = 0; i < nb; i++) {
        const xp = rowAddr(x, t, b0 + i, batch, xStride);
        const sx = xScale > 0 ? xScale : maxAbs(xp, I) / Q_MAX;
        store<f32>(sx0 + (<usize>i << 2), sx);
        quantizeDivI16(xp, I, sx, xq0 + <usize>i * xqS);
        quantizeMulI16(hw0 + <usize>i * stS, Ks, hq0 + <usize>i * hqS);
      }
      const hrEnd = lbr ? rows : 2 * H;
      for (let G = 0; G < groups; G++) {
        const wg = Wq + <usize>G * gW;
        const rg = Rq + <usize>G * gR;
        const withR = G << 4 < hrEnd;
        let i = 0;
        for (; i + 2 <= nb; i += 2) {
          const xa = xq0 + <usize>i * xqS;
          dotGroupS8x2(wg, xa, xa + xqS, I, accW0 + (<usize>i << 6));
          if (withR) {
            const ha = hq0 + <usize>i * hqS;
            dotGroupS8x2(rg, ha, ha + hqS, H, accR0 + (<usize>i << 6));
          }
        }
        for (; i < nb; i++) {
          dotGroupS8(wg, xq0 + <usize>i * xqS, I, accW0 + (<usize>i << 6));
          if (withR) dotGroupS8(rg, hq0 + <usize>i * hqS, H, accR0 + (<usize>i << 6));
        }
        for (let m = 0; m < 4; m++) {
          const g = 4 * G + m; // 4-row slice
          if (g << 2 >= rows) break;
          const so = <usize>m << 4;
          for (let k = 0; k < nb; k++) {
            const sx = load<f32>(sx0 + (<usize>k << 2));
            dequantGroup(v128.load(accW0 + (<usize>k << 6) + so), g, 0, rows, Ws, sx, Wb, xw0 + <usize>k * preS, tmp);
            if (g << 2 < hrEnd) {
              dequantGroup(v128.load(accR0 + (<usize>k << 6) + so), g, 0, hrEnd, Rs, H_INV_SCALE, Rb, hr0 + <usize>k * preS, tmp);
            }
          }
        }
      }
      if (!lbr) {
        // q(r * h) replaces hq, then the n rows are recomputed from it.
        for (let i = 0; i < nb; i++) {
          const xw = xw0 + <usize>i * preS;
          const hr = hr0 + <usize>i * preS;
          const hw = hw0 + <usize>i * stS;
          const hq = hq0 + <usize>i * hqS;
          const q127 = f32x4.splat(Q_MAX);
          for (let j = 0; j < Ks; j += 8) {
            const o = <usize>j << 2;
            const r0 = sigmoidf4(f32x4.add(v128.load(xw + hb + o), v128.load(hr + hb + o)));
            const r1 = sigmoidf4(f32x4.add(v128.load(xw + hb + o, 16), v128.load(hr + hb + o, 16)));
            const q0 = quantize4(f32x4.mul(f32x4.mul(r0, v128.load(hw + o)), q127));
            const q1 = quantize4(f32x4.mul(f32x4.mul(r1, v128.load(hw + o, 16)), q127));
            v128.store(hq + (<usize>j << 1), i16x8.narrow_i32x4_s(q0, q1));
          }
        }
        for (let G = (2 * H) >> 4; G < groups; G++) {
          const rg = Rq + <usize>G * gR;
          for (let i = 0; i < nb; i++) dotGroupS8(rg, hq0 + <usize>i * hqS, H, accR0 + (<usize>i << 6));
          for (let m = 0; m < 4; m++) {
            const g = 4 * G + m;
            if (g << 2 >= rows) break;
            if ((g << 2) + 4 <= 2 * H) continue; // slice wholly in the z/r rows
            for (let k = 0; k < nb; k++) {
              dequantGroup(v128.load(accR0 + (<usize>k << 6) + (<usize>m << 4)), g, 2 * H, rows, Rs, H_INV_SCALE, Rb, hr0 + <usize>k * preS, tmp);
            }
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
