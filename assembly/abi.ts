/**
 * ABI constants shared by both builds. Mirrored by src/runtime/abi.ts; docs/kernel-abi.md is the
 * single source of truth.
 */

/** Bumped on any incompatible change of an export's signature or meaning. */
export const ABI_VERSION: i32 = 2;

/** Op codes for scratchBytes(op, ...). */
export const OP_LSTM_F32: i32 = 0;
export const OP_GRU_F32: i32 = 1;
export const OP_LSTM_S8: i32 = 2;
export const OP_GRU_S8: i32 = 3;

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
