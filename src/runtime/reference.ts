/**
 * Plain reference forward pass, in float64, straight from the metadata and tensors: no kernel,
 * no packing, no batching. It is the project's one float reference model: the readable truth the
 * sessions are tested against (f32 paths with tolerances), the importer's check against
 * onnxruntime, and a debugging aid. INT8 layers run in one of two ways (ReferenceOptions.int8):
 *   - 'kernel' (default): emulated as the kernel ABI specifies: x quantized per step (static
 *     scale, or dynamic max|x|/qmax), h with the fixed scale 1/127 (format versions 1-3, codes in
 *     [-127, 127]) or its own dynamic scale max|h|/63 (version 4, codes in [-63, 63]), exact
 *     integer dot products, then float gates ("hybrid" scheme);
 *   - 'dequantized': float semantics of the dequantized weights (real = scale * q) with float
 *     activations: what the weights mean, not the kernel's integer arithmetic.
 * INT8 dense layers (format version 4) likewise: 'kernel' quantizes the input with the layer's
 * static scales (the side-feature columns of the first dense layer with their own), exact integer
 * sums, then scale and bias in float; 'dequantized' runs the dequantized weights on float inputs.
 * LSTM peepholes (ONNX P) are added in float in both modes, as the kernel does.
 * `tap` (ReferenceOptions) sees the input of every recurrent and dense layer: what the quantizer
 * calibrates activation scales on (tools/quantize).
 */
import { WavegateError } from '../errors.js';
import type { DenseLayerSpec, GruLayerSpec, LayerSpec, LstmLayerSpec, Tensor, WgmModel } from '../model/schema.js';
import { roundHalfAway } from '../model/formats.js';
import { int8ActivationQmax, int8ActivationScheme, tensorName } from '../model/tensors.js';
import { f16ArrayToF32 } from '../model/f16.js';
import { recurrentBiases, recurrentScales } from '../model/recurrent-params.js';

export interface ReferenceOptions {
  /** INT8 layers: 'kernel' emulates the kernel ABI (default); 'dequantized' runs the dequantized weights in float. */
  int8?: 'kernel' | 'dequantized';
  /**
   * Called with the input of each recurrent layer (one vector per time step) and of each dense
   * layer (the pooled vector, side features joined for the first one) before the layer runs.
   */
  tap?: (layer: LayerSpec, inputs: readonly Float64Array[]) => void;
}

type Vec = Float64Array;
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

function quantize(v: ArrayLike<number>, scale: number, qmax: number): Vec {
  const q = new Float64Array(v.length);
  if (scale === 0) return q;
  for (let i = 0; i < v.length; i++) q[i] = Math.max(-qmax, Math.min(qmax, roundHalfAway(v[i] / scale)));
  return q;
}

/** The kernel's dynamic scale, max|v| / qmax rounded to f32 as the kernel computes it. */
function dynamicScale(v: ArrayLike<number>, qmax: number): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return Math.fround(m / qmax);
}

/** Pre-activations W x + R h (+ no bias) for rows [0, rows) of one direction, float or int8-emulated. */
function gatePre(model: WgmModel, l: LstmLayerSpec | GruLayerSpec, d: number, rows: number, x: Vec, h: Vec, opts: ReferenceOptions): { wx: Vec; rh: Vec } {
  const t = (n: string) => model.tensors.get(n) as Tensor;
  const I = l.inputSize;
  const H = l.hiddenSize;
  const W = t(tensorName.W(l.name)).data;
  const R = t(tensorName.R(l.name)).data;
  const wx = new Float64Array(rows);
  const rh = new Float64Array(rows);
  if (l.precision === 'int8' && opts.int8 === 'dequantized') {
    const { Ws, Rs } = recurrentScales(model, l, d);
    for (let r = 0; r < rows; r++) {
      let aw = 0;
      let ar = 0;
      for (let k = 0; k < I; k++) aw += Ws[r] * W[(d * rows + r) * I + k] * x[k];
      for (let k = 0; k < H; k++) ar += Rs[r] * R[(d * rows + r) * H + k] * h[k];
      wx[r] = aw;
      rh[r] = ar;
    }
  } else if (l.precision === 'int8') {
    // Scales widened to f32 per direction (F16 in format version 2), as the kernel receives them.
    const { Ws, Rs } = recurrentScales(model, l, d);
    const a7 = int8ActivationScheme(model.metadata.formatVersion) === 'a7';
    const qmax = a7 ? 63 : 127;
    const sx = l.inputQuant?.mode === 'static' ? (l.inputQuant.scale ?? 0) : dynamicScale(x, qmax);
    const xq = quantize(x, sx, qmax);
    // h: version 4 its own dynamic scale like x; before, the fixed scale 1/127 as round(h * 127).
    const sh = a7 ? dynamicScale(h, qmax) : 1 / 127;
    const hq = a7 ? quantize(h, sh, qmax) : h.map((v) => Math.max(-127, Math.min(127, roundHalfAway(v * 127))));
    for (let r = 0; r < rows; r++) {
      let aw = 0;
      let ar = 0;
      for (let k = 0; k < I; k++) aw += W[(d * rows + r) * I + k] * xq[k];
      for (let k = 0; k < H; k++) ar += R[(d * rows + r) * H + k] * hq[k];
      wx[r] = aw * Ws[r] * sx;
      rh[r] = a7 ? ar * Rs[r] * sh : (ar * Rs[r]) / 127;
    }
  } else {
    for (let r = 0; r < rows; r++) {
      let aw = 0;
      let ar = 0;
      for (let k = 0; k < I; k++) aw += W[(d * rows + r) * I + k] * x[k];
      for (let k = 0; k < H; k++) ar += R[(d * rows + r) * H + k] * h[k];
      wx[r] = aw;
      rh[r] = ar;
    }
  }
  return { wx, rh };
}

