/**
 * Row-group dot products over the SIMD packed layouts (assembly/formats.ts).
 * f32: four rows share every activation load; each row keeps its own v128 accumulator,
 * reduced once at the end (transpose-add). s8: 16 rows share every splatted activation pair
 * and each dot leaves 4 rows' sums in their own lanes, so nothing is reduced. Integer sums are
 * exact, so the order does not matter for s8. The relaxed build (ASC_FEATURE_RELAXED_SIMD) takes
 * i32x4.relaxed_dot_i8x16_i7x16_add_s over int8 weights and u7 activation rows instead of
 * i32x4.dot_i16x8_s over i16 (kernels/simd/quant.ts); every other function is shared.
 */
import { QS_A7 } from "../../abi";
import { Q7_OFFSET } from "../../quant";
import { RELAXED } from "./quant";

/** [sum(a), sum(b), sum(c), sum(d)] of four i32x4 accumulators. */
// @ts-ignore: decorator
@inline export function hsum4I32(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = i32x4.add(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(a, b, 2, 6, 3, 7));
  const cd = i32x4.add(i32x4.shuffle(c, d, 0, 4, 1, 5), i32x4.shuffle(c, d, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(ab, cd, 0, 1, 4, 5), i32x4.shuffle(ab, cd, 2, 3, 6, 7));
}

/** [sum(a), sum(b), sum(c), sum(d)] of four f32x4 accumulators. */
// @ts-ignore: decorator
@inline export function hsum4F32(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(i32x4.shuffle(c, d, 0, 4, 1, 5), i32x4.shuffle(c, d, 2, 6, 3, 7));
  return f32x4.add(i32x4.shuffle(ab, cd, 0, 1, 4, 5), i32x4.shuffle(ab, cd, 2, 3, 6, 7));
}

/**
 * f32 dot products of one row group over two operands (W with x, then R with h), summed into
 * the same four accumulators: returns [row0, row1, row2, row3] of W x + R h.
 */
// @ts-ignore: decorator
@inline export function dotGroupF32x2(w: usize, x: usize, nbx: i32, r: usize, h: usize, nbh: i32): v128 {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0);
  for (let i = 0; i < nbx; i++) {
    const v = v128.load(x);
    s0 = f32x4.add(s0, f32x4.mul(v128.load(w), v));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(w, 16), v));
    s2 = f32x4.add(s2, f32x4.mul(v128.load(w, 32), v));
    s3 = f32x4.add(s3, f32x4.mul(v128.load(w, 48), v));
    w += 64;
    x += 16;
  }
  for (let i = 0; i < nbh; i++) {
    const v = v128.load(h);
    s0 = f32x4.add(s0, f32x4.mul(v128.load(r), v));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(r, 16), v));
    s2 = f32x4.add(s2, f32x4.mul(v128.load(r, 32), v));
    s3 = f32x4.add(s3, f32x4.mul(v128.load(r, 48), v));
    r += 64;
    h += 16;
  }
  return hsum4F32(s0, s1, s2, s3);
}

/** f32 dot products of one row group with one operand. */
// @ts-ignore: decorator
@inline export function dotGroupF32(w: usize, x: usize, nb: i32): v128 {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0);
  for (let i = 0; i < nb; i++) {
    const v = v128.load(x);
    s0 = f32x4.add(s0, f32x4.mul(v128.load(w), v));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(w, 16), v));
    s2 = f32x4.add(s2, f32x4.mul(v128.load(w, 32), v));
    s3 = f32x4.add(s3, f32x4.mul(v128.load(w, 48), v));
    w += 64;
    x += 16;
  }
  return hsum4F32(s0, s1, s2, s3);
}

/** dotGroupF32x2 (W x + R h) for two streams at once; results at out and out + 16. */
// @ts-ignore: decorator
@inline export function dotGroupF32x2x2(w: usize, xa: usize, xb: usize, nbx: i32, r: usize, ha: usize, hb: usize, nbh: i32, out: usize): void {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0);
  let t0 = f32x4.splat(0);
  let t1 = f32x4.splat(0);
  let t2 = f32x4.splat(0);
  let t3 = f32x4.splat(0);
  for (let i = 0; i < nbx; i++) {
    const x = v128.load(xa);
    const y = v128.load(xb);
    let v = v128.load(w);
    s0 = f32x4.add(s0, f32x4.mul(v, x));
    t0 = f32x4.add(t0, f32x4.mul(v, y));
    v = v128.load(w, 16);
    s1 = f32x4.add(s1, f32x4.mul(v, x));
    t1 = f32x4.add(t1, f32x4.mul(v, y));
    v = v128.load(w, 32);
    s2 = f32x4.add(s2, f32x4.mul(v, x));
    t2 = f32x4.add(t2, f32x4.mul(v, y));
    v = v128.load(w, 48);
    s3 = f32x4.add(s3, f32x4.mul(v, x));
    t3 = f32x4.add(t3, f32x4.mul(v, y));
    w += 64;
    xa += 16;
    xb += 16;
  }
  for (let i = 0; i < nbh; i++) {
    const x = v128.load(ha);
    const y = v128.load(hb);
    let v = v128.load(r);
    s0 = f32x4.add(s0, f32x4.mul(v, x));
    t0 = f32x4.add(t0, f32x4.mul(v, y));
    v = v128.load(r, 16);
    s1 = f32x4.add(s1, f32x4.mul(v, x));
    t1 = f32x4.add(t1, f32x4.mul(v, y));
    v = v128.load(r, 32);
    s2 = f32x4.add(s2, f32x4.mul(v, x));
    t2 = f32x4.add(t2, f32x4.mul(v, y));
    v = v128.load(r, 48);
    s3 = f32x4.add(s3, f32x4.mul(v, x));
    t3 = f32x4.add(t3, f32x4.mul(v, y));
    r += 64;
    ha += 16;
    hb += 16;
  }
  v128.store(out, hsum4F32(s0, s1, s2, s3));
  v128.store(out, hsum4F32(t0, t1, t2, t3), 16);
}

