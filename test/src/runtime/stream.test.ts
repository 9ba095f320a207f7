/**
 * Streaming mode (session.push): state carried per stream slot; chunking never changes results
 * (bit-identical), slots are independent, reset is explicit, bidirectional models are refused.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadModel, type Model } from '../../../src/runtime/model.js';
import type { Session } from '../../../src/runtime/session.js';
import { referenceForward, type ReferenceState } from '../../../src/runtime/reference.js';
import { tinyModel, type TinySpec } from '../model/tiny-model.js';
import { KERNELS, needs } from '../../helpers/needs.js';
import { BACKENDS, maxAbsDiff, signal } from './helpers.js';

const C = 2;
const S = 3;
/**
 * Streamed outputs vs the float64 reference, f32 and INT8 models alike. f32 differs by f32
 * rounding (~1e-7). For INT8 the reference emulates the ABI's quantization with float64 gates, so
 * a value within an ulp of a rounding boundary can quantize one step the other way and move an
 * output by up to ~5e-4 (window.test.ts, INT8_VS_EMULATION); short streams of small models rarely
 * meet one, and the property's fixed seed makes a run that passes pass again.
 */
const STREAM_VS_REFERENCE = 1e-4;

/** Feeds per-stream sequences [T*C] in the given chunk sizes; returns every step's outputs per stream [B, T, S]. */
function feed(session: Session, ids: number[], seqs: Float32Array[], chunks: number[]): Float32Array {
  const T = seqs[0].length / C;
  const out = new Float32Array(ids.length * T * S);
  let t = 0;
  for (const n of chunks) {
    const part = session.push(ids, seqs.map((s) => s.subarray(t * C, (t + n) * C)), { outputs: 'all' });
    for (let b = 0; b < ids.length; b++) out.set(part.subarray(b * n * S, (b + 1) * n * S), (b * T + t) * S);
    t += n;
  }
  return out;
}

/** Splits T into chunk sizes from a list of positive numbers (repeating the list as needed). */
function chunking(T: number, sizes: number[]): number[] {
  const out: number[] = [];
  let left = T;
  for (let i = 0; left > 0; i++) {
    const n = Math.min(left, sizes[i % sizes.length]);
    out.push(n);
    left -= n;
  }
  return out;
}

const streamable: TinySpec[] = [
  { cell: 'lstm', precision: 'f32', hidden: [8, 4] },
  { cell: 'gru', precision: 'int8', hidden: [8], layerNorm: true },
  { cell: 'lstm', precision: 'int8', staticScale: 0.03, pool: 'final_state' },
  { cell: 'lstm', precision: 'int8', peepholes: true, hidden: [8, 3] },
  { cell: 'gru', precision: 'int8', int8Head: true, mid: 5 },
  { cell: 'lstm', precision: 'f32', peepholes: true },
];

