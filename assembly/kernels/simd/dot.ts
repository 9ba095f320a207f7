import { S8_PAIR_MAX_COLS, PAIR_BLOCK_BYTES } from "../../formats";

/**
 * Row-group dot products over the SIMD packed layouts (assembly/formats.ts). Four rows share
 * every activation load; each row keeps its own v128 accumulator in a register, reduced once at
 * the end. Integer sums are exact, so the order of the reduction does not matter for s8.
 */

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
 * Exact int32 dot products of one s8 row group (i16 blocks, `nb` blocks of 8 columns starting at
 * `w`) with the i16 activations at `a` (8 * nb lanes, zero or don't-care beyond the real columns).
 */
// @ts-ignore: decorator
@inline export function dotGroupS16(w: usize, a: usize, nb: i32): v128 {
  let s0 = i32x4.splat(0);
  let s1 = i32x4.splat(0);
  let s2 = i32x4.splat(0);
  let s3 = i32x4.splat(0);
  // Two blocks per trip (one counter, immediate offsets) halve the loop overhead.
  const end2 = a + (<usize>(nb & ~1) << 4);
  while (a < end2) {
    const x = v128.load(a);
    const x1 = v128.load(a, 16);
    s0 = i32x4.add(s0, i32x4.dot_i16x8_s(v128.load(w), x));
    s1 = i32x4.add(s1, i32x4.dot_i16x8_s(v128.load(w, 16), x));
    s2 = i32x4.add(s2, i32x4.dot_i16x8_s(v128.load(w, 32), x));
    s3 = i32x4.add(s3, i32x4.dot_i16x8_s(v128.load(w, 48), x));
    s0 = i32x4.add(s0, i32x4.dot_i16x8_s(v128.load(w, 64), x1));
    s1 = i32x4.add(s1, i32x4.dot_i16x8_s(v128.load(w, 80), x1));
    s2 = i32x4.add(s2, i32x4.dot_i16x8_s(v128.load(w, 96), x1));
    s3 = i32x4.add(s3, i32x4.dot_i16x8_s(v128.load(w, 112), x1));
    w += 128;
    a += 32;
  }
  if (nb & 1) {
    const x = v128.load(a);
    s0 = i32x4.add(s0, i32x4.dot_i16x8_s(v128.load(w), x));
    s1 = i32x4.add(s1, i32x4.dot_i16x8_s(v128.load(w, 16), x));
    s2 = i32x4.add(s2, i32x4.dot_i16x8_s(v128.load(w, 32), x));
    s3 = i32x4.add(s3, i32x4.dot_i16x8_s(v128.load(w, 48), x));
  }
  return hsum4I32(s0, s1, s2, s3);
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

/**
 * dotGroupS16 for two streams at once: every weight block is loaded once and multiplied with
 * both streams' activations (weight loads halve; 8 accumulators stay in registers). Writes
 * the two reduced i32x4 results to out and out + 16.
 */
// @ts-ignore: decorator
@inline export function dotGroupS16x2(w: usize, a: usize, b: usize, nb: i32, out: usize): void {
  let s0 = i32x4.splat(0);
  let s1 = i32x4.splat(0);
  let s2 = i32x4.splat(0);
  let s3 = i32x4.splat(0);
  let t0 = i32x4.splat(0);
  let t1 = i32x4.splat(0);
  let t2 = i32x4.splat(0);
  let t3 = i32x4.splat(0);
  for (let i = 0; i < nb; i++) {
    const x = v128.load(a);
    const y = v128.load(b);
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
    a += 16;
    b += 16;
  }
  v128.store(out, hsum4I32(s0, s1, s2, s3));
  v128.store(out, hsum4I32(t0, t1, t2, t3), 16);
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
 * Column-pair layout (narrow s8 matrices, assembly/formats.ts): `np` 16-byte blocks of 4 rows x
 * 2 columns; each dot against the splatted activation pair gives the 4 rows' sums in place.
 */
// @ts-ignore: decorator
@inline export function dotPairsS16(w: usize, a: usize, np: i32): v128 {
  let s = i32x4.splat(0);
  for (let i = 0; i < np; i++) {
    s = i32x4.add(s, i32x4.dot_i16x8_s(v128.load(w), v128.load32_splat(a)));
    w += 16;
    a += 4;
  }
  return s;
}

/** Exact int32 sums of one 4-row group in either s8 layout (chosen by the column count). */
// @ts-ignore: decorator
@inline export function dotGroupS8(w: usize, a: usize, cols: i32): v128 {
  return cols <= S8_PAIR_MAX_COLS ? dotPairsS16(w, a, (cols + 1) >> 1) : dotGroupS16(w, a, (cols + 7) >> 3);
}

/** dotGroupS8 for two streams (results at out and out + 16). */
// @ts-ignore: decorator
@inline export function dotGroupS8x2(w: usize, a: usize, b: usize, cols: i32, out: usize): void {
  if (cols <= S8_PAIR_MAX_COLS) {
    const np = (cols + 1) >> 1;
    v128.store(out, dotPairsS16(w, a, np));
    v128.store(out, dotPairsS16(w, b, np), 16);
  } else {
    dotGroupS16x2(w, a, b, (cols + 7) >> 3, out);
  }
}

/** Bytes of one 4-row group of an s8 matrix with `cols` columns in the SIMD packed layout. */
// @ts-ignore: decorator
@inline export function groupBytesS8(cols: i32): usize {
  return cols <= S8_PAIR_MAX_COLS ? <usize>((cols + 1) >> 1) * PAIR_BLOCK_BYTES : <usize>((cols + 7) >> 3) * 64;
}
