/**
 * Reference packed layouts: a plain row-major copy (see assembly/formats.ts).
 */
import { OK, BAD_DIMS, BAD_POINTER } from "../../status";
import { MAX_DIM } from "../common";

export function packedBytesF32(rows: i32, cols: i32): i32 {
  if (rows <= 0 || cols <= 0 || rows > MAX_DIM || cols > MAX_DIM) return -1;
  const n = <i64>rows * <i64>cols * 4;
  return n > 0x7fffffff ? -1 : <i32>n;
}

export function packWeightsF32(src: usize, rows: i32, cols: i32, dst: usize): i32 {
  const n = packedBytesF32(rows, cols);
  if (n < 0) return BAD_DIMS;
  if (src == 0 || dst == 0) return BAD_POINTER;
  memory.copy(dst, src, <usize>n);
  return OK;
}

export function packedBytesS8(rows: i32, cols: i32): i32 {
  if (rows <= 0 || cols <= 0 || rows > MAX_DIM || cols > MAX_DIM) return -1;
  const n = <i64>rows * <i64>cols;
  return n > 0x7fffffff ? -1 : <i32>n;
}

export function packWeightsS8(src: usize, rows: i32, cols: i32, dst: usize): i32 {
  const n = packedBytesS8(rows, cols);
  if (n < 0) return BAD_DIMS;
  if (src == 0 || dst == 0) return BAD_POINTER;
  memory.copy(dst, src, <usize>n);
  return OK;
}
