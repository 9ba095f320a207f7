/**
 * Runs the kernel's recurrent ops from plain (row-major, unpacked) weights, the way the host
 * does: pack once, lay out state and scratch, then call per chunk. Used by every kernel test.
 */
import { Kernel, expectOk } from './helpers.js';

export const OP_LSTM_F32 = 0;
export const OP_GRU_F32 = 1;
export const OP_LSTM_S8 = 2;
export const OP_GRU_S8 = 3;

export type Cell = 'lstm' | 'gru';

/** A recurrent case in plain layouts. Gates: LSTM i,o,f,c (B = Wb + Rb); GRU z,r,h. */
export interface RnnCase {
  cell: Cell;
  I: number;
  H: number;
  batch: number;
  T: number;
  /** f32 [G*H, I] and [G*H, H]. */
  W: Float32Array;
  R: Float32Array;
  /** LSTM: B [4H]; GRU: Wb, Rb [3H]. */
  B?: Float32Array;
  /** LSTM only: peephole weights [3H], ONNX order i, o, f (absent: no peepholes). */
  P?: Float32Array;
  Wb?: Float32Array;
  Rb?: Float32Array;
  /** x [T][batch][I]; initial state [batch][H]. */
  x: Float32Array;
  h0: Float32Array;
  c0?: Float32Array;
  lbr?: 0 | 1;
  reverse?: 0 | 1;
}

/** INT8 weights of a case: int8 symmetric per row, real = scale[row] * q. */
export interface QuantWeights {
  Wq: Int8Array;
  Ws: Float32Array;
  Rq: Int8Array;
  Rs: Float32Array;
}

export interface RunOptions {
  /** Chunk lengths summing to T (default: one chunk). */
  chunks?: number[];
  /** State rows of each stream (distinct); state arrays then hold max(slots)+1 rows. */
  slots?: number[];
  /** Extra elements per activation row (exercises xStride/yStride). Default 0. */
  pad?: number;
  /** INT8 only: 0 = dynamic per-step scale, else static scale. */
  xScale?: number;
  /** INT8 only: activation scheme, QS_A8 (0, default) or QS_A7 (1); docs/kernel-abi.md. */
  scheme?: 0 | 1;
}

export interface RunResult {
  y: Float32Array;
  h: Float32Array;
  c?: Float32Array;
}

/** Per-row symmetric int8 quantization: s = max|w| / 127, q = round(w / s) (reference quantizer). */
export function quantizeRows(w: Float32Array, rows: number, cols: number): { q: Int8Array; s: Float32Array } {
  const q = new Int8Array(rows * cols);
  const s = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let k = 0; k < cols; k++) m = Math.max(m, Math.abs(w[r * cols + k]));
    const scale = m / 127;
    s[r] = scale;
    for (let k = 0; k < cols; k++) q[r * cols + k] = scale === 0 ? 0 : Math.max(-127, Math.min(127, Math.round(w[r * cols + k] / scale)));
  }
  return { q, s };
}

export function quantizeCase(cs: RnnCase): QuantWeights {
  const G = cs.cell === 'lstm' ? 4 : 3;
  const w = quantizeRows(cs.W, G * cs.H, cs.I);
  const r = quantizeRows(cs.R, G * cs.H, cs.H);
  return { Wq: w.q, Ws: w.s, Rq: r.q, Rs: r.s };
}

