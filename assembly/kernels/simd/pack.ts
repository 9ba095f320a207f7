/** SIMD packed layouts (assembly/formats.ts): 64-byte blocks, zero padding; the relaxed build's s8 layout too. */
import { OK, BAD_DIMS, BAD_POINTER } from "../../status";
import { MAX_DIM } from "../common";
import { ROW_GROUP, F32_BLOCK, BLOCK_BYTES, S8_GROUP_ROWS, roundUp } from "../../formats";
import { GROUP_HEAD, groupBytesS8 } from "./dot";
import { RELAXED } from "./quant";

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
  const n = <i64>(roundUp(rows, S8_GROUP_ROWS) / S8_GROUP_ROWS) * <i64>groupBytesS8(cols);
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
  const gb = groupBytesS8(cols);
  for (let r = 0; r < rows; r++) {
    const g = dst + <usize>(r >> 4) * gb;
    if (RELAXED) {
      // Header: the row's sum (i32 at 4 * (r % 16)); then blocks of 4 rows x 4 columns of i8:
      // element (r, k) at 64 + 64 * (k / 4) + 16 * ((r % 16) / 4) + 4 * (r % 4) + k % 4.
      let sum = 0;
      for (let k = 0; k < cols; k++) {
        const w = load<i8>(src + <usize>r * <usize>cols + <usize>k);
        sum += <i32>w;
        store<i8>(g + GROUP_HEAD + <usize>((k >> 2) * 64 + ((r & 15) >> 2) * 16 + (r & 3) * 4 + (k & 3)), w);
      }
      store<i32>(g + (<usize>(r & 15) << 2), sum);
    } else {
      for (let k = 0; k < cols; k++) {
        const e = ((k >> 1) * 4 + ((r & 15) >> 2)) * 8 + (r & 3) * 2 + (k & 1);
        store<i16>(g + (<usize>e << 1), <i16>load<i8>(src + <usize>r * <usize>cols + <usize>k));
      }
    }
  }
  return OK;
}
