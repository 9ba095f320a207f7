import { describe, expect, it } from 'vitest';
import { sha256Hasher, sha256Hex } from '../../../src/model/digest.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('the one SHA-256', () => {
  it('sha256Hex gives the FIPS 180-2 test vectors', () => {
    expect(sha256Hex(utf8('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('the incremental hasher gives the same digest in any split, text hashed as UTF-8', () => {
    const bytes = new Uint8Array(10_000).map((_, i) => (i * 131 + 7) & 0xff);
    const whole = sha256Hex(bytes);
    for (const cut of [0, 1, 64, 4097, 10_000]) {
      const h = sha256Hasher();
      h.update(bytes.subarray(0, cut));
      h.update(bytes.subarray(cut));
      expect(h.hex()).toBe(whole);
    }
    const text = sha256Hasher();
    text.update('a');
    text.update('bc');
    expect(text.hex()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('uses node:crypto under Node and gives the bits of the pure-JS engine a browser uses', () => {
    const bytes = new Uint8Array(100_003).map((_, i) => (i * 2654435761) >>> 24);
    for (const n of [0, 1, 55, 56, 63, 64, 65, 1000, bytes.length]) {
      const native = sha256Hasher();
      const noble = sha256Hasher('noble');
      native.update(bytes.subarray(0, n));
      noble.update(bytes.subarray(0, n));
      expect(native.hex()).toBe(noble.hex());
    }
    expect(typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule).toBe('function'); // Node >= 20.16: the native path is the one taken
  });
});
