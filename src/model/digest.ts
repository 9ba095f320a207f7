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
// @noble/hashes (audited, pure JS, synchronous) rather than node:crypto, so that loading a model
// works in a browser too, where WebCrypto's digest is asynchronous and decodeWgm is not.
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';

/** Lowercase hex SHA-256 over the metadata text and the data section. */
export function wgmDigest(metadataJson: string, data: Uint8Array): string {
  return bytesToHex(sha256.create().update(new TextEncoder().encode(metadataJson)).update(data).digest());
}

/** SHA-256 of arbitrary bytes as lowercase hex (provenance: source model hashes). */
export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/** Incremental SHA-256 (large files read in chunks): update with bytes or UTF-8 text, then hex once. */
export function sha256Hasher(): { update(data: Uint8Array | string): void; hex(): string } {
  const h = sha256.create();
  return {
    update: (data) => void h.update(typeof data === 'string' ? new TextEncoder().encode(data) : data),
    hex: () => bytesToHex(h.digest()),
  };
}
