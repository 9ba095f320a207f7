/**
 * Fused R h + pre-activation stage of the SIMD INT8 recurrent kernels (tile loop, stream pairs).
 *
 * A 16-row group's R h sums for two streams end in eight i32x4 accumulators; the group's
 * pre-activations are computed from them while they are still in registers and stored once,
 * instead of storing the sums to scratch and reloading them per 4-row slice (the scratch round
 * trip and its slice loop cost ~7 % of an H = 64 stream-step: assembly/README.md, "Measured",
 * 2026-11-28). The expressions are the reference's, lane-wise (kernels/ref/lstm_s8.ts, gru_s8.ts):
 *   LSTM: pre = f32(accW) * (Ws * sx) + f32(accR) * (Rs * sh) + B
 *   GRU:  xw  = f32(accW) * (Ws * sx) + Wb;   hr = f32(accR) * (Rs * sh) + Rb
 * with sh the stream's h scale (1/127 in QS_A8, so the expression is ABI 2's).
 * The W x sums still come from scratch (accW, written by dotGroupS8x2): taking them here for
 * I = 1 (one dot per slice) measured no different.
 */
import { QS_A7 } from "../../abi";
import { RELAXED } from "./quant";
import { accStart, rdot, relaxedWide, GROUP_HEAD } from "./dot";

/** LSTM pre-activation of one 4-row slice (kernels/ref/lstm_s8.ts order). */
// @ts-ignore: decorator
@inline export function preS8(accW: v128, accR: v128, ws4: v128, sx: f32, rs4: v128, b4: v128): v128 {
  const aw = f32x4.mul(f32x4.convert_i32x4_s(accW), f32x4.mul(ws4, f32x4.splat(sx)));
  return f32x4.add(f32x4.add(aw, f32x4.mul(f32x4.convert_i32x4_s(accR), rs4)), b4);
}

/**
 * Slice m (rows 16G + 4m ..) of the pair: LSTM writes pre to pa/pb; GRU (`gru`, a constant at
 * every call site) writes xw to pa/pb and hr to qa/qb. `B` is the LSTM bias or GRU's Wb.
 */
// @ts-ignore: decorator
@inline function slicePair(
  gru: bool, m: i32, ra: v128, rb: v128, aw: usize, o: usize,
  Ws: usize, Rs: usize, B: usize, Rb: usize, sxa: f32, sxb: f32, sha: f32, shb: f32, pa: usize, pb: usize, qa: usize, qb: usize,
): void {
  const so = o + (<usize>m << 4);
  const ws4 = v128.load(Ws + so);
  const rs = v128.load(Rs + so);
  const rsa = f32x4.mul(rs, f32x4.splat(sha));
  const rsb = f32x4.mul(rs, f32x4.splat(shb));
  const b4 = v128.load(B + so);
  const wa = v128.load(aw + (<usize>m << 4));
  const wb = v128.load(aw + (<usize>m << 4), 64);
  if (gru) {
    const rb4 = v128.load(Rb + so);
    v128.store(pa + so, f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(wa), f32x4.mul(ws4, f32x4.splat(sxa))), b4));
    v128.store(pb + so, f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(wb), f32x4.mul(ws4, f32x4.splat(sxb))), b4));
    v128.store(qa + so, f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(ra), rsa), rb4));
    v128.store(qb + so, f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(rb), rsb), rb4));
  } else {
    v128.store(pa + so, preS8(wa, ra, ws4, sxa, rsa, b4));
    v128.store(pb + so, preS8(wb, rb, ws4, sxb, rsb, b4));
  }
}

/**
 * R h of row group G for the stream pair (activation rows ha, hb, plane offset pl: every weight
 * load feeds both), then the group's first `slices` 4-row slices through slicePair. The caller
 * guarantees the slices are whole (LSTM: always; GRU: only groups wholly below the rows that
 * have R sums). aw: the pair's W x sums (stream a at aw, b at aw + 64); sx: the pair's two x
 * scales, and at sx + 64 their two h scales.
 */
