/**
 * The one float reference model (src/runtime/reference.ts): its two INT8 modes and the
 * batch-first entry point that the importer's tests and the onnxruntime oracle use.
 */
import { describe, expect, it } from 'vitest';
import { referenceForward, referenceRun } from '../../../src/runtime/reference.js';
import { dequantizedTwin, tinyModel } from '../model/tiny-model.js';
import { maxAbsDiff, signal } from './helpers.js';

/**
 * 'dequantized' vs the f32 twin built from the same codes: the twin stores scale * q rounded to
 * f32 (relative 6e-8 per weight), the reference multiplies in float64; outputs are O(1).
 */
const DEQUANTIZED_VS_TWIN = 1e-6;
/** 'kernel' (x and h quantized to 8 bits) vs 'dequantized' on these small random models: a sanity bound. */
const KERNEL_VS_DEQUANTIZED = 0.05;

describe('referenceForward INT8 modes', () => {
  for (const peepholes of [false, true]) {
    it(`'dequantized' is the float model of the dequantized weights; 'kernel' adds activation quantization${peepholes ? ' (peepholes)' : ''}`, () => {
      const q = tinyModel({ cell: 'lstm', precision: 'int8', hidden: [8, 5], peepholes, seed: 4 });
      const twin = dequantizedTwin(q);
      const T = 20;
      const x = signal(T * 2, 6);
      const xs = Array.from({ length: T }, (_, t) => x.subarray(2 * t, 2 * t + 2));
      const deq = referenceForward(q, xs, new Map(), undefined, { int8: 'dequantized' }).pooled;
      const f32 = referenceForward(twin, xs).pooled;
      const kern = referenceForward(q, xs).pooled;
      expect(maxAbsDiff(deq, f32)).toBeLessThan(DEQUANTIZED_VS_TWIN);
      const d = maxAbsDiff(kern, deq);
      expect(d).toBeGreaterThan(0); // the kernel emulation really quantized x and h
      expect(d).toBeLessThan(KERNEL_VS_DEQUANTIZED);
      // f32 layers do not depend on the mode.
      expect(referenceForward(twin, xs, new Map(), undefined, { int8: 'dequantized' }).pooled).toEqual(f32);
    });
  }
});

describe('referenceRun (batch-first [batch, time, channels])', () => {
  it('gives referenceForward per row: pooled [batch, size], or every step with perStep', () => {
    const m = tinyModel({ cell: 'gru', hidden: [6], outputs: 3, pool: null, activation: 'none' });
    const [B, T, C, S] = [3, 9, 2, 3];
    const x = signal(B * T * C, 2);
    const pooled = referenceRun(m, x, B, T);
    const steps = referenceRun(m, x, B, T, { perStep: true });
    expect(pooled.shape).toEqual([B, S]);
    expect(steps.shape).toEqual([B, T, S]);
    for (let b = 0; b < B; b++) {
      const xs = Array.from({ length: T }, (_, t) => x.subarray((b * T + t) * C, (b * T + t + 1) * C));
      const want = referenceForward(m, xs);
      expect(Array.from(pooled.data.subarray(b * S, (b + 1) * S))).toEqual(Array.from(Float32Array.from(want.pooled)));
      // Without a pool layer the window output is the last step's.
      expect(Array.from(steps.data.subarray(((b + 1) * T - 1) * S, (b + 1) * T * S))).toEqual(Array.from(pooled.data.subarray(b * S, (b + 1) * S)));
    }
  });
  it('names the size mismatch', () => {
    const m = tinyModel();
    expect(() => referenceRun(m, new Float32Array(5), 1, 3)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', message: expect.stringMatching(/x has 5 values, expected 1 x 3 x 2/) }));
  });
});
