/**
 * Importer tests on the PyTorch-exported fixtures (tools/fixtures/gen_onnx_models.py):
 * layer structure, tensor shapes, gate order (weights taken over bit for bit), numerics of the
 * imported model against what PyTorch computed, int8 weights, provenance, bad files.
 */
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWavegateError } from '../../../src/errors.js';
import { readNpy } from '../../../src/io/npy.js';
import { dequantizeRowsS8 } from '../../../src/model/formats.js';
import { scaleTensorToF32 } from '../../../src/model/recurrent-params.js';
import { f16ArrayToF32, f16round } from '../../../src/model/f16.js';
import { importOnnx, importOnnxFile } from '../../../tools/onnx/import.js';
import { decodeModel, readTensor } from '../../../tools/onnx/proto.js';
import { referenceRun } from '../../../src/runtime/reference.js';
import { FORMAT_VERSION } from '../../../src/model/schema.js';

const DIR = fileURLToPath(new URL('../../../fixtures/onnx/', import.meta.url));
interface Case { name: string; expect: string; expectMessage?: string; layout: string; inputShape: number[]; outputShape: number[]; featuresShape?: number[] }
const manifest = JSON.parse(readFileSync(DIR + 'manifest.json', 'utf8')) as { cases: Case[] };
/** Models with side features (a second input) have their own suite: side-features.test.ts. */
const okCases = manifest.cases.filter((c) => c.expect === 'ok' && !c.featuresShape);

/** Error budget of the float64 reference model (src/runtime/reference.ts) against PyTorch's f32 CPU kernels. */
const TORCH_F32_BUDGET = 1e-5;

/** Converts a [T, B, C] array to [B, T, C]. */
export function toBatchFirst(x: Float32Array, T: number, B: number, C: number): Float32Array {
  const o = new Float32Array(x.length);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let k = 0; k < C; k++) o[(b * T + t) * C + k] = x[(t * B + b) * C + k];
  return o;
}

