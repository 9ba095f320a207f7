/**
 * Format version 2 (INT8 layers: F16 scales, pre-summed biases), version 4 (those biases F16) and
 * the older files every loader keeps reading: layouts, refusals of the other version's dtypes and
 * shapes, and the same weights scored through each layout.
 */
import { describe, expect, it } from 'vitest';
import { decodeWgm } from '../../../src/model/load.js';
import { encodeWgm } from '../../../src/model/write.js';
import { f16BitsToNumber } from '../../../src/model/f16.js';
import { presumBiases, recurrentBiases, recurrentScales } from '../../../src/model/recurrent-params.js';
import { FORMAT_VERSION, type GruLayerSpec, type LstmLayerSpec, type Tensor, type WgmModel } from '../../../src/model/schema.js';
import { loadModel } from '../../../src/runtime/model.js';
import { isWavegateError } from '../../../src/errors.js';
import { KERNELS, needs } from '../../helpers/needs.js';
import { maxAbsDiff, referenceRun, signal } from '../runtime/helpers.js';
import { encodeUnchecked } from './raw.js';
import { tinyModel, type TinySpec } from './tiny-model.js';

const lstm = (H: number): LstmLayerSpec => ({ type: 'lstm', name: 'l', inputSize: 1, hiddenSize: H, direction: 'forward', precision: 'int8' });
const gru = (H: number, linearBeforeReset: boolean): GruLayerSpec => ({ type: 'gru', name: 'g', inputSize: 1, hiddenSize: H, direction: 'forward', precision: 'int8', linearBeforeReset });

function expectRefused(bytes: Uint8Array, message: RegExp): void {
  try {
    decodeWgm(bytes, { source: 'v.wgm' });
  } catch (e) {
    expect(isWavegateError(e, 'E_MODEL_FORMAT'), String(e)).toBe(true);
    expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error('decodeWgm accepted the file');
}

describe('version 2 bias layout (H = 1, values chosen so every sum is visible)', () => {
  // ONNX order: Wb (gates) then Rb (gates).
  it('LSTM: [Wb + Rb] per gate', () => {
    expect(Array.from(presumBiases(lstm(1), Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]), 1))).toEqual([11, 22, 33, 44]);
  });
  it('GRU without linear-before-reset: [Wb + Rb] for z, r and h', () => {
    expect(Array.from(presumBiases(gru(1, false), Float32Array.from([1, 2, 3, 10, 20, 30]), 1))).toEqual([11, 22, 33]);
  });
  it('GRU with linear-before-reset: z and r summed, Wb_h and Rb_h apart', () => {
    expect(Array.from(presumBiases(gru(1, true), Float32Array.from([1, 2, 3, 10, 20, 30]), 1))).toEqual([11, 22, 3, 30]);
  });
  it('maps back onto the kernel ABI pair (Wb, Rb) with Rb_h inside the recurrent term', () => {
    const layer = gru(1, true);
    const model = { metadata: { formatVersion: 2, layers: [layer] }, tensors: new Map([['g.B', { dtype: 'F32', shape: [1, 4], data: Float32Array.from([11, 22, 3, 30]) }]]) } as unknown as WgmModel;
    const { wb, rb } = recurrentBiases(model, layer, 0);
    expect([Array.from(wb), Array.from(rb)]).toEqual([[11, 22, 3], [0, 0, 30]]);
  });
});

