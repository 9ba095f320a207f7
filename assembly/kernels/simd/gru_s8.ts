/**
 * SIMD INT8 hybrid GRU (z, r, h; both linear_before_reset forms). Bit-identical to
 * kernels/ref/gru_s8.ts. Same tiling as simd/lstm_s8.ts; 3H rows may end in a partial 4-row
 * slice, whose lanes are finished with the scalar expressions of the reference. For lbr = 0 the
 * Rn (r*h) product is a second pass over the row groups that hold the n rows.
 */
import { OK, BAD_POINTER, BAD_ARGUMENT } from "../../status";
import { checkRnn, checkScale, checkScheme, stateRow, rowAddr } from "../common";
import { roundUp, S8_BLOCK } from "../../formats";
import { Q_MAX, H_INV_SCALE } from "../../quant";
import { QS_A8 } from "../../abi";
import { sigmoidf4, tanhf4, k4, K_ONE, K_Q127 } from "./math";
import { dotGroupS8, dotGroupS8x2, groupBytesS8 } from "./dot";
import { preGroupS8x2 } from "./pre_s8";
import { maxAbsTail, quantizeState, quantizeTileX, quantize4, storeQ8, copyF32 } from "./quant";
import { TILE, s8StreamBytes } from "./lstm_s8";

export function gruScratchS8(I: i32, H: i32, batch: i32): i32 {
  return min(batch, TILE) * s8StreamBytes(I, H, 3) + 16 * TILE + 32 + 128 * TILE + zrBytes(H);
}

/** Bytes of the epilogue's z/r row (gruEpilogueS8): up to roundUp(H + Ks, 4) <= 2H + 10 f32. */
// @ts-ignore: decorator
@inline function zrBytes(H: i32): i32 {
  return roundUp((2 * H + 16) * 4, 16);
}

/**
 * INT8 GRU epilogue, two passes (like lstmEpilogue4): first zr[k] = sigmoid(xw[k] + hr[k]) for
 * the z rows and (lbr = 1) the r rows, lanes 0 .. H + n8 (a padded lane reads the next gate's
 * rows or the zero padding: finite, and its sigmoid is in [0, 1]); then per 8 lanes
 * n = tanh(xw_n + r * hr_n) (lbr = 1) or tanh(xw_n + hr_n) (lbr = 0, hr_n = Rn q(r h) + Rbn),
 * h' = (1 - z) * n + z * h and, if hq != 0 (QS_A8), activation row hq = q(h' * 127) (plane
 * offset pl). Same expressions as gruLanes (gru_f32.ts) and
 * the reference; a separate zr row, because writing the sigmoids in place would overwrite
 * real n rows that padded lanes of z/r alias when H is not a multiple of 8.
 */
