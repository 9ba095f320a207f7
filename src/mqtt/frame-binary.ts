/**
 * The binary sample frame, for devices: a fixed 32-byte little-endian header, then the samples
 * frames-major (time step by time step, the channels of one step together). Byte by byte (also
 * in docs/mqtt-topics.md):
 *
 *   offset size type     field
 *        0    4 u8[4]    magic "WGSF" (0x57 0x47 0x53 0x46)
 *        4    1 u8       version, 1
 *        5    1 u8       dtype: 1 = int16, 2 = float32
 *        6    2 u16      channels, >= 1
 *        8    4 u32      seq, +1 per frame, wraps from 2^32-1 to 0
 *       12    4 u32      frames (time steps in this frame), >= 1
 *       16    8 f64      t, ms since the Unix epoch of the first sample
 *       24    4 f32      fs, sample rate in Hz
 *       28    4 f32      scale: value = sample * scale (int16 counts to physical units; 1 for float32 data)
 *       32    n          samples: frames * channels values of dtype (2 or 4 bytes each)
 *
 * The payload is exactly 32 + frames * channels * size(dtype) bytes: shorter is truncated,
 * longer is refused too (a frame never carries trailing bytes).
 */
import { RejectError } from './errors.js';
import { DEFAULT_FRAME_LIMITS, checkHeader, checkPayloadSize, type FrameLimits, type SampleFrame } from './frame.js';

/** "WGSF": wavegate sample frame. */
export const BINARY_MAGIC: readonly number[] = [0x57, 0x47, 0x53, 0x46];
export const BINARY_VERSION = 1;
export const BINARY_HEADER_BYTES = 32;

/** dtype codes of byte 5, and their sample sizes in bytes. */
export const BINARY_DTYPES = { int16: { code: 1, bytes: 2 }, float32: { code: 2, bytes: 4 } } as const;
export type BinaryDType = keyof typeof BINARY_DTYPES;

/** Header field offsets (the table above). */
export const BINARY_OFFSETS = { magic: 0, version: 4, dtype: 5, channels: 6, seq: 8, frames: 12, t: 16, fs: 24, scale: 28, samples: 32 } as const;

/** Decodes a binary frame. @throws RejectError */
export function decodeBinaryFrame(payload: Uint8Array, limits: FrameLimits = DEFAULT_FRAME_LIMITS): SampleFrame {
  checkPayloadSize(payload, limits);
  if (payload.length < BINARY_HEADER_BYTES) throw new RejectError('E_FRAME_TRUNCATED', `binary frame: ${payload.length} bytes, shorter than the ${BINARY_HEADER_BYTES}-byte header`);
  if (!BINARY_MAGIC.every((b, i) => payload[i] === b)) throw new RejectError('E_FRAME_MALFORMED', 'binary frame: bytes 0-3 are not the magic "WGSF"');
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const O = BINARY_OFFSETS;
  const version = v.getUint8(O.version);
  if (version !== BINARY_VERSION) throw new RejectError('E_FRAME_VERSION', `binary frame: version ${version}, this host reads version ${BINARY_VERSION}`);
  const code = v.getUint8(O.dtype);
  const dtype = code === BINARY_DTYPES.int16.code ? 'int16' : code === BINARY_DTYPES.float32.code ? 'float32' : undefined;
  if (dtype === undefined) throw new RejectError('E_FRAME_DTYPE', `binary frame: dtype ${code} (byte 5) is neither 1 (int16) nor 2 (float32)`);
  const channels = v.getUint16(O.channels, true);
  if (channels < 1 || channels > limits.maxChannels) throw new RejectError('E_FRAME_LENGTH', `binary frame: channels ${channels}, expected 1..${limits.maxChannels}`);
  const seq = v.getUint32(O.seq, true);
  const frames = v.getUint32(O.frames, true);
  if (frames < 1) throw new RejectError('E_FRAME_LENGTH', 'binary frame: frames is 0 (a frame carries at least one time step)');
  const t = v.getFloat64(O.t, true);
  const fs = v.getFloat32(O.fs, true);
  checkHeader(seq, t, fs, 'binary frame');
  const scale = v.getFloat32(O.scale, true);
  if (!Number.isFinite(scale) || scale === 0 || !Number.isFinite(Math.fround(scale * 32768))) {
    throw new RejectError('E_FRAME_FIELD', `binary frame: scale must be a finite non-zero float32 (int16 counts times scale within float32 range), got ${scale}`);
  }
  const size = BINARY_DTYPES[dtype].bytes;
  const n = frames * channels;
  const expected = BINARY_HEADER_BYTES + n * size;
  if (payload.length < expected) throw new RejectError('E_FRAME_TRUNCATED', `binary frame: ${payload.length} bytes, the header announces ${frames} frames x ${channels} channels of ${dtype} = ${expected} bytes`);
  if (payload.length > expected) throw new RejectError('E_FRAME_LENGTH', `binary frame: ${payload.length} bytes, ${payload.length - expected} more than the ${expected} its header announces`);
  const samples = new Float32Array(n);
  if (dtype === 'int16') {
    for (let i = 0; i < n; i++) samples[i] = v.getInt16(O.samples + 2 * i, true) * scale;
  } else {
    for (let i = 0; i < n; i++) {
      samples[i] = v.getFloat32(O.samples + 4 * i, true) * scale;
      if (!Number.isFinite(samples[i])) throw new RejectError('E_FRAME_NONFINITE', `binary frame: sample ${i} (frame ${Math.floor(i / channels)}, channel ${i % channels}) is ${samples[i]}, not finite`);
    }
  }
  return { seq, t, fs, channels, frames, samples };
}

export interface BinaryFrameInput {
  seq: number;
  t: number;
  fs: number;
  channels: number;
  /** [frames, channels] row-major; int16 frames hold counts (integers in [-32768, 32767]). */
  samples: ArrayLike<number>;
  /** Default float32. */
  dtype?: BinaryDType;
  /** Default 1. */
  scale?: number;
}

/** Encodes a binary frame (the inverse of decodeBinaryFrame; int16 values are rounded and clamped). */
export function encodeBinaryFrame(f: BinaryFrameInput): Uint8Array {
  const dtype = f.dtype ?? 'float32';
  const { bytes, code } = BINARY_DTYPES[dtype];
  const n = f.samples.length;
  if (n % f.channels !== 0) throw new RejectError('E_FRAME_LENGTH', `encodeBinaryFrame: ${n} samples is not a multiple of ${f.channels} channels`);
  const out = new Uint8Array(BINARY_HEADER_BYTES + n * bytes);
  const v = new DataView(out.buffer);
  const O = BINARY_OFFSETS;
  BINARY_MAGIC.forEach((b, i) => v.setUint8(O.magic + i, b));
  v.setUint8(O.version, BINARY_VERSION);
  v.setUint8(O.dtype, code);
  v.setUint16(O.channels, f.channels, true);
  v.setUint32(O.seq, f.seq >>> 0, true);
  v.setUint32(O.frames, n / f.channels, true);
  v.setFloat64(O.t, f.t, true);
  v.setFloat32(O.fs, f.fs, true);
  v.setFloat32(O.scale, f.scale ?? 1, true);
  for (let i = 0; i < n; i++) {
    if (dtype === 'int16') v.setInt16(O.samples + 2 * i, Math.max(-32768, Math.min(32767, Math.round(f.samples[i]))), true);
    else v.setFloat32(O.samples + 4 * i, f.samples[i], true);
  }
  return out;
}