/**
 * Accumulator start of 4-row slice m of a relaxed s8 group (the group's header holds the 16 row
 * sums of the int8 weights): -64 (QS_A7) or -127 (QS_A8) times the row sums, which cancels the
 * offset the activation rows carry (kernels/simd/quant.ts). Zero in the simd build.
 */
// @ts-ignore: decorator
@inline export function accStart(w: usize, m: i32, scheme: i32): v128 {
  if (!RELAXED) return i32x4.splat(0);
  return i32x4.mul(v128.load(w + (<usize>m << 4)), i32x4.splat(scheme == QS_A7 ? -Q7_OFFSET : -127));
}

/**
 * How the relaxed build computes one relaxed dot for QS_A7 (setRelaxedDotForm; both give the same
 * exact integers, the second operand being in 0..127):
 *   0: i32x4.relaxed_dot_i8x16_i7x16_add_s, one instruction: one vpdpbusd on x86 with AVX-VNNI
 *      (V8 >= 12.7), one sdot on arm64 with the dot-product extension;
 *   1: i16x8.relaxed_dot_i8x16_i7x16_s + i32x4.extadd_pairwise_i16x8_s + i32x4.add: on x86
 *      without AVX-VNNI V8 lowers form 0 to pmaddubsw + pmaddwd + paddd plus two instructions that
 *      rebuild the pmaddwd constant at every use; form 1 is the same three with the constant a
 *      memory operand (measured 54.7 against 44.6 GMAC/s on an AMD EPYC (Zen 4), Node 24).
 * The host picks it (src/runtime/backend.ts relaxedDotForm); QS_A8's two-plane route keeps form 0.
 */
let dotWide: bool = false;

/** Sets the relaxed dot form (0 or 1, see dotWide) of this instance; returns it, or -1 (bad form, or not the relaxed build). */
export function setRelaxedDotForm(form: i32): i32 {
  if (!RELAXED || (form != 0 && form != 1)) return -1;
  dotWide = form == 1;
  return form;
}

/** acc + the relaxed dot of w (i8) and x (u7 in 0..127), in form 1 (wide) or 0. */
// @ts-ignore: decorator
@inline export function rdot(w: v128, x: v128, acc: v128, wide: bool): v128 {
  return wide ? i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(w, x))) : i32x4.relaxed_dot_i8x16_i7x16_add_s(w, x, acc);
}

/** True when QS_A7 relaxed loops take form 1 (read once per loop, outside it). */
// @ts-ignore: decorator
@inline export function relaxedWide(): bool {
  return dotWide;
}

/** Bytes of a relaxed group's header (16 i32 row sums) before its column blocks; 0 in the simd build. */
export const GROUP_HEAD: usize = RELAXED ? 64 : 0;

/**
 * Exact int32 sums of one 16-row group of the s8 layout (assembly/formats.ts) with activation
 * row `a` (`cols` real columns, kernels/simd/quant.ts; plane offset pl, scheme). Each splatted
 * activation pair (simd) or quad (relaxed) feeds four dots (16 rows); the four v128 of row sums
 * go to out .. out + 48.
 */
