import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
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
