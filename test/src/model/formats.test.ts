import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DTYPES, dequantizeRowsS8, isTensorDType, quantizeRowsS8, roundHalfAway, S8_MAX } from '../../../src/model/formats.js';
import { isWavegateError } from '../../../src/errors.js';
import { f16BitsToNumber } from '../../../src/model/f16.js';

describe('dtype traits', () => {
  it('byte sizes match the typed array element sizes', () => {
    for (const t of Object.values(DTYPES)) expect(t.bytes).toBe(t.ctor.BYTES_PER_ELEMENT);
  });
  it('knows only its own dtypes', () => {
    expect(isTensorDType('F32')).toBe(true);
    expect(isTensorDType('F16')).toBe(true);
    expect(isTensorDType('BF16')).toBe(false);
    expect(isTensorDType('toString')).toBe(false);
    expect(isTensorDType(4)).toBe(false);
  });
});

describe('roundHalfAway', () => {
  it('rounds halves away from zero', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49, -0.49].map(roundHalfAway)).toEqual([1, 2, 3, -1, -2, -3, 0, -0]);
  });
});

const matrix = fc
  .record({ rows: fc.integer({ min: 1, max: 6 }), cols: fc.integer({ min: 1, max: 9 }) })
  .chain(({ rows, cols }) =>
    fc.record({
      rows: fc.constant(rows),
      cols: fc.constant(cols),
      w: fc.array(fc.float({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }), { minLength: rows * cols, maxLength: rows * cols }),
    }),
  );

/**
 * Dequantization error budget: half a quantization step (round to nearest), plus 1e-6 relative for
 * the f32 products, and 1e-30 absolute for all-zero rows (scale 0).
 */
const HALF_STEP = (scale: number): number => scale * 0.5 * (1 + 1e-6) + 1e-30;

describe('quantizeRowsS8', () => {
  it('codes stay in ±127, the row max hits ±127, and dequantization is within half a step', () => {
    fc.assert(
      fc.property(matrix, ({ rows, cols, w }) => {
        const f = Float32Array.from(w);
        const { q, scales, scaleBits } = quantizeRowsS8(f, rows, cols);
        const back = dequantizeRowsS8(q, scales, rows, cols);
        for (let r = 0; r < rows; r++) {
          const row = Array.from(f.subarray(r * cols, (r + 1) * cols));
          const maxAbs = Math.max(...row.map(Math.abs));
          // The scale is the smallest f16 at or above max|w| / 127, and the bits say the same value.
          expect(scales[r]).toBe(f16BitsToNumber(scaleBits[r]));
          expect(scales[r]).toBeGreaterThanOrEqual(maxAbs / 127);
          if (scaleBits[r] > 0) expect(f16BitsToNumber(scaleBits[r] - 1)).toBeLessThan(maxAbs / 127);
          expect(maxAbs / scales[r] || 0).toBeLessThanOrEqual(127);
          // The row max still reaches 127 for normal f16 scales: rounding up adds < 2^-10 relative, and 127 / (1 + 2^-10) > 126.5.
          const top = Math.max(...Array.from(q.subarray(r * cols, (r + 1) * cols), Math.abs));
          if (scales[r] > 0 && maxAbs / 127 >= 2 ** -14) expect(top).toBe(S8_MAX);
          for (let k = 0; k < cols; k++) {
            const i = r * cols + k;
            expect(Math.abs(q[i])).toBeLessThanOrEqual(127);
            expect(Math.abs(back[i] - f[i])).toBeLessThanOrEqual(HALF_STEP(scales[r]));
          }
        }
      }),
      { seed: 2031 }, // fast-check's default 100 matrices of up to 6 x 9: arithmetic only
    );
  });

  it('gives an all-zero row scale 0 and codes 0', () => {
    const { q, scales } = quantizeRowsS8(new Float32Array([0, 0, 0, 1, -2, 0.5]), 2, 3);
    expect(Array.from(scales.subarray(0, 1))).toEqual([0]);
    expect(Array.from(q.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(q.subarray(3))).toEqual([roundHalfAway(1 / scales[1]), -127, roundHalfAway(0.5 / scales[1])]);
  });

  it('refuses non-finite weights and mismatched shapes, naming the element', () => {
    expect(() => quantizeRowsS8(new Float32Array([1, NaN]), 1, 2)).toThrow(/\[0, 1\] is NaN/);
    try {
      quantizeRowsS8(new Float32Array(5), 2, 3);
      expect.unreachable();
    } catch (e) {
      expect(isWavegateError(e, 'E_ARGUMENT')).toBe(true);
    }
  });
});

describe('quantizeRowsS8: f16 scales', () => {
  it('rounds a scale up, never down, and computes codes from the stored scale', () => {
    // 1/127 is not an f16 value: the scale is the next one up, so 1 maps to a code just under 127.
    const { q, scales } = quantizeRowsS8(new Float32Array([1, -0.5, 0.25]), 1, 3);
    expect(scales[0]).toBeGreaterThan(1 / 127);
    expect(scales[0] - 1 / 127).toBeLessThan(2 ** -17);
    expect(Array.from(q)).toEqual([1, -0.5, 0.25].map((v) => roundHalfAway(v / scales[0])));
  });
  it('tiny rows get subnormal scales and still dequantize within half a step', () => {
    const w = new Float32Array([1e-5, -3e-6, 0]);
    const { q, scales, scaleBits } = quantizeRowsS8(w, 1, 3);
    expect(scaleBits[0]).toBeLessThan(0x0400); // subnormal
    expect(scales[0]).toBeGreaterThan(0);
    const back = dequantizeRowsS8(q, scales, 1, 3);
    for (let k = 0; k < 3; k++) expect(Math.abs(back[k] - w[k])).toBeLessThanOrEqual(scales[0] / 2);
  });
  it('refuses a scale above the f16 maximum, naming the tensor and row', () => {
    const w = new Float32Array([1, 2, 1e7, 0]);
    try {
      quantizeRowsS8(w, 2, 2, 'rnn.W');
      expect.unreachable();
    } catch (e) {
      expect(isWavegateError(e, 'E_ARGUMENT')).toBe(true);
      expect((e as Error).message).toMatch(/^rnn\.W: row 1 .*exceeds the f16 maximum 65504/);
    }
    // 127 * 65504 itself is the largest row maximum that still fits.
    expect(quantizeRowsS8(new Float32Array([127 * 65504]), 1, 1).scales[0]).toBe(65504);
  });
});
