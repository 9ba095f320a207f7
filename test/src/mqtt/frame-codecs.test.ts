import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isRejectError, REJECT_CODES, type RejectCode } from '../../../src/mqtt/errors.js';
import { BINARY_HEADER_BYTES, BINARY_OFFSETS, decodeBinaryFrame, encodeBinaryFrame } from '../../../src/mqtt/frame-binary.js';
import { decodeFrame } from '../../../src/mqtt/frame-decode.js';
import { decodeJsonFrame, encodeJsonFrame } from '../../../src/mqtt/frame-json.js';
import { DEFAULT_FRAME_LIMITS, type SampleFrame } from '../../../src/mqtt/frame.js';

/** Property-test runs per fuzz property: enough to reach every header branch, quick on 2 cores. */
const FUZZ_RUNS = 2000;
const ROUND_TRIP_RUNS = 300;
const SEED = 20260109;

const enc = new TextEncoder();
const json = (o: unknown): Uint8Array => enc.encode(typeof o === 'string' ? o : JSON.stringify(o));

function expectReject(fn: () => unknown, code: RejectCode, pattern?: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(isRejectError(e), String(e)).toBe(true);
    expect((e as { reason: string }).reason, (e as Error).message).toBe(code);
    expect((e as { code: string }).code).toBe('E_INPUT');
    if (pattern) expect((e as Error).message).toMatch(pattern);
    return;
  }
  throw new Error(`expected RejectError ${code}`);
}

/** A decoded frame must always satisfy these, whatever bytes produced it. */
function expectWellFormed(f: SampleFrame): void {
  expect(Number.isInteger(f.seq) && f.seq >= 0 && f.seq < 2 ** 32).toBe(true);
  expect(Number.isFinite(f.t) && f.t >= 0).toBe(true);
  expect(f.fs > 0 && Number.isFinite(f.fs)).toBe(true);
  expect(f.channels).toBeGreaterThanOrEqual(1);
  expect(f.channels).toBeLessThanOrEqual(DEFAULT_FRAME_LIMITS.maxChannels);
  expect(f.frames).toBeGreaterThanOrEqual(1);
  expect(f.samples.length).toBe(f.frames * f.channels);
  for (const v of f.samples) expect(Number.isFinite(v)).toBe(true);
}

const f32 = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
const frameArb = fc
  .record({ seq: fc.nat({ max: 2 ** 32 - 1 }), t: fc.integer({ min: 0, max: 4e12 }), fs: fc.constantFrom(1, 128, 250, 360, 12000, 48000), channels: fc.integer({ min: 1, max: 6 }), frames: fc.integer({ min: 1, max: 40 }) })
  .chain((h) => fc.array(f32, { minLength: h.channels * h.frames, maxLength: h.channels * h.frames }).map((s) => ({ ...h, samples: Float32Array.from(s) })));

