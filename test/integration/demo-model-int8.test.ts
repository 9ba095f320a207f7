/**
 * INT8 against float on the committed fixtures (the bar): the demo student
 * (fixtures/models/ecg-beat-gru{,-int8}.wgm, made by tools/fixtures/make-demo-model.sh) scored on
 * the committed synthetic beat windows (fixtures/signals/ecg-beats.npy) by both kernel builds.
 * Top-1 agreement >= 99% and max probability difference <= 0.05; the figures are printed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../../src/io/npy.js';
import { loadModel } from '../../src/runtime/model.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MIN_TOP1_AGREEMENT = 0.99;
const MAX_PROB_DIFF = 0.05;

function argmax(a: Float32Array, off: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (a[off + j] > a[off + best]) best = j;
  return best;
}

async function score(path: string, backend: 'ref' | 'simd', x: Float32Array, n: number, t: number) {
  const model = await loadModel(ROOT + path);
  const session = await model.createSession({ backend, maxBatch: 64 });
  const y = session.run(x, n, t);
  model.dispose();
  return y;
}

describe('demo model: INT8 vs f32 on the committed fixtures', () => {
  const windows = readNpy(readFileSync(ROOT + 'fixtures/signals/ecg-beats.npy'));
  const labels = readNpy(readFileSync(ROOT + 'fixtures/signals/ecg-beats-labels.npy'));
  const [n, t] = windows.shape;
  const x = windows.data as Float32Array;

  for (const backend of ['ref', 'simd'] as const) {
    it(`${backend} build: top-1 agreement >= 99%, max |p_int8 - p_f32| <= 0.05`, async () => {
      const f32 = await score('fixtures/models/ecg-beat-gru.wgm', backend, x, n, t);
      const int8 = await score('fixtures/models/ecg-beat-gru-int8.wgm', backend, x, n, t);
      const k = f32.length / n;
      let agree = 0;
      let correctF32 = 0;
      let correctInt8 = 0;
      let maxDiff = 0;
      for (let i = 0; i < n; i++) {
        const a = argmax(f32, i * k, k);
        const b = argmax(int8, i * k, k);
        if (a === b) agree++;
        if (a === Number(labels.data[i])) correctF32++;
        if (b === Number(labels.data[i])) correctInt8++;
        for (let j = 0; j < k; j++) maxDiff = Math.max(maxDiff, Math.abs(f32[i * k + j] - int8[i * k + j]));
      }
      console.log(
        `[${backend}] ${n} windows: top-1 agreement ${((100 * agree) / n).toFixed(2)}%, max prob diff ${maxDiff.toExponential(2)}, ` +
          `accuracy f32 ${((100 * correctF32) / n).toFixed(1)}% int8 ${((100 * correctInt8) / n).toFixed(1)}%`,
      );
      expect(agree / n).toBeGreaterThanOrEqual(MIN_TOP1_AGREEMENT);
      expect(maxDiff).toBeLessThanOrEqual(MAX_PROB_DIFF);
    });
  }

  it('INT8 outputs are identical on every run and in both kernel builds', async () => {
    const a = await score('fixtures/models/ecg-beat-gru-int8.wgm', 'simd', x, n, t);
    const b = await score('fixtures/models/ecg-beat-gru-int8.wgm', 'simd', x, n, t);
    const ref = await score('fixtures/models/ecg-beat-gru-int8.wgm', 'ref', x, n, t);
    const bytes = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    expect(bytes(b).equals(bytes(a))).toBe(true);
    expect(bytes(ref).equals(bytes(a))).toBe(true);
  });
});
