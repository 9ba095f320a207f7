/** Session lifecycle, memory discipline, input validation, int8-vs-f32 agreement, inspect. */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/runtime/model.js';
import { encodeWgm } from '../../../src/model/write.js';
import { isWavegateError } from '../../../src/errors.js';
import { dequantizedTwin, tinyModel } from '../model/tiny-model.js';
import { KERNELS, needs } from '../../helpers/needs.js';
import { expectWavegateError } from '../../helpers/expect-error.js';
import { maxAbsDiff, signal } from './helpers.js';

needs(KERNELS).describe('Session lifecycle and memory', () => {
  it('never grows kernel memory after creation, over many calls of both modes', async () => {
    const model = await loadModel(tinyModel({ cell: 'lstm', precision: 'int8', hidden: [16, 8] }));
    const s = await model.createSession({ maxBatch: 4, maxChunk: 8, streams: 6 });
    const bytes = s.kernelMemoryBytes;
    const report = s.memoryReport();
    expect(report.kernelMemoryBytes).toBe(bytes);
    expect(report.totalBytes).toBeLessThanOrEqual(bytes);
    expect(report.reservedBytes).toBe(report.totalBytes); // the report is the allocation
    for (let i = 0; i < 50; i++) {
      s.run(signal(9 * 16 * 2, i), 9);
      s.push([0, 5, 3, 1, 2], signal(5 * 23 * 2, i), { outputs: i % 2 ? 'all' : 'last' });
      if (i % 7 === 0) s.reset();
    }
    expect(s.kernelMemoryBytes).toBe(bytes);
  });

  it('two models and several sessions coexist without interfering', async () => {
    const a = await loadModel(encodeWgm(tinyModel({ cell: 'lstm', seed: 1 })));
    const b = await loadModel(encodeWgm(tinyModel({ cell: 'gru', precision: 'int8', seed: 2, outputs: 5 })));
    const w = signal(3 * 16 * 2, 8);
    const aloneA = (await a.createSession()).run(w, 3);
    const aloneB = (await b.createSession()).run(w, 3);
    const [sa, sb, sa2] = await Promise.all([a.createSession(), b.createSession(), a.createSession({ backend: 'ref' })]);
    sa.push([0], [w]);
    sb.push([0], [w]);
    expect(sb.run(w, 3)).toEqual(aloneB);
    expect(sa.run(w, 3)).toEqual(aloneA);
    expect(maxAbsDiff(sa2.run(w, 3), aloneA)).toBeLessThan(1e-5);
  });

  it('dispose makes every call fail with E_STATE; model.dispose disposes its sessions', async () => {
    const model = await loadModel(tinyModel());
    const s = await model.createSession();
    const t = await model.createSession();
    s.dispose();
    expect(s.isDisposed).toBe(true);
    expect(() => s.run(signal(32, 1), 1)).toThrow(expect.objectContaining({ code: 'E_STATE' }));
    expect(() => s.push([0], [signal(2, 1)])).toThrow(expect.objectContaining({ code: 'E_STATE' }));
    expect(() => s.reset()).toThrow(/disposed/);
    model.dispose();
    expect(t.isDisposed).toBe(true);
  });

  it('refuses a session whose memory would exceed maxMemoryBytes, naming the parts', async () => {
    const model = await loadModel(tinyModel());
    await expect(model.createSession({ maxMemoryBytes: 1000 })).rejects.toThrow(/needs \d+ bytes of kernel memory, over maxMemoryBytes 1000[\s\S]*sequence buffers/);
    await expect(model.createSession({ maxBatch: 0 })).rejects.toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
  });
});

