/**
 * Both sides of the benchmark run the same layer: the wavegate .wgm built from the seeded weights
 * answers like ONNX Runtime on the ONNX model built from the same weights.
 */
import { describe, expect, it } from 'vitest';
import ort from 'onnxruntime-node';
import { buildRnnOnnx } from '../../../tools/bench/onnx-build.js';
import { makeInput, makeRnnWeights } from '../../../tools/bench/weights.js';
import { buildRnnWgm, buildRnnWgmModel } from '../../../tools/bench/wgm-build.js';
import { openWavegateSession } from '../../../tools/bench/wavegate-api.js';
import { batchMajor } from '../../../tools/bench/batch-major.js';
import { FORMAT_VERSION } from '../../../src/model/schema.js';
import { f16BitsToNumber, f16round } from '../../../src/model/f16.js';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('wavegate benchmark models', () => {
  const [I, H, T, batch] = [3, 12, 9, 2];
  const x = makeInput(T, batch, I, 5);

  for (const cell of ['lstm', 'gru'] as const) {
    for (const precision of ['f32', 'int8'] as const) {
      it(`${cell} ${precision}: wavegate (ref kernel) answers like ONNX Runtime on the same weights`, async () => {
        const w = makeRnnWeights(cell, I, H, 11);
        const session = await openWavegateSession(buildRnnWgm(w, precision), { backend: 'ref', maxBatch: batch, maxWindow: T });
        const ours = session.run(batchMajor(x, T, batch, I), batch, T);
        session.dispose();
        const onnx = await ort.InferenceSession.create(buildRnnOnnx(w, { precision: 'f32', io: 'final' }), { intraOpNumThreads: 1 });
        const theirs = (await onnx.run({ X: new ort.Tensor('float32', x, [T, batch, I]) })).Y_h.data as Float32Array;
        await onnx.release();
        expect(ours).toHaveLength(batch * H);
        // f32: the same arithmetic up to summation order; int8: within quantization error of the float layer.
        expect(maxAbsDiff(ours, theirs)).toBeLessThanOrEqual(precision === 'f32' ? 1e-5 : 0.03);
      });
    }
  }

  it('INT8 models hold int8 W and R with one f16 scale per gate row and the bias pre-summed (F16 from format version 4)', () => {
    const w = makeRnnWeights('lstm', 4, 8, 1);
    const m = buildRnnWgmModel(w, 'int8');
    expect(m.metadata.formatVersion).toBe(FORMAT_VERSION);
    expect(m.tensors.get('rnn.W')?.dtype).toBe('I8');
    expect(m.tensors.get('rnn.R')?.shape).toEqual([1, 32, 8]);
    expect(m.tensors.get('rnn.W.scale')?.dtype).toBe('F16');
    expect(m.tensors.get('rnn.W.scale')?.shape).toEqual([1, 32]);
    const B = m.tensors.get('rnn.B')!;
    expect(B.shape).toEqual([1, 32]);
    expect(B.dtype).toBe('F16');
    expect(f16BitsToNumber(B.data[5])).toBe(f16round(Math.fround(w.B[5] + w.B[32 + 5])));
  });

  it('batchMajor reorders [T, batch, I] to [batch, T, I]', () => {
    const src = Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i); // T=2, batch=3, I=2
    const out = batchMajor(src, 2, 3, 2);
    // (t=1, b=2) is at ((1*3)+2)*2 = 10 in the source, at (2*2+1)*2 = 10 in the result; (t=1,b=0) moves.
    expect([...out.subarray(0, 4)]).toEqual([0, 1, 6, 7]);
    expect([...out.subarray(8, 12)]).toEqual([4, 5, 10, 11]);
  });
});
