/**
 * Packed weight layouts, one per build (the host treats them as opaque bytes sized by
 * packedBytesF32 / packedBytesS8). Source weights are plain row-major [rows, cols].
 *
 * ref build (kernels/ref/pack.ts): a plain copy.
 *   f32: element (r, k) at 4 * (r * cols + k).        bytes = rows * cols * 4
 *   s8 : element (r, k) at      r * cols + k.         bytes = rows * cols
 *
 * simd build (kernels/simd/pack.ts): rows in groups of 4 (a "row group" feeds four
 * accumulators that share every activation load), columns in blocks; padding rows and columns
 * are zero, so padded activation lanes never reach a real output.
 *   f32: block = 4 rows x F32_BLOCK (4) columns = 64 bytes; element (r, k) at
 *        4 * (((g * KB + kb) * 4 + r % 4) * 4 + k % 4), g = r / 4, kb = k / 4, KB = ceil(cols / 4).
 *        bytes = ceil(rows / 4) * KB * 64
 *   s8 : weights are widened to i16 at pack time (measured faster than widening i8 -> i16 in
 *        the inner loop, see assembly/README.md), block = 4 rows x S8_BLOCK (8) columns of i16
 *        = 64 bytes; element (r, k) at 2 * (((g * KB + kb) * 4 + r % 4) * 8 + k % 8),
 *        kb = k / 8, KB = ceil(cols / 8). bytes = ceil(rows / 4) * KB * 64
 *        One block feeds four i32x4.dot_i16x8_s with the same 8 activations.
 *   s8, narrow matrices (cols < S8_PAIR_MAX_COLS + 1, e.g. W of a 1-channel input): column-pair
 *        layout, block = 4 rows x 2 columns of i16 = 16 bytes, element (r, k) at
 *        2 * ((g * P + k / 2) * 8 + (r % 4) * 2 + k % 2), P = ceil(cols / 2).
 *        bytes = ceil(rows / 4) * P * 16. One i32x4.dot_i16x8_s against the splatted pair
 *        (x[k], x[k+1]) yields the four rows' partial sums in their own lanes: no horizontal
 *        reduction, and a 1-column input costs one dot per 4 rows instead of a padded 8-column
 *        block. The kernels pick the layout from the matrix's column count, as the packer did.
 */

/** Rows per row group in the SIMD layouts. */
export const ROW_GROUP: i32 = 4;
/** Columns per block in the SIMD f32 layout (one f32x4). */
export const F32_BLOCK: i32 = 4;
/** Columns per block in the SIMD s8 layout (one i16x8). */
export const S8_BLOCK: i32 = 8;
/** s8 matrices with at most this many columns use the column-pair layout. */
export const S8_PAIR_MAX_COLS: i32 = 15;
/** Bytes of one column-pair block: 4 rows x 2 columns of i16. */
export const PAIR_BLOCK_BYTES: i32 = 16;

/** Bytes of one block in either SIMD layout: 4 rows x 16 bytes. */
export const BLOCK_BYTES: i32 = 64;

/** ceil(n / m) * m for positive n, m. */
// @ts-ignore: decorator
@inline export function roundUp(n: i32, m: i32): i32 {
  return ((n + m - 1) / m) * m;
}
