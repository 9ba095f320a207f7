/**
 * The per-class check of select.ts (a dense layer kept in f32 where INT8 changes the top-1 of more
 * than CLASS_LOSS_TOLERANCE of one class's windows) and the file build.ts writes for that choice.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importOnnxFile } from '../../../tools/onnx/import.js';
import { buildInt8Model, type SiteChoice } from '../../../tools/quantize/build.js';
import { quantSites, siteKey } from '../../../tools/quantize/collect.js';
import { CLASS_LOSS_TOLERANCE, MIN_CLASS_WINDOWS, worstClassLoss } from '../../../tools/quantize/select.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Outputs [n, 3] whose top-1 is the given class of each window. */
const outputs = (top: number[]) => Float32Array.from(top.flatMap((c) => [0, 1, 2].map((j) => (j === c ? 0.9 : 0.05))));

describe('worstClassLoss', () => {
  it('is the largest share of one float class whose INT8 top-1 changes, however small the class', () => {
    // 380 windows of class 0 (all kept), 20 of class 2 (one lost): 0.25 % overall, 5 % of class 2.
    const float = [...Array(380).fill(0), ...Array(20).fill(2)];
    const int8 = [...Array(380).fill(0), ...Array(19).fill(2), 1];
    expect(worstClassLoss(float, outputs(int8), 3)).toBeCloseTo(0.05, 12);
    expect(MIN_CLASS_WINDOWS).toBe(20);
    // A class with fewer than MIN_CLASS_WINDOWS windows is not judged.
    expect(worstClassLoss([...Array(98).fill(0), 2, 2], outputs([...Array(98).fill(0), 2, 1]), 3)).toBe(0);
    expect(worstClassLoss(float, outputs(float), 3)).toBe(0);
    // One of 400 windows of a class is within the 0.5-point tolerance.
    const big = Array(400).fill(1);
    const one = [...Array(399).fill(1), 0];
    expect(worstClassLoss(big, outputs(one), 3)).toBeLessThanOrEqual(CLASS_LOSS_TOLERANCE);
  });
});

describe('buildInt8Model with a dense layer kept float', () => {
  it('keeps that layer f32 (its float tensors, no input scale) and the rest INT8', () => {
    const float = importOnnxFile(join(ROOT, 'fixtures/models/ecg-beat-gru.onnx')).model;
    const choices = new Map<string, SiteChoice>(quantSites(float).map((s) => [siteKey(s), s.kind === 'recurrent' ? { mode: 'dynamic', method: 'dynamic' } : { mode: 'float', method: 'f32' }]));
    const m = buildInt8Model(float, choices);
    const gru = m.metadata.layers.find((l) => l.type === 'gru')!;
    const dense = m.metadata.layers.find((l) => l.type === 'dense')!;
    expect(gru).toMatchObject({ precision: 'int8' });
    expect(dense.precision ?? 'f32').toBe('f32');
    expect('inputQuant' in dense).toBe(false);
    expect(m.tensors.get('dense0.W')!.dtype).toBe('F32');
    expect(m.tensors.get('dense0.W')!.data).toEqual(float.tensors.get('dense0.W')!.data);
    expect(m.tensors.has('dense0.W.scale')).toBe(false);
  });
});