describe('version 2+ INT8 files (version 3 keeps the version 2 tensor layout, version 4 stores the biases F16)', () => {
  const cases: [TinySpec, number][] = [
    [{ cell: 'lstm', hidden: [8] }, 32],
    [{ cell: 'gru', hidden: [8], linearBeforeReset: false }, 24],
    [{ cell: 'gru', hidden: [8], linearBeforeReset: true, direction: 'bidirectional' }, 32],
  ];
  it.each(cases)('%o: F16 scales, B [D, %i], round trip', (spec, rows) => {
    const model = tinyModel({ ...spec, precision: 'int8' });
    expect(model.metadata.formatVersion).toBe(FORMAT_VERSION);
    expect(FORMAT_VERSION).toBe(4);
    const back = decodeWgm(encodeWgm(model));
    const D = spec.direction === 'bidirectional' ? 2 : 1;
    expect(back.tensors.get('rnn0.B')!.shape).toEqual([D, rows]);
    expect(back.tensors.get('rnn0.B')!.dtype).toBe('F16');
    // A version-3 file of the same layer keeps F32 biases and still loads.
    const v3 = decodeWgm(encodeWgm(tinyModel({ ...spec, precision: 'int8', formatVersion: 3 })));
    expect(v3.tensors.get('rnn0.B')).toMatchObject({ dtype: 'F32', shape: [D, rows] });
    for (const k of ['rnn0.W.scale', 'rnn0.R.scale']) {
      const t = back.tensors.get(k)!;
      expect(t.dtype).toBe('F16');
      expect(t.data).toBeInstanceOf(Uint16Array);
      expect(t.data).toEqual(model.tensors.get(k)!.data);
    }
    // Widened scales are the f16 values, exactly.
    const layer = back.metadata.layers[0] as LstmLayerSpec;
    const { Ws } = recurrentScales(back, layer, 0);
    expect(Ws[0]).toBe(f16BitsToNumber((back.tensors.get('rnn0.W.scale')!.data as Uint16Array)[0]));
  });

  it('refuses F32 scales or a version-1 bias in a version-2 file, naming the tensor', () => {
    const v2 = tinyModel({ cell: 'lstm', precision: 'int8', formatVersion: 2 });
    const v1 = tinyModel({ cell: 'lstm', precision: 'int8', formatVersion: 1 });
    // v2 metadata with the v1 scale tensors (F32): the dtype is named.
    const f32Scales = new Map(v2.tensors);
    for (const k of ['rnn0.W.scale', 'rnn0.R.scale']) f32Scales.set(k, v1.tensors.get(k)!);
    expectRefused(encodeUnchecked({ metadata: v2.metadata, tensors: f32Scales }), /^v\.wgm: tensor "rnn0\.(W|R)\.scale" \(per-row scales of (W|R)\) has dtype F32, expected F16/);
    // v2 metadata with v1's Wb ++ Rb bias [1, 64].
    const longBias = new Map(v2.tensors);
    longBias.set('rnn0.B', v1.tensors.get('rnn0.B')!);
    expectRefused(encodeUnchecked({ metadata: v2.metadata, tensors: longBias }), /tensor "rnn0\.B" \(biases Wb \+ Rb\) has shape \[1, 64\], expected \[1, 32\]/);
    // The writer refuses the same models with the same words.
    expect(() => encodeWgm({ metadata: v2.metadata, tensors: f32Scales })).toThrow(/has dtype F32, expected F16/);
  });

  it('refuses F32 biases in a version-4 INT8 layer and F16 biases in a version-3 one', () => {
    const v4 = tinyModel({ cell: 'gru', precision: 'int8' });
    const v3 = tinyModel({ cell: 'gru', precision: 'int8', formatVersion: 3 });
    const swap = (m: WgmModel, from: WgmModel) => encodeUnchecked({ metadata: m.metadata, tensors: new Map([...m.tensors, ['rnn0.B', from.tensors.get('rnn0.B')!]]) });
    expectRefused(swap(v4, v3), /tensor "rnn0\.B" \(biases \[Wb_z \+ Rb_z, Wb_r \+ Rb_r, Wb_h, Rb_h\]\) has dtype F32, expected F16/);
    expectRefused(swap(v3, v4), /tensor "rnn0\.B" .* has dtype F16, expected F32/);
  });
});

