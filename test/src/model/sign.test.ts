import { describe, expect, it } from 'vitest';
import { generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { decodeWgm } from '../../../src/model/load.js';
import { encodeWgm, signWgm } from '../../../src/model/write.js';
import { joinWgm, splitWgm } from './raw.js';
import { tinyModel } from './tiny-model.js';

describe('ed25519 signatures', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519');
  const unsigned = encodeWgm(tinyModel({ precision: 'int8' }));
  const signed = signWgm(unsigned, privateKey);

  it('verifies with the right key (KeyObject, PEM, raw 32 bytes)', () => {
    expect(decodeWgm(signed, { publicKey }).signatureVerified).toBe(true);
    expect(decodeWgm(signed, { publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string }).signatureVerified).toBe(true);
    const raw = (publicKey.export({ type: 'spki', format: 'der' }) as Buffer).subarray(12);
    expect(decodeWgm(signed, { publicKey: new Uint8Array(raw) }).signatureVerified).toBe(true);
  });

  it('interoperates with OpenSSL (node:crypto) both ways, and takes PEM and raw private keys', () => {
    // wavegate's signature (pure-JS ed25519) verifies with node:crypto over the digest bytes...
    const { digest } = decodeWgm(signed);
    const sig = Buffer.from(splitWgm(signed).header.__metadata__['wavegate.signature'], 'base64');
    expect(nodeVerify(null, Buffer.from(digest, 'hex'), publicKey, sig)).toBe(true);
    // ... and a node:crypto signature verifies in wavegate.
    const raw = splitWgm(unsigned);
    raw.header.__metadata__['wavegate.signature'] = nodeSign(null, Buffer.from(digest, 'hex'), privateKey).toString('base64');
    expect(decodeWgm(joinWgm(raw), { publicKey }).signatureVerified).toBe(true);
    // Ed25519 is deterministic: every key form gives the same signature bytes.
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const seed = new Uint8Array((privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).subarray(16));
    expect(signWgm(unsigned, pem)).toEqual(signed);
    expect(signWgm(unsigned, seed)).toEqual(signed);
    expect(() => signWgm(unsigned, publicKey)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', message: expect.stringMatching(/public key was given where a private key/) }));
    expect(() => signWgm(unsigned, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)).toThrow(/expected ed25519/);
  });

  it('signing leaves the model and digest unchanged; unsigned load still works', () => {
    expect(decodeWgm(signed).digest).toBe(decodeWgm(unsigned).digest);
    expect(decodeWgm(signed).signatureVerified).toBe(false);
  });

  it('refuses a wrong key, a missing signature and a tampered signature', () => {
    expect(() => decodeWgm(signed, { publicKey: other.publicKey })).toThrow(/does not verify/);
    expect(() => decodeWgm(unsigned, { publicKey })).toThrow(/carries no wavegate.signature/);
    const raw = splitWgm(signed);
    const sig = Buffer.from(raw.header.__metadata__['wavegate.signature'], 'base64');
    sig[0] ^= 1;
    raw.header.__metadata__['wavegate.signature'] = sig.toString('base64');
    expect(() => decodeWgm(joinWgm(raw), { publicKey })).toThrow(expect.objectContaining({ code: 'E_MODEL_DIGEST' }));
  });

  it('a model edited after signing fails even with a fresh digest', () => {
    const raw = splitWgm(signed);
    raw.header.__metadata__.wavegate = raw.header.__metadata__.wavegate.replace('"c0"', '"x0"');
    expect(() => decodeWgm(joinWgm(raw), { publicKey })).toThrow(/does not verify/);
  });
});
