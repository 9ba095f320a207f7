/** Reference f32 LSTM (ONNX gates i, o, f, c; optional peepholes P). Scratch: gates f32[4H]. */
import { OK, BAD_POINTER } from "../../status";
import { checkRnn, stateRow, rowAddr } from "../common";
import { lstmCellC, lstmCellH, peep } from "../cell";
import { dotF32 } from "./dot";

export function lstmScratchF32(I: i32, H: i32, batch: i32): i32 {
  return 16 * H + 16;
}

export function lstmF32(
  W: usize, R: usize, B: usize, P: usize, I: i32, H: i32, batch: i32, T: i32,
  x: usize, xStride: i32, y: usize, yStride: i32, h: usize, c: usize, slots: usize,
  scratch: usize, reverse: i32,
): i32 {
  const st = checkRnn(I, H, batch, T, xStride, yStride, W, R, x, y, h, scratch, reverse);
  if (st != OK) return st;
  if (B == 0 || c == 0) return BAD_POINTER;
  const gates = scratch;
  const rows = 4 * H;
  const hb = <usize>H << 2;
  for (let b = 0; b < batch; b++) {
    const s = <usize>stateRow(slots, b);
    const hp = h + s * hb;
    const cp = c + s * hb;
    for (let step = 0; step < T; step++) {
      const t = reverse ? T - 1 - step : step;
      const xp = rowAddr(x, t, b, batch, xStride);
      for (let r = 0; r < rows; r++) {
        let acc = dotF32(W + ((<usize>r * <usize>I) << 2), xp, I, load<f32>(B + (<usize>r << 2)));
        acc = dotF32(R + ((<usize>r * <usize>H) << 2), hp, H, acc);
        store<f32>(gates + (<usize>r << 2), acc);
      }
      lstmCells(gates, hb, hp, cp, P, H);
      if (y != 0) memory.copy(rowAddr(y, t, b, batch, yStride), hp, hb);
    }
  }
  return OK;
}

/**
 * The cell update of one step and stream from the gate pre-activations (blocks i, o, f, c, `hb`
 * bytes apart): c and h in place. With peepholes (P != 0, [3H] in ONNX order i, o, f) i and f
 * see the previous c and o sees the new one. Shared by the f32 and INT8 reference kernels.
 */
// @ts-ignore: decorator
@inline export function lstmCells(gates: usize, hb: usize, hp: usize, cp: usize, P: usize, H: i32): void {
  for (let j = 0; j < H; j++) {
    const o = <usize>j << 2;
    const g = gates + o;
    const c = load<f32>(cp + o);
    let pi = load<f32>(g);
    let pf = load<f32>(g + 2 * hb);
    let po = load<f32>(g + hb);
    if (P != 0) {
      pi = peep(pi, load<f32>(P + o), c);
      pf = peep(pf, load<f32>(P + 2 * hb + o), c);
    }
    const cn = lstmCellC(pi, pf, load<f32>(g + 3 * hb), c);
    store<f32>(cp + o, cn);
    if (P != 0) po = peep(po, load<f32>(P + hb + o), cn);
    store<f32>(hp + o, lstmCellH(po, cn));
  }
}
