/**
 * Side features into the head (input.features): `session.run(windows, n, { features })` and
 * `push(ids, chunk, { features })` against the float64 reference (src/runtime/reference.ts), on
 * both kernel builds, f32 and INT8; the input checks of both calls.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadModel } from '../../../src/runtime/model.js';
import { referenceForward } from '../../../src/runtime/reference.js';
import { tinyModel, type TinySpec } from '../model/tiny-model.js';
import { BACKENDS, maxAbsDiff, signal } from './helpers.js';
import { KERNELS, needs } from '../../helpers/needs.js';

/** f32 kernel vs float64 reference: the window tests' budget (activations O(1), measured ~2e-7). */
const F32_VS_REFERENCE = 1e-5;
/** INT8 kernel vs the reference's emulation: the window tests' budget (one h quantization step flip, see window.test.ts). */
const INT8_VS_EMULATION = 2e-3;

/** Reference window scores for windows [n, T, C] with side features [n, F]. */
function referenceRun(m: ReturnType<typeof tinyModel>, w: Float32Array, n: number, T: number, f: Float32Array): Float64Array {
  const C = m.metadata.input.channels;
  const F = m.metadata.input.features!.names.length;
  const S = m.metadata.output.size;
  const out = new Float64Array(n * S);
  for (let i = 0; i < n; i++) {
    const xs = Array.from({ length: T }, (_, t) => w.subarray((i * T + t) * C, (i * T + t + 1) * C));
    out.set(referenceForward(m, xs, new Map(), f.subarray(i * F, (i + 1) * F)).pooled, i * S);
  }
  return out;
}

function codeOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('nothing was thrown');
}

const specs: TinySpec[] = [
  { cell: 'gru', precision: 'f32', features: 4 },
  { cell: 'lstm', precision: 'f32', features: 3, hidden: [8, 5], mid: 6 },
  { cell: 'lstm', precision: 'f32', features: 2, direction: 'bidirectional', pool: 'final_state', layerNorm: true },
  { cell: 'gru', precision: 'f32', features: 5, direction: 'reverse', pool: 'mean', activation: 'sigmoid' },
  { cell: 'gru', precision: 'int8', features: 4, mid: 7 },
  { cell: 'lstm', precision: 'int8', features: 3, layerNorm: true, staticScale: 0.02 },
  { cell: 'gru', precision: 'int8', features: 1, direction: 'bidirectional', pool: 'mean', channels: 3 },
  // Whole-model INT8 (format version 4): the dense layers int8, the feature columns at their own scale.
  { cell: 'gru', precision: 'int8', features: 4, mid: 7, int8Head: true },
  { cell: 'lstm', precision: 'int8', features: 3, layerNorm: true, staticScale: 0.02, int8Head: true, headScale: 1 / 32, featureScale: 1 / 40 },
  { cell: 'gru', precision: 'int8', features: 1, direction: 'bidirectional', pool: 'mean', channels: 3, int8Head: true },
];

