/**
 * SIMD INT8 hybrid LSTM. Same results, bit for bit, as kernels/ref/lstm_s8.ts.
 *
 * Loop order: streams in tiles of TILE; inside a tile, time outer, then 4-row groups, then the
 * streams of the tile in pairs (each weight load feeds both streams of a pair), so a group's
 * weights (16 rows) are reused by every stream of the tile before moving on. A pair's R h sums
 * become pre-activations while still in registers (pre_s8.ts); an odd last stream goes through
 * the accW/accR scratch rows. The gate epilogue runs per stream over 8 units at a time with the
 * v128 nonlinearities and also writes the step's y row from its registers. State lives in
 * the tile's scratch rows (padded to a multiple of 8 lanes) for the whole call and is written
 * back once. Padded lanes carry finite don't-care values; they only ever meet zero weight
 * columns. x and h are quantized once per step and stream, straight to activation rows
 * (kernels/simd/quant.ts: i16 lanes, or u7 planes in the relaxed build); QS_A8's q(h) is written
 * by the epilogue, QS_A7's (a dynamic scale: max|h| first) by a pass after it. Peepholes
 * (P != 0) take lstmEpiloguePeep4 instead of lstmEpilogue4; nothing else changes.
 */
import { OK, BAD_POINTER } from "../../status";
import { checkRnn, checkScale, checkScheme, stateRow, rowAddr } from "../common";
import { roundUp, S8_BLOCK } from "../../formats";
import { qmaxOf } from "../../quant";
import { QS_A8 } from "../../abi";
import { sigmoidf, tanhf } from "../../math";
import { peep } from "../cell";
import { sigmoidf4, tanhf4, k4, K_Q127 } from "./math";
import { dotGroupS8, dotGroupS8x2, groupBytesS8 } from "./dot";
import { preGroupS8x2, preS8 } from "./pre_s8";
import { maxAbs, maxAbsTail, quantizeRow, quantizeState, quantizeTileX, quantize4, storeQ8, copyF32 } from "./quant";

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
  return min(batch, TILE) * s8StreamBytes(I, H, 4) + 16 * TILE + 128 * TILE + chunkBytes(I, H);
}

/**
 * Steps per chunk of the batch-1 path's input projection: W x of XCH steps is computed before
 * their recurrent steps, two steps per weight load, so W is read once per XCH steps.
 */
export const XCH: i32 = 8;
/** The batch-1 path with the chunked input projection is taken for I >= this. */
export const XCH_MIN_I: i32 = 8;

