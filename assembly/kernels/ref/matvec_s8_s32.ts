/**
 * Test hook: exact int32 accumulators out[r] = sum_k Wq[r,k] * xq[k] (Wq in this build's packed
 * layout, xq plain i8; scheme QS_A8 takes codes in [-127, 127], QS_A7 in [-63, 63], else
 * BAD_ARGUMENT, as every build does).
 */
import { OK, BAD_DIMS, BAD_POINTER, BAD_ARGUMENT } from "../../status";
import { MAX_DIM, checkScheme } from "../common";
import { qmaxOf } from "../../quant";

export function matvecS8S32(Wq: usize, rows: i32, cols: i32, xq: usize, out: usize, scheme: i32): i32 {
  if (rows <= 0 || cols <= 0 || rows > MAX_DIM || cols > MAX_DIM) return BAD_DIMS;
  if (Wq == 0 || xq == 0 || out == 0) return BAD_POINTER;
  if (checkScheme(scheme) != OK) return BAD_ARGUMENT;
  const qmax = <i32>qmaxOf(scheme);
  for (let k = 0; k < cols; k++) {
    const q = <i32>load<i8>(xq + <usize>k);
    if (q < -qmax || q > qmax) return BAD_ARGUMENT;
  }
  for (let r = 0; r < rows; r++) {
    let acc: i32 = 0;
    const w = Wq + <usize>r * <usize>cols;
    for (let k = 0; k < cols; k++) acc += <i32>load<i8>(w + <usize>k) * <i32>load<i8>(xq + <usize>k);
    store<i32>(out + (<usize>r << 2), acc);
  }
  return OK;
}
