/**
 * Lane-wise v128 twins of assembly/math.ts. Every line mirrors the scalar version operation for
 * operation, so each lane is bit-identical to the scalar result (see the determinism rule there).
 *
 * Constants live in a static table and are read with v128.load: V8 materializes a v128.const
 * with 4-5 instructions at every use inside a loop, a load is one (L1-resident) micro-op.
 */
import {
  EXP_LOG2E, EXP_C1, EXP_C2, EXP_HI, EXP_LO, EXP_P0, EXP_P1, EXP_P2, EXP_P3, EXP_P4, EXP_P5,
  POW2_MAGIC, POW2_TMAX, POW2_TMIN, POW2_Q0, POW2_Q1, POW2_Q2, POW2_Q3, POW2_Q4, SIG_K, TANH_K,
} from "../../math";

/** 1.5 * 2^23: adding it to an integer-valued f32 leaves the integer in the low mantissa bits. */
export const MAGIC_ROUND: f32 = 12582912.0;

// Splatted constants, 16 bytes each; index = row of the table.
export const K_ONE = 0;
export const K_HALF = 1;
export const K_TWO = 2;
export const K_SIGN = 3; // 0x80000000 in every lane
export const K_MAGIC = 4;
export const K_127I = 5; // integer 127 in every lane
export const K_EXP_LO = 6;
export const K_EXP_HI = 7;
export const K_LOG2E = 8;
export const K_C1 = 9;
export const K_C2 = 10;
export const K_P0 = 11;
export const K_P1 = 12;
export const K_P2 = 13;
export const K_P3 = 14;
export const K_P4 = 15;
export const K_P5 = 16;
export const K_TMIN = 17; // POW2_TMIN
export const K_TMAX = 18; // POW2_TMAX
export const K_Q0 = 19;
export const K_Q1 = 20;
export const K_Q2 = 21;
export const K_Q3 = 22;
export const K_Q4 = 23;
export const K_Q127 = 24; // 127.0
export const K_NQ127 = 25; // -127.0
export const K_SIG = 26; // SIG_K
export const K_TANH = 27; // TANH_K
export const K_HALF_DN = 28; // 0.49999997, the f32 just below 0.5
export const K_Q63 = 29; // 63.0 (K_Q127's twin for the 7-bit scheme; K_NQ63 follows it as K_NQ127 follows K_Q127)
export const K_NQ63 = 30; // -63.0

const SIGN_BITS = reinterpret<f32>(<i32>0x80000000);
const HALF_DN = reinterpret<f32>(<i32>0x3EFFFFFF); // 0.49999997
const I127_BITS = reinterpret<f32>(<i32>127);

const KT: usize = memory.data<f32>([
  1.0, 1.0, 1.0, 1.0,
  0.5, 0.5, 0.5, 0.5,
  2.0, 2.0, 2.0, 2.0,
  SIGN_BITS, SIGN_BITS, SIGN_BITS, SIGN_BITS,
  MAGIC_ROUND, MAGIC_ROUND, MAGIC_ROUND, MAGIC_ROUND,
  I127_BITS, I127_BITS, I127_BITS, I127_BITS,
  EXP_LO, EXP_LO, EXP_LO, EXP_LO,
  EXP_HI, EXP_HI, EXP_HI, EXP_HI,
  EXP_LOG2E, EXP_LOG2E, EXP_LOG2E, EXP_LOG2E,
  EXP_C1, EXP_C1, EXP_C1, EXP_C1,
  EXP_C2, EXP_C2, EXP_C2, EXP_C2,
  EXP_P0, EXP_P0, EXP_P0, EXP_P0,
  EXP_P1, EXP_P1, EXP_P1, EXP_P1,
  EXP_P2, EXP_P2, EXP_P2, EXP_P2,
  EXP_P3, EXP_P3, EXP_P3, EXP_P3,
  EXP_P4, EXP_P4, EXP_P4, EXP_P4,
  EXP_P5, EXP_P5, EXP_P5, EXP_P5,
  POW2_TMIN, POW2_TMIN, POW2_TMIN, POW2_TMIN,
  POW2_TMAX, POW2_TMAX, POW2_TMAX, POW2_TMAX,
  POW2_Q0, POW2_Q0, POW2_Q0, POW2_Q0,
  POW2_Q1, POW2_Q1, POW2_Q1, POW2_Q1,
  POW2_Q2, POW2_Q2, POW2_Q2, POW2_Q2,
  POW2_Q3, POW2_Q3, POW2_Q3, POW2_Q3,
  POW2_Q4, POW2_Q4, POW2_Q4, POW2_Q4,
  127.0, 127.0, 127.0, 127.0,
  -127.0, -127.0, -127.0, -127.0,
  SIG_K, SIG_K, SIG_K, SIG_K,
  TANH_K, TANH_K, TANH_K, TANH_K,
  HALF_DN, HALF_DN, HALF_DN, HALF_DN,
  63.0, 63.0, 63.0, 63.0,
  -63.0, -63.0, -63.0, -63.0,
], 16);

