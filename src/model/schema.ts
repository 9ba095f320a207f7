/**
 * The wavegate model (.wgm) metadata schema, version 4 (loaders also read versions 1 to 3).
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
 * Version 3 makes models self-describing (the signal contract): `input.raw`, `input.windowing`,
 * `input.features` (side features into the head), canonical preprocessing stages, per-class
 * detector thresholds and dataset provenance. Tensor layouts are those of version 2, plus the
 * optional LSTM peephole tensor `${name}.P` (LstmLayerSpec.peepholes).
 * Version 4 is the whole-model INT8 of `wavegate quantize` and relaxed SIMD:
 *   - INT8 recurrent layers compute with 7-bit activation codes in [-63, 63], h (and a GRU's r*h)
 *     quantized at a dynamic per-step scale instead of the fixed 1/127
 *     (src/model/tensors.ts int8ActivationScheme), which relaxed SIMD's 8-bit dot product computes
 *     exactly; their pre-summed biases are stored F16 (int8BiasDType);
 *   - dense layers may be `int8` (DenseLayerSpec.precision: I8 weights per row with F16 scales,
 *     static input scales).
 * Files of versions 1-3 keep their 8-bit activations, F32 biases, f32 heads and outputs.
 */
export const FORMAT_VERSION = 4;
/** The oldest version loaders still read (the versioning rule: every older version keeps loading). */
export const OLDEST_FORMAT_VERSION = 1;
/** The `format` field every wavegate model carries. */
export const FORMAT_NAME = 'wavegate-model';

/** Tensor element types stored in a .wgm file (safetensors spellings). */
/** F16 (IEEE binary16) appears from format version 2 for INT8 scale tensors, from version 4 also for INT8 recurrent biases; held as Uint16Array bit patterns. */
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
 * Activation quantization of an INT8 recurrent layer's input x. Codes lie in [-127, 127] in
 * format versions 1-3 and in [-63, 63] from version 4 (src/model/tensors.ts int8ActivationScheme).
 * The hidden state h lies in (-1, 1) by construction: versions 1-3 quantize it at the fixed scale
 * 1/127, version 4 at its own dynamic scale max|h| / 63 per step and stream.
 */
