/** SIMD packed layouts (assembly/formats.ts): 64-byte blocks, zero padding. */
import { OK, BAD_DIMS, BAD_POINTER } from "../../status";
import { MAX_DIM } from "../common";
import { ROW_GROUP, F32_BLOCK, BLOCK_BYTES, S8_GROUP_ROWS, roundUp } from "../../formats";

function packedBytes(rows: i32, cols: i32, block: i32): i32 {
  if (rows <= 0 || cols <= 0 || rows > MAX_DIM || cols > MAX_DIM) return -1;
  const n = <i64>(roundUp(rows, ROW_GROUP) / ROW_GROUP) * <i64>(roundUp(cols, block) / block) * BLOCK_BYTES;
  return n > 0x7fffffff ? -1 : <i32>n;
}

export function packedBytesF32(rows: i32, cols: i32): i32 {
  return packedBytes(rows, cols, F32_BLOCK);
}

export function packedBytesS8(rows: i32, cols: i32): i32 {
  if (rows <= 0 || cols <= 0 || rows > MAX_DIM || cols > MAX_DIM) return -1;
  const n = <i64>(roundUp(rows, S8_GROUP_ROWS) / S8_GROUP_ROWS) * <i64>((cols + 1) >> 1) * BLOCK_BYTES;
  return n > 0x7fffffff ? -1 : <i32>n;
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
  const P = (cols + 1) >> 1;
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < cols; k++) {
      const e = (((r >> 4) * P + (k >> 1)) * 4 + ((r & 15) >> 2)) * 8 + (r & 3) * 2 + (k & 1);
      store<i16>(dst + (<usize>e << 1), <i16>load<i8>(src + <usize>r * <usize>cols + <usize>k));
    }
  }
  return OK;
}
