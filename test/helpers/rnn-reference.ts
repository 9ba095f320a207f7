/**
 * Plain float64 LSTM/GRU reference (ONNX semantics) for tests. Deliberately naive: no packing,
 * no SIMD, Math.exp/Math.tanh; the kernels are measured against it with named tolerances.
 *
 * Layouts: W [G*H, I] row-major, R [G*H, H], x time-major [T][batch][I]; state h (and c) per
 * stream [batch][H], updated in place. Returns y as [T][batch][H].
 */

export interface LstmWeights {
  /** [4H * I], gate blocks i, o, f, c. */
  W: ArrayLike<number>;
  /** [4H * H]. */
  R: ArrayLike<number>;
  /** [4H] = Wb + Rb. */
  B: ArrayLike<number>;
  /** Peepholes [3H], ONNX order i, o, f (absent: none): i and f see the previous c, o the new one. */
  P?: ArrayLike<number>;
}

export interface GruWeights {
  /** [3H * I], gate blocks z, r, h. */
  W: ArrayLike<number>;
  /** [3H * H]. */
  R: ArrayLike<number>;
  /** [3H]. */
  Wb: ArrayLike<number>;
  /** [3H]. */
  Rb: ArrayLike<number>;
}

export interface RnnShape {
  I: number;
  H: number;
  batch: number;
  T: number;
  /** Walk t = T-1 .. 0 (the backward half of a bidirectional layer). Default false. */
  reverse?: boolean;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

function matRow(M: ArrayLike<number>, row: number, cols: number, v: ArrayLike<number>, vOff: number): number {
  let s = 0;
  for (let k = 0; k < cols; k++) s += M[row * cols + k] * v[vOff + k];
  return s;
}

export function lstmReference(
  w: LstmWeights, shape: RnnShape, x: ArrayLike<number>, h: Float64Array, c: Float64Array,
): Float64Array {
  const { I, H, batch, T } = shape;
  const y = new Float64Array(T * batch * H);
  const g = new Float64Array(4 * H);
  for (let s = 0; s < T; s++) {
    const t = shape.reverse ? T - 1 - s : s;
    for (let b = 0; b < batch; b++) {
      const xOff = (t * batch + b) * I;
      const hv = h.subarray(b * H, (b + 1) * H);
      for (let r = 0; r < 4 * H; r++) g[r] = w.B[r] + matRow(w.W, r, I, x, xOff) + matRow(w.R, r, H, hv, 0);
      const P = w.P;
      for (let j = 0; j < H; j++) {
        const cp = c[b * H + j];
        const i = sigmoid(g[j] + (P ? P[j] * cp : 0));
        const f = sigmoid(g[2 * H + j] + (P ? P[2 * H + j] * cp : 0));
        const cc = Math.tanh(g[3 * H + j]);
        const cn = f * cp + i * cc;
        const o = sigmoid(g[H + j] + (P ? P[H + j] * cn : 0));
        c[b * H + j] = cn;
        hv[j] = o * Math.tanh(cn);
      }
      y.set(hv, (t * batch + b) * H);
    }
  }
  return y;
}

export function gruReference(
  w: GruWeights, shape: RnnShape, x: ArrayLike<number>, h: Float64Array, linearBeforeReset: boolean,
): Float64Array {
  const { I, H, batch, T } = shape;
  const y = new Float64Array(T * batch * H);
  const rh = new Float64Array(H);
  const hn = new Float64Array(H);
  for (let s = 0; s < T; s++) {
    const t = shape.reverse ? T - 1 - s : s;
    for (let b = 0; b < batch; b++) {
      const xOff = (t * batch + b) * I;
      const hv = h.subarray(b * H, (b + 1) * H);
      const z = new Float64Array(H);
      const n = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        z[j] = sigmoid(matRow(w.W, j, I, x, xOff) + w.Wb[j] + matRow(w.R, j, H, hv, 0) + w.Rb[j]);
        const r = sigmoid(matRow(w.W, H + j, I, x, xOff) + w.Wb[H + j] + matRow(w.R, H + j, H, hv, 0) + w.Rb[H + j]);
        rh[j] = r * hv[j];
        hn[j] = r * (matRow(w.R, 2 * H + j, H, hv, 0) + w.Rb[2 * H + j]);
      }
      for (let j = 0; j < H; j++) {
        const xn = matRow(w.W, 2 * H + j, I, x, xOff) + w.Wb[2 * H + j];
        const rec = linearBeforeReset ? hn[j] : matRow(w.R, 2 * H + j, H, rh, 0) + w.Rb[2 * H + j];
        n[j] = Math.tanh(xn + rec);
      }
      for (let j = 0; j < H; j++) hv[j] = (1 - z[j]) * n[j] + z[j] * hv[j];
      y.set(hv, (t * batch + b) * H);
    }
  }
  return y;
}
