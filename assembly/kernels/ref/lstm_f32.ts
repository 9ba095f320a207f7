/** Reference f32 LSTM (ONNX gates i, o, f, c). Scratch: gates f32[4H]. */
import { OK, BAD_POINTER } from "../../status";
import { checkRnn, stateRow, rowAddr } from "../common";
import { lstmCellC, lstmCellH } from "../cell";
import { dotF32 } from "./dot";

export function lstmScratchF32(I: i32, H: i32, batch: i32): i32 {
  return 16 * H + 16;
}

export function lstmF32(
  W: usize, R: usize, B: usize, I: i32, H: i32, batch: i32, T: i32,
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
      for (let j = 0; j < H; j++) {
        const g = gates + (<usize>j << 2);
        const cn = lstmCellC(load<f32>(g), load<f32>(g + 2 * hb), load<f32>(g + 3 * hb), load<f32>(cp + (<usize>j << 2)));
        store<f32>(cp + (<usize>j << 2), cn);
        store<f32>(hp + (<usize>j << 2), lstmCellH(load<f32>(g + hb), cn));
      }
      if (y != 0) memory.copy(rowAddr(y, t, b, batch, yStride), hp, hb);
    }
  }
  return OK;
}
