/**
 * The integrity digest of a .wgm file.
 *
 *   wavegate.sha256 = lowercase hex SHA-256( UTF-8(metadata JSON string) ++ tensor data section )
 *
 * It covers the metadata text exactly as stored (no re-serialisation, so any JSON writer can
 * produce a valid file) and every tensor byte. The tensor table (names, dtypes, shapes, offsets)
 * is not hashed, yet it cannot be altered unseen: the validator derives every tensor's dtype and
 * shape from the metadata and requires the canonical layout (write.ts: F32, then I32, then F16, then I8,
 * each by name, contiguous), so the offsets too are a function of the hashed metadata.
 */
// Under Node, node:crypto (native, about 10x faster, and no cold JIT on a model's first load);
// elsewhere @noble/hashes (audited, pure JS, synchronous), since WebCrypto's digest is asynchronous
// and decodeWgm is not. process.getBuiltinModule (Node >= 20.16) reaches node:crypto without an
// import, so this module still bundles and loads in a browser. Both compute the same SHA-256
// (test/src/model/digest.test.ts).
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';

type CreateHash = (algorithm: 'sha256') => { update(data: Uint8Array): unknown; digest(encoding: 'hex'): string };

const nodeCreateHash: CreateHash | undefined = (() => {
  const get = typeof process !== 'undefined' ? (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
  return (get?.('node:crypto') as { createHash?: CreateHash } | undefined)?.createHash;
})();

/**
 * An incremental SHA-256 for data that comes in pieces (a large file, streamed); text is hashed
 * as UTF-8. node:crypto's where there is one, else @noble/hashes'; `engine` 'noble' forces the
 * pure-JS one (tests).
 */
export function sha256Hasher(engine: 'auto' | 'noble' = 'auto'): { update(piece: Uint8Array | string): void; hex(): string } {
  const utf8 = new TextEncoder();
  const bytes = (piece: Uint8Array | string) => (typeof piece === 'string' ? utf8.encode(piece) : piece);
  if (engine === 'auto' && nodeCreateHash) {
    const h = nodeCreateHash('sha256');
    return { update: (piece) => void h.update(bytes(piece)), hex: () => h.digest('hex') };
  }
  const h = sha256.create();
  return { update: (piece) => void h.update(bytes(piece)), hex: () => bytesToHex(h.digest()) };
}

/** Lowercase hex SHA-256 over the metadata text and the data section. */
export function wgmDigest(metadataJson: string, data: Uint8Array): string {
  const h = sha256Hasher();
  h.update(metadataJson);
  h.update(data);
  return h.hex();
}

/** SHA-256 of arbitrary bytes as lowercase hex (provenance: source model hashes). */
export function sha256Hex(bytes: Uint8Array): string {
  const h = sha256Hasher();
  h.update(bytes);
  return h.hex();
}
