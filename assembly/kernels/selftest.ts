/**
 * Known-answer test of this build's INT8 mat-vec (the `selfTest` export): a 20 x 37 int8 matrix
 * (two row groups, the second partial; a column count that is neither even nor a multiple of 4)
 * whose codes include -128 and 127, against activations that include both ends of each scheme's
 * range, packed and multiplied by the build's own packWeightsS8 and matvecS8S32 (in the relaxed
 * build: i32x4.relaxed_dot_i8x16_i7x16_add_s on u7 activation planes, kernels/simd/quant.ts),
 * compared with plain scalar sums; in the relaxed build QS_A7 runs in both dot forms
 * (setRelaxedDotForm). Returns the number of wrong rows over every pass (0 = pass), and leaves
 * the instance in form 0.
 *
 * The host runs it when it loads kernel-relaxed.wasm and refuses the build unless it returns 0:
 * an engine may validate relaxed SIMD and still compute it wrongly (Node 20 with
 * --experimental-wasm-relaxed-simd does, in its baseline tier; docs/kernel-abi.md).
 */
import { QS_A8, QS_A7 } from "../abi";
import { packedBytesS8, packWeightsS8, matvecS8S32 } from "./index";
import { setRelaxedDotForm } from "./simd/dot";

const ROWS: i32 = 20;
const COLS: i32 = 37;
const src = memory.data(ROWS * COLS, 16);
const xq = memory.data(64, 16);
const out = memory.data(ROWS * 4, 16);
const packed = memory.data(4096, 16);

/** Code of weight (r, k): a scrambled walk over -128..127 with both ends placed explicitly. */
// @ts-ignore: decorator
@inline function weight(r: i32, k: i32): i32 {
  if (r == 0 && k < 2) return k == 0 ? -128 : 127;
  if (r == ROWS - 1 && k == COLS - 1) return -128;
  return ((r * 73 + k * 151 + 17) & 255) - 128;
}

/** Activation k of a scheme with largest code qmax: both ends first, then a walk over the range. */
// @ts-ignore: decorator
@inline function activation(k: i32, qmax: i32): i32 {
  if (k < 2) return k == 0 ? qmax : -qmax;
  return (k * 29 + 11) % (2 * qmax + 1) - qmax;
}

export function selfTest(): i32 {
  for (let r = 0; r < ROWS; r++) {
    for (let k = 0; k < COLS; k++) store<i8>(src + <usize>(r * COLS + k), <i8>weight(r, k));
  }
  if (packedBytesS8(ROWS, COLS) > 4096 || packWeightsS8(src, ROWS, COLS, packed) != 0) return ROWS * 2;
  let wrong = 0;
  for (let pass = 0; pass < 3; pass++) {
    const scheme = pass == 0 ? QS_A8 : QS_A7;
    const qmax = pass == 0 ? 127 : 63;
    setRelaxedDotForm(pass == 2 ? 1 : 0); // -1 (ignored) outside the relaxed build
    for (let k = 0; k < COLS; k++) store<i8>(xq + <usize>k, <i8>activation(k, qmax));
    if (matvecS8S32(packed, ROWS, COLS, xq, out, scheme) != 0) return ROWS * 2;
    for (let r = 0; r < ROWS; r++) {
      let want: i32 = 0;
      for (let k = 0; k < COLS; k++) want += weight(r, k) * activation(k, qmax);
      if (load<i32>(out + (<usize>r << 2)) != want) wrong++;
    }
  }
  setRelaxedDotForm(0);
  return wrong;
}