/** Scratch of the chunked input projection: XCH rows of q(x), XCH scales, XCH * groups sums. */
// @ts-ignore: decorator
@inline function chunkBytes(I: i32, H: i32): i32 {
  return XCH * roundUp(roundUp(I, S8_BLOCK) * 2, 16) + 32 + XCH * ((4 * H + 15) >> 4) * 64;
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
  const sx0 = pre0 + <usize>bt * preS; // per stream the x scale; at sx0 + 64 the h scales
  const sh0 = sx0 + 64;
  const accW0 = sx0 + 16 * TILE; // per stream 64 bytes: the 16 row sums of W x of a group
  const accR0 = accW0 + 64 * TILE; // per stream 64 bytes: the same for R h
  const groups = (4 * H + 15) >> 4; // row groups of 16
  const gW = groupBytesS8(I);
  const gR = groupBytesS8(H);
  const qx = qmaxOf(scheme);
  const plx = <usize>Kx; // second activation plane (relaxed build, QS_A8) of x rows, h rows
  const plh = <usize>Ks;
  const a8 = scheme == QS_A8;
  const xc0 = accR0 + 64 * TILE; // XCH rows of q(x) (batch-1 path)
  const sxc = xc0 + <usize>XCH * xqS; // XCH f32 scales
  const awc = sxc + 32; // [group][step of chunk] 64-byte row sums of W x

  if (batch == 1 && I >= XCH_MIN_I) {
    // One stream: W x for XCH steps at a time (each weight load feeds two steps), then the
    // recurrent steps. Same integer sums and the same pre-activation expression as below.
    const s = <usize>stateRow(slots, 0);
    memory.fill(hw0, 0, stS);
    memory.fill(cw0, 0, stS);
    memory.copy(hw0, h + s * hb, hb);
    memory.copy(cw0, c + s * hb, hb);
    memory.fill(xc0, 0, <usize>XCH * xqS);
    memory.fill(pre0, 0, preS);
    memory.fill(hq0, 0, hqS);
    let sh = quantizeState(hw0, H, Ks, hq0, plh, scheme);
    for (let s0 = 0; s0 < T; s0 += XCH) {
      const nc = min(XCH, T - s0);
      for (let u = 0; u < nc; u++) {
        const step = s0 + u;
        const t = reverse ? T - 1 - step : step;
        const xp = rowAddr(x, t, 0, 1, xStride);
        const sx = xScale > 0 ? xScale : maxAbs(xp, I) / qx;
        store<f32>(sxc + (<usize>u << 2), sx);
        quantizeRow(xp, I, sx, xc0 + <usize>u * xqS, plx, scheme);
      }
      for (let G = 0; G < groups; G++) {
        const wg = Wq + <usize>G * gW;
        const out = awc + (<usize>(G * XCH) << 6);
        let u = 0;
        for (; u + 2 <= nc; u += 2) {
          const xa = xc0 + <usize>u * xqS;
          dotGroupS8x2(wg, xa, xa + xqS, I, out + (<usize>u << 6), plx, scheme);
        }
        if (u < nc) dotGroupS8(wg, xc0 + <usize>u * xqS, I, out + (<usize>u << 6), plx, scheme);
      }
      for (let u = 0; u < nc; u++) {
        const step = s0 + u;
        const t = reverse ? T - 1 - step : step;
        const sx = load<f32>(sxc + (<usize>u << 2));
        const rsMul = f32x4.splat(sh);
        for (let G = 0; G < groups; G++) {
          dotGroupS8(Rq + <usize>G * gR, hq0, H, accR0, plh, scheme);
          const aw = awc + (<usize>(G * XCH + u) << 6);
          const slices = min(4, H - 4 * G);
          for (let m = 0; m < slices; m++) {
            const o = <usize>(4 * G + m) << 4;
            const so = <usize>m << 4;
            const rs4 = f32x4.mul(v128.load(Rs + o), rsMul);
            v128.store(pre0 + o, preS8(v128.load(aw + so), v128.load(accR0 + so), v128.load(Ws + o), sx, rs4, v128.load(B + o)));
          }
        }
        const m = P != 0 ? lstmEpiloguePeep4(pre0, hb, hw0, cw0, Ks, P, a8 ? hq0 : 0, 0, plh) : lstmEpilogue4(pre0, hb, hw0, cw0, Ks, a8 ? hq0 : 0, 0, plh);
        if (!a8) sh = quantizeState(hw0, H, Ks, hq0, plh, scheme, m);
        if (y != 0) copyF32(rowAddr(y, t, 0, 1, yStride), hw0, H);
      }
    }
    memory.copy(h + s * hb, hw0, hb);
    memory.copy(c + s * hb, cw0, hb);
    return OK;
  }

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
      memory.fill(hq0 + <usize>i * hqS, 0, hqS);
      // q(h) for the first step; later ones come from the epilogue (QS_A8) or the pass after it.
      store<f32>(sh0 + (<usize>i << 2), quantizeState(hw, H, Ks, hq0 + <usize>i * hqS, plh, scheme));
    }
    const h8 = H & ~7;
    for (let step = 0; step < T; step++) {
      const t = reverse ? T - 1 - step : step;
      quantizeTileX(x, t, b0, nb, batch, xStride, I, xScale, sx0, xq0, xqS, plx, scheme);
      for (let G = 0; G < groups; G++) {
        const wg = Wq + <usize>G * gW;
        const rg = Rq + <usize>G * gR;
        let i = 0;
        // Stream pairs share every weight load; an odd last stream runs alone.
        for (; i + 2 <= nb; i += 2) {
          const xa = xq0 + <usize>i * xqS;
          const ha = hq0 + <usize>i * hqS;
          const aw = accW0 + (<usize>i << 6);
          dotGroupS8x2(wg, xa, xa + xqS, I, aw, plx, scheme);
          const pa = pre0 + <usize>i * preS;
          preGroupS8x2(false, rg, ha, ha + hqS, H, G, min(4, H - 4 * G), aw, Ws, Rs, B, 0, sx0 + (<usize>i << 2), pa, pa + preS, 0, 0, plh, scheme);
        }
        // Pairs are finished above (their pre-activations come straight from the R sums in
        // registers); an odd last stream takes the scratch route below.
        const k0 = i;
        for (; i < nb; i++) {
          dotGroupS8(wg, xq0 + <usize>i * xqS, I, accW0 + (<usize>i << 6), plx, scheme);
          dotGroupS8(rg, hq0 + <usize>i * hqS, H, accR0 + (<usize>i << 6), plh, scheme);
        }
        // The group's 4-row slices (4H rows: every slice is either whole or past the end).
        const slices = k0 < nb ? min(4, H - 4 * G) : 0;
        for (let m = 0; m < slices; m++) {
          const o = <usize>(4 * G + m) << 4;
          const ws4 = v128.load(Ws + o);
          const rs = v128.load(Rs + o);
          const b4 = v128.load(B + o);
          const so = <usize>m << 4;
          for (let k = k0; k < nb; k++) {
            const rs4 = f32x4.mul(rs, f32x4.splat(load<f32>(sh0 + (<usize>k << 2))));
            const pre = preS8(v128.load(accW0 + (<usize>k << 6) + so), v128.load(accR0 + (<usize>k << 6) + so), ws4, load<f32>(sx0 + (<usize>k << 2)), rs4, b4);
            v128.store(pre0 + <usize>k * preS + o, pre);
          }
        }
      }
      for (let i = 0; i < nb; i++) {
        const p = pre0 + <usize>i * preS;
        const hw = hw0 + <usize>i * stS;
        const cw = cw0 + <usize>i * stS;
        // h' goes to y from the epilogue's registers; only a tail of H % 8 lanes is copied.
        const yr = y != 0 ? rowAddr(y, t, b0 + i, batch, yStride) : 0;
        const hq = hq0 + <usize>i * hqS;
        const m = P != 0 ? lstmEpiloguePeep4(p, hb, hw, cw, Ks, P, a8 ? hq : 0, yr, plh) : lstmEpilogue4(p, hb, hw, cw, Ks, a8 ? hq : 0, yr, plh);
        if (!a8) store<f32>(sh0 + (<usize>i << 2), quantizeState(hw, H, Ks, hq, plh, scheme, m));
        if (y != 0) copyF32(yr + (<usize>h8 << 2), hw + (<usize>h8 << 2), H - h8);
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

/**
 * c' = sig(f) * c + sig(i) * tanh(g); h' = sig(o) * tanh(c') over n lanes (n a multiple of 8),
 * gate blocks `hb` bytes apart in `p` (same expression trees as kernels/cell.ts), and if
 * hq != 0, activation row hq = q(h' * 127) (QS_A8, plane offset pl) for the next step's mat-vec
 * (fused: h' is in registers). Returns max|h'| over the H real lanes (for QS_A7's h scale).
 *
 * Two passes: the gate nonlinearities first, in place (rows 0..3H-1 are i, o, f: one flat
 * sigmoid pass; rows 3H.. are g: one tanh pass over n lanes), then the cell. Every element of a
 * pass is independent, so the core overlaps as many exp/divide chains as its window holds; the
 * former single loop (sig, sig, tanh, then tanh(c') on their results) was latency-bound.
 * Padded lanes (>= H) of a gate read its neighbour block's activated rows: finite don't-cares.
 */
// @ts-ignore: decorator
@inline export function lstmEpilogue4(p: usize, hb: usize, hw: usize, cw: usize, n: i32, hq: usize = 0, yr: usize = 0, pl: usize = 0): f32 {
  const n3 = <i32>(hb >> 2) * 3; // 3H
  let k = 0;
  for (; k + 8 <= n3; k += 8) {
    const q = p + (<usize>k << 2);
    const s0 = sigmoidf4(v128.load(q));
    const s1 = sigmoidf4(v128.load(q, 16));
    v128.store(q, s0);
    v128.store(q, s1, 16);
  }
  for (; k + 4 <= n3; k += 4) {
    const q = p + (<usize>k << 2);
    v128.store(q, sigmoidf4(v128.load(q)));
  }
  for (; k < n3; k++) {
    const q = p + (<usize>k << 2);
    store<f32>(q, sigmoidf(load<f32>(q)));
  }
  const pg = p + 3 * hb;
  for (let j = 0; j < n; j += 8) {
    const q = pg + (<usize>j << 2);
    const t0 = tanhf4(v128.load(q));
    const t1 = tanhf4(v128.load(q, 16));
    v128.store(q, t0);
    v128.store(q, t1, 16);
  }
  let m4 = f32x4.splat(0);
  for (let j = 0; j < n; j += 8) {
    const o = <usize>j << 2;
    const q = p + o;
    const c0 = f32x4.add(f32x4.mul(v128.load(q + 2 * hb), v128.load(cw + o)), f32x4.mul(v128.load(q), v128.load(q + 3 * hb)));
    const c1 = f32x4.add(f32x4.mul(v128.load(q + 2 * hb, 16), v128.load(cw + o, 16)), f32x4.mul(v128.load(q, 16), v128.load(q + 3 * hb, 16)));
    v128.store(cw + o, c0);
    v128.store(cw + o, c1, 16);
    const h0 = f32x4.mul(v128.load(q + hb), tanhf4(c0));
    const h1 = f32x4.mul(v128.load(q + hb, 16), tanhf4(c1));
    v128.store(hw + o, h0);
    v128.store(hw + o, h1, 16);
    // Whole 8-lane blocks below H: the y row of this step gets h' (yr != 0), and max|h'| for QS_A7.
    if (j + 8 <= <i32>(hb >> 2)) {
      m4 = f32x4.pmax(m4, f32x4.pmax(f32x4.abs(h0), f32x4.abs(h1)));
      if (yr != 0) {
        v128.store(yr + o, h0);
        v128.store(yr + o, h1, 16);
      }
    }
    // hq = 0 (the f32 path): a constant after inlining, so the branch folds away.
    if (hq != 0) {
      const q127 = k4(K_Q127);
      storeQ8(hq, j, quantize4(f32x4.mul(h0, q127)), quantize4(f32x4.mul(h1, q127)), pl, QS_A8);
    }
  }
  return maxAbsTail(m4, hw, <i32>(hb >> 2));
}

/**
 * lstmEpilogue4 with peepholes (kernels/cell.ts `peep`; P: f32 [3H], ONNX order i, o, f, plain):
 * i and f add P * c before their sigmoid, o adds P * c' after the cell update, all in f32 as
 * the reference does (INT8 layers too). Passes that read P or write c cover lanes below H only
 * (4 at a time, then a scalar tail with the same expressions), so P is never read past its end
 * and padded c lanes keep the 0 they start with; the last pass (h', q(h'), y) runs over all n
 * lanes as in lstmEpilogue4, where a padded lane gets o * tanh(0) = 0 from a finite o.
 * Not inlined: peepholes are rare, and the common epilogue's call sites stay small.
 */
export function lstmEpiloguePeep4(p: usize, hb: usize, hw: usize, cw: usize, n: i32, P: usize, hq: usize, yr: usize, pl: usize): f32 {
  const H = <i32>(hb >> 2);
  const H4 = H & ~3;
  // i (block 0) and f (block 2): sigmoid(pre + P * c), in place.
  for (let gate = 0; gate < 3; gate += 2) {
    const q = p + <usize>gate * hb;
    const pg = P + <usize>gate * hb;
    let j = 0;
    for (; j < H4; j += 4) {
      const o = <usize>j << 2;
      v128.store(q + o, sigmoidf4(f32x4.add(v128.load(q + o), f32x4.mul(v128.load(pg + o), v128.load(cw + o)))));
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      store<f32>(q + o, sigmoidf(peep(load<f32>(q + o), load<f32>(pg + o), load<f32>(cw + o))));
    }
  }
  // g = tanh(pre), then c' = f * c + i * g (kernels/cell.ts lstmCellC's tree).
  const qg = p + 3 * hb;
  const qf = p + 2 * hb;
  let j = 0;
  for (; j < H4; j += 4) {
    const o = <usize>j << 2;
    const g = tanhf4(v128.load(qg + o));
    v128.store(cw + o, f32x4.add(f32x4.mul(v128.load(qf + o), v128.load(cw + o)), f32x4.mul(v128.load(p + o), g)));
  }
  for (; j < H; j++) {
    const o = <usize>j << 2;
    const g = tanhf(load<f32>(qg + o));
    store<f32>(cw + o, load<f32>(qf + o) * load<f32>(cw + o) + load<f32>(p + o) * g);
  }
  // o = sigmoid(pre + P * c'), in place.
  const qo = p + hb;
  const po = P + hb;
  j = 0;
  for (; j < H4; j += 4) {
    const o = <usize>j << 2;
    v128.store(qo + o, sigmoidf4(f32x4.add(v128.load(qo + o), f32x4.mul(v128.load(po + o), v128.load(cw + o)))));
  }
  for (; j < H; j++) {
    const o = <usize>j << 2;
    store<f32>(qo + o, sigmoidf(peep(load<f32>(qo + o), load<f32>(po + o), load<f32>(cw + o))));
  }
  // h' = o * tanh(c') over all n lanes; y and max|h'| for the whole 8-lane blocks below H; q(h') if hq != 0.
  let m4 = f32x4.splat(0);
  for (let k = 0; k < n; k += 8) {
    const o = <usize>k << 2;
    const h0 = f32x4.mul(v128.load(qo + o), tanhf4(v128.load(cw + o)));
    const h1 = f32x4.mul(v128.load(qo + o, 16), tanhf4(v128.load(cw + o, 16)));
    v128.store(hw + o, h0);
    v128.store(hw + o, h1, 16);
    if (k + 8 <= H) {
      m4 = f32x4.pmax(m4, f32x4.pmax(f32x4.abs(h0), f32x4.abs(h1)));
      if (yr != 0) {
        v128.store(yr + o, h0);
        v128.store(yr + o, h1, 16);
      }
    }
    if (hq != 0) {
      const q127 = k4(K_Q127);
      storeQ8(hq, k, quantize4(f32x4.mul(h0, q127)), quantize4(f32x4.mul(h1, q127)), pl, QS_A8);
    }
  }
  return maxAbsTail(m4, hw, H);
}
