/**
 * wavegate library entry (`import ... from 'wavegate'`, and the esbuild bundles' root). Never imports
 * tools/; never imports a Node module at the top, so the same entry loads in a browser (the readers
 * that take a path need Node; the byte-level ones work anywhere). docs/library.md describes it.
 *
 *   const model = await loadModel('model.wgm');
 *   const session = await model.createSession({ maxBatch: 32 });
 *   const scores = session.run(windows, n);          // window mode, [n, T, C] -> [n, outSize]
 *   session.run(windows, n, { features });           // a model with side features: features [n, F]
 *   const last = session.push([0, 1], chunk);        // streaming, state kept per stream slot
 *   for await (const batch of scoreRecord(model, readRecord('mitdb/100'))) ...   // a raw record, the model's own chain
 */
export { WavegateError, isWavegateError, type WavegateErrorCode } from './errors.js';

// Model files: schema, load, write, validation.
export * from './model/schema.js';
export { decodeWgm, loadWgm, type DecodeOptions, type LoadedWgm } from './model/load.js';
export { encodeWgm, writeWgm, signWgm, type EncodeOptions } from './model/write.js';
export { validateModel, expectedTensors } from './model/validate.js';
export { DEFAULT_LIMITS, type ModelLimits } from './model/limits.js';
export { DTYPES, quantizeRowsS8, dequantizeRowsS8, roundHalfAway, type QuantizedRowsS8 } from './model/formats.js';
export { layerTensorSpecs, tensorName, type TensorSpec } from './model/tensors.js';
export { wgmDigest, sha256Hex } from './model/digest.js';

// Runtime: models and kernel sessions.
export { Model, loadModel, type InspectReport, type LayerReport, type LoadModelOptions } from './runtime/model.js';
export { Session, type PushOptions, type RunOptions } from './runtime/session.js';
export { DEFAULT_SESSION_OPTIONS, SESSION_OPTION_NAMES, type SessionOptions, type BackendChoice } from './runtime/options.js';
export { hasWasmSimd, hasRelaxedSimd, relaxedSupport, setKernelDir, setKernelLoader, type KernelLoader, type KernelBuild, type RelaxedSupport } from './runtime/backend.js';
export type { MemoryLayout } from './runtime/memory.js';

// Readers: raw recordings, window files, and the formats under them.
export { readRecord, recordFrames, recordFormatOf, type RawRecord, type RawChannel, type ReadRecordOptions, type RecordFormat } from './io/record.js';
export { readSamples, readSamplesFile, sampleFormatOf, type SampleWindows, type SampleFormat, type ReadSamplesOptions } from './io/samples.js';
export { readNpy, encodeNpy, type NpyArray, type NpyData, type NpyDtype } from './io/npy.js';
export { readNpz, encodeNpz, type NpzEntry, type NpzWriteOptions } from './io/npz.js';
export { readWfdbRecord, readWfdbHeader, readWfdbAnnotations, leadSignal, type WfdbRecord, type ReadWfdbOptions } from './io/wfdb-record.js';
export { parseWfdbHeader, findLead, type WfdbHeader, type WfdbSignalSpec } from './io/wfdb-header.js';
export { decodeWfdbSignals, toPhysical, type WfdbSignals } from './io/wfdb-signal.js';
export { parseMitAnnotations, type WfdbAnnotation } from './io/wfdb-annotations.js';
export { readMat5, requireMatVariable, type MatArray, type ReadMatOptions } from './io/mat5.js';

// The signal pipeline the device runs (stages, preprocessing, windows, QRS, beats and RR features).
export { parseStages, type Stage } from './model/stages.js';
export { createSignalChain, SignalChain, type ChainWindow, type SignalChainOptions } from './signal/chain.js';
export { buildPipeline, Pipeline } from './signal/pipeline.js';
export { WindowAssembler, type WindowAssemblerOptions, type AssembledWindow } from './signal/window-assembler.js';
export { QrsDetector, detectQrs, type QrsOptions } from './signal/qrs.js';
export { BeatStream, beatWindows, type Beat, type BeatStreamOptions } from './signal/beats.js';
export { rrFeatureRows, RrFeatureStream, DEFAULT_RR_FEATURES, type RrFeatureSpec } from './signal/rr-features.js';

// Offline scoring with a model's own pipeline (what `wavegate score` runs).
export { scoreRecord, modelChannels, topLabel, type ScoredWindow, type ScoreRecordOptions } from './scoring/score-record.js';
export { scoreWindows, type ScoredInputWindow, type ScoreWindowsOptions } from './scoring/score-windows.js';