// @ts-ignore: decorator
@inline function gruEpilogueS8(xw: usize, hr: usize, hb: usize, hw: usize, n8: i32, lbr: bool, hq: usize, zr: usize, yr: usize, pl: usize): f32 {
  const n1 = roundUp((lbr ? <i32>(hb >> 2) + n8 : n8), 4);
  let k = 0;
  for (; k + 8 <= n1; k += 8) {
    const o = <usize>k << 2;
    const s0 = sigmoidf4(f32x4.add(v128.load(xw + o), v128.load(hr + o)));
    const s1 = sigmoidf4(f32x4.add(v128.load(xw + o, 16), v128.load(hr + o, 16)));
    v128.store(zr + o, s0);
    v128.store(zr + o, s1, 16);
  }
  if (k < n1) {
    const o = <usize>k << 2;
    v128.store(zr + o, sigmoidf4(f32x4.add(v128.load(xw + o), v128.load(hr + o))));
  }
  const one = k4(K_ONE);
  const q127 = k4(K_Q127);
  const xn = xw + 2 * hb;
  const hn = hr + 2 * hb;
  let m4 = f32x4.splat(0);
  for (let j = 0; j < n8; j += 8) {
    const o = <usize>j << 2;
    let n0: v128, n1v: v128;
    if (lbr) {
      n0 = tanhf4(f32x4.add(v128.load(xn + o), f32x4.mul(v128.load(zr + hb + o), v128.load(hn + o))));
      n1v = tanhf4(f32x4.add(v128.load(xn + o, 16), f32x4.mul(v128.load(zr + hb + o, 16), v128.load(hn + o, 16))));
    } else {
      n0 = tanhf4(f32x4.add(v128.load(xn + o), v128.load(hn + o)));
      n1v = tanhf4(f32x4.add(v128.load(xn + o, 16), v128.load(hn + o, 16)));
    }
    const z0 = v128.load(zr + o);
    const z1 = v128.load(zr + o, 16);
    const h0 = f32x4.add(f32x4.mul(f32x4.sub(one, z0), n0), f32x4.mul(z0, v128.load(hw + o)));
    const h1 = f32x4.add(f32x4.mul(f32x4.sub(one, z1), n1v), f32x4.mul(z1, v128.load(hw + o, 16)));
    v128.store(hw + o, h0);
    v128.store(hw + o, h1, 16);
    if (j + 8 <= <i32>(hb >> 2)) {
      m4 = f32x4.pmax(m4, f32x4.pmax(f32x4.abs(h0), f32x4.abs(h1)));
      if (yr != 0) {
        v128.store(yr + o, h0);
        v128.store(yr + o, h1, 16);
      }
    }
    if (hq != 0) storeQ8(hq, j, quantize4(f32x4.mul(h0, q127)), quantize4(f32x4.mul(h1, q127)), pl, QS_A8);
  }
  return maxAbsTail(m4, hw, <i32>(hb >> 2));
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
  const sx0 = hr0 + <usize>bt * preS; // per stream the x scale; at +64 the h scale, at +96 r*h's
  const sh0 = sx0 + 64;
  const srh0 = sx0 + 96;
  const tmp = sx0 + 16 * TILE; // 16 bytes: lanes of a partial 4-row slice
  const accW0 = tmp + 32; // per stream 64 bytes: the 16 row sums of W x of a group
  const accR0 = accW0 + 64 * TILE; // per stream 64 bytes: the same for R h
  const zr = accR0 + 64 * TILE; // zrBytes(H): the epilogue's sigmoid row (one stream at a time)
  const gW = groupBytesS8(I);
  const gR = groupBytesS8(H);
  const lbr = linearBeforeReset != 0;
  const plx = <usize>Kx; // second activation plane (relaxed build, QS_A8) of x rows, h rows
  const plh = <usize>Ks;
  const a8 = scheme == QS_A8;

  for (let b0 = 0; b0 < batch; b0 += TILE) {
    const nb = min(TILE, batch - b0);
    for (let i = 0; i < nb; i++) {
      const hw = hw0 + <usize>i * stS;
      memory.fill(hw, 0, stS);
      memory.copy(hw, h + <usize>stateRow(slots, b0 + i) * hb, hb);
      memory.fill(xq0 + <usize>i * xqS, 0, xqS);
      memory.fill(xw0 + <usize>i * preS, 0, preS);
      memory.fill(hr0 + <usize>i * preS, 0, preS);
      memory.fill(hq0 + <usize>i * hqS, 0, hqS);
      // q(h) for the first step; later ones come from the epilogue (QS_A8) or the pass after it
      // (for lbr = 0 after the q(r * h) pass has used hq).
      store<f32>(sh0 + (<usize>i << 2), quantizeState(hw, H, Ks, hq0 + <usize>i * hqS, plh, scheme));
    }
    for (let step = 0; step < T; step++) {
      const t = reverse ? T - 1 - step : step;
      quantizeTileX(x, t, b0, nb, batch, xStride, I, xScale, sx0, xq0, xqS, plx, scheme);
      const hrEnd = lbr ? rows : 2 * H;
      for (let G = 0; G < groups; G++) {
        const wg = Wq + <usize>G * gW;
        const rg = Rq + <usize>G * gR;
        const withR = G << 4 < hrEnd;
        // Groups whose 16 rows all have R sums (and so are whole slices of both xw and hr) are
        // finished per stream pair from the accumulators in registers (pre_s8.ts).
        const fuse = (G + 1) << 4 <= hrEnd;
        let i = 0;
        for (; i + 2 <= nb; i += 2) {
          const xa = xq0 + <usize>i * xqS;
          const aw = accW0 + (<usize>i << 6);
          const ha = hq0 + <usize>i * hqS;
          dotGroupS8x2(wg, xa, xa + xqS, I, aw, plx, scheme);
          if (fuse) {
            const pa = xw0 + <usize>i * preS;
            const qa = hr0 + <usize>i * preS;
            preGroupS8x2(true, rg, ha, ha + hqS, H, G, 4, aw, Ws, Rs, Wb, Rb, sx0 + (<usize>i << 2), pa, pa + preS, qa, qa + preS, plh, scheme);
          } else if (withR) {
            dotGroupS8x2(rg, ha, ha + hqS, H, accR0 + (<usize>i << 6), plh, scheme);
          }
        }
        const k0 = fuse ? i : 0; // streams whose slices are still to dequantize below
        for (; i < nb; i++) {
          dotGroupS8(wg, xq0 + <usize>i * xqS, I, accW0 + (<usize>i << 6), plx, scheme);
          if (withR) dotGroupS8(rg, hq0 + <usize>i * hqS, H, accR0 + (<usize>i << 6), plh, scheme);
        }
        for (let m = 0; k0 < nb && m < 4; m++) {
          const g = 4 * G + m; // 4-row slice
          const r0 = g << 2;
          if (r0 >= rows) break;
          const so = <usize>m << 4;
          const o = <usize>r0 << 2;
          // Whole slices: the slice's scales and biases are loaded once for all streams (same
          // expression as dequantGroup); a partial last slice goes through dequantGroup.
          if (r0 + 4 <= rows) {
            const ws4 = v128.load(Ws + o);
            const wb4 = v128.load(Wb + o);
            for (let k = k0; k < nb; k++) {
              const sx = f32x4.splat(load<f32>(sx0 + (<usize>k << 2)));
              const acc = f32x4.convert_i32x4_s(v128.load(accW0 + (<usize>k << 6) + so));
              v128.store(xw0 + <usize>k * preS + o, f32x4.add(f32x4.mul(acc, f32x4.mul(ws4, sx)), wb4));
            }
          } else {
            for (let k = k0; k < nb; k++) {
              const sx = load<f32>(sx0 + (<usize>k << 2));
              dequantGroup(v128.load(accW0 + (<usize>k << 6) + so), g, 0, rows, Ws, sx, Wb, xw0 + <usize>k * preS, tmp);
            }
          }
          if (r0 + 4 <= hrEnd) {
            const rs = v128.load(Rs + o);
            const rb4 = v128.load(Rb + o);
            for (let k = k0; k < nb; k++) {
              const rs4 = f32x4.mul(rs, f32x4.splat(load<f32>(sh0 + (<usize>k << 2))));
              const acc = f32x4.convert_i32x4_s(v128.load(accR0 + (<usize>k << 6) + so));
              v128.store(hr0 + <usize>k * preS + o, f32x4.add(f32x4.mul(acc, rs4), rb4));
            }
          } else if (r0 < hrEnd) {
            for (let k = k0; k < nb; k++) {
              dequantGroup(v128.load(accR0 + (<usize>k << 6) + so), g, 0, hrEnd, Rs, load<f32>(sh0 + (<usize>k << 2)), Rb, hr0 + <usize>k * preS, tmp);
            }
          }
        }
      }
      if (!lbr) {
        // q(r * h) replaces hq (quantized like h: QS_A8 fused here, QS_A7 from the r * h row in
        // zr, free until the epilogue), then the n rows are recomputed from it.
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
            const v0 = f32x4.mul(r0, v128.load(hw + o));
            const v1 = f32x4.mul(r1, v128.load(hw + o, 16));
            if (a8) {
              storeQ8(hq, j, quantize4(f32x4.mul(v0, q127)), quantize4(f32x4.mul(v1, q127)), plh, scheme);
            } else {
              v128.store(zr + o, v0);
              v128.store(zr + o, v1, 16);
            }
          }
          store<f32>(srh0 + (<usize>i << 2), a8 ? H_INV_SCALE : quantizeState(zr, H, Ks, hq, plh, scheme));
        }
        for (let G = (2 * H) >> 4; G < groups; G++) {
          const rg = Rq + <usize>G * gR;
          for (let i = 0; i < nb; i++) dotGroupS8(rg, hq0 + <usize>i * hqS, H, accR0 + (<usize>i << 6), plh, scheme);
          for (let m = 0; m < 4; m++) {
            const g = 4 * G + m;
            if (g << 2 >= rows) break;
            if ((g << 2) + 4 <= 2 * H) continue; // slice wholly in the z/r rows
            for (let k = 0; k < nb; k++) {
              dequantGroup(v128.load(accR0 + (<usize>k << 6) + (<usize>m << 4)), g, 2 * H, rows, Rs, load<f32>(srh0 + (<usize>k << 2)), Rb, hr0 + <usize>k * preS, tmp);
            }
          }
        }
      }
      for (let i = 0; i < nb; i++) {
        const hw = hw0 + <usize>i * stS;
        // h' goes to y from the epilogue's registers; only a tail of H % 8 lanes is copied.
        const yr = y != 0 ? rowAddr(y, t, b0 + i, batch, yStride) : 0;
        const hq = hq0 + <usize>i * hqS;
        const m = gruEpilogueS8(xw0 + <usize>i * preS, hr0 + <usize>i * preS, hb, hw, Ks, lbr, a8 ? hq : 0, zr, yr, plh);
        if (!a8) store<f32>(sh0 + (<usize>i << 2), quantizeState(hw, H, Ks, hq, plh, scheme, m));
        if (y != 0) {
          const h8 = H & ~7;
          copyF32(yr + (<usize>h8 << 2), hw + (<usize>h8 << 2), H - h8);
        }
      }
    }
    for (let i = 0; i < nb; i++) {
      memory.copy(h + <usize>stateRow(slots, b0 + i) * hb, hw0 + <usize>i * stS, hb);
    }
  }
  return OK;
}
