/**
 * Why the host refused a frame or dropped a window: one code per condition, published as the
 * `code` of an errors-topic message (`wavegate/v1/_node/<node-id>/errors`) and counted per cause.
 * The codes are part of the wire interface (docs/mqtt-topics.md); never rename one.
 */
import { WavegateError } from '../errors.js';

export const REJECT_CODES = [
  'E_FRAME_MALFORMED', // neither a JSON frame nor a binary frame (garbage bytes, bad JSON, wrong magic)
  'E_FRAME_TRUNCATED', // binary frame shorter than its header says
  'E_FRAME_VERSION', // binary frame version this host does not read
  'E_FRAME_DTYPE', // binary dtype other than int16/float32
  'E_FRAME_FIELD', // a header field missing, of the wrong type or out of range (seq, t, fs, scale, unknown key)
  'E_FRAME_LENGTH', // no samples, ragged rows, too many channels, or bytes past the end a binary header gives
  'E_FRAME_NONFINITE', // a NaN or infinite sample (or one beyond float32's range)
  'E_FRAME_TOO_LARGE', // payload over maxPayloadBytes
  'E_FRAME_CHANNELS', // channel count differs from the model's
  'E_FRAME_RATE', // sample rate differs from the model's (or from the stream's first frame)
  'E_SEQ_DUPLICATE', // the sequence number of the previous frame again
  'E_SEQ_ORDER', // a sequence number older than the previous frame's (reordered delivery)
  'E_TOPIC', // a samples topic with an invalid device or stream name
  'E_NO_MODEL', // no configured model serves this device/stream
  'E_DEVICE_LIMIT', // a new device beyond maxDevices
  'E_STREAM_LIMIT', // a new stream of a device beyond maxStreamsPerDevice
  'E_DROPPED', // ready windows dropped because inference fell behind (the drop policy)
  'E_STREAM', // the stream's chain refused the samples (a bug or a model the host cannot run)
  'E_MODEL_UPDATE', // a model update refused (unsigned, tampered, not a .wgm, incompatible); `reason` says which
  'E_OUTBOX_FULL', // an alert refused by the outbox at its bound (outboxMaxAlerts / outboxMaxBytes); stored alerts are kept
  'E_OUTBOX_IO', // an alert the outbox could not store (a full disk, a read-only file system)
  'E_ALERT_REFUSED', // the broker refused an alert with an MQTT 5 reason code (e.g. not authorized); it is logged whole
] as const;

export type RejectCode = (typeof REJECT_CODES)[number];

/**
 * A refused frame. A WavegateError with code E_INPUT (bad input, as everywhere in wavegate) and
 * the precise wire `reason`.
 */
export class RejectError extends WavegateError {
  readonly reason: RejectCode;
  constructor(reason: RejectCode, message: string, options?: { cause?: unknown }) {
    super('E_INPUT', message, options);
    this.name = 'RejectError';
    this.reason = reason;
  }
}

export function isRejectError(e: unknown, reason?: RejectCode): e is RejectError {
  return e instanceof RejectError && (reason === undefined || e.reason === reason);
}
