/**
 * The wavegate model (.wgm) metadata schema, version 2 (loaders also read version 1).
 *
 * A .wgm file is a safetensors file (see docs/model-format.md):
 *
 *   u64 little-endian N | N bytes of JSON header (space padded to a multiple of 8) | tensor data
 *
 * The JSON header maps tensor names to `{dtype, shape, data_offsets}` and carries
 * `__metadata__` (a string -> string map, as safetensors requires) with two keys:
 *   - `wavegate`        : the JSON text of a {@link WgmMetadata} object
 *   - `wavegate.sha256` : lowercase hex SHA-256 of (UTF-8 bytes of the `wavegate` string ++ tensor data)
 *
 * Every tensor a layer names must exist with exactly the dtype and shape the layer implies;
 * the loader (src/model/load.ts) checks all of it before any byte reaches the kernel.
 *
 * Conventions follow ONNX: LSTM gate order i, o, f, c; GRU gate order z, r, h.
 */

/**
 * Current metadata version written by this code. Loaders accept `formatVersion <= FORMAT_VERSION`.
 * Version 2 changed INT8 recurrent layers only: F16 scales and biases pre-summed as the cell
 * uses them (src/model/tensors.ts has both layouts; docs/model-format.md "Version history").
 */
export const FORMAT_VERSION = 2;
/** The oldest version loaders still read (the versioning rule: every older version keeps loading). */
export const OLDEST_FORMAT_VERSION = 1;
/** The `format` field every wavegate model carries. */
export const FORMAT_NAME = 'wavegate-model';

/** Tensor element types stored in a .wgm file (safetensors spellings). */
/** F16 (IEEE binary16) appears from format version 2, for INT8 scale tensors only; held as Uint16Array bit patterns. */
export type TensorDType = 'F32' | 'I8' | 'I32' | 'F16';

/*
 * Quantization of INT8 weights (the formula as TFLite's TfLiteAffineQuantization states it):
 *
 *   real = scale[row] * q
 *
 * symmetric (zero point 0), one scale per output row. The scales are the tensors
 * `${name}.W.scale` / `${name}.R.scale` (F16 from version 2, F32 in version 1; the digest covers
 * them); docs/model-format.md.
 */

/** Weight precision of a layer. `int8`: weights I8 per-row symmetric, activations int8 (static or dynamic scale). */
export type LayerPrecision = 'f32' | 'int8';

/**
 * Activation quantization of an INT8 recurrent layer's input x.
 * The hidden state h lies in (-1, 1) by construction and always uses the fixed scale 1/127.
 */
export interface ActivationQuant {
  /** `static`: calibrated scale below; `dynamic`: per step and per stream, scale = max|x| / 127. */
  mode: 'static' | 'dynamic';
  /** real = scale * q, used when mode is `static`. */
  scale?: number;
  /** Where the static scale came from (calibration set id, percentile). Informational. */
  calibration?: string;
}

export type Direction = 'forward' | 'reverse' | 'bidirectional';

/**
 * ONNX LSTM, one layer (uni- or bidirectional). Tensors, for D = 1 or 2 directions:
 *   `${name}.W`  [D, 4H, I]   input weights, gate order i, o, f, c
 *   `${name}.R`  [D, 4H, H]   recurrent weights
 *   `${name}.B`  [D, 8H]      Wb ++ Rb, as ONNX (f32 layers, and int8 layers of version 1)
 * For `int8` layers W and R are I8 with `${name}.W.scale` [D, 4H], `${name}.R.scale` [D, 4H]:
 * version 2 stores the scales F16 and `${name}.B` F32 [D, 4H] = Wb + Rb (pre-summed);
 * version 1 stored the scales F32 and B as above.
 * Peepholes, clip and non-default activations are refused by the importer.
 */
export interface LstmLayerSpec {
  type: 'lstm';
  name: string;
  inputSize: number;
  hiddenSize: number;
  direction: Direction;
  precision: LayerPrecision;
  /** Only for `int8`. */
  inputQuant?: ActivationQuant;
}

/**
 * ONNX GRU, one layer. Tensors as for LSTM with 3H rows, gate order z, r, h:
 *   `${name}.W` [D, 3H, I], `${name}.R` [D, 3H, H], `${name}.B` [D, 6H] (Wb ++ Rb).
 * Version 2 int8 layers pre-sum B: [D, 3H] = Wb + Rb when linearBeforeReset is false; when true
 * [D, 4H] = [Wb_z + Rb_z, Wb_r + Rb_r, Wb_h, Rb_h] (Rb_h sits inside r * (...), so it stays apart).
 */
