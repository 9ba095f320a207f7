/**
 * Model -> immutable execution plan (tract's SimplePlan): the order of kernel calls, every
 * size, and whether the model can stream. Computed once from validated metadata; sessions and
 * `inspect` share it. Memory needs are in memory.ts (they also need the kernel's packed sizes).
 */
import { WavegateError } from '../errors.js';
import type { DenseActivation, GruLayerSpec, LstmLayerSpec, Pooling, WgmMetadata } from '../model/schema.js';
import { directions, gateRows, int8ActivationScheme, layerParameterCount } from '../model/tensors.js';
import { ACT_NONE, ACT_RELU, ACT_SIGMOID, ACT_TANH, OP_GRU_F32, OP_GRU_S8, OP_LSTM_F32, OP_LSTM_S8, QS_A7, QS_A8 } from './abi.js';

/** One recurrent layer: D kernel calls (one per direction) over the whole sequence. */
export interface RecurrentStep {
  kind: 'recurrent';
  layer: LstmLayerSpec | GruLayerSpec;
  cell: 'lstm' | 'gru';
  int8: boolean;
  /** Kernel op code for scratchBytes. */
  op: number;
  inputSize: number;
  hidden: number;
  /** Gate rows per direction: 4H (LSTM) or 3H (GRU). */
  rows: number;
  /** 1 or 2 directions; direction d = 1 (and a 'reverse' layer's only direction) walks backwards. */
  dirs: 1 | 2;
  reverse: boolean;
  linearBeforeReset: boolean;
  /** LSTM peepholes (tensor `${name}.P`); the kernel gets P = 0 without. */
  peepholes: boolean;
  /** Static input scale for int8 layers; 0 = dynamic per-step scale. */
  xScale: number;
  /** INT8 activation scheme for the kernel (QS_A8 for format versions 1-3, QS_A7 from 4). */
  scheme: number;
  /** Output features per step: dirs * hidden. */
  outWidth: number;
}

/** Layer norm applied in place, over each time step (before the pool) or each pooled row (after). */
export interface NormStep {
  kind: 'layernorm';
  name: string;
  size: number;
  epsilon: number;
}

export interface DenseStep {
  kind: 'dense';
  name: string;
  inF: number;
  outF: number;
  activation: number;
  /** INT8 dense (denseS8): int8 weights, input quantized with static scales. */
  int8: boolean;
  /** int8: columns [0, split) use xScale, [split, inF) tailScale (the side features of the first dense layer); split = inF otherwise. */
  split: number;
  xScale: number;
  tailScale: number;
}

export interface Plan {
  metadata: WgmMetadata;
  /** Some INT8 recurrent layer uses the 8-bit activation scheme of format versions 1-3 (QS_A8). */
  a8Int8: boolean;
  channels: number;
  /** Recurrent layers and the layer norms between them, in order, over the sequence. */
  sequence: (RecurrentStep | NormStep)[];
  /** Pooling (an absent pool layer means `last`). */
  pool: { mode: Pooling; implicit: boolean };
  /** Features per step leaving the sequence part (= pooled width). */
  sequenceWidth: number;
  /** Side features per window (input.features); 0 when the model takes none. */
  features: number;
  /**
   * Width of the rows the head takes: sequenceWidth + features. Side features sit in the tail
   * columns of every pooled row, so the first dense layer reads [pooled ++ features] as one row
   * (PyTorch's torch.cat([h, f], dim=1) + nn.Linear) and the kernel's dense op needs no second input.
   */
  headInputWidth: number;
  /** Layer norms and dense layers after the pool, in order. */
  head: (NormStep | DenseStep)[];
  outSize: number;
  outActivation: 'softmax' | 'sigmoid' | 'none';
  /** Widest per-step feature vector inside the sequence part. */
  maxSequenceWidth: number;
  /** Widest vector in the head (pooled input and side features included). */
  maxHeadWidth: number;
  /** Null when push() can run this model, else why not. */
  notStreamable: string | null;
  parameterCount: number;
  /** Activation scheme of the INT8 ops (QS_A8 or QS_A7), from the file's format version. */
  int8Scheme: number;
}

const ACTIVATIONS: Record<DenseActivation, number> = { none: ACT_NONE, relu: ACT_RELU, tanh: ACT_TANH, sigmoid: ACT_SIGMOID };

