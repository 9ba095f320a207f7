/**
 * The JSON sample frame (docs/mqtt-topics.md):
 *
 *   {"seq": 17, "t": 1767225600000, "fs": 360, "samples": [0.01, 0.02, ...]}            one channel
 *   {"seq": 17, "t": 1767225600000, "fs": 250, "samples": [[x0, y0, z0], [x1, y1, z1]]}  frames-major
 *
 * Strict: exactly these four keys; seq an integer in [0, 2^32); t ms since the epoch of the first
 * sample; fs in Hz; samples a non-empty array of numbers, or of equally long non-empty number
 * arrays (one per time step). Values must be finite and within float32's range.
 */
import { RejectError } from './errors.js';
import { DEFAULT_FRAME_LIMITS, checkHeader, checkPayloadSize, type FrameLimits, type SampleFrame } from './frame.js';

const KEYS = ['seq', 't', 'fs', 'samples'] as const;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function finiteF32(v: unknown, at: string): number {
  if (typeof v !== 'number') throw new RejectError('E_FRAME_FIELD', `JSON frame: ${at} must be a number, got ${v === null ? 'null' : typeof v}`);
  // JSON has no NaN, but 1e999 parses to Infinity, and 1e39 is finite only until it becomes float32.
  if (!Number.isFinite(v) || !Number.isFinite(Math.fround(v))) throw new RejectError('E_FRAME_NONFINITE', `JSON frame: ${at} is ${v}, not a finite float32 value`);
  return v;
}

/** Decodes a UTF-8 JSON frame. @throws RejectError */
export function decodeJsonFrame(payload: Uint8Array, limits: FrameLimits = DEFAULT_FRAME_LIMITS): SampleFrame {
  checkPayloadSize(payload, limits);
  let root: unknown;
  try {
    root = JSON.parse(utf8.decode(payload));
  } catch (e) {
    throw new RejectError('E_FRAME_MALFORMED', `JSON frame: not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) throw new RejectError('E_FRAME_MALFORMED', 'JSON frame: expected an object {"seq", "t", "fs", "samples"}');
  const o = root as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(KEYS as readonly string[]).includes(k)) throw new RejectError('E_FRAME_FIELD', `JSON frame: unknown key ${JSON.stringify(k.slice(0, 40))} (expected seq, t, fs, samples)`);
  }
  for (const k of KEYS) if (!(k in o)) throw new RejectError('E_FRAME_FIELD', `JSON frame: missing "${k}"`);
  for (const k of ['seq', 't', 'fs'] as const) {
    if (typeof o[k] !== 'number') throw new RejectError('E_FRAME_FIELD', `JSON frame: ${k} must be a number, got ${o[k] === null ? 'null' : typeof o[k]}`);
  }
  const seq = o.seq as number, t = o.t as number, fs = o.fs as number;
  checkHeader(seq, t, fs, 'JSON frame');
  const rows = o.samples;
  if (!Array.isArray(rows)) throw new RejectError('E_FRAME_FIELD', `JSON frame: samples must be an array, got ${rows === null ? 'null' : typeof rows}`);
  if (rows.length === 0) throw new RejectError('E_FRAME_LENGTH', 'JSON frame: samples is empty');
  if (!Array.isArray(rows[0])) {
    const samples = new Float32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      if (Array.isArray(rows[i])) throw new RejectError('E_FRAME_LENGTH', `JSON frame: samples[${i}] is an array but samples[0] is not (mixed one-channel and frames-major forms)`);
      samples[i] = finiteF32(rows[i], `samples[${i}]`);
    }
    return { seq, t, fs, channels: 1, frames: rows.length, samples };
  }
  const channels = (rows[0] as unknown[]).length;
  if (channels === 0) throw new RejectError('E_FRAME_LENGTH', 'JSON frame: samples[0] is an empty frame');
  if (channels > limits.maxChannels) throw new RejectError('E_FRAME_LENGTH', `JSON frame: ${channels} channels, over the limit of ${limits.maxChannels}`);
  const samples = new Float32Array(rows.length * channels);
  for (let f = 0; f < rows.length; f++) {
    const row = rows[f];
    if (!Array.isArray(row)) throw new RejectError('E_FRAME_LENGTH', `JSON frame: samples[${f}] is not an array but samples[0] is (mixed one-channel and frames-major forms)`);
    if (row.length !== channels) throw new RejectError('E_FRAME_LENGTH', `JSON frame: samples[${f}] has ${row.length} values, samples[0] has ${channels} (every frame holds one value per channel)`);
    for (let c = 0; c < channels; c++) samples[f * channels + c] = finiteF32(row[c], `samples[${f}][${c}]`);
  }
  return { seq, t, fs, channels, frames: rows.length, samples };
}

/** The frame as JSON text: one channel as a flat array, several frames-major. */
export function encodeJsonFrame(frame: Omit<SampleFrame, 'frames'>): string {
  const { seq, t, fs, channels, samples } = frame;
  let body: number[] | number[][];
  if (channels === 1) body = Array.from(samples);
  else {
    const frames = samples.length / channels;
    body = Array.from({ length: frames }, (_, f) => Array.from(samples.subarray(f * channels, (f + 1) * channels)));
  }
  return JSON.stringify({ seq, t, fs, samples: body });
}