/** Run `cs` on `kern` (f32 path, or INT8 path when `quant` is given). */
export function runRnn(kern: Kernel, cs: RnnCase, quant?: QuantWeights, opt: RunOptions = {}): RunResult {
  const { I, H, batch, T } = cs;
  const G = cs.cell === 'lstm' ? 4 : 3;
  const pad = opt.pad ?? 0;
  const xStride = I + pad;
  const yStride = H + pad;
  const slots = opt.slots;
  const nSlots = slots ? Math.max(...slots) + 1 : batch;
  const k = kern.k;
  const op = cs.cell === 'lstm' ? (quant ? OP_LSTM_S8 : OP_LSTM_F32) : quant ? OP_GRU_S8 : OP_GRU_F32;

  const xs = new Float32Array(T * batch * xStride);
  for (let r = 0; r < T * batch; r++) xs.set(cs.x.subarray(r * I, (r + 1) * I), r * xStride);
  const xp = kern.putF32(xs.length ? xs : [0]);
  const yp = kern.alloc(T * batch * yStride * 4);
  const hs = new Float32Array(nSlots * H);
  const csArr = new Float32Array(nSlots * H);
  for (let b = 0; b < batch; b++) {
    const s = slots ? slots[b] : b;
    hs.set(cs.h0.subarray(b * H, (b + 1) * H), s * H);
    if (cs.c0) csArr.set(cs.c0.subarray(b * H, (b + 1) * H), s * H);
  }
  const hp = kern.putF32(hs);
  const cp = kern.putF32(csArr);
  const sp = slots ? kern.putI32(slots) : 0;
  const scratch = kern.scratch(op, I, H, batch);
  let W: number, R: number, Ws = 0, Rs = 0;
  if (quant) {
    W = kern.packS8(quant.Wq, G * H, I);
    R = kern.packS8(quant.Rq, G * H, H);
    Ws = kern.putF32(quant.Ws);
    Rs = kern.putF32(quant.Rs);
  } else {
    W = kern.packF32(cs.W, G * H, I);
    R = kern.packF32(cs.R, G * H, H);
  }
  const B = cs.B ? kern.putF32(cs.B) : 0;
  const P = cs.P ? kern.putF32(cs.P) : 0;
  const Wb = cs.Wb ? kern.putF32(cs.Wb) : 0;
  const Rb = cs.Rb ? kern.putF32(cs.Rb) : 0;
  const chunks = opt.chunks ?? [T];
  const reverse = cs.reverse ?? 0;
  const lbr = cs.lbr ?? 1;
  const xScale = opt.xScale ?? 0;
  const scheme = opt.scheme ?? 0;
  let t0 = 0;
  for (const n of chunks) {
    // A reversed sequence is consumed from its end, so chunks walk backwards in time.
    const start = reverse ? T - t0 - n : t0;
    const xc = xp + start * batch * xStride * 4;
    const yc = yp + start * batch * yStride * 4;
    let st: number;
    if (cs.cell === 'lstm') {
      st = quant
        ? k.lstmS8(W, Ws, R, Rs, B, P, I, H, batch, n, xc, xStride, yc, yStride, hp, cp, sp, scratch, xScale, scheme, reverse)
        : k.lstmF32(W, R, B, P, I, H, batch, n, xc, xStride, yc, yStride, hp, cp, sp, scratch, reverse);
    } else {
      st = quant
        ? k.gruS8(W, Ws, R, Rs, Wb, Rb, I, H, batch, n, xc, xStride, yc, yStride, hp, sp, scratch, xScale, scheme, lbr, reverse)
        : k.gruF32(W, R, Wb, Rb, I, H, batch, n, xc, xStride, yc, yStride, hp, sp, scratch, lbr, reverse);
    }
    expectOk(st, `${cs.cell}${quant ? 'S8' : 'F32'}`);
    t0 += n;
  }
  if (t0 !== T) throw new Error(`chunks sum to ${t0}, not T=${T}`);
  const yAll = kern.f32(yp, T * batch * yStride);
  const y = new Float32Array(T * batch * H);
  for (let r = 0; r < T * batch; r++) y.set(yAll.subarray(r * yStride, r * yStride + H), r * H);
  const hOut = new Float32Array(batch * H);
  const cOut = new Float32Array(batch * H);
  const hv = kern.f32(hp, nSlots * H);
  const cv = kern.f32(cp, nSlots * H);
  for (let b = 0; b < batch; b++) {
    const s = slots ? slots[b] : b;
    hOut.set(hv.subarray(s * H, (s + 1) * H), b * H);
    cOut.set(cv.subarray(s * H, (s + 1) * H), b * H);
  }
  return cs.cell === 'lstm' ? { y, h: hOut, c: cOut } : { y, h: hOut };
}

/** A random case; weights ~ U(-a, a) with a = 1/sqrt(H) like PyTorch's init, x ~ U(-xAmp, xAmp). */
export function randomCase(
  rand: () => number,
  p: { cell: Cell; I: number; H: number; batch: number; T: number; lbr?: 0 | 1; reverse?: 0 | 1; xAmp?: number; stateAmp?: number; peepholes?: boolean },
): RnnCase {
  const G = p.cell === 'lstm' ? 4 : 3;
  const a = 1 / Math.sqrt(p.H);
  const u = (n: number, amp: number) => {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = (2 * rand() - 1) * amp;
    return v;
  };
  const xAmp = p.xAmp ?? 1;
  const sAmp = p.stateAmp ?? 0.5;
  const base = {
    cell: p.cell, I: p.I, H: p.H, batch: p.batch, T: p.T,
    W: u(G * p.H * p.I, a), R: u(G * p.H * p.H, a),
    x: u(p.T * p.batch * p.I, xAmp), h0: u(p.batch * p.H, sAmp),
    lbr: p.lbr, reverse: p.reverse,
  };
  return p.cell === 'lstm'
    ? { ...base, B: u(G * p.H, a), c0: u(p.batch * p.H, sAmp), ...(p.peepholes ? { P: u(3 * p.H, a) } : {}) }
    : { ...base, Wb: u(G * p.H, a), Rb: u(G * p.H, a) };
}