/** One direction of a recurrent layer over xs[T]; state {h, c} is updated in place. Returns ys[T]. */
function recurrentDirection(model: WgmModel, l: LstmLayerSpec | GruLayerSpec, d: number, xs: Vec[], state: { h: Vec; c: Vec }, backwards: boolean, opts: ReferenceOptions): Vec[] {
  const H = l.hiddenSize;
  const G = (l.type === 'lstm' ? 4 : 3) * H;
  // Biases as the kernel ABI pairs them (a version-2 INT8 file pre-summed them; recurrent-params.ts).
  const biases = recurrentBiases(model, l, d);
  const wb = (r: number) => biases.wb[r];
  const rb = (r: number) => biases.rb[r];
  // Peepholes [3H] of this direction, order i, o, f (zeros without).
  const P = l.type === 'lstm' && l.peepholes ? (model.tensors.get(tensorName.P(l.name)) as Tensor).data.subarray(d * 3 * H, (d + 1) * 3 * H) : new Float32Array(3 * H);
  const ys: Vec[] = new Array(xs.length);
  for (let s = 0; s < xs.length; s++) {
    const t = backwards ? xs.length - 1 - s : s;
    const { h, c } = state;
    const { wx, rh } = gatePre(model, l, d, G, xs[t], h, opts);
    const hn = new Float64Array(H);
    if (l.type === 'lstm') {
      const pre = (g: number, j: number) => wx[g * H + j] + rh[g * H + j] + wb(g * H + j) + rb(g * H + j);
      for (let j = 0; j < H; j++) {
        const i = sigmoid(pre(0, j) + P[j] * c[j]);
        const f = sigmoid(pre(2, j) + P[2 * H + j] * c[j]);
        const g = Math.tanh(pre(3, j));
        c[j] = f * c[j] + i * g;
        const o = sigmoid(pre(1, j) + P[H + j] * c[j]);
        hn[j] = o * Math.tanh(c[j]);
      }
    } else {
      const z = new Float64Array(H).map((_, j) => sigmoid(wx[j] + rh[j] + wb(j) + rb(j)));
      const r = new Float64Array(H).map((_, j) => sigmoid(wx[H + j] + rh[H + j] + wb(H + j) + rb(H + j)));
      // linear_before_reset = 0: Rn (r * h), with r * h quantized like h in int8 layers (its own dynamic scale in version 4).
      const gated = l.linearBeforeReset ? null : gatePre(model, l, d, G, xs[t], h.map((v, k) => v * r[k]), opts).rh;
      for (let j = 0; j < H; j++) {
        const n = gated
          ? Math.tanh(wx[2 * H + j] + wb(2 * H + j) + gated[2 * H + j] + rb(2 * H + j))
          : Math.tanh(wx[2 * H + j] + wb(2 * H + j) + r[j] * (rh[2 * H + j] + rb(2 * H + j)));
        hn[j] = (1 - z[j]) * n + z[j] * h[j];
      }
    }
    h.set(hn);
    ys[t] = Float64Array.from(hn);
  }
  return ys;
}

