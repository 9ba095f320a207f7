/**
 * Optional ed25519 signatures for over-the-air model updates.
 *
 * `wavegate.signature` (in `__metadata__`) is base64 of an ed25519 signature over the 32 raw
 * bytes of the SHA-256 digest. Signing the digest rather than the file lets the signature live
 * inside the file it signs: the digest already covers the metadata and every tensor byte, and
 * the loader's canonical-layout rule pins the table.
 *
 * The arithmetic is @noble/curves' ed25519 (audited, pure JS, synchronous), not node:crypto, so a
 * browser can verify a model too. Keys are read from their standard DER encodings, which is all
 * a Node KeyObject or a PEM file holds for ed25519: SPKI = fixed 12-byte prefix + 32-byte public
 * key, PKCS#8 = fixed 16-byte prefix + 32-byte seed (RFC 8410).
 */
import { ed25519 } from '@noble/curves/ed25519';
import { WavegateError } from '../errors.js';

/** The part of Node's KeyObject used here (no import of node:crypto needed). */
export interface KeyObjectLike {
  type: string;
  asymmetricKeyType?: string;
  export(options: { format: 'der'; type: 'spki' | 'pkcs8' }): Uint8Array;
}

/** A KeyObject, PEM text, or the raw 32-byte ed25519 public key. */
export type PublicKeyInput = KeyObjectLike | string | Uint8Array;
/** A KeyObject, PEM text, or the raw 32-byte ed25519 private key (seed). */
export type PrivateKeyInput = KeyObjectLike | string | Uint8Array;

const SPKI_PREFIX = hexBytes('302a300506032b6570032100');
const PKCS8_PREFIX = hexBytes('302e020100300506032b657004220420');

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!, (b) => parseInt(b, 16));
}

function base64Bytes(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function bytesBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** The 32 key bytes after `prefix` in a DER encoding; `what` names the key for errors. */
function fromDer(der: Uint8Array, prefix: Uint8Array, what: string): Uint8Array {
  if (der.length !== prefix.length + 32 || prefix.some((b, i) => der[i] !== b)) throw new Error(`not an ed25519 ${what} (${der.length}-byte DER)`);
  return der.slice(prefix.length);
}

/** The DER body of a PEM block with the given label. */
function fromPem(pem: string, label: string): Uint8Array {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  if (!m) throw new Error(`no "${label}" PEM block`);
  return base64Bytes(m[1].replace(/\s+/g, ''));
}

function rawKey(k: KeyObjectLike | string | Uint8Array, kind: 'public' | 'private'): Uint8Array {
  const [prefix, label, der] = kind === 'public' ? [SPKI_PREFIX, 'PUBLIC KEY', 'spki' as const] : [PKCS8_PREFIX, 'PRIVATE KEY', 'pkcs8' as const];
  if (k instanceof Uint8Array) {
    if (k.length !== 32) throw new Error(`raw ed25519 ${kind} key must be 32 bytes, got ${k.length}`);
    return k;
  }
  if (typeof k === 'string') return fromDer(fromPem(k, label), prefix, `${kind} key`);
  if (k.type !== kind) throw new Error(`a ${k.type} key was given where a ${kind} key is needed`);
  if (k.asymmetricKeyType !== 'ed25519') throw new Error(`key is ${k.asymmetricKeyType}, expected ed25519`);
  return fromDer(new Uint8Array(k.export({ format: 'der', type: der })), prefix, `${kind} key`);
}

/** base64 signature of the hex digest's bytes. */
export function signDigest(digestHex: string, privateKey: PrivateKeyInput): string {
  let seed: Uint8Array;
  try {
    seed = rawKey(privateKey, 'private');
  } catch (e) {
    throw new WavegateError('E_ARGUMENT', `bad signing key (${(e as Error).message}); expected ed25519`, { cause: e });
  }
  return bytesBase64(ed25519.sign(hexBytes(digestHex), seed));
}

/** Throws E_MODEL_DIGEST unless `signatureB64` is a valid ed25519 signature of the digest. */
export function verifyDigestSignature(digestHex: string, signatureB64: string | undefined, publicKey: PublicKeyInput, source: string): void {
  if (signatureB64 === undefined) throw new WavegateError('E_MODEL_DIGEST', `${source}: a public key was given but the file carries no wavegate.signature`);
  let key: Uint8Array;
  try {
    key = rawKey(publicKey, 'public');
  } catch (e) {
    throw new WavegateError('E_ARGUMENT', `${source}: bad public key (${(e as Error).message})`, { cause: e });
  }
  let ok = false;
  try {
    const sig = base64Bytes(signatureB64);
    ok = sig.length === 64 && ed25519.verify(sig, hexBytes(digestHex), key, { zip215: false }); // RFC 8032 strict, as OpenSSL
  } catch {
    ok = false;
  }
  if (!ok) throw new WavegateError('E_MODEL_DIGEST', `${source}: wavegate.signature does not verify with the given public key`);
}

/**
 * The raw 32-byte ed25519 public key of a KeyObject, SPKI PEM or raw key, checked once (for a
 * host that verifies many files with the same key).
 * @throws E_ARGUMENT naming `source` when it is not an ed25519 public key
 */
export function ed25519PublicKey(publicKey: PublicKeyInput, source: string): Uint8Array {
  try {
    return rawKey(publicKey, 'public');
  } catch (e) {
    throw new WavegateError('E_ARGUMENT', `${source}: not an ed25519 public key (${(e as Error).message})`, { cause: e });
  }
}
