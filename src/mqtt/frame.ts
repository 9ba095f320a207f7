/**
 * Sample frames: what a device publishes on `wavegate/v1/<device>/<stream>/samples`, in either
 * of two encodings (docs/mqtt-topics.md): JSON for people and scripts (frame-json.ts), a compact
 * little-endian binary frame for devices (frame-binary.ts). Both decode to one {@link SampleFrame};
 * frame-decode.ts tells them apart by the first bytes.
 */
import { RejectError } from './errors.js';

/** Sequence numbers are unsigned 32-bit: after 4294967295 comes 0 (a wrap, not a restart). */
export const SEQ_MODULUS = 2 ** 32;

/** A decoded frame: `frames` time steps of `channels` samples, interleaved frames-major. */
export interface SampleFrame {
  /** Sequence number, an integer in [0, 2^32): +1 per frame (mod 2^32). */
  seq: number;
  /** Milliseconds since the Unix epoch of the frame's first sample. */
  t: number;
  /** Sample rate in Hz (> 0). */
  fs: number;
  /** Channels per time step (>= 1). */
  channels: number;
  /** Time steps in this frame (>= 1). */
  frames: number;
  /** [frames, channels] row-major, in the sensor's physical unit (binary int16 frames are scaled). */
  samples: Float32Array;
}

export interface FrameLimits {
  /** Largest payload accepted, in bytes. Default 256 KiB. */
  maxPayloadBytes: number;
  /** Most channels per frame. Default 64. */
  maxChannels: number;
}

export const DEFAULT_FRAME_LIMITS: Readonly<FrameLimits> = Object.freeze({
  maxPayloadBytes: 256 * 1024,
  maxChannels: 64,
});

/** Rejects a payload over the limit before any parsing is spent on it. */
export function checkPayloadSize(payload: Uint8Array, limits: FrameLimits): void {
  if (payload.length > limits.maxPayloadBytes) {
    throw new RejectError('E_FRAME_TOO_LARGE', `payload is ${payload.length} bytes, over the limit of ${limits.maxPayloadBytes}`);
  }
}

/** Checks the header fields both encodings share; `where` names the encoding in messages. */
export function checkHeader(seq: number, t: number, fs: number, where: string): void {
  if (!Number.isInteger(seq) || seq < 0 || seq >= SEQ_MODULUS) throw new RejectError('E_FRAME_FIELD', `${where}: seq must be an integer in [0, 2^32), got ${seq}`);
  if (!Number.isFinite(t) || t < 0) throw new RejectError('E_FRAME_FIELD', `${where}: t must be a finite number of ms since the epoch (>= 0), got ${t}`);
  if (!Number.isFinite(fs) || !(fs > 0) || fs > 1e7) throw new RejectError('E_FRAME_FIELD', `${where}: fs must be a sample rate in (0, 1e7] Hz, got ${fs}`);
}