function expectCode(fn: () => unknown, code: string, message?: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(isWavegateError(e), String(e)).toBe(true);
    expect((e as { code: string }).code).toBe(code);
    if (message) expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('import of PyTorch exports', () => {
  it('has fixtures (run tools/fixtures/gen_onnx_models.py) that match their manifest, under 1 MB in all', () => {
    expect(okCases.length).toBeGreaterThanOrEqual(6);
    let bytes = 0;
    for (const c of manifest.cases) {
      for (const suffix of ['.onnx', '.input.npy', '.torch.npy', ...(c.featuresShape ? ['.features.npy'] : [])]) bytes += statSync(DIR + c.name + suffix).size;
      expect(readNpy(readFileSync(DIR + c.name + '.input.npy')).shape).toEqual(c.inputShape);
      if (c.featuresShape) expect(readNpy(readFileSync(DIR + c.name + '.features.npy')).shape).toEqual(c.featuresShape);
      expect(readNpy(readFileSync(DIR + c.name + '.torch.npy')).shape).toEqual(c.outputShape);
    }
    expect(bytes).toBeLessThan(1 << 20);
  });

  for (const c of okCases) {
    it(`${c.name}: matches PyTorch within ${TORCH_F32_BUDGET}`, () => {
      const { model, io } = importOnnxFile(DIR + c.name + '.onnx');
      expect(io.inputLayout).toBe(c.layout);
      const x = readNpy(readFileSync(DIR + c.name + '.input.npy'));
      const want = readNpy(readFileSync(DIR + c.name + '.torch.npy'));
      const [d0, d1, C] = x.shape;
      const [B, T] = c.layout === 'batch_first' ? [d0, d1] : [d1, d0];
      expect(model.metadata.input.channels).toBe(C);
      const xb = c.layout === 'batch_first' ? (x.data as Float32Array) : toBatchFirst(x.data as Float32Array, T, B, C);
      const got = referenceRun(model, xb, B, T, { perStep: io.perStep });
      expect(got.shape).toEqual(want.shape);
      let maxDiff = 0;
      got.data.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - (want.data as Float32Array)[i]))));
      expect(maxDiff).toBeLessThanOrEqual(TORCH_F32_BUDGET);
    });
  }

  it('keeps ONNX gate order: recurrent tensors are the initializers, bit for bit', () => {
    const bytes = readFileSync(DIR + 'lstm2_bi_mean_seqfirst.onnx');
    const { model } = importOnnx(bytes);
    const graph = decodeModel(bytes, 'x').graph!;
    const lstms = graph.node!.filter((n) => n.opType === 'LSTM');
    expect(lstms).toHaveLength(2);
    lstms.forEach((node, k) => {
      for (const [slot, key] of [[1, 'W'], [2, 'R'], [3, 'B']] as const) {
        const init = graph.initializer!.find((t) => t.name === node.input![slot])!;
        const want = readTensor(init);
        const got = model.tensors.get(`lstm${k}.${key}`)!;
        expect(got.shape).toEqual(want.dims);
        expect(Array.from(got.data)).toEqual(Array.from(want.data));
      }
    });
    const layers = model.metadata.layers;
    expect(layers.map((l) => l.type)).toEqual(['lstm', 'lstm', 'pool', 'dense']);
    expect(layers[0]).toMatchObject({ inputSize: 3, hiddenSize: 13, direction: 'bidirectional', precision: 'f32' });
    expect(layers[1]).toMatchObject({ inputSize: 26, hiddenSize: 13, direction: 'bidirectional' });
    expect(layers[2]).toMatchObject({ mode: 'mean' });
    expect(model.metadata.output).toEqual({ activation: 'softmax', size: 5 });
  });

  it('maps each pooling pattern and head', () => {
    const layersOf = (n: string) => importOnnxFile(DIR + n + '.onnx').model.metadata;
    expect(layersOf('lstm_i3_h13_last').layers.find((l) => l.type === 'pool')).toMatchObject({ mode: 'last' });
    expect(layersOf('gru_i5_h37_hn_t1000').layers.find((l) => l.type === 'pool')).toMatchObject({ mode: 'final_state' });
    const gru2 = layersOf('gru2_bi_hn_t1_sigmoid');
    expect(gru2.layers.map((l) => l.type)).toEqual(['gru', 'gru', 'pool', 'dense', 'dense']);
    expect(gru2.layers[0]).toMatchObject({ linearBeforeReset: true, direction: 'bidirectional' });
    expect(gru2.layers[3]).toMatchObject({ activation: 'relu', inFeatures: 74, outFeatures: 11 });
    expect(gru2.output.activation).toBe('sigmoid');
    expect(layersOf('lstm_bi_last_ln').layers.map((l) => l.type)).toEqual(['lstm', 'pool', 'layernorm', 'dense']);
    expect(layersOf('lstm_last_ln_opset17').layers.map((l) => l.type)).toEqual(['lstm', 'pool', 'layernorm', 'dense']);
    const perStep = importOnnxFile(DIR + 'lstm_per_step.onnx');
    expect(perStep.io.perStep).toBe(true);
    expect(perStep.model.metadata.layers.map((l) => l.type)).toEqual(['lstm', 'dense']);
    const teacher = layersOf('lstm2_bi_layernorm_final_state').layers;
    expect(teacher.map((l) => (l.type === 'pool' ? `pool:${l.mode}` : l.type))).toEqual(['lstm', 'layernorm', 'lstm', 'layernorm', 'pool:final_state', 'dense']);
    expect(layersOf('gru_layernorm_last').layers.map((l) => (l.type === 'pool' ? `pool:${l.mode}` : l.type))).toEqual(['gru', 'layernorm', 'pool:last', 'dense']);
    const stat = layersOf('gru_static_window');
    expect(stat.input.window).toBe(64);
    expect(stat.output.activation).toBe('none');
  });

  it('writes provenance: source hash, file name, producers', () => {
    const bytes = readFileSync(DIR + 'lstm_i3_h13_last.onnx');
    const p = importOnnx(bytes, { source: '/some/where/lstm_i3_h13_last.onnx' }).model.metadata.provenance!;
    expect(p.sourceSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(p.sourceFile).toBe('lstm_i3_h13_last.onnx');
    expect(p.producer).toMatch(/^wavegate .* import$/);
    expect(String(p.onnxProducer)).toMatch(/^pytorch/);
    const other = importOnnx(readFileSync(DIR + 'gru_static_window.onnx')).model.metadata.provenance!;
    expect(other.sourceSha256).not.toBe(p.sourceSha256);
  });

  it('--int8: recurrent W and R become per-row I8 with F16 scales, biases pre-summed and stored F16 (format version 4); head stays F32', () => {
    const f32 = importOnnxFile(DIR + 'gru2_bi_hn_t1_sigmoid.onnx').model;
    const q = importOnnxFile(DIR + 'gru2_bi_hn_t1_sigmoid.onnx', { int8: true }).model;
    for (const l of q.metadata.layers) {
      if (l.type !== 'gru') continue;
      expect(l.precision).toBe('int8');
      expect(l.inputQuant).toEqual({ mode: 'dynamic' });
      for (const k of ['W', 'R']) {
        const t = q.tensors.get(`${l.name}.${k}`)!;
        const s = q.tensors.get(`${l.name}.${k}.scale`)!;
        const ref = f32.tensors.get(`${l.name}.${k}`)!;
        expect(t.dtype).toBe('I8');
        expect(t.shape).toEqual(ref.shape);
        expect(s.dtype).toBe('F16');
        expect(s.shape).toEqual(ref.shape.slice(0, 2));
        const [d, rows, cols] = t.shape;
        const scales = scaleTensorToF32(s);
        const deq = dequantizeRowsS8(t.data as Int8Array, scales, d * rows, cols);
        let excess = -Infinity; // largest |error| beyond half a quantization step
        for (let i = 0; i < deq.length; i++) {
          const scale = scales[Math.floor(i / cols)];
          excess = Math.max(excess, Math.abs(deq[i] - ref.data[i]) - scale / 2);
        }
        expect(excess).toBeLessThanOrEqual(1e-7);
      }
      // PyTorch GRUs are linear-before-reset: [Wb_z + Rb_z, Wb_r + Rb_r, Wb_h, Rb_h] per direction.
      // Stored as the nearest f16 of the f32 sum (version 4).
      const Bt = q.tensors.get(`${l.name}.B`)!;
      const B = f16ArrayToF32(Bt.data as Uint16Array);
      const Bf = f32.tensors.get(`${l.name}.B`)!.data as Float32Array;
      const H = l.hiddenSize;
      expect(l.linearBeforeReset).toBe(true);
      expect(Bt.dtype).toBe('F16');
      expect(Bt.shape).toEqual([2, 4 * H]);
      for (let dir = 0; dir < 2; dir++) {
        const src = dir * 6 * H;
        const dst = dir * 4 * H;
        for (let r = 0; r < 2 * H; r++) expect(B[dst + r]).toBe(f16round(Math.fround(Bf[src + r] + Bf[src + 3 * H + r])));
        for (let j = 0; j < H; j++) {
          expect(B[dst + 2 * H + j]).toBe(f16round(Bf[src + 2 * H + j]));
          expect(B[dst + 3 * H + j]).toBe(f16round(Bf[src + 5 * H + j]));
        }
      }
    }
    expect(q.metadata.formatVersion).toBe(FORMAT_VERSION);
    expect(q.tensors.get('dense0.W')!.dtype).toBe('F32');
  });

  it('refuses the Conv front with op and node named', () => {
    const c = manifest.cases.find((k) => k.name === 'conv_front_unsupported')!;
    expectCode(() => importOnnxFile(DIR + c.name + '.onnx'), c.expect, /unsupported op Conv at node '\/conv\/Conv'/);
  });

  it('bad files: missing -> E_NOT_FOUND, garbage / truncated / empty -> E_ONNX_FORMAT', () => {
    expectCode(() => importOnnxFile(DIR + 'does-not-exist.onnx'), 'E_NOT_FOUND', /does-not-exist/);
    expectCode(() => importOnnx(new TextEncoder().encode('{"not": "onnx"}')), 'E_ONNX_FORMAT');
    const good = readFileSync(DIR + 'lstm_i3_h13_last.onnx');
    expectCode(() => importOnnx(good.subarray(0, Math.floor(good.length / 2))), 'E_ONNX_FORMAT');
    expectCode(() => importOnnx(new Uint8Array(0)), 'E_ONNX_FORMAT');
  });

  it('corrupted files never escape as anything but a WavegateError (fuzz)', () => {
    const good = readFileSync(DIR + 'lstm_bi_last_ln.onnx');
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(good.length), (edits, cut) => {
      const b = Uint8Array.from(good.subarray(0, Math.max(cut, good.length - 64)));
      for (const [at, v] of edits) if (at < b.length) b[at] = v;
      try {
        importOnnx(b);
      } catch (e) {
        expect(isWavegateError(e), String((e as Error).stack)).toBe(true);
      }
    }), { numRuns: 300, seed: 42 });
  });
});
