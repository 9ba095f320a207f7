/**
 * Scalar nonlinearities shared by every path (f32 and INT8, ref and SIMD tails).
 *
 * Determinism rule: these use only +, -, *, /, compare-and-select, floor, abs and bit operations,
 * in a fixed order, so the lane-wise v128 twins in kernels/simd/math.ts produce the same bits
 * (WASM has no FMA outside relaxed SIMD, and every one of these ops is correctly rounded).
 * Never replace them with Math.exp/Mathf.exp: those differ from the SIMD version.
 * Clamps are written as selects, `clampLo(x, lo) = x < lo ? lo : x`, the exact semantics of
 * f32x4.pmax / f32x4.pmin (one maxps/minps on x86), not f32.min/max (whose NaN and -0 rules cost
 * V8 a 6-8 instruction sequence per v128 op).
 *
 * Accuracy: expf is Cephes' expf (about 1 ulp); sigmoid and tanh are within ~2e-7 absolute of
 * the exact function over all of f32, which the f32 paths need (1e-4 vs a float64 reference
 * after hundreds of steps).
 */

// Cephes expf constants: ln2 split in an exactly-representable high part and a correction.
export const EXP_LOG2E: f32 = 1.44269504088896341;
export const EXP_C1: f32 = 0.693359375;
export const EXP_C2: f32 = -2.12194440e-4;
// Clamp so that 2^n stays a normal number and the result stays finite.
export const EXP_HI: f32 = 88.3762626647949;
export const EXP_LO: f32 = -87.3365447505531;
export const EXP_P0: f32 = 1.9875691500e-4;
export const EXP_P1: f32 = 1.3981999507e-3;
export const EXP_P2: f32 = 8.3334519073e-3;
export const EXP_P3: f32 = 4.1665795894e-2;
export const EXP_P4: f32 = 1.6666665459e-1;
export const EXP_P5: f32 = 5.0000001201e-1;

// Cephes tanhf: odd polynomial below TANH_SMALL, 1 - 2/(e^2a + 1) above, 1 beyond TANH_BIG.
export const TANH_SMALL: f32 = 0.625;
export const TANH_BIG: f32 = 10.0;
export const TANH_P0: f32 = -5.70498872745e-3;
export const TANH_P1: f32 = 2.06390887954e-2;
export const TANH_P2: f32 = -5.37397155531e-2;
export const TANH_P3: f32 = 1.33314422036e-1;
export const TANH_P4: f32 = -3.33332819422e-1;

/** x < lo ? lo : x (= f32x4.pmax(x, lo) lane-wise). */
// @ts-ignore: decorator
@inline export function clampLo(x: f32, lo: f32): f32 {
  return select<f32>(lo, x, x < lo);
}

/** hi < x ? hi : x (= f32x4.pmin(x, hi) lane-wise). */
// @ts-ignore: decorator
@inline export function clampHi(x: f32, hi: f32): f32 {
  return select<f32>(hi, x, hi < x);
}

/** e^x for f32, Cephes algorithm; inputs clamped to [EXP_LO, EXP_HI]. */
// @ts-ignore: decorator
@inline export function expf(x: f32): f32 {
  x = clampHi(clampLo(x, EXP_LO), EXP_HI);
  const n = floor<f32>(x * EXP_LOG2E + 0.5);
  let r = x - n * EXP_C1;
  r = r - n * EXP_C2;
  const z = r * r;
  let p = EXP_P0 * r + EXP_P1;
  p = p * r + EXP_P2;
  p = p * r + EXP_P3;
  p = p * r + EXP_P4;
  p = p * r + EXP_P5;
  const y = p * z + r + 1.0;
  const scale = reinterpret<f32>((<i32>n + 127) << 23);
  return y * scale;
}

// Activation exponential (sigmoid and tanh only; expf above stays for softmax):
// 2^t = 2^n * 2^f with n = round(t) read from the bits of t + 1.5 * 2^23 (no floor, no float to
// int conversion), f = t - n in [-0.5, 0.5] (exact), 2^f = 1 + f * q(f), q a degree-4 minimax fit
// of (2^f - 1) / f (max relative error of 2^f 9.1e-8 in float64; see assembly/README.md),
// evaluated in Estrin's order (depth 5 instead of Horner's 8: the epilogue is bound by how many
// of these chains the core's scheduler holds at once, so shorter chains run faster).
// t is clamped to [-126, 126] so that 2^n stays a normal number. One multiply by a constant
// turns x into t (log2(e) for sigmoid with the sign folded in, 2 log2(e) for tanh).
export const POW2_MAGIC: f32 = 12582912.0; // 1.5 * 2^23
export const POW2_TMAX: f32 = 126.0;
export const POW2_TMIN: f32 = -126.0;
export const POW2_Q0: f32 = 0.6931469775880092;
export const POW2_Q1: f32 = 0.24022242074640154;
export const POW2_Q2: f32 = 0.05550733756842124;
export const POW2_Q3: f32 = 0.009671513244540426;
export const POW2_Q4: f32 = 0.0013264724229714027;
export const SIG_K: f32 = -1.44269504088896341; // -log2(e)
export const TANH_K: f32 = 2.88539008177792681; // 2 log2(e)

/**
 * 1 / (1 + e^-x) = 1 / (1 + 2^(-x log2 e)); within 1.1e-7 absolute of the exact function.
 * Saturates to 1 above x ~ 87 and to 2^-126 (not 0) below x ~ -87.
 */
// @ts-ignore: decorator
@inline export function sigmoidf(x: f32): f32 {
  const t = clampHi(clampLo(x * SIG_K, POW2_TMIN), POW2_TMAX);
  const nb = t + POW2_MAGIC;
  const f = t - (nb - POW2_MAGIC);
  const f2 = f * f;
  const q = (POW2_Q0 + POW2_Q1 * f) + f2 * ((POW2_Q2 + POW2_Q3 * f) + POW2_Q4 * f2);
  const s = reinterpret<f32>((reinterpret<i32>(nb) + 127) << 23);
  return <f32>1.0 / ((<f32>1.0 + s) + f * q * s);
}

/**
 * tanh(x) = sign(x) m / (m + 2) with m = e^(2|x|) - 1 = 2^n f q(f) + (2^n - 1): for n = 0 that
 * is f q(f) itself, so small |x| keep their relative accuracy (no 1 - 2/(e + 1) cancellation);
 * within 1.6e-7 absolute of the exact function, exactly odd, exactly +-1 beyond |x| ~ 43.7.
 */
// @ts-ignore: decorator
@inline export function tanhf(x: f32): f32 {
  const t = clampHi(abs<f32>(x) * TANH_K, POW2_TMAX);
  const nb = t + POW2_MAGIC;
  const f = t - (nb - POW2_MAGIC);
  const f2 = f * f;
  const q = (POW2_Q0 + POW2_Q1 * f) + f2 * ((POW2_Q2 + POW2_Q3 * f) + POW2_Q4 * f2);
  const s = reinterpret<f32>((reinterpret<i32>(nb) + 127) << 23);
  const m = f * q * s + (s - <f32>1.0);
  const r = m / (m + <f32>2.0);
  return reinterpret<f32>(reinterpret<i32>(r) | (reinterpret<i32>(x) & 0x80000000));
}
