/**
 * SIMD test hook: exact int32 accumulators out[r] = sum_k Wq[r,k] * xq[k], with Wq in this build's
 * packed layout and xq plain i8 (scheme QS_A8: any code in [-127, 127]; QS_A7: [-63, 63], else
 * BAD_ARGUMENT). xq becomes an activation row (kernels/simd/quant.ts) in a static buffer, because
 * this export has no scratch argument (it exists for tests and tools, not for the hot path); the
 * mat-vec is the kernels' own dotGroupS8.
 */
import { OK, BAD_DIMS, BAD_POINTER, BAD_ARGUMENT } from "../../status";
import { MAX_DIM, checkScheme } from "../common";
import { roundUp, S8_BLOCK } from "../../formats";
import { qmaxOf } from "../../quant";
import { dotGroupS8, groupBytesS8 } from "./dot";
import { storeQ1 } from "./quant";

const MAX_COLS: i32 = 16384;
const xbuf = memory.data(MAX_COLS * 2 + 64, 16);

export function matvecS8S32(Wq: usize, rows: i32, cols: i32, xq: usize, out: usize, scheme: i32): i32 {
  if (rows <= 0 || cols <= 0 || rows > MAX_DIM || cols > MAX_COLS) return BAD_DIMS;
  if (Wq == 0 || xq == 0 || out == 0) return BAD_POINTER;
  if (checkScheme(scheme) != OK) return BAD_ARGUMENT;
  const qmax = <i32>qmaxOf(scheme);
  const K = roundUp(cols, S8_BLOCK);
  const pl = <usize>K;
  memory.fill(xbuf, 0, <usize>K << 1);
  for (let k = 0; k < cols; k++) {
    const q = <i32>load<i8>(xq + <usize>k);
    if (q < -qmax || q > qmax) return BAD_ARGUMENT;
    storeQ1(xbuf, k, q, pl, scheme);
  }
  const gb = groupBytesS8(cols);
  const groups = (rows + 15) >> 4;
  const acc = xbuf + (<usize>MAX_COLS << 1); // 64 bytes after the activations
  for (let g = 0; g < groups; g++) {
    dotGroupS8(Wq + <usize>g * gb, xbuf, cols, acc, pl, scheme);
    for (let l = 0; l < 16; l++) {
      const r = (g << 4) + l;
      if (r < rows) store<i32>(out + (<usize>r << 2), load<i32>(acc + (<usize>l << 2)));
    }
  }
  return OK;
}
