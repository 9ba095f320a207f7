/**
 * wavegate library entry (and the esbuild device bundle's root). Never imports tools/.
 *
 *   const model = await loadModel('model.wgm');
 *   const session = await model.createSession({ maxBatch: 32 });
 *   const scores = session.run(windows, n);          // window mode, [n, T, C] -> [n, outSize]
 *   session.run(windows, n, { features });           // a model with side features: features [n, F]
 *   const last = session.push([0, 1], chunk);        // streaming, state kept per stream slot
 */
export { WavegateError, isWavegateError, type WavegateErrorCode } from './errors.js';
export * from './model/schema.js';
export { decodeWgm, loadWgm, type DecodeOptions, type LoadedWgm } from './model/load.js';
export { encodeWgm, writeWgm, signWgm, type EncodeOptions } from './model/write.js';
export { validateModel, expectedTensors } from './model/validate.js';
export { DEFAULT_LIMITS, type ModelLimits } from './model/limits.js';
export { DTYPES, quantizeRowsS8, dequantizeRowsS8, roundHalfAway, type QuantizedRowsS8 } from './model/formats.js';
export { layerTensorSpecs, tensorName, type TensorSpec } from './model/tensors.js';
export { wgmDigest, sha256Hex } from './model/digest.js';
export { Model, loadModel, type InspectReport, type LayerReport, type LoadModelOptions } from './runtime/model.js';
export { Session, type PushOptions, type RunOptions } from './runtime/session.js';
export { DEFAULT_SESSION_OPTIONS, type SessionOptions, type BackendChoice } from './runtime/options.js';
export { hasWasmSimd, hasRelaxedSimd, relaxedSupport, setKernelDir, setKernelLoader, type KernelLoader, type KernelBuild, type RelaxedSupport } from './runtime/backend.js';
export type { MemoryLayout } from './runtime/memory.js';
