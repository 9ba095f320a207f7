/**
 * Optional ed25519 signatures for over-the-air model updates.
 *
 * `wavegate.signature` (in `__metadata__`) is base64 of an ed25519 signature over the 32 raw
 * bytes of the SHA-256 digest. Signing the digest rather than the file lets the signature live
 * inside the file it signs: the digest already covers the metadata and every tensor byte, and
 * the loader's canonical-layout rule pins the table.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { WavegateError } from '../errors.js';

/** A KeyObject, PEM text, or the raw 32-byte ed25519 public key. */
export type PublicKeyInput = KeyObject | string | Uint8Array;
/** A KeyObject or PEM text of an ed25519 private key. */
export type PrivateKeyInput = KeyObject | string;

/** DER prefix of an ed25519 SubjectPublicKeyInfo; the raw 32 key bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function toPublicKey(k: PublicKeyInput, source: string): KeyObject {
  try {
    if (typeof k === 'string') return createPublicKey(k);
    if (k instanceof Uint8Array) {
      if (k.length !== 32) throw new Error(`raw ed25519 public key must be 32 bytes, got ${k.length}`);
      return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, k]), format: 'der', type: 'spki' });
    }
    return k;
  } catch (e) {
    throw new WavegateError('E_ARGUMENT', `${source}: bad public key (${(e as Error).message})`, { cause: e });
  }
}

/** base64 signature of the hex digest's bytes. */
export function signDigest(digestHex: string, privateKey: PrivateKeyInput): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  if (key.asymmetricKeyType !== 'ed25519') throw new WavegateError('E_ARGUMENT', `signing key is ${key.asymmetricKeyType}, expected ed25519`);
  return sign(null, Buffer.from(digestHex, 'hex'), key).toString('base64');
}

/** Throws E_MODEL_DIGEST unless `signatureB64` is a valid ed25519 signature of the digest. */
export function verifyDigestSignature(digestHex: string, signatureB64: string | undefined, publicKey: PublicKeyInput, source: string): void {
  if (signatureB64 === undefined) throw new WavegateError('E_MODEL_DIGEST', `${source}: a public key was given but the file carries no wavegate.signature`);
  const key = toPublicKey(publicKey, source);
  if (key.asymmetricKeyType !== 'ed25519') throw new WavegateError('E_ARGUMENT', `${source}: public key is ${key.asymmetricKeyType}, expected ed25519`);
  const sig = Buffer.from(signatureB64, 'base64');
  let ok = false;
  try {
    ok = sig.length === 64 && verify(null, Buffer.from(digestHex, 'hex'), key, sig);
  } catch {
    ok = false;
  }
  if (!ok) throw new WavegateError('E_MODEL_DIGEST', `${source}: wavegate.signature does not verify with the given public key`);
}
