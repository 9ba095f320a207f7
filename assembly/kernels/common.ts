/** Argument checks and small address helpers shared by the ref and SIMD kernels. */
import { OK, BAD_DIMS, BAD_POINTER, BAD_ARGUMENT } from "../status";
import { QS_A8, QS_A7 } from "../abi";

/** Largest size accepted for I, H, batch, T (keeps every byte offset inside 32 bits). */
export const MAX_DIM: i32 = 1 << 20;

/** State row of stream b: slots[b] when a slots table is given, else b. */
// @ts-ignore: decorator
@inline export function stateRow(slots: usize, b: i32): i32 {
  return slots != 0 ? load<i32>(slots + (<usize>b << 2)) : b;
}

/** Address of element (t, b, 0) of a time-major activation with row stride `stride` (elements). */
// @ts-ignore: decorator
@inline export function rowAddr(base: usize, t: i32, b: i32, batch: i32, stride: i32): usize {
  return base + ((<usize>(t * batch + b) * <usize>stride) << 2);
}

/** Shared checks for the recurrent ops; returns a status. */
export function checkRnn(
  I: i32, H: i32, batch: i32, T: i32, xStride: i32, yStride: i32,
  W: usize, R: usize, x: usize, y: usize, h: usize, scratch: usize, reverse: i32,
): i32 {
  if (I <= 0 || H <= 0 || batch <= 0 || T < 0) return BAD_DIMS;
  if (I > MAX_DIM || H > MAX_DIM || batch > MAX_DIM || T > MAX_DIM) return BAD_DIMS;
  if (xStride < I || (y != 0 && yStride < H)) return BAD_DIMS;
  if (W == 0 || R == 0 || x == 0 || h == 0 || scratch == 0) return BAD_POINTER;
  if (reverse != 0 && reverse != 1) return BAD_ARGUMENT;
  return OK;
}

/** xScale must be 0 (dynamic) or a finite positive number. */
export function checkScale(xScale: f32): i32 {
  if (!(xScale >= 0) || xScale == Infinity) return BAD_ARGUMENT;
  return OK;
}

/** scheme must be QS_A8 or QS_A7 (assembly/abi.ts). */
export function checkScheme(scheme: i32): i32 {
  return scheme == QS_A8 || scheme == QS_A7 ? OK : BAD_ARGUMENT;
}