// @ts-ignore: decorator
@inline export function preGroupS8x2(
  gru: bool, w: usize, ha: usize, hb: usize, H: i32, G: i32, slices: i32, aw: usize,
  Ws: usize, Rs: usize, B: usize, Rb: usize, sx: usize, pa: usize, pb: usize, qa: usize, qb: usize, pl: usize, scheme: i32,
): void {
  let s0 = accStart(w, 0, scheme);
  let s1 = accStart(w, 1, scheme);
  let s2 = accStart(w, 2, scheme);
  let s3 = accStart(w, 3, scheme);
  let t0 = s0;
  let t1 = s1;
  let t2 = s2;
  let t3 = s3;
  w += GROUP_HEAD;
  if (RELAXED) {
    const end = ha + (<usize>((H + 3) >> 2) << 2);
    if (scheme == QS_A7 && relaxedWide()) {
      while (ha < end) {
        const x = v128.load32_splat(ha);
        const y = v128.load32_splat(hb);
        let v = v128.load(w);
        s0 = rdot(v, x, s0, true);
        t0 = rdot(v, y, t0, true);
        v = v128.load(w, 16);
        s1 = rdot(v, x, s1, true);
        t1 = rdot(v, y, t1, true);
        v = v128.load(w, 32);
        s2 = rdot(v, x, s2, true);
        t2 = rdot(v, y, t2, true);
        v = v128.load(w, 48);
        s3 = rdot(v, x, s3, true);
        t3 = rdot(v, y, t3, true);
        w += 64;
        ha += 4;
        hb += 4;
      }
    } else if (scheme == QS_A7) {
      while (ha < end) {
        const x = v128.load32_splat(ha);
        const y = v128.load32_splat(hb);
        let v = v128.load(w);
        s0 = rdot(v, x, s0, false);
        t0 = rdot(v, y, t0, false);
        v = v128.load(w, 16);
        s1 = rdot(v, x, s1, false);
        t1 = rdot(v, y, t1, false);
        v = v128.load(w, 32);
        s2 = rdot(v, x, s2, false);
        t2 = rdot(v, y, t2, false);
        v = v128.load(w, 48);
        s3 = rdot(v, x, s3, false);
        t3 = rdot(v, y, t3, false);
        w += 64;
        ha += 4;
        hb += 4;
      }
    } else {
      while (ha < end) {
        const x = v128.load32_splat(ha);
        const y = v128.load32_splat(hb);
        const x1 = v128.load32_splat(ha + pl);
        const y1 = v128.load32_splat(hb + pl);
        let v = v128.load(w);
        s0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v, x1, i32x4.relaxed_dot_i8x16_i7x16_add_s(v, x, s0));
        t0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v, y1, i32x4.relaxed_dot_i8x16_i7x16_add_s(v, y, t0));
        v = v128.load(w, 16);
        s1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v, x1, i32x4.relaxed_dot_i8x16_i7x16_add_s(v, x, s1));
        t1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v, y1, i32x4.relaxed_dot_i8x16_i7x16_add_s(v, y, t1));
        v = v128.load(w, 32);
        s2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v, x1, i32x4.relaxed_dot_i8x16_i7x16_add_s(v, x, s2));
        t2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v, y1, i32x4.relaxed_dot_i8x16_i7x16_add_s(v, y, t2));
        v = v128.load(w, 48);
        s3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v, x1, i32x4.relaxed_dot_i8x16_i7x16_add_s(v, x, s3));
        t3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v, y1, i32x4.relaxed_dot_i8x16_i7x16_add_s(v, y, t3));
        w += 64;
        ha += 4;
        hb += 4;
      }
    }
  } else {
    // One column pair per trip: a manual two-pair unroll measured slower (V8 unrolls this loop).
    const end = ha + (<usize>((H + 1) >> 1) << 2);
    while (ha < end) {
      const x = v128.load32_splat(ha);
      const y = v128.load32_splat(hb);
      let v = v128.load(w);
      s0 = i32x4.add(s0, i32x4.dot_i16x8_s(v, x));
      t0 = i32x4.add(t0, i32x4.dot_i16x8_s(v, y));
      v = v128.load(w, 16);
      s1 = i32x4.add(s1, i32x4.dot_i16x8_s(v, x));
      t1 = i32x4.add(t1, i32x4.dot_i16x8_s(v, y));
      v = v128.load(w, 32);
      s2 = i32x4.add(s2, i32x4.dot_i16x8_s(v, x));
      t2 = i32x4.add(t2, i32x4.dot_i16x8_s(v, y));
      v = v128.load(w, 48);
      s3 = i32x4.add(s3, i32x4.dot_i16x8_s(v, x));
      t3 = i32x4.add(t3, i32x4.dot_i16x8_s(v, y));
      w += 64;
      ha += 4;
      hb += 4;
    }
  }
  const o = <usize>G << 6;
  const sxa = load<f32>(sx);
  const sxb = load<f32>(sx, 4);
  const sha = load<f32>(sx, 64);
  const shb = load<f32>(sx, 68);
  slicePair(gru, 0, s0, t0, aw, o, Ws, Rs, B, Rb, sxa, sxb, sha, shb, pa, pb, qa, qb);
  if (slices > 1) slicePair(gru, 1, s1, t1, aw, o, Ws, Rs, B, Rb, sxa, sxb, sha, shb, pa, pb, qa, qb);
  if (slices > 2) slicePair(gru, 2, s2, t2, aw, o, Ws, Rs, B, Rb, sxa, sxb, sha, shb, pa, pb, qa, qb);
  if (slices > 3) slicePair(gru, 3, s3, t3, aw, o, Ws, Rs, B, Rb, sxa, sxb, sha, shb, pa, pb, qa, qb);
}
