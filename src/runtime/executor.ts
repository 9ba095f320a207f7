/**
 * The kernel call sequences of one session: recurrent stack over a [T, B, C] input, pooling,
 * head. Knows pointers and strides; knows nothing about the public API or input checking
 * (session.ts validates everything before calling in here).
 */
import type { KernelExports } from './abi.js';
import type { Plan, RecurrentStep } from './plan.js';
import { checkStatus, type Prepared } from './prepare.js';

/** Where a block of rows lives in kernel memory. */
export interface Rows {
  ptr: number;
  /** Elements between consecutive rows. */
  stride: number;
}

export class Executor {
  /** f32 view of kernel memory; memory never grows after preparation, so it stays valid. */
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  private readonly lastRecurrent: RecurrentStep;

  constructor(
    readonly k: KernelExports,
    readonly plan: Plan,
    readonly prep: Prepared,
  ) {
    this.f32 = new Float32Array(k.memory.buffer);
    this.i32 = new Int32Array(k.memory.buffer);
    this.lastRecurrent = prep.recurrent[prep.recurrent.length - 1].step;
  }

  /**
   * Runs the sequence part over the input buffer [T, B, channels].
   * `stream`: state rows come from the stream slots in `prep.slots` (carried across calls);
   * otherwise window state rows 0..B-1, zeroed first (each window starts from h = c = 0).
   */
  sequence(T: number, B: number, stream: boolean): Rows {
    const { k, f32, prep } = this;
    let cur: Rows = { ptr: prep.input, stride: this.plan.channels };
    let r = 0;
    for (const s of this.plan.sequence) {
      if (s.kind === 'layernorm') {
        const p = prep.params.get(s.name)!;
        checkStatus(k.layerNormF32(cur.ptr, s.size, T * B, cur.stride, p.a, p.b, s.epsilon), `layerNormF32 (${s.name})`);
        continue;
      }
      const L = prep.recurrent[r];
      const out = r % 2 === 0 ? prep.seqA : prep.seqB;
      const H = s.hidden;
      for (let d = 0; d < s.dirs; d++) {
        const p = L.dirs[d];
        let h = p.winH;
        let c = p.winC;
        let slots = 0;
        if (stream) {
          h = L.streamH;
          c = L.streamC;
          slots = prep.slots;
        } else {
          f32.fill(0, h >>> 2, (h >>> 2) + B * H);
          if (c) f32.fill(0, c >>> 2, (c >>> 2) + B * H);
        }
        const reverse = s.reverse || d === 1 ? 1 : 0;
        const y = out + 4 * d * H;
        const what = `${s.cell}${s.int8 ? 'S8' : 'F32'} (${s.layer.name}, direction ${d})`;
        if (s.cell === 'lstm') {
          checkStatus(
            s.int8
              ? k.lstmS8(p.W, p.Ws, p.R, p.Rs, p.bias, p.P, s.inputSize, H, B, T, cur.ptr, cur.stride, y, s.outWidth, h, c, slots, prep.scratch, s.xScale, s.scheme, reverse)
              : k.lstmF32(p.W, p.R, p.bias, p.P, s.inputSize, H, B, T, cur.ptr, cur.stride, y, s.outWidth, h, c, slots, prep.scratch, reverse),
            what,
          );
        } else {
          const Rb = p.bias + 4 * s.rows;
          const lbr = s.linearBeforeReset ? 1 : 0;
          checkStatus(
            s.int8
              ? k.gruS8(p.W, p.Ws, p.R, p.Rs, p.bias, Rb, s.inputSize, H, B, T, cur.ptr, cur.stride, y, s.outWidth, h, slots, prep.scratch, s.xScale, s.scheme, lbr, reverse)
              : k.gruF32(p.W, p.R, p.bias, Rb, s.inputSize, H, B, T, cur.ptr, cur.stride, y, s.outWidth, h, slots, prep.scratch, lbr, reverse),
            what,
          );
        }
      }
      cur = { ptr: out, stride: s.outWidth };
      r++;
    }
    return cur;
  }

