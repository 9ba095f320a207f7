/**
 * ABI constants shared by both builds. Mirrored by src/runtime/abi.ts; docs/kernel-abi.md is the
 * single source of truth.
 */

/** Bumped on any incompatible change of an export's signature or meaning. */
export const ABI_VERSION: i32 = 3;

/** Op codes for scratchBytes(op, ...). */
export const OP_LSTM_F32: i32 = 0;
export const OP_GRU_F32: i32 = 1;
export const OP_LSTM_S8: i32 = 2;
export const OP_GRU_S8: i32 = 3;
/** denseS8: the INT8 dense layer (scratch for one row's activation codes). */
export const OP_DENSE_S8: i32 = 4;

/** LSTM gate blocks in the weight rows (ONNX order i, o, f, c): rows [g*H, (g+1)*H). */
export const LSTM_GATE_I: i32 = 0;
export const LSTM_GATE_O: i32 = 1;
export const LSTM_GATE_F: i32 = 2;
export const LSTM_GATE_C: i32 = 3;
export const LSTM_GATES: i32 = 4;

/** GRU gate blocks (ONNX order z, r, h). */
export const GRU_GATE_Z: i32 = 0;
export const GRU_GATE_R: i32 = 1;
export const GRU_GATE_H: i32 = 2;
export const GRU_GATES: i32 = 3;

/** denseF32 activation codes. */
export const ACT_NONE: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_TANH: i32 = 2;
export const ACT_SIGMOID: i32 = 3;

/**
 * INT8 activation schemes (the `scheme` argument of lstmS8/gruS8, docs/kernel-abi.md):
 *   QS_A8: x in [-127, 127] (static scale or dynamic max|x| / 127), h at the fixed scale 1/127
 *          (ABI 2 and model format versions 1-3);
 *   QS_A7: x and h in [-63, 63], each with its own scale: x static or dynamic max|x| / 63, h (and
 *          GRU's r*h) dynamic per step and stream, max|h| / 63 (model format version 4).
 * A7 codes plus 64 lie in 1..127, the deterministic subset of relaxed SIMD's 8-bit dot product.
 */
export const QS_A8: i32 = 0;
export const QS_A7: i32 = 1;