/** Splatted constant number `i` of the table. */
// @ts-ignore: decorator
@inline export function k4(i: i32): v128 {
  return v128.load(KT + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline export function expf4(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, k4(K_EXP_LO)), k4(K_EXP_HI));
  const n = f32x4.floor(f32x4.add(f32x4.mul(x, k4(K_LOG2E)), k4(K_HALF)));
  let r = f32x4.sub(x, f32x4.mul(n, k4(K_C1)));
  r = f32x4.sub(r, f32x4.mul(n, k4(K_C2)));
  const z = f32x4.mul(r, r);
  let p = f32x4.add(f32x4.mul(k4(K_P0), r), k4(K_P1));
  p = f32x4.add(f32x4.mul(p, r), k4(K_P2));
  p = f32x4.add(f32x4.mul(p, r), k4(K_P3));
  p = f32x4.add(f32x4.mul(p, r), k4(K_P4));
  p = f32x4.add(f32x4.mul(p, r), k4(K_P5));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, z), r), k4(K_ONE));
  // 2^n from the bits of n + 1.5 * 2^23 (exact for |n| < 2^22; the shift drops the magic's
  // bits), cheaper on x86 than the saturating i32x4.trunc_sat_f32x4_s; same value as the scalar.
  const nb = f32x4.add(n, k4(K_MAGIC));
  const scale = i32x4.shl(i32x4.add(nb, k4(K_127I)), 23);
  return f32x4.mul(y, scale);
}

// Lane-wise sigmoidf/tanhf of assembly/math.ts: t = clamp(x * k), nb = t + 1.5 * 2^23,
// 2^t = (1 + f q(f)) * 2^n with f = t - (nb - 1.5 * 2^23); same operations, same order.

/** t clamped, then + 1.5 * 2^23 (n = round(t) in the low mantissa bits). */
// @ts-ignore: decorator
@inline function pow2T(x: v128, k: i32): v128 {
  return f32x4.pmin(f32x4.pmax(f32x4.mul(x, k4(k)), k4(K_TMIN)), k4(K_TMAX));
}

/** f q(f) for t and nb = t + magic. */
// @ts-ignore: decorator
@inline function pow2FQ(t: v128, nb: v128): v128 {
  const f = f32x4.sub(t, f32x4.sub(nb, k4(K_MAGIC)));
  const f2 = f32x4.mul(f, f);
  const a = f32x4.add(k4(K_Q0), f32x4.mul(k4(K_Q1), f));
  const b = f32x4.add(k4(K_Q2), f32x4.mul(k4(K_Q3), f));
  const q = f32x4.add(a, f32x4.mul(f2, f32x4.add(b, f32x4.mul(k4(K_Q4), f2))));
  return f32x4.mul(f, q);
}

/** 2^n from the bits of nb. */
// @ts-ignore: decorator
@inline function pow2N(nb: v128): v128 {
  return i32x4.shl(i32x4.add(nb, k4(K_127I)), 23);
}

// @ts-ignore: decorator
@inline export function sigmoidf4(x: v128): v128 {
  const t = pow2T(x, K_SIG);
  const nb = f32x4.add(t, k4(K_MAGIC));
  const one = k4(K_ONE);
  const sn = pow2N(nb);
  return f32x4.div(one, f32x4.add(f32x4.add(one, sn), f32x4.mul(pow2FQ(t, nb), sn)));
}

// @ts-ignore: decorator
@inline export function tanhf4(x: v128): v128 {
  const sign = k4(K_SIGN);
  const t = f32x4.pmin(f32x4.mul(v128.andnot(x, sign), k4(K_TANH)), k4(K_TMAX));
  const nb = f32x4.add(t, k4(K_MAGIC));
  const s = pow2N(nb);
  const m = f32x4.add(f32x4.mul(pow2FQ(t, nb), s), f32x4.sub(s, k4(K_ONE)));
  return v128.or(f32x4.div(m, f32x4.add(m, k4(K_TWO))), v128.and(x, sign));
}
