/** SIMD packed layouts (assembly/formats.ts): 4-row groups, 64-byte blocks, zero padding. */
import { OK, BAD_DIMS, BAD_POINTER } from "../../status";
import { MAX_DIM } from "../common";
import { ROW_GROUP, F32_BLOCK, S8_BLOCK, BLOCK_BYTES, S8_PAIR_MAX_COLS, PAIR_BLOCK_BYTES, roundUp } from "../../formats";

function packedBytes(rows: i32, cols: i32, block: i32): i32 {
  if (rows <= 0 || cols <= 0 || rows > MAX_DIM || cols > MAX_DIM) return -1;
  const n = <i64>(roundUp(rows, ROW_GROUP) / ROW_GROUP) * <i64>(roundUp(cols, block) / block) * BLOCK_BYTES;
  return n > 0x7fffffff ? -1 : <i32>n;
}

export function packedBytesF32(rows: i32, cols: i32): i32 {
  return packedBytes(rows, cols, F32_BLOCK);
}

export function packedBytesS8(rows: i32, cols: i32): i32 {
  if (cols > 0 && cols <= S8_PAIR_MAX_COLS && rows > 0 && rows <= MAX_DIM) {
    return (roundUp(rows, ROW_GROUP) / ROW_GROUP) * ((cols + 1) >> 1) * PAIR_BLOCK_BYTES;
  }
  return packedBytes(rows, cols, S8_BLOCK);
}

export function packWeightsF32(src: usize, rows: i32, cols: i32, dst: usize): i32 {
  const n = packedBytesF32(rows, cols);
  if (n < 0) return BAD_DIMS;
  if (src == 0 || dst == 0) return BAD_POINTER;
  memory.fill(dst, 0, <usize>n);
  const KB = roundUp(cols, F32_BLOCK) / F32_BLOCK;
  for (let r = 0; r < rows; r++) {
    const g = r >> 2;
    for (let k = 0; k < cols; k++) {
      const e = ((g * KB + k / F32_BLOCK) * ROW_GROUP + (r & 3)) * F32_BLOCK + (k % F32_BLOCK);
      store<f32>(dst + (<usize>e << 2), load<f32>(src + ((<usize>r * <usize>cols + <usize>k) << 2)));
    }
  }
  return OK;
}

export function packWeightsS8(src: usize, rows: i32, cols: i32, dst: usize): i32 {
  const n = packedBytesS8(rows, cols);
  if (n < 0) return BAD_DIMS;
  if (src == 0 || dst == 0) return BAD_POINTER;
  memory.fill(dst, 0, <usize>n);
  if (cols <= S8_PAIR_MAX_COLS) {
    const P = (cols + 1) >> 1;
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < cols; k++) {
        const e = ((r >> 2) * P + (k >> 1)) * 8 + (r & 3) * 2 + (k & 1);
        store<i16>(dst + (<usize>e << 1), <i16>load<i8>(src + <usize>r * <usize>cols + <usize>k));
      }
    }
    return OK;
  }
  const KB = roundUp(cols, S8_BLOCK) / S8_BLOCK;
  for (let r = 0; r < rows; r++) {
    const g = r >> 2;
    for (let k = 0; k < cols; k++) {
      const e = ((g * KB + k / S8_BLOCK) * ROW_GROUP + (r & 3)) * S8_BLOCK + (k % S8_BLOCK);
      store<i16>(dst + (<usize>e << 1), <i16>load<i8>(src + <usize>r * <usize>cols + <usize>k));
    }
  }
  return OK;
}