needs(KERNELS).describe('Session.push (streaming)', () => {
  const T = 70;
  const seqs = [0, 1, 2].map((i) => signal(T * C, 100 + i));

  it.each(streamable)('chunks of 1, 7, 64 and whole give identical outputs, equal to the reference: %o', async (spec) => {
    const m = tinyModel(spec);
    const model = await loadModel(m);
    for (const backend of BACKENDS) {
      const s = await model.createSession({ maxBatch: 4, maxChunk: 32, backend }); // whole (70) tiles over maxChunk
      const whole = feed(s, [0, 1, 2], seqs, [T]);
      for (const n of [1, 7, 64]) {
        s.reset();
        expect(feed(s, [0, 1, 2], seqs, chunking(T, [n]))).toEqual(whole);
      }
      // Reference: per-step head outputs with carried state.
      const ref = new Float64Array(3 * T * S);
      seqs.forEach((seq, b) => {
        const xs = Array.from({ length: T }, (_, t) => seq.subarray(t * C, (t + 1) * C));
        referenceForward(m, xs).perStep.forEach((v, t) => ref.set(v, (b * T + t) * S));
      });
      expect(maxAbsDiff(whole, ref)).toBeLessThan(STREAM_VS_REFERENCE);
    }
  });

  it('any chunking is bit-identical to feeding whole (property)', async () => {
    const model = await loadModel(tinyModel({ cell: 'gru', precision: 'f32', hidden: [8, 8] }));
    const s = await model.createSession({ maxBatch: 2, maxChunk: 16, streams: 3 });
    const whole = feed(s, [0, 1, 2], seqs, [T]);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }), async (sizes) => {
        s.reset();
        expect(feed(s, [0, 1, 2], seqs, chunking(T, sizes))).toEqual(whole);
      }),
      { numRuns: 25 },
    );
  });

  it('random streamable architectures, chunkings and slot sets match the reference (property)', async () => {
    const arch = fc.record({
      cell: fc.constantFrom('lstm' as const, 'gru' as const),
      precision: fc.constantFrom('f32' as const, 'int8' as const),
      channels: fc.integer({ min: 1, max: 4 }),
      hidden: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 3 }),
      outputs: fc.integer({ min: 1, max: 4 }),
      pool: fc.constantFrom('last' as const, 'final_state' as const, null),
      layerNorm: fc.boolean(),
      linearBeforeReset: fc.boolean(),
      seed: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(arch, fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 5 }), async (spec, sizes, maxChunk) => {
        const m = tinyModel(spec);
        const c = spec.channels;
        const s = await (await loadModel(m)).createSession({ maxBatch: 2, maxChunk, streams: 4 });
        const len = 20;
        const ids = [3, 0, 2];
        const data = ids.map((_, i) => signal(len * c, spec.seed + i));
        const outS = m.metadata.output.size;
        const got = new Float32Array(ids.length * len * outS);
        let t = 0;
        for (const n of chunking(len, sizes)) {
          const part = s.push(ids, data.map((d) => d.subarray(t * c, (t + n) * c)), { outputs: 'all' });
          for (let b = 0; b < ids.length; b++) got.set(part.subarray(b * n * outS, (b + 1) * n * outS), (b * len + t) * outS);
          t += n;
        }
        const ref = new Float64Array(got.length);
        data.forEach((d, b) => {
          const xs = Array.from({ length: len }, (_, k) => d.subarray(k * c, (k + 1) * c));
          referenceForward(m, xs).perStep.forEach((v, k) => ref.set(v, (b * len + k) * outS));
        });
        expect(maxAbsDiff(got, ref)).toBeLessThan(STREAM_VS_REFERENCE);
      }),
      { numRuns: 25, seed: 2027 }, // 25 architectures x chunkings: each builds and runs a model (~0.1 s)
    );
  });

  it("'last' returns the last step of 'all'; flat [B, T, C] and per-stream arrays agree", async () => {
    const model = await loadModel(tinyModel({ cell: 'lstm' }));
    const s = await model.createSession({ maxBatch: 8 });
    const all = s.push([0, 1], [seqs[0].subarray(0, 20), seqs[1].subarray(0, 20)], { outputs: 'all' });
    s.reset();
    const flat = new Float32Array(40);
    flat.set(seqs[0].subarray(0, 20), 0);
    flat.set(seqs[1].subarray(0, 20), 20);
    const last = s.push([0, 1], flat);
    expect(last).toEqual(Float32Array.from([...all.subarray(9 * S, 10 * S), ...all.subarray(19 * S, 20 * S)]));
  });

  it('slots are independent: a subset advances only its streams, in any order', async () => {
    const model = await loadModel(tinyModel({ cell: 'lstm' }));
    const a = await model.createSession({ maxBatch: 2, streams: 6 });
    const b = await model.createSession({ maxBatch: 2, streams: 6 });
    const ref = feed(a, [4], [seqs[2]], [T]);
    // Interleave other slots, in other orders, between the chunks of slot 4.
    const out = new Float32Array(T * S);
    for (let t = 0; t < T; t += 10) {
      b.push([1, 0], [seqs[0].subarray(t * C, (t + 10) * C), seqs[1].subarray(t * C, (t + 10) * C)]);
      const part = b.push([5, 4, 2], [seqs[1], seqs[2], seqs[0]].map((q) => q.subarray(t * C, (t + 10) * C)), { outputs: 'all' });
      out.set(part.subarray(10 * S, 20 * S), t * S);
    }
    expect(out).toEqual(ref);
    expect(b.streamSteps(4)).toBe(T);
    expect(b.streamSteps(3)).toBe(0);
  });

  it('more streams than maxBatch are tiled', async () => {
    const model = await loadModel(tinyModel({ cell: 'gru' }));
    const wide = await model.createSession({ maxBatch: 2, streams: 5 });
    const ref = await model.createSession({ maxBatch: 8, streams: 5 });
    const five = [0, 1, 2, 0, 1].map((i) => seqs[i].subarray(0, 30 * C));
    expect(wide.push([4, 3, 2, 1, 0], five, { outputs: 'all' })).toEqual(ref.push([4, 3, 2, 1, 0], five, { outputs: 'all' }));
  });

  it('reset(ids) clears only those streams', async () => {
    const model = await loadModel(tinyModel({ cell: 'lstm' }));
    const s = await model.createSession({ maxBatch: 4 });
    const first = s.push([0, 1], [seqs[0].subarray(0, 10), seqs[1].subarray(0, 10)]);
    s.push([0, 1], [seqs[0].subarray(0, 10), seqs[1].subarray(0, 10)]);
    s.reset([1]);
    const again = s.push([0, 1], [seqs[0].subarray(0, 10), seqs[1].subarray(0, 10)]);
    expect(again.subarray(S)).toEqual(first.subarray(S)); // stream 1 restarted from zero state
    expect(maxAbsDiff(again.subarray(0, S), first.subarray(0, S))).toBeGreaterThan(0); // stream 0 carried on
    expect(s.streamSteps(0)).toBe(15);
    expect(s.streamSteps(1)).toBe(5);
  });

  it('window mode does not disturb stream state', async () => {
    const model = await loadModel(tinyModel({ cell: 'lstm' }));
    const s = await model.createSession({ maxBatch: 4 });
    const clean = await model.createSession({ maxBatch: 4 });
    s.push([0], [seqs[0].subarray(0, 20)]);
    clean.push([0], [seqs[0].subarray(0, 20)]);
    s.run(signal(4 * 16 * C, 5), 4);
    expect(s.push([0], [seqs[0].subarray(20, 40)])).toEqual(clean.push([0], [seqs[0].subarray(20, 40)]));
  });

  it('refuses models that need the whole sequence', async () => {
    let model: Model = await loadModel(tinyModel({ cell: 'gru', direction: 'bidirectional' }));
    let s = await model.createSession();
    expect(() => s.push([0], [seqs[0]])).toThrow(expect.objectContaining({ code: 'E_MODEL_UNSUPPORTED', message: expect.stringMatching(/layer "rnn0" is bidirectional/) }));
    model = await loadModel(tinyModel({ cell: 'gru', pool: 'mean' }));
    s = await model.createSession();
    expect(() => s.push([0], [seqs[0]])).toThrow(/pool "pool" is "mean"/);
    expect(s.memoryReport().streamStateBytes).toBe(0);
  });
});