export interface GruLayerSpec {
  type: 'gru';
  name: string;
  inputSize: number;
  hiddenSize: number;
  direction: Direction;
  /** ONNX `linear_before_reset`; PyTorch exports 1 (true). */
  linearBeforeReset: boolean;
  precision: LayerPrecision;
  inputQuant?: ActivationQuant;
}

/** Layer normalisation over the feature axis of every time step: `${name}.gamma` [size], `${name}.beta` [size]. */
export interface LayerNormSpec {
  type: 'layernorm';
  name: string;
  size: number;
  epsilon: number;
}

/**
 * Selects what the recurrent stack hands to the head, for window mode.
 * `last`: the output sequence at the last time step, Y[T-1] (forward and backward halves at T-1).
 * `final_state`: ONNX Y_h, the final hidden state of each direction concatenated
 *   (forward at T-1, backward at t = 0). In streaming mode both mean "the current step".
 * `mean`: the mean of Y over time (window mode only).
 */
export type Pooling = 'last' | 'final_state' | 'mean';

/** Selects the time step(s) whose features enter the head. Placed once, between the recurrent stack and dense layers. */
export interface PoolSpec {
  type: 'pool';
  name: string;
  mode: Pooling;
}

export type DenseActivation = 'none' | 'relu' | 'tanh' | 'sigmoid';

/** y = act(x W^T + b): `${name}.W` [out, in] F32, `${name}.b` [out] F32 (ONNX Gemm with transB = 1). */
export interface DenseLayerSpec {
  type: 'dense';
  name: string;
  inFeatures: number;
  outFeatures: number;
  activation: DenseActivation;
}

export type LayerSpec = LstmLayerSpec | GruLayerSpec | LayerNormSpec | PoolSpec | DenseLayerSpec;

/** One preprocessing stage, applied by src/signal in this order before the model sees samples. */
export interface PreprocessingStage {
  /** Stage kind, e.g. `bandpass`, `resample`, `normalize`; parameters are stage specific. */
  kind: string;
  [param: string]: unknown;
}

export interface InputSpec {
  /** Channels per time step (the model's I of the first layer). */
  channels: number;
  /** Sample rate in Hz the model expects after preprocessing (resampling included). */
  sampleRate?: number;
  /** Window length in samples for window mode; absent for streaming-only models. */
  window?: number;
  /** Hop between consecutive windows in samples. */
  hop?: number;
  /** Names of the channels, e.g. ["MLII"]. */
  channelNames?: string[];
  preprocessing?: PreprocessingStage[];
}

export interface OutputSpec {
  /** Final activation the runtime applies to the head output. */
  activation: 'softmax' | 'sigmoid' | 'none';
  /** Output vector length. */
  size: number;
}

export interface DetectorDefaults {
  /** Class index or label the detector alerts on, with a score threshold in [0, 1]. */
  threshold?: number;
  /** Classes that count as "normal"; anything else may alert. */
  normalLabels?: string[];
  /** Consecutive positive windows needed to raise an alert. */
  minDuration?: number;
  /** Consecutive negative windows needed to clear it. */
  hysteresis?: number;
}

export interface Provenance {
  /** SHA-256 of the source model file (e.g. the ONNX file imported). */
  sourceSha256?: string;
  sourceFile?: string;
  /** Tool and version that wrote this file, e.g. "wavegate 0.1.0 import". */
  producer?: string;
  createdAt?: string;
  calibrationSet?: string;
  datasetSplit?: string;
  /** Measured figures, e.g. {"top1Agreement": 0.998}. */
  metrics?: Record<string, number>;
  [key: string]: unknown;
}

/** The `wavegate` metadata object of a .wgm file. */
export interface WgmMetadata {
  format: typeof FORMAT_NAME;
  formatVersion: number;
  name?: string;
  description?: string;
  input: InputSpec;
  /** Executed in order. Recurrent layers first, then at most one pool, then layernorm/dense. */
  layers: LayerSpec[];
  output: OutputSpec;
  labels?: string[];
  detector?: DetectorDefaults;
  provenance?: Provenance;
}

/** A tensor held in memory. `data` is a typed array of the dtype; shape is row-major. */
export interface Tensor {
  dtype: TensorDType;
  shape: number[];
  /** F16 tensors hold raw binary16 bit patterns (src/model/f16.ts converts them). */
  data: Float32Array | Int8Array | Int32Array | Uint16Array;
}

/** A model in memory: metadata plus named tensors. What the loader returns and the writer takes. */
export interface WgmModel {
  metadata: WgmMetadata;
  tensors: Map<string, Tensor>;
}