needs(KERNELS).describe('side features (input.features)', () => {
  it.each(specs)('run(windows, n, { features }) matches the reference: %o', async (spec) => {
    const m = tinyModel(spec);
    const model = await loadModel(m);
    const C = m.metadata.input.channels;
    const F = spec.features!;
    const T = 16;
    const n = 7;
    const w = signal(n * T * C, 3);
    const f = signal(n * F, 5);
    const ref = referenceRun(m, w, n, T, f);
    const outs: Float32Array[] = [];
    for (const backend of BACKENDS) {
      const s = await model.createSession({ maxBatch: 3, backend }); // 7 windows -> tiles of 3, 3, 1
      const out = s.run(w, n, { features: f });
      expect(maxAbsDiff(out, ref)).toBeLessThan(spec.precision === 'int8' ? INT8_VS_EMULATION : F32_VS_REFERENCE);
      expect(s.run(w, n, { T, features: f })).toEqual(out);
      outs.push(out);
    }
    // The f32 dense head sums in one order in both builds and the INT8 one exactly: INT8 models stay bit-identical.
    if (spec.precision === 'int8') expect(outs[1]).toEqual(outs[0]);
  });

  it('features change the scores, one window at a time (they are not ignored or mixed up)', async () => {
    const m = tinyModel({ cell: 'gru', features: 3, seed: 7 });
    const s = await (await loadModel(m)).createSession({ maxBatch: 2 });
    const n = 5;
    const w = signal(n * 16 * 2, 1);
    const f = signal(n * 3, 2);
    const base = s.run(w, n, { features: f });
    const g = Float32Array.from(f);
    g[2 * 3 + 1] += 1; // window 2, feature 1
    const moved = s.run(w, n, { features: g });
    for (let i = 0; i < n; i++) {
      const d = maxAbsDiff(moved.subarray(i * 3, i * 3 + 3), base.subarray(i * 3, i * 3 + 3));
      if (i === 2) expect(d).toBeGreaterThan(1e-3);
      else expect(d).toBe(0);
    }
  });

  it('random architectures match the reference (property, seeded)', async () => {
    const arch = fc.record({
      cell: fc.constantFrom('lstm' as const, 'gru' as const),
      precision: fc.constantFrom('f32' as const, 'int8' as const),
      direction: fc.constantFrom('forward' as const, 'reverse' as const, 'bidirectional' as const),
      channels: fc.integer({ min: 1, max: 4 }),
      hidden: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 2 }),
      outputs: fc.integer({ min: 1, max: 4 }),
      pool: fc.constantFrom('last' as const, 'final_state' as const, 'mean' as const, null),
      layerNorm: fc.boolean(),
      features: fc.integer({ min: 1, max: 9 }),
      mid: fc.constantFrom(0, 5),
      int8Head: fc.boolean(),
      seed: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(arch, fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 3 }), async (spec, n, T, maxBatch) => {
        const m = tinyModel({ ...spec, int8Head: spec.precision === 'int8' && spec.int8Head, window: T });
        const w = signal(n * T * spec.channels, spec.seed);
        const f = signal(n * spec.features, spec.seed + 1);
        const s = await (await loadModel(m)).createSession({ maxBatch, backend: 'simd' });
        expect(maxAbsDiff(s.run(w, n, { features: f }), referenceRun(m, w, n, T, f))).toBeLessThan(spec.precision === 'int8' ? INT8_VS_EMULATION : F32_VS_REFERENCE);
      }),
      { numRuns: 25, seed: 8 },
    );
  });

  it('push(ids, chunk, { features }): chunked streaming equals the reference, per-stream vectors equal [B, F]', async () => {
    const T = 40;
    const C = 2;
    for (const spec of [{ cell: 'lstm', precision: 'f32', features: 3, mid: 4 }, { cell: 'gru', precision: 'int8', features: 2, layerNorm: true }, { cell: 'gru', precision: 'int8', features: 2, mid: 4, int8Head: true }] as TinySpec[]) {
      const m = tinyModel(spec);
      const F = spec.features!;
      const S = m.metadata.output.size;
      const seqs = [0, 1, 2].map((i) => signal(T * C, 50 + i));
      const f = signal(3 * F, 9);
      const ref = new Float64Array(3 * T * S);
      seqs.forEach((seq, b) => {
        const xs = Array.from({ length: T }, (_, t) => seq.subarray(t * C, (t + 1) * C));
        referenceForward(m, xs, new Map(), f.subarray(b * F, (b + 1) * F)).perStep.forEach((v, t) => ref.set(v, (b * T + t) * S));
      });
      const outs: Float32Array[] = [];
      for (const backend of BACKENDS) {
        const s = await (await loadModel(m)).createSession({ maxBatch: 2, maxChunk: 16, streams: 3, backend });
        const whole = s.push([0, 1, 2], seqs, { outputs: 'all', features: f });
        expect(maxAbsDiff(whole, ref)).toBeLessThan(spec.precision === 'int8' ? INT8_VS_EMULATION : F32_VS_REFERENCE);
        // Chunks of 7 with the same vectors give the same bits; `last` is the final step of `all`.
        s.reset();
        const perStream = [0, 1, 2].map((b) => f.subarray(b * F, (b + 1) * F));
        let last: Float32Array = new Float32Array(0);
        for (let t = 0; t < T; t += 7) {
          const n = Math.min(7, T - t);
          last = s.push([0, 1, 2], seqs.map((q) => q.subarray(t * C, (t + n) * C)), { features: perStream });
        }
        for (let b = 0; b < 3; b++) expect(last.subarray(b * S, (b + 1) * S)).toEqual(whole.subarray((b * T + T - 1) * S, (b * T + T) * S));
        outs.push(whole);
      }
      if (spec.precision === 'int8') expect(outs[1]).toEqual(outs[0]);
    }
  });

  it('refuses missing, unexpected, misshapen and non-finite features, naming the problem', async () => {
    const withF = await (await loadModel(tinyModel({ cell: 'gru', features: 3 }))).createSession({ streams: 2 });
    const without = await (await loadModel(tinyModel({ cell: 'gru' }))).createSession();
    const w = signal(2 * 16 * 2, 1);
    const f = signal(2 * 3, 2);
    expect(codeOf(() => withF.run(w, 2))).toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/run\(\): the model takes 3 side features per window \(input\.features: f0, f1, f2\); pass \{ features \} as a Float32Array \[2, 3\]/) });
    expect(codeOf(() => withF.run(w, 2, 16))).toMatchObject({ code: 'E_INPUT' });
    expect(codeOf(() => without.run(w, 2, { features: f }))).toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/takes no side features/) });
    expect(codeOf(() => withF.run(w, 2, { features: f.subarray(0, 5) }))).toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/features has 5 values, expected 2 windows \* 3 features = 6/) });
    expect(codeOf(() => withF.run(w, 2, { features: Array.from(f) as unknown as Float32Array }))).toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/features: expected a Float32Array, got an Array/) });
    const bad = Float32Array.from(f);
    bad[4] = NaN;
    expect(codeOf(() => withF.run(w, 2, { features: bad }))).toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/features of window 1, feature 1 \(f1\) is NaN; features must be finite/) });
    bad[4] = Infinity;
    expect(codeOf(() => withF.run(w, 2, { features: bad }))).toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/is Infinity/) });
    // Options: unknown keys and wrong types are argument errors.
    expect(codeOf(() => withF.run(w, 2, { feature: f } as never))).toMatchObject({ code: 'E_ARGUMENT', message: expect.stringMatching(/run\(\): unknown option "feature"; known options: T, features/) });
    expect(codeOf(() => withF.run(w, 2, '16' as never))).toMatchObject({ code: 'E_ARGUMENT', message: expect.stringMatching(/third argument is the window length T or options \{ T, features \}, got string/) });
    expect(codeOf(() => withF.run(w, 2, [f] as never))).toMatchObject({ code: 'E_ARGUMENT', message: expect.stringMatching(/got an Array/) });
    expect(codeOf(() => withF.push([0, 1], signal(20, 1), null as never))).toMatchObject({ code: 'E_ARGUMENT', message: expect.stringMatching(/push\(\): options must be an object/) });
    expect(codeOf(() => withF.run(w, 2, { T: 15, features: f }))).toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/expected n \* T \* C/) });
    // Streaming.
    const chunk = signal(2 * 5 * 2, 3);
    expect(codeOf(() => withF.push([0, 1], chunk))).toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/push\(\): the model takes 3 side features per stream/) });
    expect(codeOf(() => withF.push([0, 1], chunk, { features: [f.subarray(0, 3)] }))).toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/1 per-stream feature vectors for 2 stream ids/) });
    expect(codeOf(() => withF.push([0, 1], chunk, { features: [f.subarray(0, 3), f.subarray(0, 2)] }))).toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/features of stream 1 has 2 values, expected 3/) });
    expect(codeOf(() => withF.push([1, 0], chunk, { features: bad }))).toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/features of stream 0, feature 1 \(f1\) is Infinity/) });
    expect(codeOf(() => withF.push([0, 1], chunk, { output: 'all' } as never))).toMatchObject({ code: 'E_ARGUMENT', message: expect.stringMatching(/unknown option "output"/) });
    expect(codeOf(() => without.push([0], chunk.subarray(0, 10), { features: f.subarray(0, 3) }))).toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/takes no side features/) });
    // A refused call advanced nothing.
    expect(withF.streamSteps(0)).toBe(0);
  });
});
