/**
 * tools/quantize/int8-schemes.ts, the study behind format version 4's activation scheme, kept
 * runnable: both schemes on the demo model's committed beat windows, and a version-4 file (F16
 * biases) taken back to version 3 (F32 biases, the same numbers).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../../../src/io/npy.js';
import { compareSchemes } from '../../../tools/quantize/int8-schemes.js';
import { KERNELS, needs } from '../../helpers/needs.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('int8-schemes', () => {
  needs(KERNELS).it('compares the 8-bit and the 7-bit scheme on the demo model: both agree with f32, sensitivity within 0.3 points', async () => {
    const w = readNpy(readFileSync(join(ROOT, 'fixtures/signals/ecg-beats.npy')));
    const l = readNpy(readFileSync(join(ROOT, 'fixtures/signals/ecg-beats-labels.npy')));
    const r = await compareSchemes(join(ROOT, 'fixtures/models/ecg-beat-gru.onnx'), 'fixture', w.data as Float32Array, w.shape[0], w.shape[1], Array.from(l.data as BigInt64Array, Number));
    expect(r.windows).toBe(200);
    expect(r.classCounts).toEqual([142, 27, 31]);
    for (const s of [r.v3, r.v4]) {
      expect(s.agreement).toBeGreaterThanOrEqual(0.99);
      expect(s.maxAbsDiff).toBeGreaterThan(0); // INT8 really ran
      expect(s.maxAbsDiff).toBeLessThan(0.1);
    }
    r.v4.sensitivity!.forEach((v, c) => expect(v).toBeGreaterThanOrEqual(r.v3.sensitivity![c] - 0.003));
    // the two schemes are different arithmetic: their outputs differ
    expect(r.v3.meanAbsDiff).not.toBe(r.v4.meanAbsDiff);
  });
});
