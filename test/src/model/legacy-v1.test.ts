/**
 * The demo INT8 model as format version 1 wrote it (fixtures/models/legacy/ecg-beat-gru-int8.v1.wgm,
 * a copy of the committed file before version 2; F32 scales, biases Wb ++ Rb) still loads, and
 * scores the committed fixture windows like the version-2 file `wavegate import --int8` made
 * from the same ONNX model (fixtures/models/legacy/ecg-beat-gru-int8.v2.wgm, the committed demo
 * model until format version 4): same top-1 for every window.
 * Rounding the scales up to f16 moves some codes by one step, so the two files differ by
 * quantization noise: as much as either differs from f32 at worst (measured: max 2.0e-2 between
 * them, 1.8e-2 and 1.3e-2 to f32), far less typically (median 2e-5).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../../../src/io/npy.js';
import { loadWgm } from '../../../src/model/load.js';
import { loadModel } from '../../../src/runtime/model.js';
import { KERNELS, needs } from '../../helpers/needs.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const V1 = `${ROOT}fixtures/models/legacy/ecg-beat-gru-int8.v1.wgm`;
const V2 = `${ROOT}fixtures/models/legacy/ecg-beat-gru-int8.v2.wgm`;

describe('legacy format version 1 INT8 fixture', () => {
  it('loads with its version-1 tensors; the former demo model is version 2', async () => {
    const v1 = await loadWgm(V1);
    expect(v1.metadata.formatVersion).toBe(1);
    expect(v1.tensors.get('gru0.W.scale')!.dtype).toBe('F32');
    expect(v1.tensors.get('gru0.B')!.shape).toEqual([1, 192]); // Wb ++ Rb, 2 x 3H
    const v2 = await loadWgm(V2);
    expect(v2.metadata.formatVersion).toBe(2);
    expect(v2.tensors.get('gru0.W.scale')!.dtype).toBe('F16');
    expect(v2.tensors.get('gru0.B')!.shape).toEqual([1, 128]); // linear-before-reset: z, r summed, Wb_h, Rb_h
    // Same int8 weights up to the scale rounding: the codes differ by at most one step.
    const [a, b] = [v1.tensors.get('gru0.R')!.data, v2.tensors.get('gru0.R')!.data];
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst).toBeLessThanOrEqual(1);
    // The version-2 layout is smaller (F16 scales, pre-summed biases); compare tensor bytes, since
    // the version-3 file also carries the model's self-description in its metadata.
    const tensorBytes = (m: typeof v1) => [...m.tensors.values()].reduce((sum, t) => sum + t.data.byteLength, 0);
    expect(tensorBytes(v2)).toBeLessThan(tensorBytes(v1));
  });

  needs(KERNELS).it('scores the fixture windows like the version-2 file', async () => {
    const windows = readNpy(readFileSync(`${ROOT}fixtures/signals/ecg-beats.npy`));
    const [n, T] = windows.shape;
    const x = windows.data as Float32Array;
    const score = async (path: string) => {
      const model = await loadModel(path);
      const s = await model.createSession({ backend: 'simd', maxBatch: 64 });
      const y = s.run(x, n, T);
      model.dispose();
      return y;
    };
    const [y1, y2] = [await score(V1), await score(V2)];
    const k = y1.length / n;
    let sameTop1 = 0;
    const diffs: number[] = [];
    for (let i = 0; i < n; i++) {
      let a = 0;
      let b = 0;
      for (let j = 1; j < k; j++) {
        if (y1[i * k + j] > y1[i * k + a]) a = j;
        if (y2[i * k + j] > y2[i * k + b]) b = j;
      }
      if (a === b) sameTop1++;
      for (let j = 0; j < k; j++) diffs.push(Math.abs(y1[i * k + j] - y2[i * k + j]));
    }
    diffs.sort((p, q) => p - q);
    const [median, maxDiff] = [diffs[diffs.length >> 1], diffs[diffs.length - 1]];
    console.log(`[v1 vs v2] ${n} windows: same top-1 ${sameTop1}/${n}, |p_v1 - p_v2| median ${median.toExponential(2)} max ${maxDiff.toExponential(2)}`);
    expect(sameTop1).toBe(n);
    expect(median).toBeLessThan(1e-3);
    expect(maxDiff).toBeLessThanOrEqual(0.05); // the INT8-vs-f32 bar (test/integration/demo-model-int8.test.ts)
  });
});
