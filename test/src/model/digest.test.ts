import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hasher, sha256Hex } from '../../../src/model/digest.js';

describe('the one SHA-256', () => {
  it('sha256Hex is SHA-256 (node:crypto as the oracle); the incremental hasher gives the same digest in any split', () => {
    const bytes = new Uint8Array(10_000).map((_, i) => (i * 131 + 7) & 0xff);
    const oracle = createHash('sha256').update(bytes).digest('hex');
    expect(sha256Hex(bytes)).toBe(oracle);
    for (const cut of [0, 1, 64, 4097, 10_000]) {
      const h = sha256Hasher();
      h.update(bytes.subarray(0, cut));
      h.update(bytes.subarray(cut));
      expect(h.hex()).toBe(oracle);
    }
    const text = sha256Hasher();
    text.update('wave');
    text.update('gaté');
    expect(text.hex()).toBe(createHash('sha256').update('wavegaté', 'utf8').digest('hex'));
  });
});
