/**
 * Test helper: small random models built in code (seeded PRNG), so model/runtime tests need no
 * committed binaries. Weights are scaled so activations stay in a useful range.
 */
import { FORMAT_VERSION, type Direction, type LayerSpec, type Tensor, type WgmMetadata, type WgmModel } from '../../../src/model/schema.js';
import { quantizeRowsS8, roundHalfAway } from '../../../src/model/formats.js';
import { int8RecurrentTensors, recurrentBiases, scaleTensorToF32 } from '../../../src/model/recurrent-params.js';
import { layerTensorSpecs } from '../../../src/model/tensors.js';
import { Rng } from '../../../tools/synth/rng.js';

/** Uniform [0, 1) from the project's seeded generator (tools/synth/rng.ts). */
export function prng(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

export interface TinySpec {
  cell?: 'lstm' | 'gru';
  precision?: 'f32' | 'int8';
  direction?: Direction;
  channels?: number;
  hidden?: number[];
  outputs?: number;
  pool?: 'last' | 'final_state' | 'mean' | null;
  activation?: 'softmax' | 'sigmoid' | 'none';
  layerNorm?: boolean;
  window?: number;
  staticScale?: number;
  linearBeforeReset?: boolean;
  /** LSTM only: peephole connections (tensor `${name}.P`, format version 3). */
  peepholes?: boolean;
  seed?: number;
  /** Side features joining the first dense layer (input.features, kind external, names f0..); default none. */
  features?: number;
  /** Width of a ReLU dense layer before the output layer (default none). */
  mid?: number;
  /** File format version (default: the current one). 1 builds the legacy INT8 layout (F32 scales, Wb ++ Rb). */
  formatVersion?: number;
  /**
   * Dense layers int8 too (format version 4): static input scale `headScale` (default 1/64) and,
   * for the first dense layer of a model with side features, `featureScale` (default 1/16).
   */
  int8Head?: boolean;
  headScale?: number;
  featureScale?: number;
}

export function tinyMetadata(s: TinySpec = {}): WgmMetadata {
  const cell = s.cell ?? 'gru';
  const channels = s.channels ?? 2;
  const hidden = s.hidden ?? [8];
  const direction = s.direction ?? 'forward';
  const precision = s.precision ?? 'f32';
  const outputs = s.outputs ?? 3;
  const layers: LayerSpec[] = [];
  let feat = channels;
  hidden.forEach((h, i) => {
    const inputQuant = precision === 'int8' ? (s.staticScale ? { mode: 'static' as const, scale: s.staticScale } : { mode: 'dynamic' as const }) : undefined;
    const base = { name: `rnn${i}`, inputSize: feat, hiddenSize: h, direction, precision, ...(inputQuant ? { inputQuant } : {}) };
    layers.push(cell === 'lstm' ? { type: 'lstm', ...base, ...(s.peepholes ? { peepholes: true } : {}) } : { type: 'gru', linearBeforeReset: s.linearBeforeReset ?? true, ...base });
    feat = (direction === 'bidirectional' ? 2 : 1) * h;
  });
  if (s.layerNorm) layers.push({ type: 'layernorm', name: 'norm', size: feat, epsilon: 1e-5 });
  if (s.pool !== null) layers.push({ type: 'pool', name: 'pool', mode: s.pool ?? 'last' });
  const side = s.features ?? 0;
  const q = (first: boolean) =>
    s.int8Head
      ? { precision: 'int8' as const, inputQuant: { mode: 'static' as const, scale: s.headScale ?? 1 / 64 }, ...(first && side ? { featureQuant: { mode: 'static' as const, scale: s.featureScale ?? 1 / 16 } } : {}) }
      : {};
  if (s.mid) {
    layers.push({ type: 'dense', name: 'mid', inFeatures: feat + side, outFeatures: s.mid, activation: 'relu', ...q(true) });
    feat = s.mid;
  }
  layers.push({ type: 'dense', name: 'head', inFeatures: s.mid ? feat : feat + side, outFeatures: outputs, activation: 'none', ...q(!s.mid) });
  return {
    format: 'wavegate-model',
    formatVersion: s.formatVersion ?? FORMAT_VERSION,
    name: `tiny-${cell}-${precision}`,
    input: {
      channels, sampleRate: 360, window: s.window ?? 16, hop: 8,
      ...(side ? { features: { kind: 'external' as const, names: Array.from({ length: side }, (_, i) => `f${i}`) } } : {}),
    },
    layers,
    output: { activation: s.activation ?? 'softmax', size: outputs },
    labels: Array.from({ length: outputs }, (_, i) => `c${i}`),
    provenance: { producer: 'test/src/model/tiny-model.ts' },
  };
}

/** Random tensors for every layer of `meta` (uniform in ±amp, amp = 1/sqrt(fan-in)-ish). */
export function randomTensors(meta: WgmMetadata, seed = 1): Map<string, Tensor> {
  const rand = prng(seed);
  const tensors = new Map<string, Tensor>();
  for (const layer of meta.layers) {
    const specs = layerTensorSpecs(layer, meta.formatVersion);
    if (layer.type === 'lstm' || layer.type === 'gru') {
      const D = layer.direction === 'bidirectional' ? 2 : 1;
      const G = (layer.type === 'lstm' ? 4 : 3) * layer.hiddenSize;
      const amp = 1.5 / Math.sqrt(layer.hiddenSize);
      const floatW = Float32Array.from({ length: D * G * layer.inputSize }, () => (rand() * 2 - 1) * amp);
      const floatR = Float32Array.from({ length: D * G * layer.hiddenSize }, () => (rand() * 2 - 1) * amp);
      const B = Float32Array.from({ length: D * 2 * G }, () => (rand() * 2 - 1) * 0.3);
      const [sw, sr, sb] = specs;
      // Peepholes (drawn after the other weights, so models without them keep their values).
      const sp = specs.find((t) => t.name.endsWith('.P'));
      if (sp) tensors.set(sp.name, { dtype: 'F32', shape: sp.shape, data: Float32Array.from({ length: sp.shape[0] * sp.shape[1] }, () => (rand() * 2 - 1) * amp) });
      if (layer.precision === 'int8' && meta.formatVersion >= 2) {
        for (const [name, t] of int8RecurrentTensors(layer, floatW, floatR, B, meta.formatVersion)) tensors.set(name, t);
        continue;
      }
      if (layer.precision === 'int8') {
        const w = quantizeRowsV1(floatW, D * G, layer.inputSize);
        const r = quantizeRowsV1(floatR, D * G, layer.hiddenSize);
        tensors.set(sw.name, { dtype: 'I8', shape: sw.shape, data: w.q });
        tensors.set(sr.name, { dtype: 'I8', shape: sr.shape, data: r.q });
        tensors.set(specs[3].name, { dtype: 'F32', shape: specs[3].shape, data: w.scales });
        tensors.set(specs[4].name, { dtype: 'F32', shape: specs[4].shape, data: r.scales });
      } else {
        tensors.set(sw.name, { dtype: 'F32', shape: sw.shape, data: floatW });
        tensors.set(sr.name, { dtype: 'F32', shape: sr.shape, data: floatR });
      }
      tensors.set(sb.name, { dtype: 'F32', shape: sb.shape, data: B });
    } else if (layer.type === 'dense' && layer.precision === 'int8') {
      const W = Float32Array.from({ length: layer.outFeatures * layer.inFeatures }, () => (rand() * 2 - 1) * 0.5);
      const b = Float32Array.from({ length: layer.outFeatures }, () => (rand() * 2 - 1) * 0.5);
      const { q, scaleBits } = quantizeRowsS8(W, layer.outFeatures, layer.inFeatures);
      tensors.set(`${layer.name}.W`, { dtype: 'I8', shape: [layer.outFeatures, layer.inFeatures], data: q });
      tensors.set(`${layer.name}.W.scale`, { dtype: 'F16', shape: [layer.outFeatures], data: scaleBits });
      tensors.set(`${layer.name}.b`, { dtype: 'F32', shape: [layer.outFeatures], data: b });
    } else {
      for (const s of specs) {
        const n = s.shape.reduce((a, b) => a * b, 1);
        const isGamma = s.name.endsWith('.gamma');
        tensors.set(s.name, { dtype: 'F32', shape: s.shape, data: Float32Array.from({ length: n }, () => (isGamma ? 1 : 0) + (rand() * 2 - 1) * 0.5) });
      }
    }
  }
  return tensors;
}

/** Format version 1's quantizer (f32 scales), kept here to build legacy INT8 models for the v1 loading tests. */
function quantizeRowsV1(w: Float32Array, rows: number, cols: number): { q: Int8Array; scales: Float32Array } {
  const q = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let maxAbs = 0;
    for (let k = 0; k < cols; k++) maxAbs = Math.max(maxAbs, Math.abs(w[r * cols + k]));
    const scale = Math.fround(maxAbs / 127);
    scales[r] = scale;
    if (scale === 0) continue;
    for (let k = 0; k < cols; k++) q[r * cols + k] = Math.max(-127, Math.min(127, roundHalfAway(w[r * cols + k] / scale)));
  }
  return { q, scales };
}