// @ts-ignore: decorator
@inline export function dotGroupS8(w: usize, a: usize, cols: i32, out: usize, pl: usize, scheme: i32): void {
  let s0 = accStart(w, 0, scheme);
  let s1 = accStart(w, 1, scheme);
  let s2 = accStart(w, 2, scheme);
  let s3 = accStart(w, 3, scheme);
  w += GROUP_HEAD;
  if (RELAXED) {
    const end = a + (<usize>((cols + 3) >> 2) << 2);
    if (scheme == QS_A7 && dotWide) {
      while (a < end) {
        const x = v128.load32_splat(a);
        s0 = rdot(v128.load(w), x, s0, true);
        s1 = rdot(v128.load(w, 16), x, s1, true);
        s2 = rdot(v128.load(w, 32), x, s2, true);
        s3 = rdot(v128.load(w, 48), x, s3, true);
        w += 64;
        a += 4;
      }
    } else if (scheme == QS_A7) {
      while (a < end) {
        const x = v128.load32_splat(a);
        s0 = rdot(v128.load(w), x, s0, false);
        s1 = rdot(v128.load(w, 16), x, s1, false);
        s2 = rdot(v128.load(w, 32), x, s2, false);
        s3 = rdot(v128.load(w, 48), x, s3, false);
        w += 64;
        a += 4;
      }
    } else {
      while (a < end) {
        const x = v128.load32_splat(a);
        const x1 = v128.load32_splat(a + pl);
        let v = v128.load(w);
        s0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v, x1, i32x4.relaxed_dot_i8x16_i7x16_add_s(v, x, s0));
        v = v128.load(w, 16);
        s1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v, x1, i32x4.relaxed_dot_i8x16_i7x16_add_s(v, x, s1));
        v = v128.load(w, 32);
        s2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v, x1, i32x4.relaxed_dot_i8x16_i7x16_add_s(v, x, s2));
        v = v128.load(w, 48);
        s3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v, x1, i32x4.relaxed_dot_i8x16_i7x16_add_s(v, x, s3));
        w += 64;
        a += 4;
      }
    }
  } else {
    const np = (cols + 1) >> 1;
    // Two pairs per trip: one compare and two pointer bumps per 8 dots.
    const end2 = a + (<usize>(np & ~1) << 2);
    while (a < end2) {
      const x = v128.load32_splat(a);
      const x1 = v128.load32_splat(a, 4);
      s0 = i32x4.add(s0, i32x4.dot_i16x8_s(v128.load(w), x));
      s1 = i32x4.add(s1, i32x4.dot_i16x8_s(v128.load(w, 16), x));
      s2 = i32x4.add(s2, i32x4.dot_i16x8_s(v128.load(w, 32), x));
      s3 = i32x4.add(s3, i32x4.dot_i16x8_s(v128.load(w, 48), x));
      s0 = i32x4.add(s0, i32x4.dot_i16x8_s(v128.load(w, 64), x1));
      s1 = i32x4.add(s1, i32x4.dot_i16x8_s(v128.load(w, 80), x1));
      s2 = i32x4.add(s2, i32x4.dot_i16x8_s(v128.load(w, 96), x1));
      s3 = i32x4.add(s3, i32x4.dot_i16x8_s(v128.load(w, 112), x1));
      w += 128;
      a += 8;
    }
    if (np & 1) {
      const x = v128.load32_splat(a);
      s0 = i32x4.add(s0, i32x4.dot_i16x8_s(v128.load(w), x));
      s1 = i32x4.add(s1, i32x4.dot_i16x8_s(v128.load(w, 16), x));
      s2 = i32x4.add(s2, i32x4.dot_i16x8_s(v128.load(w, 32), x));
      s3 = i32x4.add(s3, i32x4.dot_i16x8_s(v128.load(w, 48), x));
    }
  }
  v128.store(out, s0);
  v128.store(out, s1, 16);
  v128.store(out, s2, 32);
  v128.store(out, s3, 48);
}

/** dotGroupS8 for two streams sharing every weight load: stream a to out, stream b to out + 64. */
// @ts-ignore: decorator
@inline export function dotGroupS8x2(w: usize, a: usize, b: usize, cols: i32, out: usize, pl: usize, scheme: i32): void {
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
    const end = a + (<usize>((cols + 3) >> 2) << 2);
    if (scheme == QS_A7 && dotWide) {
      while (a < end) {
        const x = v128.load32_splat(a);
        const y = v128.load32_splat(b);
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
        a += 4;
        b += 4;
      }
    } else if (scheme == QS_A7) {
      while (a < end) {
        const x = v128.load32_splat(a);
        const y = v128.load32_splat(b);
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
        a += 4;
        b += 4;
      }
    } else {
      while (a < end) {
        const x = v128.load32_splat(a);
        const y = v128.load32_splat(b);
        const x1 = v128.load32_splat(a + pl);
        const y1 = v128.load32_splat(b + pl);
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
        a += 4;
        b += 4;
      }
    }
  } else {
    const end = a + (<usize>((cols + 1) >> 1) << 2);
    while (a < end) {
      const x = v128.load32_splat(a);
      const y = v128.load32_splat(b);
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
      a += 4;
      b += 4;
    }
  }
  v128.store(out, s0);
  v128.store(out, s1, 16);
  v128.store(out, s2, 32);
  v128.store(out, s3, 48);
  v128.store(out, t0, 64);
  v128.store(out, t1, 80);
  v128.store(out, t2, 96);
  v128.store(out, t3, 112);
}

/** Bytes of one 16-row group of an s8 matrix with `cols` columns in this build's layout. */
// @ts-ignore: decorator
@inline export function groupBytesS8(cols: i32): usize {
  return RELAXED ? GROUP_HEAD + (<usize>((cols + 3) >> 2) << 6) : <usize>((cols + 1) >> 1) << 6;
}
