/**
 * Plain f32 evaluator of a wavegate model in TypeScript: the importer's own reference.
 *
 * It follows the ONNX operator definitions literally (no packing, no SIMD, f64 accumulation) so
 * the importer can be checked against onnxruntime independently of the WASM kernel, and the
 * kernel can be checked against the importer's understanding of the model. INT8 layers run on
 * dequantized weights with float activations (no activation quantization): it shows what the
 * weights mean, not the kernel's integer arithmetic.
 */
import { WavegateError } from '../../src/errors.js';
import { dequantizeRowsS8 } from '../../src/model/formats.js';
import { recurrentBiases, scaleTensorToF32 } from '../../src/model/recurrent-params.js';
import type { GruLayerSpec, LstmLayerSpec, WgmModel } from '../../src/model/schema.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Rows of a [T][B][F] sequence. */
type Seq = Float64Array[][];

function weights(model: WgmModel, name: string): Float32Array {
  const t = model.tensors.get(name);
  if (!t) throw new WavegateError('E_MODEL_FORMAT', `reference: tensor '${name}' missing`);
  if (t.dtype === 'I8') {
    const s = scaleTensorToF32(model.tensors.get(`${name}.scale`)!);
    const rows = s.length;
    return dequantizeRowsS8(t.data as Int8Array, s, rows, t.data.length / rows);
  }
  return t.data as Float32Array;
}

/** One direction of an LSTM or GRU over the whole sequence; returns h for every step. */
function recurrentDirection(model: WgmModel, l: LstmLayerSpec | GruLayerSpec, dir: number, xs: Seq): Seq {
  const H = l.hiddenSize;
  const I = l.inputSize;
  const G = l.type === 'lstm' ? 4 : 3;
  const W = weights(model, `${l.name}.W`).subarray(dir * G * H * I, (dir + 1) * G * H * I);
  const R = weights(model, `${l.name}.R`).subarray(dir * G * H * H, (dir + 1) * G * H * H);
  // Wb ++ Rb of this direction, whatever the file version stored (INT8 v2 pre-sums them).
  const { wb, rb } = recurrentBiases(model, l, dir);
  const Bt = new Float32Array(2 * G * H);
  Bt.set(wb, 0);
  Bt.set(rb, G * H);
  const T = xs.length;
  const batch = xs[0].length;
  const reverse = l.direction === 'reverse' || dir === 1;
  const out: Seq = Array.from({ length: T }, () => []);
  for (let b = 0; b < batch; b++) {
    let h = new Float64Array(H);
    let c = new Float64Array(H);
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      const x = xs[t][b];
      const wx = new Float64Array(G * H);
      const rh = new Float64Array(G * H);
      for (let r = 0; r < G * H; r++) {
        let a = Bt[r];
        for (let k = 0; k < I; k++) a += W[r * I + k] * x[k];
        wx[r] = a;
        let q = Bt[G * H + r];
        for (let k = 0; k < H; k++) q += R[r * H + k] * h[k];
        rh[r] = q;
      }
      const hn = new Float64Array(H);
      if (l.type === 'lstm') {
        const cn = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          const i = sigmoid(wx[j] + rh[j]);
          const o = sigmoid(wx[H + j] + rh[H + j]);
          const f = sigmoid(wx[2 * H + j] + rh[2 * H + j]);
          const g = Math.tanh(wx[3 * H + j] + rh[3 * H + j]);
          cn[j] = f * c[j] + i * g;
          hn[j] = o * Math.tanh(cn[j]);
        }
        c = cn;
      } else {
        const z = new Float64Array(H);
        const rg = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          z[j] = sigmoid(wx[j] + rh[j]);
          rg[j] = sigmoid(wx[H + j] + rh[H + j]);
        }
        for (let j = 0; j < H; j++) {
          let n: number;
          if (l.linearBeforeReset) n = Math.tanh(wx[2 * H + j] + rg[j] * rh[2 * H + j]);
          else {
            let q = Bt[G * H + 2 * H + j];
            for (let k = 0; k < H; k++) q += R[(2 * H + j) * H + k] * rg[k] * h[k];
            n = Math.tanh(wx[2 * H + j] + q);
          }
          hn[j] = (1 - z[j]) * n + z[j] * h[j];
        }
      }
      h = hn;
      out[t][b] = hn;
    }
  }
  return out;
}

