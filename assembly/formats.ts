/**
 * Packed weight layouts, one per build (the host treats them as opaque bytes sized by
 * packedBytesF32 / packedBytesS8). Source weights are plain row-major [rows, cols].
 *
 * ref build (kernels/ref/pack.ts): a plain copy.
 *   f32: element (r, k) at 4 * (r * cols + k).        bytes = rows * cols * 4
 *   s8 : element (r, k) at      r * cols + k.         bytes = rows * cols
 *
 * simd build (kernels/simd/pack.ts): rows in groups (f32: 4, whose accumulators share every
 * activation load; s8: 16), columns in blocks; padding rows and columns are zero, so padded
 * activation lanes never reach a real output.
 *   f32: block = 4 rows x F32_BLOCK (4) columns = 64 bytes; element (r, k) at
 *        4 * (((g * KB + kb) * 4 + r % 4) * 4 + k % 4), g = r / 4, kb = k / 4, KB = ceil(cols / 4).
 *        bytes = ceil(rows / 4) * KB * 64
 *   s8 : weights are widened to i16 at pack time (measured faster than widening i8 -> i16 in
 *        the inner loop, see assembly/README.md) and stored in column pairs for row groups of
 *        16 (S8_GROUP_ROWS): block = 16 rows x 2 columns of i16 = 64 bytes, made of four v128
 *        of 4 rows x 2 columns each. Element (r, k) at
 *        2 * (((G * P + k / 2) * 4 + (r % 16) / 4) * 8 + (r % 4) * 2 + k % 2),
 *        G = r / 16, P = ceil(cols / 2). bytes = ceil(rows / 16) * P * 64.
 *        One i32x4.dot_i16x8_s of a v128 against the splatted activation pair (x[k], x[k+1])
 *        (v128.load32_splat) leaves 4 rows' partial sums in their own lanes: no horizontal
 *        reduction, no 8-column padding, and one splat feeds 16 rows.
 *
 * relaxed build (kernels/simd/pack.ts with ASC_FEATURE_RELAXED_SIMD): i8 kept as i8, row groups
 * of 16: a 64-byte header with the 16 rows' sums of their codes (i32, row r % 16 at 4 * (r % 16)),
 * then column quads: block = 16 rows x 4 columns of i8 = 64 bytes, four v128 of 4 rows x 4
 * columns. Element (r, k) at G * GB + 64 + 64 * (k / 4) + 16 * ((r % 16) / 4) + 4 * (r % 4) + k % 4,
 * G = r / 16, GB = 64 + 64 * ceil(cols / 4). bytes = ceil(rows / 16) * GB.
 *        One i32x4.relaxed_dot_i8x16_i7x16_add_s of a v128 against the splatted activation quad
 *        (4 bytes of u7 codes, kernels/simd/quant.ts) adds 4 rows' partial sums in their own
 *        lanes; the header's sums times the activations' offset start the accumulators.
 */

/** Rows per row group in the SIMD f32 layout. */
export const ROW_GROUP: i32 = 4;
/** Columns per block in the SIMD f32 layout (one f32x4). */
export const F32_BLOCK: i32 = 4;
/** Activation padding of the SIMD s8 kernels (i16 lanes, one v128). */
export const S8_BLOCK: i32 = 8;
/** Rows per row group of the SIMD s8 layout. */
export const S8_GROUP_ROWS: i32 = 16;

/** Bytes of one block in the SIMD layouts: f32 4 rows x 4 columns; s8 16 rows x 2 columns. */
export const BLOCK_BYTES: i32 = 64;

/** ceil(n / m) * m for positive n, m. */
// @ts-ignore: decorator
@inline export function roundUp(n: i32, m: i32): i32 {
  return ((n + m - 1) / m) * m;
}
