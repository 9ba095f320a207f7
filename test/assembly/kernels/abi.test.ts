import { describe, it, expect } from 'vitest';
import { Kernel, BUILDS } from '../helpers.js';
import { OP_LSTM_F32, OP_GRU_F32, OP_LSTM_S8, OP_GRU_S8 } from '../rnn-runner.js';

const BAD_DIMS = 1;
const BAD_POINTER = 2;
const BAD_ARGUMENT = 3;

describe.each(BUILDS)('kernel-%s.wasm ABI', (build) => {
  const kern = new Kernel(build);
  const k = kern.k;

  it('reports its version and flavour', () => {
    expect(k.abiVersion()).toBe(3);
    expect(k.simdEnabled()).toBe(build === 'simd' ? 1 : 0);
  });

  it('reserve returns distinct 16-byte aligned blocks and grows memory', () => {
    const a = k.reserve(3);
    const b = k.reserve(100_000);
    const c = k.reserve(0);
    expect(a % 16).toBe(0);
    expect(b % 16).toBe(0);
    expect(b).toBeGreaterThanOrEqual(a + 16);
    expect(c).toBeGreaterThanOrEqual(b + 100_000);
    expect(k.memory.buffer.byteLength).toBeGreaterThanOrEqual(c);
    expect(k.reserve(-1)).toBe(0);
  });

  it('sizes are positive for valid shapes and -1 for invalid ones', () => {
    for (const op of [OP_LSTM_F32, OP_GRU_F32, OP_LSTM_S8, OP_GRU_S8]) {
      expect(k.scratchBytes(op, 3, 5, 7)).toBeGreaterThan(0);
      expect(k.scratchBytes(op, 0, 5, 7)).toBe(-1);
    }
    expect(k.scratchBytes(9, 3, 5, 7)).toBe(-1);
    expect(k.packedBytesF32(5, 3)).toBeGreaterThanOrEqual(5 * 3 * 4);
    expect(k.packedBytesS8(5, 3)).toBeGreaterThanOrEqual(5 * 3);
    expect(k.packedBytesS8(0, 3)).toBe(-1);
    expect(k.packedBytesF32(1 << 20, 1 << 20)).toBe(-1);
  });

  it('packed sizes follow assembly/formats.ts exactly', () => {
    const cases = [[1, 1], [5, 3], [256, 64], [7, 9], [12, 17], [9, 15], [9, 16]];
    for (const [rows, cols] of cases) {
      const groups = Math.ceil(rows / 4);
      if (build === 'ref') {
        expect(k.packedBytesF32(rows, cols)).toBe(rows * cols * 4);
        expect(k.packedBytesS8(rows, cols)).toBe(rows * cols);
      } else {
        // 64-byte blocks: f32 4 rows x 4 columns; s8 16 rows x 2 columns of i16.
        expect(k.packedBytesF32(rows, cols)).toBe(groups * Math.ceil(cols / 4) * 64);
        expect(k.packedBytesS8(rows, cols)).toBe(Math.ceil(rows / 16) * Math.ceil(cols / 2) * 64);
      }
    }
  });

  it('scratch does not depend on T and grows with batch', () => {
    expect(k.scratchBytes(OP_LSTM_S8, 8, 16, 1)).toBeLessThanOrEqual(k.scratchBytes(OP_LSTM_S8, 8, 16, 64));
  });

  it('returns typed statuses instead of trapping on bad arguments', () => {
    const p = kern.alloc(4096);
    // W R B I H batch T x xs y ys h c slots scratch reverse
    expect(k.lstmF32(p, p, p, 0, 0, 4, 1, 1, p, 4, 0, 4, p, p, 0, p, 0)).toBe(BAD_DIMS);
    expect(k.lstmF32(0, p, p, 0, 4, 4, 1, 1, p, 4, 0, 4, p, p, 0, p, 0)).toBe(BAD_POINTER);
    expect(k.lstmF32(p, p, p, 0, 4, 4, 1, 1, p, 4, 0, 4, p, p, 0, p, 2)).toBe(BAD_ARGUMENT);
    expect(k.lstmF32(p, p, p, 0, 4, 4, 1, 1, p, 3, 0, 4, p, p, 0, p, 0)).toBe(BAD_DIMS);
    expect(k.gruF32(p, p, p, p, 4, 4, 1, 1, p, 4, 0, 4, p, 0, p, 5, 0)).toBe(BAD_ARGUMENT);
    expect(k.lstmS8(p, p, p, p, p, 0, 4, 4, 1, 1, p, 4, 0, 4, p, p, 0, p, -1, 0)).toBe(BAD_ARGUMENT);
    expect(k.lstmS8(p, p, p, p, p, 0, 4, 4, 1, 1, p, 4, 0, 4, p, p, 0, p, NaN, 0)).toBe(BAD_ARGUMENT);
    expect(k.gruS8(p, p, p, p, p, 0, 4, 4, 1, 1, p, 4, 0, 4, p, 0, p, 0, 1, 0)).toBe(BAD_POINTER);
    expect(k.denseF32(p, 0, 4, 4, 1, p, 4, p, 4, 9)).toBe(BAD_ARGUMENT);
    expect(k.softmaxF32(p, 4, 1, 3)).toBe(BAD_DIMS);
    expect(k.layerNormF32(p, 4, 1, 4, 0, 0, -1)).toBe(BAD_ARGUMENT);
    expect(k.matvecS8S32(p, 4, 4, 0, p)).toBe(BAD_POINTER);
    expect(k.packWeightsS8(p, 0, 4, p)).toBe(BAD_DIMS);
  });

  it('T = 0 is a no-op that succeeds', () => {
    const p = kern.alloc(4096);
    expect(k.lstmF32(p, p, p, 0, 4, 4, 1, 0, p, 4, 0, 4, p, p, 0, p, 0)).toBe(0);
  });
});
