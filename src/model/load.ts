/**
 * Loads .wgm files: framing (header.ts), digest, optional signature, metadata and tensors
 * (validate.ts). Nothing is handed out before all of it passed, so the kernel only ever sees
 * tensors whose dtype, shape and values match the metadata.
 */
import { WavegateError } from '../errors.js';
import type { Tensor, WgmModel } from './schema.js';
import { DTYPES } from './formats.js';
import { wgmDigest } from './digest.js';
import { parseHeader } from './header.js';
import { canonicalLayout, META_SHA256, META_SIGNATURE, META_WAVEGATE } from './layout.js';
import { DEFAULT_LIMITS, type ModelLimits } from './limits.js';
import { verifyDigestSignature, type PublicKeyInput } from './sign.js';
import { checkTensorHeader, checkTensorSet, checkTensorValues, expectedTensors } from './validate.js';
import { validateMetadata } from './validate-metadata.js';
import { assertKnownOptions } from '../options-check.js';

/** The keys of DecodeOptions, for the unknown-option check. */
export const DECODE_OPTIONS = ['source', 'limits', 'publicKey'] as const;

export interface DecodeOptions {
  /** File name or label for messages. Default "model". */
  source?: string;
  /** Size caps; `maxBytes` (default 256 MiB) bounds the whole file. */
  limits?: Partial<ModelLimits>;
  /**
   * Ed25519 public key (KeyObject, PEM text or raw 32 bytes). When given, the file must carry
   * `wavegate.signature` and it must verify over the digest; otherwise E_MODEL_DIGEST.
   * Default: none (signature, if present, is not checked).
   */
  publicKey?: PublicKeyInput;
}

