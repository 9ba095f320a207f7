/**
 * Property tests over broken files: whatever the bytes, decodeWgm either returns a model or
 * throws a WavegateError with a message naming the source; never a RangeError/TypeError, never
 * a hang (each run is bounded by the test timeout and the runs are timed).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeWgm, UNEXPECTED_MARKER } from '../../../src/model/load.js';
import { encodeWgm } from '../../../src/model/write.js';
import { isWavegateError } from '../../../src/errors.js';
import { joinWgm, splitWgm } from './raw.js';
import { tinyModel } from './tiny-model.js';

const seeds = [
  encodeWgm(tinyModel({ cell: 'lstm', precision: 'int8', hidden: [8, 4], layerNorm: true })),
  encodeWgm(tinyModel({ cell: 'gru', precision: 'f32', direction: 'bidirectional', pool: 'mean' })),
  // Format version 2's F16 scales and GRU [D, 4H] biases, and a version-1 INT8 file (F32 scales, Wb ++ Rb).
  encodeWgm(tinyModel({ cell: 'gru', precision: 'int8', direction: 'bidirectional', linearBeforeReset: true })),
  encodeWgm(tinyModel({ cell: 'gru', precision: 'int8', formatVersion: 1, linearBeforeReset: false })),
];

/** Runs the decoder; returns 'ok' or the error code, failing the property on any other throwable. */
function decodeOutcome(bytes: Uint8Array): string {
  try {
    decodeWgm(bytes, { source: 'fuzz.wgm' });
    return 'ok';
  } catch (e) {
    if (!isWavegateError(e)) throw new Error(`non-WavegateError escaped: ${String(e)}`);
    expect(e.message.startsWith('fuzz.wgm: ')).toBe(true);
    if (e.message.includes(UNEXPECTED_MARKER)) throw new Error(`validator bug caught only by the safety net: ${e.message}`);
    expect(e.message.length).toBeLessThan(2000);
    return e.code;
  }
}

const seedArb = fc.constantFrom(...seeds);

describe('decodeWgm on hostile bytes', () => {
  it('truncated files are refused with a clear error', () => {
    fc.assert(
      fc.property(seedArb, fc.nat(), (seed, cut) => {
        const n = cut % seed.length; // strictly shorter than the file
        expect(decodeOutcome(seed.subarray(0, n))).not.toBe('ok');
      }),
      { numRuns: 300 },
    );
  });

  it('bit flips anywhere give a WavegateError (or, rarely, a harmless whitespace change)', () => {
    fc.assert(
      fc.property(seedArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }), (seed, flips) => {
        const b = Uint8Array.from(seed);
        for (const [pos, bit] of flips) b[pos % b.length] ^= 1 << bit;
        decodeOutcome(b);
      }),
      { numRuns: 400 },
    );
  });

  it('random bytes, with and without a plausible length prefix', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.boolean(), (junk, prefix) => {
        let b = junk;
        if (prefix) {
          b = new Uint8Array(8 + junk.length);
          new DataView(b.buffer).setBigUint64(0, BigInt(junk.length), true);
          b.set(junk, 8);
          if (junk.length > 0) b[8] = 0x7b;
        }
        expect(decodeOutcome(b)).not.toBe('ok');
      }),
      { numRuns: 300 },
    );
  });

  it('structured edits of the header and metadata, re-digested so validation must catch them', () => {
    // Replace one value at a random path of the header JSON (metadata text included) with random JSON.
    fc.assert(
      fc.property(seedArb, fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), (seed, picks, value) => {
        const raw = splitWgm(seed);
        const meta = JSON.parse(raw.header.__metadata__.wavegate);
        const root = { header: raw.header, meta };
        let node: any = root;
        let i = 0;
        for (; i < picks.length; i++) {
          const keys = Object.keys(node).filter((k) => !(node === raw.header && k === '__metadata__'));
          if (keys.length === 0) break;
          const k = keys[picks[i] % keys.length];
          if (i === picks.length - 1 || node[k] === null || typeof node[k] !== 'object') {
            node[k] = value;
            break;
          }
          node = node[k];
        }
        raw.header.__metadata__.wavegate = JSON.stringify(meta);
        decodeOutcome(joinWgm(raw));
      }),
      { numRuns: 1500 },
    );
  });

  it('version flips and dtype swaps (F32 / F16 / I8 / I32), re-digested, only ever give a WavegateError', () => {
    fc.assert(
      fc.property(seedArb, fc.integer({ min: 0, max: 3 }), fc.nat(), fc.constantFrom('F32', 'F16', 'I8', 'I32'), (seed, version, pick, dtype) => {
        const raw = splitWgm(seed);
        const meta = JSON.parse(raw.header.__metadata__.wavegate);
        if (version > 0) meta.formatVersion = version;
        raw.header.__metadata__.wavegate = JSON.stringify(meta);
        const names = Object.keys(raw.header).filter((k) => k !== '__metadata__');
        if (pick % 2 === 0) raw.header[names[pick % names.length]].dtype = dtype;
        decodeOutcome(joinWgm(raw));
      }),
      { numRuns: 600 },
    );
  });

  it('deeply nested JSON in the header is refused, not a stack overflow', () => {
    const raw = splitWgm(seeds[0]);
    const deep = '['.repeat(200000) + ']'.repeat(200000);
    const text = JSON.stringify(raw.header).replace('"shape":[3]', `"shape":${deep}`);
    const h = Buffer.from(text);
    const b = new Uint8Array(8 + h.length + raw.data.length);
    new DataView(b.buffer).setBigUint64(0, BigInt(h.length), true);
    b.set(h, 8);
    b.set(raw.data, 8 + h.length);
    expect(decodeOutcome(b)).toBe('E_MODEL_FORMAT');
  });

  it('bounded runtime: 1000 mutated decodes take well under a few seconds', () => {
    const t0 = performance.now();
    const rand = fc.sample(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { numRuns: 1000, seed: 7 });
    for (const [pos, bit] of rand) {
      const b = Uint8Array.from(seeds[0]);
      b[pos % b.length] ^= 1 << bit;
      decodeOutcome(b);
    }
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