function layerNorm(v: Vec, gamma: ArrayLike<number>, beta: ArrayLike<number>, eps: number): Vec {
  const n = v.length;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  const inv = 1 / Math.sqrt(variance + eps);
  return v.map((x, i) => (x - mean) * inv * gamma[i] + beta[i]);
}

const ACT: Record<string, (v: number) => number> = { none: (v) => v, relu: (v) => Math.max(0, v), tanh: Math.tanh, sigmoid };

/** The side-feature vector as float64; required exactly when the model has input.features. */
function sideFeatures(model: WgmModel, features: ArrayLike<number> | undefined): Vec | null {
  const F = model.metadata.input.features?.names.length ?? 0;
  if ((features === undefined) !== (F === 0) || (features && features.length !== F)) {
    throw new WavegateError('E_INPUT', `reference: the model takes ${F} side features, got ${features === undefined ? 'none' : features.length}`);
  }
  return features ? Float64Array.from(features) : null;
}

function joinFeatures(v: Vec, f: Vec): Vec {
  const o = new Float64Array(v.length + f.length);
  o.set(v);
  o.set(f, v.length);
  return o;
}

/** One dense layer as a function of its input vector: f32 weights, or int8 (see the module comment). */
function denseLayer(model: WgmModel, l: DenseLayerSpec, opts: ReferenceOptions): (v: Vec) => Vec {
  const W = (model.tensors.get(tensorName.denseW(l.name)) as Tensor).data;
  const b = (model.tensors.get(tensorName.denseB(l.name)) as Tensor).data;
  const inF = l.inFeatures;
  const int8 = l.precision === 'int8';
  const ws = int8 ? f16ArrayToF32((model.tensors.get(tensorName.Wscale(l.name)) as Tensor).data as Uint16Array) : undefined;
  const F = model.metadata.input.features?.names.length ?? 0;
  const split = l.featureQuant ? inF - F : inF;
  const sA = l.inputQuant?.scale ?? 0;
  const sB = l.featureQuant?.scale ?? 0;
  const qmax = int8ActivationQmax(int8ActivationScheme(model.metadata.formatVersion));
  const fr = Math.fround;
  return (v) => {
    const o = new Float64Array(l.outFeatures);
    // The kernel quantizes x / s in f32: q = clamp(roundHalfAway(f32(x / s)), -qmax, qmax).
    const q = int8 && opts.int8 !== 'dequantized' ? Array.from(v, (x, k) => Math.max(-qmax, Math.min(qmax, roundHalfAway(fr(fr(x) / fr(k < split ? sA : sB)))))) : undefined;
    for (let r = 0; r < l.outFeatures; r++) {
      let s: number;
      if (q) {
        let accA = 0;
        let accB = 0;
        for (let k = 0; k < split; k++) accA += W[r * inF + k] * q[k];
        for (let k = split; k < inF; k++) accB += W[r * inF + k] * q[k];
        s = accA * ws![r] * sA + accB * ws![r] * sB + b[r];
      } else {
        s = b[r];
        const scale = ws ? ws[r] : 1;
        for (let k = 0; k < inF; k++) s += scale * W[r * inF + k] * v[k];
      }
      o[r] = ACT[l.activation](s);
    }
    return o;
  };
}

/** Recurrent state of one stream in the reference: per recurrent layer and direction. */
export type ReferenceState = Map<string, { h: Vec; c: Vec }>;

export interface ReferenceOutput {
  /** Window-mode output (pooled). */
  pooled: Float64Array;
  /** Streaming semantics: the head applied at every step, [T][outSize]. */
  perStep: Float64Array[];
}

/**
 * Runs one sequence xs[T][C]. Pass `state` to carry state across calls (streaming); omit it for
 * a window (zero state). A model with side features (input.features) takes their vector in
 * `features`; it joins the first dense layer's input after the pooled (or per-step) output.
 */