  /**
   * Window-mode pooling of [T, B, width] sequence rows into head buffer A as [B, headInputWidth]:
   * the pooled width first, the side-feature columns (written by `features`) after it.
   */
  pool(seq: Rows, T: number, B: number): Rows {
    const { f32, prep } = this;
    const W = this.plan.sequenceWidth;
    const P = this.plan.headInputWidth;
    const dst = prep.headA >>> 2;
    const src = seq.ptr >>> 2;
    const rowAt = (t: number, b: number) => src + (t * B + b) * seq.stride;
    const mode = this.plan.pool.mode;
    if (mode === 'mean') {
      for (let b = 0; b < B; b++) f32.fill(0, dst + b * P, dst + b * P + W);
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
        const s = rowAt(t, b);
        const o = dst + b * P;
        for (let j = 0; j < W; j++) f32[o + j] += f32[s + j];
      }
      const inv = 1 / T;
      for (let b = 0; b < B; b++) for (let i = dst + b * P; i < dst + b * P + W; i++) f32[i] *= inv;
    } else {
      // `last`: every half at T-1. `final_state` (ONNX Y_h): forward halves at T-1, reverse halves at 0.
      const L = this.lastRecurrent;
      const H = L.hidden;
      for (let d = 0; d < L.dirs; d++) {
        const backwards = L.reverse || d === 1;
        const t = mode === 'final_state' && backwards ? 0 : T - 1;
        for (let b = 0; b < B; b++) f32.copyWithin(dst + b * P + d * H, rowAt(t, b) + d * H, rowAt(t, b) + (d + 1) * H);
      }
    }
    return { ptr: prep.headA, stride: P };
  }

  /**
   * Streaming with side features: copies `rows` sequence rows into head buffer A as
   * [rows, headInputWidth], leaving the feature columns to `features`.
   */
  stage(src: Rows, rows: number): Rows {
    const { f32, prep } = this;
    const W = this.plan.sequenceWidth;
    const P = this.plan.headInputWidth;
    const dst = prep.headA >>> 2;
    const s = src.ptr >>> 2;
    for (let r = 0; r < rows; r++) f32.copyWithin(dst + r * P, s + r * src.stride, s + r * src.stride + W);
    return { ptr: prep.headA, stride: P };
  }

  /**
   * Writes side features into the tail columns of head rows: row r (of `rows`) gets the vector
   * `vector(r)` = {data, offset} of plan.features values (checked finite by the session).
   */
  features(dst: Rows, rows: number, vector: (r: number) => { data: Float32Array; offset: number }): void {
    const F = this.plan.features;
    const base = (dst.ptr >>> 2) + this.plan.sequenceWidth;
    for (let r = 0; r < rows; r++) {
      const { data, offset } = vector(r);
      this.f32.set(data.subarray(offset, offset + F), base + r * dst.stride);
    }
  }

  /** Runs the head (layer norms, dense layers, final activation) in place/ping-pong over `rows` rows. */
  head(input: Rows, rows: number): Rows {
    const { k, prep, plan } = this;
    let cur = input;
    for (const s of plan.head) {
      const p = prep.params.get(s.name)!;
      if (s.kind === 'layernorm') {
        checkStatus(k.layerNormF32(cur.ptr, s.size, rows, cur.stride, p.a, p.b, s.epsilon), `layerNormF32 (${s.name})`);
      } else {
        const out = cur.ptr === prep.headA ? prep.headB : prep.headA;
        if (s.int8) {
          checkStatus(k.denseS8(p.a, p.s, p.b, s.inF, s.outF, rows, cur.ptr, cur.stride, out, s.outF, s.activation, prep.scratch, s.split, s.xScale, s.tailScale, plan.int8Scheme), `denseS8 (${s.name})`);
        } else checkStatus(k.denseF32(p.a, p.b, s.inF, s.outF, rows, cur.ptr, cur.stride, out, s.outF, s.activation), `denseF32 (${s.name})`);
        cur = { ptr: out, stride: s.outF };
      }
    }
    if (plan.outActivation === 'softmax') checkStatus(k.softmaxF32(cur.ptr, plan.outSize, rows, cur.stride), 'softmaxF32');
    else if (plan.outActivation === 'sigmoid') checkStatus(k.sigmoidF32(cur.ptr, plan.outSize, rows, cur.stride), 'sigmoidF32');
    return cur;
  }

  /** Copies `rows` output rows into `dst` (row r to dst[dstOffset + r*dstStride ..]). */
  readRows(src: Rows, rows: number, dst: Float32Array, dstOffset: number, dstStride: number): void {
    const n = this.plan.outSize;
    const base = src.ptr >>> 2;
    for (let r = 0; r < rows; r++) {
      const s = base + r * src.stride;
      dst.set(this.f32.subarray(s, s + n), dstOffset + r * dstStride);
    }
  }
}