/** A decoded model plus facts about the file it came from. */
export interface LoadedWgm extends WgmModel {
  /** The verified `wavegate.sha256` digest. */
  digest: string;
  /** True when a signature was present and verified against `publicKey`. */
  signatureVerified: boolean;
  /** Size of the file in bytes. */
  fileBytes: number;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Marker in the message of the safety net below; the fuzz tests fail when they see it. */
export const UNEXPECTED_MARKER = 'unexpected error while validating';

/** Decodes and fully validates .wgm bytes. Throws WavegateError on anything wrong. */
export function decodeWgm(bytes: Uint8Array, opts: DecodeOptions = {}): LoadedWgm {
  assertKnownOptions(opts, DECODE_OPTIONS, 'decode options');
  assertKnownOptions(opts.limits, Object.keys(DEFAULT_LIMITS), 'decode options: limits');
  const source = opts.source ?? 'model';
  try {
    return decodeChecked(bytes, opts, source);
  } catch (e) {
    if (e instanceof WavegateError) throw e;
    // Safety net: a hostile file must never surface as a RangeError/TypeError. Every rule above
    // should have caught it first; reaching here is a validator bug (and fails the fuzz tests).
    throw new WavegateError('E_MODEL_FORMAT', `${source}: ${UNEXPECTED_MARKER} (${(e as Error)?.name}: ${(e as Error)?.message}); please report this file`, { cause: e });
  }
}

function decodeChecked(bytes: Uint8Array, opts: DecodeOptions, source: string): LoadedWgm {
  const limits: ModelLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  if (!(bytes instanceof Uint8Array)) throw new WavegateError('E_ARGUMENT', `${source}: expected a Uint8Array of file bytes`);
  if (!LITTLE_ENDIAN) throw new WavegateError('E_MODEL_UNSUPPORTED', `${source}: big-endian hosts are not supported`);
  if (bytes.length > limits.maxBytes) throw new WavegateError('E_MODEL_FORMAT', `${source}: file is ${bytes.length} bytes; the limit is ${limits.maxBytes}`);

  const { metadata: strings, table, dataStart } = parseHeader(bytes, source, limits);
  const metaText = strings[META_WAVEGATE];
  if (metaText === undefined) throw new WavegateError('E_MODEL_FORMAT', `${source}: __metadata__ has no "${META_WAVEGATE}" entry (a safetensors file, but not a wavegate model)`);
  const stored = strings[META_SHA256];
  if (stored === undefined) throw new WavegateError('E_MODEL_DIGEST', `${source}: __metadata__ has no "${META_SHA256}" digest`);
  const data = bytes.subarray(dataStart);
  const digest = wgmDigest(metaText, data);
  if (stored !== digest) {
    throw new WavegateError('E_MODEL_DIGEST', `${source}: digest mismatch: file says ${stored.slice(0, 64)}, content hashes to ${digest} (corrupt or modified file)`);
  }
  let signatureVerified = false;
  if (opts.publicKey !== undefined) {
    verifyDigestSignature(digest, strings[META_SIGNATURE], opts.publicKey, source);
    signatureVerified = true;
  }

  let rawMeta: unknown;
  try {
    rawMeta = JSON.parse(metaText);
  } catch (e) {
    throw new WavegateError('E_MODEL_FORMAT', `${source}: __metadata__.${META_WAVEGATE} is not valid JSON (${(e as Error).message})`);
  }
  const metadata = validateMetadata(rawMeta, source, limits);
  const expected = expectedTensors(metadata, source);
  checkTensorSet(expected, table.map((t) => t.name), source);
  for (const t of table) checkTensorHeader(expected.get(t.name)!, t.dtype, t.shape, source);

  // The table must be the canonical layout, so the (unhashed) offsets follow from the hashed metadata.
  const canon = canonicalLayout(table);
  const byName = new Map(table.map((t) => [t.name, t]));
  for (const c of canon) {
    const t = byName.get(c.name)!;
    if (t.begin !== c.begin) {
      throw new WavegateError('E_MODEL_FORMAT', `${source}: tensor "${c.name}" starts at ${t.begin}, the canonical layout puts it at ${c.begin} (F32, I32, F16, then I8 tensors, each by name)`);
    }
  }

  const tensors = new Map<string, Tensor>();
  for (const c of canon) {
    const t = byName.get(c.name)!;
    const traits = DTYPES[t.dtype];
    // Copy: file bytes need not be aligned for a typed view, and the model must not pin the file buffer.
    // (Not bytes.slice: on a Node Buffer that is a view, not a copy.)
    const copy = new Uint8Array(t.end - t.begin);
    copy.set(bytes.subarray(dataStart + t.begin, dataStart + t.end));
    const tensor: Tensor = { dtype: t.dtype, shape: t.shape, data: new traits.ctor(copy.buffer, 0, copy.length / traits.bytes) };
    checkTensorValues(expected.get(t.name)!, tensor, source);
    tensors.set(t.name, tensor);
  }
  return { metadata, tensors, digest, signatureVerified, fileBytes: bytes.length };
}

/** Reads and decodes a .wgm file; the size cap is checked before reading. */
export async function loadWgm(path: string, opts: DecodeOptions = {}): Promise<LoadedWgm> {
  assertKnownOptions(opts, DECODE_OPTIONS, 'load options');
  assertKnownOptions(opts.limits, Object.keys(DEFAULT_LIMITS), 'load options: limits');
  // Imported here, not at the top: decodeWgm (bytes) must load where there is no node:fs (a browser).
  const { readFile, stat } = await import('node:fs/promises');
  const limits: ModelLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new WavegateError('E_NOT_FOUND', `${path}: not a model file (${st.isDirectory() ? 'a directory' : 'not a regular file'})`);
    size = st.size;
  } catch (e) {
    if (e instanceof WavegateError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WavegateError('E_NOT_FOUND', `${path}: model file not found`, { cause: e });
    throw new WavegateError('E_MODEL_FORMAT', `${path}: cannot read model file (${code ?? (e as Error).message})`, { cause: e });
  }
  if (size > limits.maxBytes) throw new WavegateError('E_MODEL_FORMAT', `${path}: file is ${size} bytes; the limit is ${limits.maxBytes}`);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new WavegateError('E_MODEL_FORMAT', `${path}: cannot read model file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  return decodeWgm(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { ...opts, source: opts.source ?? path });
}