/** Builds the plan from validated metadata. */
export function buildPlan(meta: WgmMetadata): Plan {
  const sequence: (RecurrentStep | NormStep)[] = [];
  const head: (NormStep | DenseStep)[] = [];
  let pool: Plan['pool'] | undefined;
  let width = meta.input.channels;
  let maxSequenceWidth = 0;
  let lastRecurrent = -1;
  meta.layers.forEach((l, i) => {
    if (l.type === 'lstm' || l.type === 'gru') lastRecurrent = i;
  });
  let notStreamable: string | null = null;
  const hasPool = meta.layers.some((l) => l.type === 'pool');
  meta.layers.forEach((l, i) => {
    const afterRecurrent = i > lastRecurrent;
    switch (l.type) {
      case 'lstm':
      case 'gru': {
        const int8 = l.precision === 'int8';
        const dirs = directions(l);
        const step: RecurrentStep = {
          kind: 'recurrent',
          layer: l,
          cell: l.type,
          int8,
          op: l.type === 'lstm' ? (int8 ? OP_LSTM_S8 : OP_LSTM_F32) : int8 ? OP_GRU_S8 : OP_GRU_F32,
          inputSize: l.inputSize,
          hidden: l.hiddenSize,
          rows: gateRows(l),
          dirs,
          reverse: l.direction === 'reverse',
          linearBeforeReset: l.type === 'gru' ? l.linearBeforeReset : false,
          peepholes: l.type === 'lstm' && l.peepholes === true,
          xScale: int8 && l.inputQuant?.mode === 'static' ? (l.inputQuant.scale ?? 0) : 0,
          scheme: int8ActivationScheme(meta.formatVersion) === 'a7' ? QS_A7 : QS_A8,
          outWidth: dirs * l.hiddenSize,
        };
        if (l.direction !== 'forward') notStreamable ??= `layer "${l.name}" is ${l.direction}: it needs the whole sequence, so this model runs in window mode (run) only`;
        sequence.push(step);
        width = step.outWidth;
        maxSequenceWidth = Math.max(maxSequenceWidth, width);
        break;
      }
      case 'layernorm':
        // Per-step op: before an explicit pool it must run on every step (a mean would not commute);
        // with the implicit `last` pool it commutes, so it runs on the pooled rows only.
        (pool || (afterRecurrent && !hasPool) ? head : sequence).push({ kind: 'layernorm', name: l.name, size: l.size, epsilon: l.epsilon });
        break;
      case 'pool':
        pool = { mode: l.mode, implicit: false };
        if (l.mode === 'mean') notStreamable ??= `pool "${l.name}" is "mean" over the window: window mode (run) only`;
        break;
      case 'dense': {
        const int8 = l.precision === 'int8';
        // The first dense layer of a model with side features reads [pooled ++ features]: two ranges.
        const F = meta.input.features?.names.length ?? 0;
        const split = int8 && l.featureQuant ? l.inFeatures - F : l.inFeatures;
        head.push({
          kind: 'dense', name: l.name, inF: l.inFeatures, outF: l.outFeatures, activation: ACTIVATIONS[l.activation],
          int8, split, xScale: int8 ? (l.inputQuant?.scale ?? 0) : 0, tailScale: int8 ? (l.featureQuant?.scale ?? 0) : 0,
        });
        width = l.outFeatures;
        break;
      }
    }
  });
  const sequenceWidth = (sequence.filter((s) => s.kind === 'recurrent').at(-1) as RecurrentStep | undefined)?.outWidth;
  if (sequenceWidth === undefined) throw new WavegateError('E_MODEL_FORMAT', 'model has no recurrent layer');
  const features = meta.input.features?.names.length ?? 0;
  const headInputWidth = sequenceWidth + features;
  let maxHeadWidth = headInputWidth;
  for (const h of head) if (h.kind === 'dense') maxHeadWidth = Math.max(maxHeadWidth, h.outF);
  return {
    metadata: meta,
    a8Int8: sequence.some((s) => s.kind === 'recurrent' && s.int8 && s.scheme === QS_A8),
    channels: meta.input.channels,
    sequence,
    pool: pool ?? { mode: 'last', implicit: true },
    sequenceWidth,
    features,
    headInputWidth,
    head,
    outSize: meta.output.size,
    outActivation: meta.output.activation,
    maxSequenceWidth,
    maxHeadWidth,
    notStreamable,
    parameterCount: meta.layers.reduce((n, l) => n + layerParameterCount(l), 0),
    int8Scheme: int8ActivationScheme(meta.formatVersion) === 'a7' ? QS_A7 : QS_A8,
  };
}