export interface ActivationQuant {
  /** `static`: calibrated scale below; `dynamic`: per step and per stream, scale = max|x| / qmax (127, or 63 from version 4). */
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
 * With `peepholes` (format version 3): `${name}.P` F32 [D, 3H], ONNX's P in its order i, o, f
 * (i' = sigmoid(... + P_i * c), f' likewise with the previous c, o' with the new c), F32 in
 * int8 layers too (the peephole products stay f32 like the cell state).
 * Clip, input_forget and non-default activations are refused by the importer.
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
  /** Version 3: peephole connections, weights in `${name}.P`. Absent means false. */
  peepholes?: boolean;
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

/**
 * y = act(x W^T + b): `${name}.W` [out, in] F32, `${name}.b` [out] F32 (ONNX Gemm with transB = 1).
 * Version 4, `precision: 'int8'`: `${name}.W` I8 [out, in] per-row symmetric with
 * `${name}.W.scale` F16 [out] (as recurrent weights), `${name}.b` F32; the input is quantized
 * with static scales (the kernel's denseS8): `inputQuant` for its columns, except that the first
 * dense layer of a model with side features quantizes its F feature columns with `featureQuant`.
 */
export interface DenseLayerSpec {
  type: 'dense';
  name: string;
  inFeatures: number;
  outFeatures: number;
  activation: DenseActivation;
  /** Version 4: weight precision; absent means `f32`. */
  precision?: LayerPrecision;
  /** `int8` only, mode `static`: the scale of the input columns (the pooled part for the first dense layer of a model with side features). */
  inputQuant?: ActivationQuant;
  /** `int8` first dense layer of a model with side features only, mode `static`: the scale of the F feature columns. */
  featureQuant?: ActivationQuant;
}

export type LayerSpec = LstmLayerSpec | GruLayerSpec | LayerNormSpec | PoolSpec | DenseLayerSpec;

/**
 * One preprocessing stage, applied by src/signal/pipeline.ts in list order before the model sees
 * samples. The stage kinds, their parameters (one key each) and the priming rule are defined once,
 * in src/model/stages.ts (the parser the loader calls: strict from format version 3, legacy keys
 * of versions 1 and 2 mapped) and docs/signals.md.
 */
export interface PreprocessingStage {
  /** Stage kind, e.g. `bandpass`, `decimate`, `normalize`; parameters are stage specific. */
  kind: string;
  [param: string]: unknown;
}

/** What the sensor delivers, before any preprocessing (format version 3). */
export interface RawInputSpec {
  /** Sample rate in Hz of the raw stream the preprocessing chain takes (a rate stage may accept others). */
  sampleRate: number;
  /** Physical unit of the raw samples, e.g. "mV" (ECG) or "g" (accelerometers). */
  units: string;
  /** Names of the raw channels (leads, sensors) the model reads, in channel order, e.g. ["MLII"] or ["DE"]. */
  channels: string[];
}

/** QRS detector settings of a beat-triggered model: src/signal/qrs.ts options other than `fs`. */
export interface QrsSettings {
  /** The detector; only the project's streaming Pan-Tompkins/Hamilton-Tompkins detector exists. */
  detector: 'pan-tompkins';
  [option: string]: unknown;
}

/**
 * How the device cuts the preprocessed stream into the model's input (format version 3):
 * - `fixed`: windows of `window` samples every `hop` samples (both at the model rate);
 * - `beat`: one window per detected R peak, `before` samples before it and `after` from it on
 *   (window = before + after), the QRS detector running on the preprocessed signal;
 * - `stream`: no windows; the recurrent state is carried across chunks (Session.push).
 */
export type WindowingSpec =
  | { mode: 'fixed'; window: number; hop: number }
  | { mode: 'beat'; before: number; after: number; qrs: QrsSettings }
  | { mode: 'stream' };

/**
 * Per-window side features that enter the head beside the recurrent output (format version 3):
 * the first dense layer takes [pooled recurrent output ++ features], as PyTorch's
 * `torch.cat([h_last, f], dim=1)` followed by `nn.Linear` (ONNX Concat + Gemm).
 * Kinds: `rr`, RR-interval features of beat models, computed on the device's own QRS detections
 * by src/signal/rr-features.ts (names and definitions there and in docs/signals.md); `external`,
 * features the caller supplies with each window (Session.run's `features`, an .npz `features`
 * array), e.g. an ONNX model imported without a dataset that says what they are.
 */
export interface FeatureSpec {
  kind: 'rr' | 'external';
  /** Feature names in vector order; the vector has names.length entries. */
  names: string[];
  /** `rr` only: beats in the local RR mean. */
  localBeats?: number;
  /** Applied after computing: f' = (f - mean) / std, one value per feature. */
  normalize?: { mean: number[]; std: number[] };
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
  /** Version 3: the raw input (rate, units, channel names). */
  raw?: RawInputSpec;
  /** Version 3: how windows are cut (fixed, beat-triggered, or streaming). */
  windowing?: WindowingSpec;
  /** Version 3: side features into the head. */
  features?: FeatureSpec;
}

export interface OutputSpec {
  /** Final activation the runtime applies to the head output. */
  activation: 'softmax' | 'sigmoid' | 'none';
  /** Output vector length. */
  size: number;
}

export interface DetectorDefaults {
  /** Version 3: per-class score thresholds in [0, 1], by label; a class not listed never alerts. */
  thresholds?: Record<string, number>;
  /** Score threshold in [0, 1] for every non-normal class without its own entry in `thresholds`. */
  threshold?: number;
  /** Classes that count as "normal"; anything else may alert. */
  normalLabels?: string[];
  /** Positive windows needed to raise an alert (k of the last `window`). */
  minDuration?: number;
  /** Version 3: windows over which `minDuration` positives are counted (the n of k-of-n). Default minDuration. */
  window?: number;
  /** Consecutive negative windows needed to clear it. */
  hysteresis?: number;
  /** Version 3: seconds after an episode ends before the same class may alert again. */
  cooldown?: number;
}

/** Version 3: the dataset a model was trained or calibrated on. */
export interface DatasetProvenance {
  /** SHA-256 of the dataset file. */
  sha256: string;
  /** Split name, e.g. DS1, train. */
  split: string;
  /** Source kind: mitdb, cwru, synthetic. */
  source?: string;
  /** The dataset file's name. */
  file?: string;
  /** Recordings it was built from. */
  records?: string[];
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
  /** Version 3: the training dataset. */
  dataset?: DatasetProvenance;
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
