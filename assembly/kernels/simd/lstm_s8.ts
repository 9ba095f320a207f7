/**
 * SIMD INT8 hybrid LSTM. Same results, bit for bit, as kernels/ref/lstm_s8.ts.
 *
 * Loop order: streams in tiles of TILE; inside a tile, time outer, then 4-row groups, then the
 * streams of the tile in pairs (each weight load feeds both streams of a pair), so a group's
 * weights (16 rows) are reused by every stream of the tile before moving on; the gate
 * epilogue runs per stream over 8 units at a time with the v128 nonlinearities. State lives in
 * the tile's scratch rows (padded to a multiple of 8 lanes) for the whole call and is written
 * back once. Padded lanes carry finite don't-care values; they only ever meet zero weight
 * columns. x and h are quantized once per step and stream, straight to i16 lanes.
 */
import { OK, BAD_POINTER } from "../../status";
import { checkRnn, checkScale, stateRow, rowAddr } from "../common";
import { roundUp, S8_BLOCK } from "../../formats";
import { Q_MAX, H_INV_SCALE } from "../../quant";
import { sigmoidf4, tanhf4 } from "./math";
import { dotGroupS8, dotGroupS8x2, groupBytesS8 } from "./dot";
import { maxAbs, quantizeDivI16, quantizeMulI16, copyF32 } from "./quant";

/**
 * Streams per tile (weights are re-read once per step per tile). Shared by all SIMD recurrent
 * kernels; 4, 8 and 16 measured the same at H = 64 (the weights stay cache-resident).
 */
export const TILE: i32 = 8;

/** Per-stream scratch of the SIMD INT8 recurrent kernels, in bytes (all regions 16-aligned). */
// @ts-ignore: decorator
@inline export function s8StreamBytes(I: i32, H: i32, gates: i32): i32 {
  const Kx = roundUp(I, S8_BLOCK);
  const Ks = roundUp(H, S8_BLOCK);
  // xq i16[Kx] + hq i16[Ks] + hw f32[Ks] + cw f32[Ks] + pre f32[gates*H + 8] (+ a 2nd set for GRU)
  return roundUp(Kx * 2, 16) + roundUp(Ks * 2, 16) + 2 * Ks * 4 + roundUp((gates * H + 8) * 4, 16) * 2;
}

export function lstmScratchS8(I: i32, H: i32, batch: i32): i32 {
  return min(batch, TILE) * s8StreamBytes(I, H, 4) + 16 * TILE + 128 * TILE;
}