export function tinyModel(s: TinySpec = {}): WgmModel {
  const metadata = tinyMetadata(s);
  return { metadata, tensors: randomTensors(metadata, s.seed ?? 1) };
}

/** Same architecture in f32, weights dequantized from an int8 model (for int8-vs-f32 comparisons). */
export function dequantizedTwin(model: WgmModel): WgmModel {
  const metadata: WgmMetadata = JSON.parse(JSON.stringify(model.metadata));
  const tensors = new Map<string, Tensor>();
  for (const layer of metadata.layers) {
    if ((layer.type === 'lstm' || layer.type === 'gru') && layer.precision === 'int8') {
      for (const k of ['W', 'R'] as const) {
        const q = model.tensors.get(`${layer.name}.${k}`)!;
        const sc = scaleTensorToF32(model.tensors.get(`${layer.name}.${k}.scale`)!);
        const cols = q.shape[2];
        const out = new Float32Array(q.data.length);
        for (let i = 0; i < out.length; i++) out[i] = sc[Math.floor(i / cols)] * (q.data as Int8Array)[i];
        tensors.set(`${layer.name}.${k}`, { dtype: 'F32', shape: q.shape, data: out });
      }
      // f32 layers store Wb ++ Rb; a version-2 INT8 layer's pre-summed biases map onto it exactly.
      const D = layer.direction === 'bidirectional' ? 2 : 1;
      const G = (layer.type === 'lstm' ? 4 : 3) * layer.hiddenSize;
      const B = new Float32Array(D * 2 * G);
      for (let d = 0; d < D; d++) {
        const { wb, rb } = recurrentBiases(model, layer, d);
        B.set(wb, d * 2 * G);
        B.set(rb, d * 2 * G + G);
      }
      tensors.set(`${layer.name}.B`, { dtype: 'F32', shape: [D, 2 * G], data: B });
      const P = model.tensors.get(`${layer.name}.P`);
      if (P) tensors.set(`${layer.name}.P`, P); // peepholes are F32 in either precision
      layer.precision = 'f32';
      delete layer.inputQuant;
    } else {
      for (const s of layerTensorSpecs(layer, metadata.formatVersion)) tensors.set(s.name, model.tensors.get(s.name)!);
    }
  }
  return { metadata, tensors };
}
