import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstInferenceScript } from '../../../tools/bench/first-inference.js';
import { buildDeviceBundle, dependencyClosure, modelSizeRows, packageFootprint, REPO_ROOT, timeFirstInference, treeBytes } from '../../../tools/bench/footprint.js';
import { DEFAULT_SEED } from '../../../tools/bench/jobs.js';
import { ensureOnnxModel } from '../../../tools/bench/models.js';
import { makeRnnWeights } from '../../../tools/bench/weights.js';
import { buildRnnWgm } from '../../../tools/bench/wgm-build.js';

const out = mkdtempSync(join(tmpdir(), 'wavegate-footprint-test-'));

describe('footprint', () => {
  it('counts every file of a tree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wavegate-tree-'));
    writeFileSync(join(dir, 'a'), new Uint8Array(10));
    writeFileSync(join(dir, 'b'), new Uint8Array(5));
    expect(treeBytes(dir)).toBe(15);
  });

  it("follows a package's dependencies: onnxruntime-node brings onnxruntime-common", () => {
    const names = dependencyClosure('onnxruntime-node').map((d) => d.split('node_modules/').at(-1));
    expect(names[0]).toBe('onnxruntime-node');
    expect(names).toContain('onnxruntime-common');
    const f = packageFootprint('onnxruntime-common');
    expect(f.installedBytes).toBeGreaterThanOrEqual(f.ownBytes);
  });

  it('the device bundle carries no onnxruntime and sits beside the three kernel builds', async () => {
    const b = await buildDeviceBundle(out);
    expect(b.bundleBytes).toBeGreaterThan(1000);
    expect(b.wasmBytes.map((w) => w.file)).toEqual(['build/kernel-relaxed.wasm', 'build/kernel-simd.wasm', 'build/kernel-ref.wasm']);
    expect(b.totalBytes).toBe(b.bundleBytes + b.wasmBytes.reduce((n, w) => n + w.bytes, 0));
  });

  it('first-inference children really infer: wavegate from the bundle, onnxruntime-node natively', async () => {
    const b = await buildDeviceBundle(out);
    const wgmFile = join(out, 'm.wgm');
    writeFileSync(wgmFile, buildRnnWgm(makeRnnWeights('lstm', 1, 8, 1), 'int8'));
    const onnxFile = ensureOnnxModel(out, { cell: 'lstm', inputSize: 1, hiddenSize: 8, precision: 'int8', io: 'final', seed: 1 });
    for (const rt of ['wavegate', 'ort-node'] as const) {
      const r = timeFirstInference(rt, firstInferenceScript(rt, { bundleFile: b.bundleFile, wgmFile, onnxFile, root: REPO_ROOT }), 1);
      expect(r.inProcessMs).toBeGreaterThan(0);
      expect(r.wallMs).toBeGreaterThan(r.inProcessMs * 0.5);
    }
  });

  it('INT8 .wgm files are much smaller than f32 ones', () => {
    const rows = modelSizeRows(DEFAULT_SEED);
    expect(rows.length).toBe(8);
    for (const r of rows) {
      expect(r.H).toBeGreaterThanOrEqual(64);
      expect(r.ratio).toBeGreaterThan(0.25); // int8 weights are 1/4 of f32, plus f32 biases and scales
      expect(r.ratio).toBeLessThan(0.35);
    }
  });
});
