/**
 * The MQTT host as a library (Node only: it opens sockets; not part of the browser bundle,
 * src/index.ts). docs/mqtt-topics.md is the wire contract.
 */
export { WavegateHost, type Alert, type ErrorReport, type HostEvents, type HostHealth } from './host.js';
export { DEFAULT_OUTBOX_LIMITS, MemoryOutbox, OutboxError, type Outbox, type OutboxEntry, type OutboxLimits } from './outbox.js';
export { DiskOutbox, type OutboxRecovery } from './outbox-disk.js';
export { DEFAULT_HOST_OPTIONS, readHostConfig, resolveHostOptions, type GapPolicy, type HostOptions, type ModelConfig } from './options.js';
export type { HostStats } from './stats.js';
export type { Logger, LogLevel } from './log.js';
export { REJECT_CODES, RejectError, isRejectError, type RejectCode } from './errors.js';
export { DEFAULT_FRAME_LIMITS, SEQ_MODULUS, type FrameLimits, type SampleFrame } from './frame.js';
export { decodeFrame } from './frame-decode.js';
export { decodeJsonFrame, encodeJsonFrame } from './frame-json.js';
export { BINARY_DTYPES, BINARY_HEADER_BYTES, BINARY_MAGIC, BINARY_OFFSETS, BINARY_VERSION, decodeBinaryFrame, encodeBinaryFrame, type BinaryDType, type BinaryFrameInput } from './frame-binary.js';
export { SAMPLES_FILTER, TOPIC_ROOT, alertsTopic, errorsTopic, samplesTopic, statusTopic } from './topics.js';
export { startEmbeddedBroker, type EmbeddedBroker } from './broker.js';
