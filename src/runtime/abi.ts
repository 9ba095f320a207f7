/**
 * Host mirror of the kernel ABI (docs/kernel-abi.md; kernel side: assembly/abi.ts and
 * assembly/status.ts). test/src/runtime/abi.test.ts checks that both sides agree, reading the
 * kernel's source constants and its `abiVersion()` export.
 */

/** The kernel ABI version this host speaks; sessions refuse a kernel that reports another. */
export const ABI_VERSION = 3;

/** Op codes for `scratchBytes(op, inputSize, hiddenSize, batch)`. */
export const OP_LSTM_F32 = 0;
export const OP_GRU_F32 = 1;
export const OP_LSTM_S8 = 2;
export const OP_GRU_S8 = 3;
/** `scratchBytes(OP_DENSE_S8, inF, outF, batch)`: scratch of one `denseS8` call. */
export const OP_DENSE_S8 = 4;

/**
 * INT8 activation schemes, the `scheme` argument of lstmS8/gruS8 (assembly/abi.ts): QS_A8 =
 * 8-bit activations, h at the fixed scale 1/127 (model format versions 1-3); QS_A7 = 7-bit
 * activations, h (and GRU's r*h) at a dynamic per-step scale (format version 4).
 */
export const QS_A8 = 0;
export const QS_A7 = 1;

/** LSTM gate blocks in weight rows, ONNX order i, o, f, c: rows [g*H, (g+1)*H). */
export const LSTM_GATE_I = 0;
export const LSTM_GATE_O = 1;
export const LSTM_GATE_F = 2;
export const LSTM_GATE_C = 3;
export const LSTM_GATES = 4;

/** GRU gate blocks, ONNX order z, r, h. */
export const GRU_GATE_Z = 0;
export const GRU_GATE_R = 1;
export const GRU_GATE_H = 2;
export const GRU_GATES = 3;

/** `denseF32` activation codes. */
export const ACT_NONE = 0;
export const ACT_RELU = 1;
export const ACT_TANH = 2;
export const ACT_SIGMOID = 3;

/** Status codes every compute export returns. Non-zero means a host bug: the host validates first. */
export const STATUS_OK = 0;
export const STATUS_BAD_DIMS = 1;
export const STATUS_BAD_POINTER = 2;
export const STATUS_BAD_ARGUMENT = 3;

export const STATUS_NAMES: Readonly<Record<number, string>> = {
  [STATUS_OK]: 'OK',
  [STATUS_BAD_DIMS]: 'BAD_DIMS',
  [STATUS_BAD_POINTER]: 'BAD_POINTER',
  [STATUS_BAD_ARGUMENT]: 'BAD_ARGUMENT',
};

/** Pointers handed to the kernel are 16-byte aligned byte offsets into its memory. */
export const KERNEL_ALIGN = 16;

/**
 * The kernel's exports as the host calls them (docs/kernel-abi.md). Pointers are byte offsets
 * (numbers; the kernel is wasm32). Every compute export returns a status.
 */
export interface KernelExports {
  memory: WebAssembly.Memory;
  abiVersion(): number;
  simdEnabled(): number;
  relaxedEnabled(): number;
  selfTest(): number;
  setRelaxedDotForm(form: number): number;
  reserve(bytes: number): number;
  packedBytesF32(rows: number, cols: number): number;
  packWeightsF32(src: number, rows: number, cols: number, dst: number): number;
  packedBytesS8(rows: number, cols: number): number;
  packWeightsS8(src: number, rows: number, cols: number, dst: number): number;
  scratchBytes(op: number, inputSize: number, hiddenSize: number, batch: number): number;
  lstmF32(W: number, R: number, B: number, P: number, I: number, H: number, batch: number, T: number, x: number, xStride: number, y: number, yStride: number, h: number, c: number, slots: number, scratch: number, reverse: number): number;
  gruF32(W: number, R: number, Wb: number, Rb: number, I: number, H: number, batch: number, T: number, x: number, xStride: number, y: number, yStride: number, h: number, slots: number, scratch: number, linearBeforeReset: number, reverse: number): number;
  lstmS8(Wq: number, Ws: number, Rq: number, Rs: number, B: number, P: number, I: number, H: number, batch: number, T: number, x: number, xStride: number, y: number, yStride: number, h: number, c: number, slots: number, scratch: number, xScale: number, scheme: number, reverse: number): number;
  gruS8(Wq: number, Ws: number, Rq: number, Rs: number, Wb: number, Rb: number, I: number, H: number, batch: number, T: number, x: number, xStride: number, y: number, yStride: number, h: number, slots: number, scratch: number, xScale: number, scheme: number, linearBeforeReset: number, reverse: number): number;
  denseF32(W: number, b: number, inF: number, outF: number, batch: number, x: number, xStride: number, y: number, yStride: number, activation: number): number;
  denseS8(Wq: number, Ws: number, b: number, inF: number, outF: number, batch: number, x: number, xStride: number, y: number, yStride: number, activation: number, scratch: number, split: number, xScale: number, tailScale: number, scheme: number): number;
  softmaxF32(x: number, n: number, rows: number, stride: number): number;
  sigmoidF32(x: number, n: number, rows: number, stride: number): number;
  layerNormF32(x: number, n: number, rows: number, stride: number, gamma: number, beta: number, epsilon: number): number;
}

/** Exports a kernel must have for the host to use it (checked at instantiation). */
export const REQUIRED_EXPORTS: readonly (keyof KernelExports)[] = [
  'memory', 'abiVersion', 'simdEnabled', 'relaxedEnabled', 'selfTest', 'setRelaxedDotForm', 'reserve', 'packedBytesF32', 'packWeightsF32', 'packedBytesS8', 'packWeightsS8',
  'scratchBytes', 'lstmF32', 'gruF32', 'lstmS8', 'gruS8', 'denseF32', 'softmaxF32', 'sigmoidF32', 'layerNormF32',
  'denseS8',
];
