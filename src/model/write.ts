/**
 * Writes .wgm files (safetensors layout, see layout.ts and docs/model-format.md).
 *
 * Output is deterministic: same model in, same bytes out (sorted keys, canonical tensor order,
 * digest computed over the exact metadata text written). The model is validated first with
 * the loader's own rules, so this code never produces a file the loader would refuse.
 */
import type { WgmModel } from './schema.js';
import { DTYPES } from './formats.js';
import { wgmDigest } from './digest.js';
import { WavegateError } from '../errors.js';
import { canonicalLayout, HEADER_ALIGN, METADATA_KEY, META_SHA256, META_SIGNATURE, META_WAVEGATE, PREFIX_BYTES, stableStringify } from './layout.js';
import { decodeWgm, type DecodeOptions } from './load.js';
import { signDigest, type PrivateKeyInput } from './sign.js';
import { validateModel } from './validate.js';
import { assertKnownOptions } from '../options-check.js';

const ENCODE_OPTIONS = ['source', 'extraMetadata', 'signingKey'] as const;

export interface EncodeOptions {
  /** Label used in error messages (default: "model"). */
  source?: string;
  /**
   * Extra `__metadata__` entries (string -> string), e.g. a signature added later. Keys starting
   * with `wavegate` other than `wavegate.signature` are reserved. Default: none.
   */
  extraMetadata?: Record<string, string>;
  /** Ed25519 private key: adds `wavegate.signature` over the digest (see sign.ts). Default: unsigned. */
  signingKey?: PrivateKeyInput;
}

/** Encodes a model to .wgm bytes after validating it. */
export function encodeWgm(model: WgmModel, opts: EncodeOptions = {}): Uint8Array {
  assertKnownOptions(opts, ENCODE_OPTIONS, 'encode options');
  validateModel(model, { source: opts.source ?? 'model' });
  const layout = canonicalLayout([...model.tensors].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape })));
  const dataBytes = layout.length === 0 ? 0 : layout[layout.length - 1].end;
  const data = new Uint8Array(dataBytes);
  for (const e of layout) {
    const t = model.tensors.get(e.name)!;
    // Typed arrays are little-endian on every host Node and browsers ship for (checked in load.ts).
    data.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length * DTYPES[t.dtype].bytes), e.begin);
  }

  const metadataJson = stableStringify(model.metadata);
  const meta: Record<string, string> = { ...(opts.extraMetadata ?? {}) };
  for (const k of Object.keys(meta)) {
    if (k === META_WAVEGATE || k === META_SHA256 || typeof meta[k] !== 'string') {
      throw new WavegateError('E_ARGUMENT', `extraMetadata["${k}"]: reserved key or not a string`);
    }
  }
  meta[META_WAVEGATE] = metadataJson;
  meta[META_SHA256] = wgmDigest(metadataJson, data);
  if (opts.signingKey !== undefined) meta[META_SIGNATURE] = signDigest(meta[META_SHA256], opts.signingKey);

  const header: Record<string, unknown> = { [METADATA_KEY]: meta };
  for (const e of layout) header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [e.begin, e.end] };
  // Keys in canonical order: __metadata__ first, then tensors in data order (JSON keeps insertion order).
  const json = new TextEncoder().encode(JSON.stringify(header, (k, v) => (k === METADATA_KEY ? sortKeys(v) : v)));
  const headerBytes = new Uint8Array(Math.ceil(json.length / HEADER_ALIGN) * HEADER_ALIGN).fill(0x20); // space padding
  headerBytes.set(json);

  const out = new Uint8Array(PREFIX_BYTES + headerBytes.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, PREFIX_BYTES);
  out.set(data, PREFIX_BYTES + headerBytes.length);
  return out;
}

function sortKeys(v: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(v).sort()) out[k] = v[k];
  return out;
}

/** Encodes and writes a model to `path`. */
export async function writeWgm(path: string, model: WgmModel, opts: EncodeOptions = {}): Promise<void> {
  const { writeFile } = await import('node:fs/promises'); // lazily: encodeWgm must load in a browser
  await writeFile(path, encodeWgm(model, { source: path, ...opts }));
}

/**
 * Returns `bytes` re-encoded with a `wavegate.signature`. The file is fully validated first;
 * the metadata text is re-serialised canonically, so the digest is recomputed and signed.
 */
export function signWgm(bytes: Uint8Array, signingKey: PrivateKeyInput, opts: DecodeOptions = {}): Uint8Array {
  const model = decodeWgm(bytes, opts);
  return encodeWgm({ metadata: model.metadata, tensors: model.tensors }, { source: opts.source, signingKey });
}
