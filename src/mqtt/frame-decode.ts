/** One entry for both sample-frame encodings: the first bytes say which decoder runs. */
import { RejectError } from './errors.js';
import { BINARY_MAGIC, decodeBinaryFrame } from './frame-binary.js';
import { DEFAULT_FRAME_LIMITS, checkPayloadSize, type FrameLimits, type SampleFrame } from './frame.js';
import { decodeJsonFrame } from './frame-json.js';

/**
 * Decodes a payload in either encoding: binary when it opens with the magic bytes "WGSF",
 * JSON when its first non-blank byte is `{`; anything else is E_FRAME_MALFORMED.
 * @throws RejectError with the condition's code
 */
export function decodeFrame(payload: Uint8Array, limits: FrameLimits = DEFAULT_FRAME_LIMITS): SampleFrame {
  checkPayloadSize(payload, limits);
  if (payload.length >= BINARY_MAGIC.length && BINARY_MAGIC.every((b, i) => payload[i] === b)) return decodeBinaryFrame(payload, limits);
  let i = 0;
  while (i < payload.length && (payload[i] === 0x20 || payload[i] === 0x09 || payload[i] === 0x0a || payload[i] === 0x0d)) i++;
  if (payload[i] === 0x7b) return decodeJsonFrame(payload, limits);
  throw new RejectError('E_FRAME_MALFORMED', `payload of ${payload.length} bytes is neither a JSON frame (an object) nor a binary frame (magic "WGSF")`);
}