describe('version 1 INT8 files still load', () => {
  it('round-trips byte for byte (a v1 model stays v1 in memory)', () => {
    const v1 = tinyModel({ cell: 'gru', precision: 'int8', formatVersion: 1 });
    const bytes = encodeWgm(v1);
    const back = decodeWgm(bytes);
    expect(back.metadata.formatVersion).toBe(1);
    expect(back.tensors.get('rnn0.W.scale')!.dtype).toBe('F32');
    expect(back.tensors.get('rnn0.B')!.shape).toEqual([1, 48]);
    expect(Buffer.from(encodeWgm(back)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('refuses F16 scales in a version-1 file', () => {
    const v1 = tinyModel({ cell: 'gru', precision: 'int8', formatVersion: 1 });
    const v2 = tinyModel({ cell: 'gru', precision: 'int8' });
    const tensors = new Map<string, Tensor>(v1.tensors);
    tensors.set('rnn0.R.scale', v2.tensors.get('rnn0.R.scale')!);
    expectRefused(encodeUnchecked({ metadata: v1.metadata, tensors }), /tensor "rnn0\.R\.scale" \(per-row scales of R\) has dtype F16, expected F32/);
  });
});

/**
 * The same int8 codes and f16-exact scales stored both ways: version 1 (scales widened to F32,
 * the original Wb ++ Rb) and version 2. The f32 twin with the same seed holds the original biases
 * (tinyModel draws W, R, B in the same order for every precision).
 */
function asVersion1(v2: WgmModel, spec: TinySpec): WgmModel {
  const original = tinyModel({ ...spec, precision: 'f32' });
  const tensors = new Map(v2.tensors);
  for (const layer of v2.metadata.layers) {
    if (layer.type !== 'lstm' && layer.type !== 'gru') continue;
    tensors.set(`${layer.name}.B`, original.tensors.get(`${layer.name}.B`)!);
    for (const k of ['W', 'R']) {
      const name = `${layer.name}.${k}.scale`;
      const t = v2.tensors.get(name)!;
      tensors.set(name, { dtype: 'F32', shape: t.shape, data: Float32Array.from(t.data as Uint16Array, f16BitsToNumber) });
    }
  }
  return { metadata: { ...v2.metadata, formatVersion: 1 }, tensors };
}

/**
 * Version 4 against version 2, same weight codes and scales: 7-bit activations with h at a per-step
 * scale (docs/int8-schemes.md) and F16 biases (|b| <= 0.6 here, step <= 2^-12) move a probability
 * of these tiny random models by less than this (measured below 1e-2).
 */
const MAX_V4_EFFECT = 2e-2;

needs(KERNELS).describe('version 1, 2 and 4 of the same weights score alike', () => {
  const specs: TinySpec[] = [
    { cell: 'lstm', hidden: [8, 6], direction: 'bidirectional' },
    { cell: 'gru', hidden: [8], linearBeforeReset: true },
    { cell: 'gru', hidden: [8], linearBeforeReset: false, staticScale: 0.05 },
  ];
  it.each(specs)('%o', async (spec) => {
    // Version 2 proper: the same 8-bit activation scheme as version 1; version 4 (7-bit activations and
    // F16 biases, docs/model-format.md) of the same weights for comparison.
    const v2 = tinyModel({ ...spec, precision: 'int8', seed: 11, formatVersion: 2 });
    const v4 = tinyModel({ ...spec, precision: 'int8', seed: 11 });
    const v1 = asVersion1(v2, { ...spec, seed: 11 });
    encodeWgm(v1); // a valid version-1 file
    const n = 5;
    const T = 16;
    const x = signal(n * T * 2, 3);
    const run = async (m: WgmModel) => {
      const model = await loadModel(m);
      const s = await model.createSession({ backend: 'simd', maxBatch: n });
      const y = s.run(x, n, T);
      model.dispose();
      return y;
    };
    const [y1, y2, y4] = [await run(v1), await run(v2), await run(v4)];
    const d4 = maxAbsDiff(y2, y4);
    expect(d4).toBeGreaterThan(0); // the scheme and the biases did change
    expect(d4).toBeLessThan(MAX_V4_EFFECT);
    if (spec.cell === 'lstm') {
      // LSTM: the kernel takes f32(Wb + Rb) in both cases, so the inputs to the kernel are identical.
      expect(Buffer.from(y2.buffer).equals(Buffer.from(y1.buffer))).toBe(true);
    } else {
      // GRU: v1 adds Wb and Rb in separate terms, v2 once; only f32 rounding differs.
      expect(maxAbsDiff(y1, y2)).toBeLessThan(1e-5);
    }
    // The float64 emulation reads both layouts alike too.
    expect(maxAbsDiff(referenceRun(v1, x, n, T), referenceRun(v2, x, n, T))).toBeLessThan(1e-6);
  });
});