export function lstmS8(
  Wq: usize, Ws: usize, Rq: usize, Rs: usize, B: usize, I: i32, H: i32, batch: i32, T: i32,
  x: usize, xStride: i32, y: usize, yStride: i32, h: usize, c: usize, slots: usize,
  scratch: usize, xScale: f32, reverse: i32,
): i32 {
  let st = checkRnn(I, H, batch, T, xStride, yStride, Wq, Rq, x, y, h, scratch, reverse);
  if (st != OK) return st;
  st = checkScale(xScale);
  if (st != OK) return st;
  if (Ws == 0 || Rs == 0 || B == 0 || c == 0) return BAD_POINTER;

  const Kx = roundUp(I, S8_BLOCK);
  const Ks = roundUp(H, S8_BLOCK);
  const hb = <usize>H << 2;
  const bt = min(batch, TILE);
  // Region bases; stream i of the tile uses base + i * stride.
  const xqS = <usize>roundUp(Kx * 2, 16);
  const hqS = <usize>roundUp(Ks * 2, 16);
  const stS = <usize>Ks << 2;
  const preS = <usize>roundUp((4 * H + 8) * 4, 16);
  const xq0 = scratch;
  const hq0 = xq0 + <usize>bt * xqS;
  const hw0 = hq0 + <usize>bt * hqS;
  const cw0 = hw0 + <usize>bt * stS;
  const pre0 = cw0 + <usize>bt * stS;
  const sx0 = pre0 + <usize>bt * preS;
  const accW0 = sx0 + 16 * TILE; // per stream 64 bytes: the 16 row sums of W x of a group
  const accR0 = accW0 + 64 * TILE; // per stream 64 bytes: the same for R h
  const groups = (4 * H + 15) >> 4; // row groups of 16
  const gW = groupBytesS8(I);
  const gR = groupBytesS8(H);
  const rsMul = f32x4.splat(H_INV_SCALE);

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
      memory.fill(xq0 + <usize>i * xqS, 0, xqS);
      memory.fill(pre0 + <usize>i * preS, 0, preS);
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
      for (let G = 0; G < groups; G++) {
        const wg = Wq + <usize>G * gW;
        const rg = Rq + <usize>G * gR;
        let i = 0;
        // Stream pairs share every weight load; an odd last stream runs alone.
        for (; i + 2 <= nb; i += 2) {
          const xa = xq0 + <usize>i * xqS;
          const ha = hq0 + <usize>i * hqS;
          dotGroupS8x2(wg, xa, xa + xqS, I, accW0 + (<usize>i << 6));
          dotGroupS8x2(rg, ha, ha + hqS, H, accR0 + (<usize>i << 6));
        }
        for (; i < nb; i++) {
          dotGroupS8(wg, xq0 + <usize>i * xqS, I, accW0 + (<usize>i << 6));
          dotGroupS8(rg, hq0 + <usize>i * hqS, H, accR0 + (<usize>i << 6));
        }
        // The group's 4-row slices (4H rows: every slice is either whole or past the end).
        const slices = min(4, H - 4 * G);
        for (let m = 0; m < slices; m++) {
          const o = <usize>(4 * G + m) << 4;
          const ws4 = v128.load(Ws + o);
          const rs4 = f32x4.mul(v128.load(Rs + o), rsMul);
          const b4 = v128.load(B + o);
          const so = <usize>m << 4;
          for (let k = 0; k < nb; k++) {
            const pre = preS8(v128.load(accW0 + (<usize>k << 6) + so), v128.load(accR0 + (<usize>k << 6) + so), ws4, load<f32>(sx0 + (<usize>k << 2)), rs4, b4);
            v128.store(pre0 + <usize>k * preS + o, pre);
          }
        }
      }
      for (let i = 0; i < nb; i++) {
        const p = pre0 + <usize>i * preS;
        const hw = hw0 + <usize>i * stS;
        const cw = cw0 + <usize>i * stS;
        lstmEpilogue4(p, hb, hw, cw, Ks);
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

/** pre = f32(accW) * (Ws * sx) + f32(accR) * (Rs / 127) + B, lane-wise (kernels/ref/lstm_s8.ts order). */
// @ts-ignore: decorator
@inline function preS8(accW: v128, accR: v128, ws4: v128, sx: f32, rs4: v128, b4: v128): v128 {
  const aw = f32x4.mul(f32x4.convert_i32x4_s(accW), f32x4.mul(ws4, f32x4.splat(sx)));
  return f32x4.add(f32x4.add(aw, f32x4.mul(f32x4.convert_i32x4_s(accR), rs4)), b4);
}

/**
 * c' = sig(f) * c + sig(i) * tanh(g); h' = sig(o) * tanh(c') over n lanes (n a multiple of 8),
 * gate blocks `hb` bytes apart in `p` (same expression trees as kernels/cell.ts). Two v128 per
 * iteration, written side by side, so the out-of-order core overlaps their long
 * exp/divide dependency chains (one chain alone leaves the epilogue latency-bound).
 */
// @ts-ignore: decorator
@inline export function lstmEpilogue4(p: usize, hb: usize, hw: usize, cw: usize, n: i32): void {
  for (let j = 0; j < n; j += 8) {
    const o = <usize>j << 2;
    const q = p + o;
    const f0 = sigmoidf4(v128.load(q + 2 * hb));
    const f1 = sigmoidf4(v128.load(q + 2 * hb, 16));
    const i0 = sigmoidf4(v128.load(q));
    const i1 = sigmoidf4(v128.load(q, 16));
    const g0 = tanhf4(v128.load(q + 3 * hb));
    const g1 = tanhf4(v128.load(q + 3 * hb, 16));
    const c0 = f32x4.add(f32x4.mul(f0, v128.load(cw + o)), f32x4.mul(i0, g0));
    const c1 = f32x4.add(f32x4.mul(f1, v128.load(cw + o, 16)), f32x4.mul(i1, g1));
    v128.store(cw + o, c0);
    v128.store(cw + o, c1, 16);
    const o0 = sigmoidf4(v128.load(q + hb));
    const o1 = sigmoidf4(v128.load(q + hb, 16));
    v128.store(hw + o, f32x4.mul(o0, tanhf4(c0)));
    v128.store(hw + o, f32x4.mul(o1, tanhf4(c1)), 16);
  }
}
