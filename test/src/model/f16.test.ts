/**
 * The binary16 converter (src/model/f16.ts) against an exact reference: every one of the 63,488
 * finite f16 values decoded independently and sorted, and the nearest / next-up value found by
 * binary search on the double. Plus numpy's float16 on a few hundred f32 values.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { F16_MAX, f16ArrayToF32, f16BitsToNumber, f16round, numberToF16Bits, numberToF16BitsUp } from '../../../src/model/f16.js';
import { NUMPY, needs, PYTHON } from '../../helpers/needs.js';


/** Independent decoding: sign * 2^(e-15) * (1 + f/1024), or 2^-14 * f/1024 when e = 0. */
function decodeRef(bits: number): number {
  const s = bits >> 15 ? -1 : 1;
  const e = (bits >> 10) & 31;
  const f = bits & 1023;
  if (e === 31) return f ? NaN : s * Infinity;
  return e === 0 ? s * Math.pow(2, -14) * (f / 1024) : s * Math.pow(2, e - 15) * (1 + f / 1024);
}

// Non-negative finite values in increasing order: bit patterns 0x0000..0x7bff are monotonic.
const POSITIVE = Array.from({ length: 0x7c00 }, (_, b) => decodeRef(b));

/** Index of the largest value <= a (a >= 0, a <= F16_MAX). */
function floorIndex(a: number): number {
  let lo = 0;
  let hi = POSITIVE.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (POSITIVE[mid] <= a) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** IEEE round-to-nearest-even to binary16, from first principles. */
function nearestRef(v: number): number {
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  // Overflow threshold: halfway between 65504 and 2^16 (which would be the next value), ties to even = 2^16.
  if (a >= 65520) return sign | 0x7c00;
  const i = floorIndex(a);
  if (POSITIVE[i] === a) return sign | i;
  const lo = POSITIVE[i];
  const hi = i + 1 < POSITIVE.length ? POSITIVE[i + 1] : 65536;
  const pick = a - lo < hi - a ? i : a - lo > hi - a ? i + 1 : i % 2 === 0 ? i : i + 1;
  return sign | pick;
}

/** Toward +Infinity, for v >= 0: the smallest value >= v. */
function upRef(v: number): number {
  if (v > F16_MAX) return 0x7c00;
  const i = floorIndex(v);
  return POSITIVE[i] === v ? i : i + 1;
}

const anyF32 = fc.float({ noNaN: true });
const inRange = fc.double({ min: -70000, max: 70000, noNaN: true });
const tiny = fc.double({ min: -1e-3, max: 1e-3, noNaN: true });

describe('binary16 decoding', () => {
  it('decodes every bit pattern exactly as the reference does', () => {
    for (let b = 0; b < 0x10000; b++) {
      const want = decodeRef(b);
      const got = f16BitsToNumber(b);
      if (Number.isNaN(want)) expect(got).toBeNaN();
      else expect(Object.is(got, want)).toBe(true);
    }
  });
  it('round-trips every non-NaN pattern through both encoders', () => {
    for (let b = 0; b < 0x10000; b++) {
      if ((b & 0x7c00) === 0x7c00 && (b & 0x3ff) !== 0) continue; // NaN payloads are not kept
      expect(numberToF16Bits(f16BitsToNumber(b))).toBe(b);
      expect(numberToF16BitsUp(f16BitsToNumber(b))).toBe(b);
    }
  });
  it('widens arrays to f32 without rounding', () => {
    const bits = Uint16Array.from([0x0001, 0x03ff, 0x0400, 0x3c00, 0x7bff, 0xc000, 0x8000]);
    expect(Array.from(f16ArrayToF32(bits))).toEqual([2 ** -24, 1023 * 2 ** -24, 2 ** -14, 1, 65504, -2, -0]);
  });
});

describe('binary16 encoding, round to nearest even', () => {
  it('matches the exact reference on f32 values, doubles in range, and tiny values', () => {
    for (const arb of [anyF32, inRange, tiny]) {
      fc.assert(fc.property(arb, (v) => numberToF16Bits(v) === nearestRef(v)), { numRuns: 3000 });
    }
  });
  it('handles the edge cases: NaN, infinities, overflow, ties, subnormals, signed zero', () => {
    expect(numberToF16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(numberToF16Bits(NaN) & 0x3ff).not.toBe(0);
    expect(numberToF16Bits(Infinity)).toBe(0x7c00);
    expect(numberToF16Bits(-Infinity)).toBe(0xfc00);
    expect(numberToF16Bits(65504)).toBe(0x7bff);
    expect(numberToF16Bits(65519.99)).toBe(0x7bff);
    expect(numberToF16Bits(65520)).toBe(0x7c00); // the tie goes to the even side, which overflows
    expect(numberToF16Bits(1e10)).toBe(0x7c00);
    expect(numberToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie between 1 and 1 + 2^-10: even is 1
    expect(numberToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie: even is 1 + 2^-9
    expect(numberToF16Bits(2 ** -25)).toBe(0x0000); // half the smallest subnormal: ties to even (zero)
    expect(numberToF16Bits(2 ** -25 + 2 ** -40)).toBe(0x0001);
    expect(numberToF16Bits(2 ** -14 - 2 ** -26)).toBe(0x0400); // rounds up into the smallest normal
    expect(numberToF16Bits(-0)).toBe(0x8000);
    expect(numberToF16Bits(-(2 ** -30))).toBe(0x8000);
    expect(f16round(0.1)).toBe(0.0999755859375);
  });
});

describe('binary16 encoding, round up (scales)', () => {
  it('gives the smallest f16 >= v for non-negative v', () => {
    const nonNeg = fc.oneof(fc.float({ min: 0, noNaN: true }), fc.double({ min: 0, max: 70000, noNaN: true }), fc.double({ min: 0, max: 1e-3, noNaN: true }));
    fc.assert(
      fc.property(nonNeg, (v) => {
        const bits = numberToF16BitsUp(v);
        expect(bits).toBe(upRef(v));
        if (v <= F16_MAX) {
          expect(f16BitsToNumber(bits)).toBeGreaterThanOrEqual(v);
          if (bits > 0) expect(f16BitsToNumber(bits - 1)).toBeLessThan(v);
        }
      }),
      { numRuns: 5000 },
    );
  });
  it('overflows to Infinity above 65504 and rounds tiny values up to the smallest subnormal', () => {
    expect(numberToF16BitsUp(65504)).toBe(0x7bff);
    expect(numberToF16BitsUp(65504.001)).toBe(0x7c00);
    expect(numberToF16BitsUp(1e-30)).toBe(0x0001);
    expect(numberToF16BitsUp(0)).toBe(0x0000);
    expect(numberToF16BitsUp(1 / 127)).toBe(numberToF16Bits(1 / 127) + (f16round(1 / 127) < 1 / 127 ? 1 : 0));
    // Negative values round toward +Infinity too: magnitudes shrink, -1e9 stops at -65504.
    expect(f16BitsToNumber(numberToF16BitsUp(-1.0001))).toBe(-1);
    expect(numberToF16BitsUp(-1e9)).toBe(0xfbff);
  });
});

needs(NUMPY).describe('binary16 against numpy float16 (needs /usr/bin/python3 with numpy)', () => {
  it('agrees with numpy on a few hundred f32 values', () => {
    const values = fc.sample(fc.oneof(fc.float({ noNaN: true }), fc.float({ min: -70000, max: 70000, noNaN: true }), fc.float({ min: Math.fround(-1e-4), max: Math.fround(1e-4), noNaN: true })), { numRuns: 600, seed: 42 });
    values.push(65504, 65519, 65520, 2 ** -24, 2 ** -25, 1 + 2 ** -11, -0);
    const f32 = Float32Array.from(values);
    const script = `
import sys, numpy as np
x = np.frombuffer(sys.stdin.buffer.read(), dtype='<f4')
with np.errstate(over='ignore'):
    sys.stdout.write(' '.join(str(int(b)) for b in x.astype(np.float16).view('<u2')))
`;
    const r = spawnSync(PYTHON, ['-c', script], { input: Buffer.from(f32.buffer), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const want = r.stdout.trim().split(' ').map(Number);
    expect(want.length).toBe(f32.length);
    const got = Array.from(f32, (v) => numberToF16Bits(v));
    expect(got).toEqual(want);
  });
});