needs(KERNELS).describe('input validation', () => {
  const expectInput = (fn: () => unknown, re: RegExp) => {
    try {
      fn();
    } catch (e) {
      expect(isWavegateError(e, 'E_INPUT') || isWavegateError(e, 'E_ARGUMENT'), String(e)).toBe(true);
      expect((e as Error).message).toMatch(re);
      return;
    }
    throw new Error('accepted bad input');
  };

  it('names the window / stream, step and channel of a non-finite sample; nothing runs', async () => {
    const model = await loadModel(tinyModel({ cell: 'lstm' }));
    const s = await model.createSession({ maxBatch: 2 });
    const w = signal(5 * 16 * 2, 1);
    w[(3 * 16 + 4) * 2 + 1] = NaN;
    expectInput(() => s.run(w, 5), /run\(\): window 3: sample at step 4, channel 1 is NaN/);
    const chunk = signal(3 * 10 * 2, 2);
    chunk[(2 * 10 + 9) * 2] = -Infinity;
    const clean = await model.createSession({ maxBatch: 2, streams: 3 });
    const t = await model.createSession({ maxBatch: 2, streams: 3 });
    // Stream 0 is in the second batch tile (maxBatch 2): the first tile must not run either.
    expectInput(() => t.push([1, 2, 0], [chunk.subarray(0, 20), chunk.subarray(0, 20), chunk.subarray(40, 60)]), /push\(\): stream 0: sample at step 9, channel 0 is -Infinity/);
    expect(t.streamSteps(1)).toBe(0);
    const ok = chunk.subarray(0, 20);
    expect(t.push([1, 2], [ok, ok])).toEqual(clean.push([1, 2], [ok, ok]));
  });

  it('checks lengths, channel counts, ids and types', async () => {
    const model = await loadModel(tinyModel({ cell: 'gru', channels: 3 }));
    const s = await model.createSession({ maxBatch: 2, streams: 4 });
    expectInput(() => s.run(new Float32Array(47), 1), /windows has 47 samples, expected n \* T \* C = 1 \* 16 \* 3 = 48/);
    expectInput(() => s.run([1, 2, 3] as unknown as Float32Array, 1), /expected a Float32Array, got an Array/);
    expectInput(() => s.run(new Float32Array(48), 1.5), /run\(n\): expected an integer/);
    expectInput(() => s.push([0, 1], new Float32Array(10)), /10 samples, not a multiple of streams \* channels = 2 \* 3/);
    expectInput(() => s.push([0], [new Float32Array(4)]), /stream 0 chunk has 4 samples, not a multiple of 3 channels/);
    expectInput(() => s.push([0, 1], [new Float32Array(6), new Float32Array(9)]), /stream 1 chunk has 3 steps, stream 0 has 2/);
    expectWavegateError(() => s.push([4], [new Float32Array(3)]), 'E_UNKNOWN_STREAM', /stream id 4 at index 0 is not a slot of this session \(0..3\)/);
    expectInput(() => s.push([1, 1], [new Float32Array(3), new Float32Array(3)]), /stream id 1 appears twice/);
    expectInput(() => s.push([0], [new Float32Array(3)], { outputs: 'every' as 'all' }), /outputs must be "last" or "all"/);
    expect(s.push([], new Float32Array(0)).length).toBe(0);
    expect(s.push([0], [new Float32Array(0)]).length).toBe(3);
  });
});

needs(KERNELS).describe('int8 vs f32', () => {
  it('an int8 model scores close to its dequantized f32 twin', async () => {
    const q = tinyModel({ cell: 'lstm', precision: 'int8', hidden: [16], outputs: 4, seed: 5 });
    const f = dequantizedTwin(q);
    const w = signal(20 * 16 * 2, 6);
    const sq = await (await loadModel(q)).createSession();
    const sf = await (await loadModel(f)).createSession();
    const [a, b] = [sq.run(w, 20), sf.run(w, 20)];
    // Only activation quantization differs (weights are identical): probabilities within a few 1e-2.
    expect(maxAbsDiff(a, b)).toBeLessThan(0.03);
    expect(maxAbsDiff(a, b)).toBeGreaterThan(0); // and they really are different paths
  });
});

needs(KERNELS).describe('Model.inspect', () => {
  it('reports layers, parameters, file bytes and the kernel memory a session reserves', async () => {
    const m = tinyModel({ cell: 'lstm', precision: 'int8', direction: 'bidirectional', hidden: [8], layerNorm: true });
    const model = await loadModel(encodeWgm(m));
    const r = await model.inspect({ maxBatch: 4, maxChunk: 8 });
    expect(r.layers.map((l) => l.type)).toEqual(['lstm', 'layernorm', 'pool', 'dense']);
    expect(r.layers[0].summary).toBe('lstm 2->8 bidirectional int8 (input dynamic, 7-bit activations, h scale per step)');
    // LSTM: 2 dirs * (32*2 + 32*8 + 64) = 768; layernorm 2*16; dense 3*16 + 3.
    expect(r.parameterCount).toBe(768 + 32 + 51);
    let bytes = 0;
    for (const t of m.tensors.values()) bytes += t.data.byteLength;
    expect(r.weightFileBytes).toBe(bytes);
    expect(r.streamable).toBe(false);
    expect(r.digest).toMatch(/^[0-9a-f]{64}$/);
    const s = await model.createSession({ maxBatch: 4, maxChunk: 8, backend: r.memory.backend as 'simd' });
    expect(s.memoryReport().totalBytes).toBe(r.memory.totalBytes);
    expect(r.memory.text).toMatch(/total reserved/);
    // The build named is the one a session with these options gets (auto: relaxed where usable).
    expect(r.kernel).toMatchObject({ build: r.memory.backend, file: `kernel-${r.memory.backend}.wasm` });
    expect(r.kernel.build).toBe((await model.createSession({ maxBatch: 4, maxChunk: 8 })).backend);
    expect(r.kernel.build === 'relaxed').toBe(r.kernel.relaxed.usable);
  });
});