export interface ReferenceOutput {
  /** Row-major output: [batch, size] when pooled, else [batch, time, size]. */
  data: Float32Array;
  shape: number[];
}

/** Runs `model` on a batch-first input [batch, time, channels] (row-major f32). */
export function runReference(model: WgmModel, x: Float32Array, batch: number, time: number): ReferenceOutput {
  const C = model.metadata.input.channels;
  if (x.length !== batch * time * C) throw new WavegateError('E_INPUT', `reference: input has ${x.length} values, expected ${batch}x${time}x${C}`);
  let seq: Seq = Array.from({ length: time }, (_, t) => Array.from({ length: batch }, (_, b) => Float64Array.from(x.subarray((b * time + t) * C, (b * time + t + 1) * C))));
  let lastRnn: { H: number; dirs: number; reverse: boolean } | null = null;
  let rows: Float64Array[] | null = null; // pooled [B][F]
  for (const l of model.metadata.layers) {
    if (l.type === 'lstm' || l.type === 'gru') {
      const dirs = l.direction === 'bidirectional' ? [0, 1] : [0];
      const ys = dirs.map((d) => recurrentDirection(model, l, d, seq));
      seq = seq.map((_, t) => seq[0].map((_, b) => Float64Array.from(ys.flatMap((y) => [...y[t][b]]))));
      lastRnn = { H: l.hiddenSize, dirs: dirs.length, reverse: l.direction === 'reverse' };
    } else if (l.type === 'pool') {
      if (l.mode === 'last') rows = seq[time - 1];
      else if (l.mode === 'final_state') {
        // Forward halves at T-1, backward (or reverse-only) halves at 0, of the sequence as it stands
        // (after any per-step layer norm), which is also ONNX Y_h when nothing follows the layer.
        const { H, dirs, reverse } = lastRnn!;
        rows = seq[0].map((_, b) => Float64Array.from({ length: dirs * H }, (_, k) => {
          const d = Math.floor(k / H);
          return seq[d === 1 || reverse ? 0 : time - 1][b][k];
        }));
      }
      else rows = seq[0].map((_, b) => seq[0][b].map((_, k) => seq.reduce((s, st) => s + st[b][k], 0) / time));
    } else {
      const apply = (v: Float64Array): Float64Array => {
        if (l.type === 'layernorm') {
          const g = model.tensors.get(`${l.name}.gamma`)!.data;
          const be = model.tensors.get(`${l.name}.beta`)!.data;
          const mean = v.reduce((a, b) => a + b, 0) / v.length;
          const vr = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
          return v.map((e, k) => ((e - mean) / Math.sqrt(vr + l.epsilon)) * g[k] + be[k]);
        }
        const W = model.tensors.get(`${l.name}.W`)!.data;
        const bias = model.tensors.get(`${l.name}.b`)!.data;
        const out = new Float64Array(l.outFeatures);
        for (let o = 0; o < l.outFeatures; o++) {
          let a = bias[o];
          for (let k = 0; k < l.inFeatures; k++) a += W[o * l.inFeatures + k] * v[k];
          out[o] = l.activation === 'relu' ? Math.max(0, a) : l.activation === 'tanh' ? Math.tanh(a) : l.activation === 'sigmoid' ? sigmoid(a) : a;
        }
        return out;
      };
      if (rows) rows = rows.map(apply);
      else seq = seq.map((st) => st.map(apply));
    }
  }
  const act = model.metadata.output.activation;
  const finish = (v: Float64Array): Float64Array => {
    if (act === 'sigmoid') return v.map(sigmoid);
    if (act === 'softmax') {
      const m = Math.max(...v);
      const e = v.map((z) => Math.exp(z - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((z) => z / s);
    }
    return v;
  };
  const size = model.metadata.output.size;
  if (rows) return { data: Float32Array.from(rows.flatMap((r) => [...finish(r)])), shape: [batch, size] };
  const data = new Float32Array(batch * time * size);
  for (let b = 0; b < batch; b++) for (let t = 0; t < time; t++) data.set(finish(seq[t][b]), (b * time + t) * size);
  return { data, shape: [batch, time, size] };
}
