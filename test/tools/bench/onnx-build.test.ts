/**
 * The peers' benchmark models must be the layers they claim to be: ONNX Runtime's answers on them
 * are compared with a plain reference LSTM/GRU (ONNX equations) on the same seeded weights.
 */
import { describe, expect, it } from 'vitest';
import ort from 'onnxruntime-node';
import { buildRnnOnnx } from '../../../tools/bench/onnx-build.js';
import { makeInput, makeRnnWeights, type RnnWeights } from '../../../tools/bench/weights.js';
import { isWavegateError } from '../../../src/errors.js';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Plain ONNX LSTM (i, o, f, c) or GRU (z, r, h; linear_before_reset = 1); returns final h [batch, H]. */
function referenceRnn(w: RnnWeights, x: Float32Array, T: number, batch: number): Float64Array {
  const { inputSize: I, hiddenSize: H } = w;
  const G = w.cell === 'lstm' ? 4 : 3;
  const h = new Float64Array(batch * H);
  const c = new Float64Array(batch * H);
  const gx = new Float64Array(G * H);
  const gh = new Float64Array(G * H);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < batch; b++) {
      for (let r = 0; r < G * H; r++) {
        let sx = w.B[r];
        for (let k = 0; k < I; k++) sx += w.W[r * I + k] * x[(t * batch + b) * I + k];
        let sh = w.B[G * H + r];
        for (let k = 0; k < H; k++) sh += w.R[r * H + k] * h[b * H + k];
        gx[r] = sx;
        gh[r] = sh;
      }
      for (let j = 0; j < H; j++) {
        const hb = b * H + j;
        if (w.cell === 'lstm') {
          const i = sigmoid(gx[j] + gh[j]);
          const o = sigmoid(gx[H + j] + gh[H + j]);
          const f = sigmoid(gx[2 * H + j] + gh[2 * H + j]);
          const g = Math.tanh(gx[3 * H + j] + gh[3 * H + j]);
          c[hb] = f * c[hb] + i * g;
          gx[j] = o * Math.tanh(c[hb]); // new h, kept aside until every unit of this stream is done
        } else {
          const z = sigmoid(gx[j] + gh[j]);
          const r = sigmoid(gx[H + j] + gh[H + j]);
          const n = Math.tanh(gx[2 * H + j] + r * gh[2 * H + j]);
          gx[j] = (1 - z) * n + z * h[hb];
        }
      }
      for (let j = 0; j < H; j++) h[b * H + j] = gx[j];
    }
  }
  return h;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const OPTS = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 };

async function runFinal(bytes: Uint8Array, x: Float32Array, T: number, batch: number, I: number): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes, OPTS);
  const out = await s.run({ X: new ort.Tensor('float32', x, [T, batch, I]) });
  await s.release();
  return out.Y_h.data as Float32Array;
}

describe('ONNX benchmark models', () => {
  const [I, H, T, batch] = [3, 12, 9, 2];
  const x = makeInput(T, batch, I, 5);

  for (const cell of ['lstm', 'gru'] as const) {
    it(`float ${cell} matches the reference equations (max abs diff <= 1e-5)`, async () => {
      const w = makeRnnWeights(cell, I, H, 11);
      const y = await runFinal(buildRnnOnnx(w, { precision: 'f32', io: 'final' }), x, T, batch, I);
      expect(y.length).toBe(batch * H);
      expect(maxAbsDiff(y, referenceRnn(w, x, T, batch))).toBeLessThanOrEqual(1e-5);
    });
  }

  it('DynamicQuantizeLSTM (W as [1, I, 4H], per-row int8) stays within INT8 error of the float layer', async () => {
    const w = makeRnnWeights('lstm', I, H, 11);
    const y = await runFinal(buildRnnOnnx(w, { precision: 'int8', io: 'final' }), x, T, batch, I);
    const ref = referenceRnn(w, x, T, batch);
    const diff = maxAbsDiff(y, ref);
    console.log(`DynamicQuantizeLSTM vs float reference: max abs diff ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(0.03);
    expect(diff).toBeGreaterThan(0); // it really is quantized
  });

  it('stream models carry h and c: two chunks give the answer of the whole sequence', async () => {
    const w = makeRnnWeights('lstm', I, H, 11);
    const s = await ort.InferenceSession.create(buildRnnOnnx(w, { precision: 'f32', io: 'stream' }), OPTS);
    const zeros = (): InstanceType<typeof ort.Tensor> => new ort.Tensor('float32', new Float32Array(batch * H), [1, batch, H]);
    const cut = 4;
    const first = await s.run({ X: new ort.Tensor('float32', x.slice(0, cut * batch * I), [cut, batch, I]), initial_h: zeros(), initial_c: zeros() });
    const second = await s.run({
      X: new ort.Tensor('float32', x.slice(cut * batch * I), [T - cut, batch, I]),
      initial_h: first.Y_h,
      initial_c: first.Y_c,
    });
    expect(second.Y_h.dims).toEqual([1, batch, H]);
    expect(second.Y).toBeUndefined(); // stream models leave Y out (see onnx-build.ts)
    expect(maxAbsDiff(second.Y_h.data as Float32Array, referenceRnn(w, x, T, batch))).toBeLessThanOrEqual(1e-5);
    await s.release();
  });

  it('refuses an INT8 GRU: ONNX Runtime has no DynamicQuantizeGRU', () => {
    try {
      buildRnnOnnx(makeRnnWeights('gru', 2, 4, 1), { precision: 'int8', io: 'final' });
      expect.unreachable();
    } catch (e) {
      expect(isWavegateError(e, 'E_ARGUMENT')).toBe(true);
      expect((e as Error).message).toMatch(/DynamicQuantizeGRU/);
    }
  });
});
