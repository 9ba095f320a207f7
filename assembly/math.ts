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

/** 1 / (1 + e^-x). */
// @ts-ignore: decorator
@inline export function sigmoidf(x: f32): f32 {
  return <f32>1.0 / (<f32>1.0 + expf(-x));
}

/** tanh(x); both branches are the ones kernels/simd/math.ts selects lane-wise. */
// @ts-ignore: decorator
@inline export function tanhf(x: f32): f32 {
  const a = abs<f32>(x);
  if (a < TANH_SMALL) {
    const z = x * x;
    let p = TANH_P0 * z + TANH_P1;
    p = p * z + TANH_P2;
    p = p * z + TANH_P3;
    p = p * z + TANH_P4;
    return p * z * x + x;
  }
  const e = expf(<f32>2.0 * clampHi(a, TANH_BIG));
  const t = <f32>1.0 - <f32>2.0 / (e + <f32>1.0);
  return reinterpret<f32>(reinterpret<i32>(t) | (reinterpret<i32>(x) & 0x80000000));
}