describe('JSON frames', () => {
  it('decodes the one-channel and frames-major forms', () => {
    const one = decodeJsonFrame(json({ seq: 7, t: 1767225600000, fs: 360, samples: [0.5, -1, 2] }));
    expect(one).toMatchObject({ seq: 7, t: 1767225600000, fs: 360, channels: 1, frames: 3 });
    expect(Array.from(one.samples)).toEqual([0.5, -1, 2]);
    const three = decodeJsonFrame(json({ seq: 0, t: 0, fs: 250, samples: [[1, 2, 3], [4, 5, 6]] }));
    expect(three).toMatchObject({ channels: 3, frames: 2 });
    expect(Array.from(three.samples)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('round-trips any valid frame', () => {
    fc.assert(
      fc.property(frameArb, (f) => {
        const back = decodeJsonFrame(json(encodeJsonFrame(f)));
        expect(back).toMatchObject({ seq: f.seq, t: f.t, fs: f.fs, channels: f.channels, frames: f.frames });
        // JSON writes -0 as 0; every other float32 value survives the trip exactly.
        expect(Array.from(back.samples)).toEqual(Array.from(f.samples, (x) => x + 0));
      }),
      { seed: SEED, numRuns: ROUND_TRIP_RUNS },
    );
  });

  it.each<[string, unknown, RejectCode, RegExp]>([
    ['not JSON', '{"seq": 1,', 'E_FRAME_MALFORMED', /not valid UTF-8 JSON/],
    ['an array', '[1, 2]', 'E_FRAME_MALFORMED', /expected an object/],
    ['a missing key', { seq: 1, t: 0, fs: 360 }, 'E_FRAME_FIELD', /missing "samples"/],
    ['an unknown key', { seq: 1, t: 0, fs: 360, samples: [1], gain: 2 }, 'E_FRAME_FIELD', /unknown key "gain"/],
    ['a string seq', { seq: '1', t: 0, fs: 360, samples: [1] }, 'E_FRAME_FIELD', /seq must be a number/],
    ['a fractional seq', { seq: 1.5, t: 0, fs: 360, samples: [1] }, 'E_FRAME_FIELD', /seq must be an integer/],
    ['a negative seq', { seq: -1, t: 0, fs: 360, samples: [1] }, 'E_FRAME_FIELD', /seq/],
    ['a seq of 2^32', { seq: 2 ** 32, t: 0, fs: 360, samples: [1] }, 'E_FRAME_FIELD', /seq/],
    ['a zero rate', { seq: 1, t: 0, fs: 0, samples: [1] }, 'E_FRAME_FIELD', /fs must be/],
    ['a negative time', { seq: 1, t: -5, fs: 360, samples: [1] }, 'E_FRAME_FIELD', /t must be/],
    ['empty samples', { seq: 1, t: 0, fs: 360, samples: [] }, 'E_FRAME_LENGTH', /empty/],
    ['ragged rows', { seq: 1, t: 0, fs: 360, samples: [[1, 2], [3]] }, 'E_FRAME_LENGTH', /samples\[1\] has 1 values/],
    ['mixed forms', { seq: 1, t: 0, fs: 360, samples: [1, [2]] }, 'E_FRAME_LENGTH', /mixed/],
    ['an empty frame', { seq: 1, t: 0, fs: 360, samples: [[]] }, 'E_FRAME_LENGTH', /empty frame/],
    ['a string sample', { seq: 1, t: 0, fs: 360, samples: [1, 'x'] }, 'E_FRAME_FIELD', /samples\[1\] must be a number/],
    ['a null sample', { seq: 1, t: 0, fs: 360, samples: [[1, null]] }, 'E_FRAME_FIELD', /samples\[0\]\[1\] must be a number, got null/],
    ['an infinite sample', '{"seq":1,"t":0,"fs":360,"samples":[1,1e999]}', 'E_FRAME_NONFINITE', /samples\[1\] is Infinity/],
    ['a sample beyond float32', '{"seq":1,"t":0,"fs":360,"samples":[1e39]}', 'E_FRAME_NONFINITE', /float32/],
  ])('refuses %s', (_name, body, code, pattern) => {
    expectReject(() => decodeJsonFrame(json(body)), code, pattern);
    expectReject(() => decodeFrame(json(body)), code);
  });

  it('refuses invalid UTF-8 and too many channels', () => {
    expectReject(() => decodeJsonFrame(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 'E_FRAME_MALFORMED');
    const row = Array.from({ length: 65 }, () => 0);
    expectReject(() => decodeJsonFrame(json({ seq: 1, t: 0, fs: 1, samples: [row] })), 'E_FRAME_LENGTH', /65 channels, over the limit of 64/);
  });
});

describe('binary frames', () => {
  it('has the documented layout, byte by byte', () => {
    const b = encodeBinaryFrame({ seq: 0x01020304, t: 1767225600000.5, fs: 360, channels: 2, samples: [1, -2, 300, 4], dtype: 'int16', scale: 0.005 });
    expect(b.length).toBe(BINARY_HEADER_BYTES + 4 * 2);
    expect(Array.from(b.subarray(0, 8))).toEqual([0x57, 0x47, 0x53, 0x46, 1, 1, 2, 0]);
    expect(Array.from(b.subarray(8, 16))).toEqual([4, 3, 2, 1, 2, 0, 0, 0]);
    const v = new DataView(b.buffer);
    expect(v.getFloat64(16, true)).toBe(1767225600000.5);
    expect(v.getFloat32(24, true)).toBe(360);
    expect(v.getFloat32(28, true)).toBe(Math.fround(0.005));
    expect(Array.from(b.subarray(32))).toEqual([1, 0, 0xfe, 0xff, 0x2c, 0x01, 4, 0]);
    const f = decodeFrame(b);
    expect(f).toMatchObject({ seq: 0x01020304, channels: 2, frames: 2, fs: 360 });
    expect(Array.from(f.samples)).toEqual([1, -2, 300, 4].map((x) => Math.fround(x * Math.fround(0.005))));
  });

  it('round-trips float32 frames exactly', () => {
    fc.assert(
      fc.property(frameArb, (f) => {
        const back = decodeFrame(encodeBinaryFrame(f));
        expect(back).toMatchObject({ seq: f.seq, t: f.t, fs: f.fs, channels: f.channels, frames: f.frames });
        expect(Array.from(back.samples)).toEqual(Array.from(f.samples));
      }),
      { seed: SEED, numRuns: ROUND_TRIP_RUNS },
    );
  });

  const good = () => encodeBinaryFrame({ seq: 9, t: 1000, fs: 360, channels: 1, samples: [1, 2, 3] });
  const patched = (write: (v: DataView) => void) => {
    const b = good();
    write(new DataView(b.buffer));
    return b;
  };
  it.each<[string, () => Uint8Array, RejectCode, RegExp]>([
    ['a short header', () => good().subarray(0, 31), 'E_FRAME_TRUNCATED', /shorter than the 32-byte header/],
    ['missing samples', () => good().subarray(0, 40), 'E_FRAME_TRUNCATED', /announces 3 frames/],
    ['trailing bytes', () => Uint8Array.from([...good(), 0]), 'E_FRAME_LENGTH', /1 more than/],
    ['version 2', () => patched((v) => v.setUint8(BINARY_OFFSETS.version, 2)), 'E_FRAME_VERSION', /version 2/],
    ['dtype 3', () => patched((v) => v.setUint8(BINARY_OFFSETS.dtype, 3)), 'E_FRAME_DTYPE', /dtype 3/],
    ['zero channels', () => patched((v) => v.setUint16(BINARY_OFFSETS.channels, 0, true)), 'E_FRAME_LENGTH', /channels 0/],
    ['zero frames', () => patched((v) => v.setUint32(BINARY_OFFSETS.frames, 0, true)), 'E_FRAME_LENGTH', /frames is 0/],
    ['a NaN time', () => patched((v) => v.setFloat64(BINARY_OFFSETS.t, Number.NaN, true)), 'E_FRAME_FIELD', /t must be/],
    ['a negative rate', () => patched((v) => v.setFloat32(BINARY_OFFSETS.fs, -360, true)), 'E_FRAME_FIELD', /fs must be/],
    ['a zero scale', () => patched((v) => v.setFloat32(BINARY_OFFSETS.scale, 0, true)), 'E_FRAME_FIELD', /scale/],
    ['a NaN sample', () => patched((v) => v.setFloat32(36, Number.NaN, true)), 'E_FRAME_NONFINITE', /sample 1 \(frame 1, channel 0\) is NaN/],
    ['an infinite sample', () => patched((v) => v.setFloat32(32, Number.NEGATIVE_INFINITY, true)), 'E_FRAME_NONFINITE', /sample 0/],
  ])('refuses %s', (_name, make, code, pattern) => {
    expectReject(() => decodeFrame(make()), code, pattern);
  });

  it('decodes int16 counts with the scale', () => {
    const f = decodeBinaryFrame(encodeBinaryFrame({ seq: 1, t: 0, fs: 360, channels: 1, samples: [-32768, 0, 32767], dtype: 'int16', scale: 0.005 }));
    expect(Array.from(f.samples)).toEqual([-32768, 0, 32767].map((x) => Math.fround(x * Math.fround(0.005))));
  });
});

describe('decodeFrame on hostile payloads', () => {
  it('refuses payloads over the limit before parsing them', () => {
    const big = new Uint8Array(DEFAULT_FRAME_LIMITS.maxPayloadBytes + 1).fill(0x20);
    expectReject(() => decodeFrame(big), 'E_FRAME_TOO_LARGE', /262145 bytes, over the limit of 262144/);
    expectReject(() => decodeFrame(json({ seq: 1, t: 0, fs: 1, samples: [1, 2, 3] }), { maxPayloadBytes: 10, maxChannels: 4 }), 'E_FRAME_TOO_LARGE');
  });

  it('refuses garbage that is neither encoding', () => {
    expectReject(() => decodeFrame(new Uint8Array([])), 'E_FRAME_MALFORMED');
    expectReject(() => decodeFrame(enc.encode('hello')), 'E_FRAME_MALFORMED', /neither a JSON frame/);
    expectReject(() => decodeFrame(new Uint8Array([0x57, 0x47, 0x53])), 'E_FRAME_MALFORMED');
  });

  it('never throws anything but a RejectError, and every frame it returns is well formed (random bytes)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }).map((b) => Uint8Array.from([0x57, 0x47, 0x53, 0x46, ...b])), fc.string().map((s) => enc.encode(`{${s}`))), (bytes) => {
        try {
          expectWellFormed(decodeFrame(bytes));
        } catch (e) {
          expect(isRejectError(e), String(e)).toBe(true);
          expect(REJECT_CODES).toContain((e as { reason: RejectCode }).reason);
        }
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  });

  it('never throws anything but a RejectError on mutated valid frames (flipped bytes, cuts, JSON edits)', () => {
    const mutate = fc.record({ at: fc.nat(), byte: fc.nat({ max: 255 }), cut: fc.option(fc.nat()), flips: fc.integer({ min: 1, max: 4 }) });
    fc.assert(
      fc.property(frameArb, fc.boolean(), fc.boolean(), mutate, (f, binary, int16, m) => {
        const bytes = binary ? encodeBinaryFrame({ ...f, dtype: int16 ? 'int16' : 'float32' }) : json(encodeJsonFrame(f));
        for (let k = 0; k < m.flips; k++) bytes[(m.at + 7919 * k) % bytes.length] = (m.byte + 31 * k) & 255;
        const input = m.cut === null ? bytes : bytes.subarray(0, m.cut % (bytes.length + 1));
        try {
          expectWellFormed(decodeFrame(input));
        } catch (e) {
          expect(isRejectError(e), String(e)).toBe(true);
        }
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
  });
});
