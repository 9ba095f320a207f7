/**
 * SIMD test hook: exact int32 accumulators out[r] = sum_k Wq[r,k] * xq[k], with Wq in the SIMD
 * packed layout (either s8 layout) and xq plain i8. xq is widened into a static buffer because
 * this export has no scratch argument (it exists for tests and tools, not for the hot path).
 */
import { OK, BAD_DIMS, BAD_POINTER } from "../../status";
import { MAX_DIM } from "../common";
import { roundUp, S8_BLOCK } from "../../formats";
import { dotGroupS8, groupBytesS8 } from "./dot";

const MAX_COLS: i32 = 16384;
const xbuf = memory.data(MAX_COLS * 2 + 64, 16);

export function matvecS8S32(Wq: usize, rows: i32, cols: i32, xq: usize, out: usize): i32 {
  if (rows <= 0 || cols <= 0 || rows > MAX_DIM || cols > MAX_COLS) return BAD_DIMS;
  if (Wq == 0 || xq == 0 || out == 0) return BAD_POINTER;
  const K = roundUp(cols, S8_BLOCK);
  for (let k = 0; k < K; k++) store<i16>(xbuf + (<usize>k << 1), k < cols ? <i16>load<i8>(xq + <usize>k) : 0);
  const gb = groupBytesS8(cols);
  const groups = (rows + 15) >> 4;
  const acc = xbuf + (<usize>MAX_COLS << 1); // 64 bytes after the activations
  for (let g = 0; g < groups; g++) {
    dotGroupS8(Wq + <usize>g * gb, xbuf, cols, acc);
    for (let l = 0; l < 16; l++) {
      const r = (g << 4) + l;
      if (r < rows) store<i32>(out + (<usize>r << 2), load<i32>(acc + (<usize>l << 2)));
    }
  }
  return OK;
}