export function referenceForward(model: WgmModel, xs: ArrayLike<number>[], state: ReferenceState = new Map(), features?: ArrayLike<number>, opts: ReferenceOptions = {}): ReferenceOutput {
  const meta = model.metadata;
  let seq: Vec[] = xs.map((x) => Float64Array.from(x));
  let pooledVec: Vec | null = null;
  let perStep: Vec[] | null = null;
  let lastRec: LstmLayerSpec | GruLayerSpec | null = null;
  const hasPool = meta.layers.some((l) => l.type === 'pool');
  const lastRecIndex = meta.layers.map((l) => l.type === 'lstm' || l.type === 'gru').lastIndexOf(true);
  const get = (n: string) => (model.tensors.get(n) as Tensor).data;
  const side = sideFeatures(model, features);
  let seenDense = false;
  const applyPool = (mode: string) => {
    const T = seq.length;
    const W = seq[0].length;
    const L = lastRec!;
    const H = L.hiddenSize;
    if (mode === 'mean') {
      pooledVec = new Float64Array(W);
      for (const v of seq) for (let j = 0; j < W; j++) pooledVec[j] += v[j] / T;
    } else {
      pooledVec = new Float64Array(W);
      const dirs = L.direction === 'bidirectional' ? 2 : 1;
      for (let d = 0; d < dirs; d++) {
        const backwards = L.direction === 'reverse' || d === 1;
        const t = mode === 'final_state' && backwards ? 0 : T - 1;
        pooledVec.set(seq[t].subarray(d * H, (d + 1) * H), d * H);
      }
    }
    perStep = seq.map((v) => Float64Array.from(v));
  };
  meta.layers.forEach((l, idx) => {
    const mapBoth = (f: (v: Vec) => Vec) => {
      if (pooledVec) pooledVec = f(pooledVec);
      if (perStep) perStep = perStep.map(f);
      if (!pooledVec) seq = seq.map(f);
    };
    if (l.type === 'lstm' || l.type === 'gru') {
      opts.tap?.(l, seq);
      const dirs = l.direction === 'bidirectional' ? 2 : 1;
      const outs: Vec[][] = [];
      for (let d = 0; d < dirs; d++) {
        const key = `${l.name}/${d}`;
        if (!state.has(key)) state.set(key, { h: new Float64Array(l.hiddenSize), c: new Float64Array(l.hiddenSize) });
        outs.push(recurrentDirection(model, l, d, seq, state.get(key)!, l.direction === 'reverse' || d === 1, opts));
      }
      seq = seq.map((_, t) => {
        const v = new Float64Array(dirs * l.hiddenSize);
        for (let d = 0; d < dirs; d++) v.set(outs[d][t], d * l.hiddenSize);
        return v;
      });
      lastRec = l;
      if (idx === lastRecIndex && !hasPool) applyPool('last');
    } else if (l.type === 'layernorm') {
      mapBoth((v) => layerNorm(v, get(tensorName.gamma(l.name)), get(tensorName.beta(l.name)), l.epsilon));
    } else if (l.type === 'pool') {
      applyPool(l.mode);
    } else {
      // Side features: the first dense layer takes [pooled ++ features] (torch.cat([h, f], dim=1)).
      if (side && !seenDense) mapBoth((v) => joinFeatures(v, side));
      seenDense = true;
      if (pooledVec) opts.tap?.(l, [pooledVec]);
      mapBoth(denseLayer(model, l, opts));
    }
  });
  const finalAct = (v: Vec): Vec => {
    if (meta.output.activation === 'sigmoid') return v.map(sigmoid);
    if (meta.output.activation === 'softmax') {
      const m = Math.max(...v);
      const e = v.map((x) => Math.exp(x - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((x) => x / s);
    }
    return v;
  };
  return { pooled: finalAct(pooledVec!), perStep: perStep!.map(finalAct) };
}

/**
 * referenceForward over a batch-first input x [batch, time, channels] (row-major), each row a
 * window from zero state. Returns the pooled output [batch, size], or with `perStep` the head at
 * every step [batch, time, size] (what a model without a pool computes per step, e.g. an ONNX
 * graph whose output keeps its time axis).
 */
export function referenceRun(
  model: WgmModel, x: Float32Array, batch: number, time: number, opts: ReferenceOptions & { perStep?: boolean; features?: Float32Array } = {},
): { data: Float32Array; shape: number[] } {
  const C = model.metadata.input.channels;
  const size = model.metadata.output.size;
  if (x.length !== batch * time * C) throw new WavegateError('E_ARGUMENT', `referenceRun: x has ${x.length} values, expected ${batch} x ${time} x ${C}`);
  const data = new Float32Array(batch * (opts.perStep ? time : 1) * size);
  for (let b = 0; b < batch; b++) {
    const xs = Array.from({ length: time }, (_, t) => x.subarray((b * time + t) * C, (b * time + t + 1) * C));
    const F = model.metadata.input.features?.names.length ?? 0;
    const out = referenceForward(model, xs, new Map(), opts.features?.subarray(b * F, (b + 1) * F), opts);
    if (opts.perStep) out.perStep.forEach((v, t) => data.set(v, (b * time + t) * size));
    else data.set(out.pooled, b * size);
  }
  return { data, shape: opts.perStep ? [batch, time, size] : [batch, size] };
}
