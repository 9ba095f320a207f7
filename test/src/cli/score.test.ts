/**
 * `score --input` with side features (an .npz `features` array beside `x`), run in-process: the
 * array is checked against the model by name and shape, and bad input leaves no output file.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { score } from '../../../src/cli/score.js';
import { encodeNpy } from '../../../src/io/npy.js';
import { encodeNpz } from '../../../src/io/npz.js';
import { encodeWgm } from '../../../src/model/write.js';
import type { WgmMetadata } from '../../../src/model/schema.js';
import { randomTensors, tinyMetadata } from '../model/tiny-model.js';

const tmp = mkdtempSync(join(tmpdir(), 'wavegate-score-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeModel(name: string, features: string[]): string {
  const meta: WgmMetadata = tinyMetadata({ channels: 1, window: 8, hidden: [4], outputs: 2 });
  if (features.length > 0) {
    meta.input.features = { kind: 'external', names: features };
    const head = meta.layers.find((l) => l.type === 'dense');
    if (head?.type === 'dense') head.inFeatures += features.length;
  }
  const path = join(tmp, name);
  writeFileSync(path, encodeWgm({ metadata: meta, tensors: randomTensors(meta, 2) }));
  return path;
}

function writeNpz(name: string, n: number, features?: { data: Float32Array | Float64Array; shape: number[] }): string {
  const path = join(tmp, name);
  writeFileSync(path, encodeNpz({ x: { data: new Float32Array(n * 8).map((_, i) => Math.sin(i)), shape: [n, 8, 1] }, ...(features ? { features } : {}) }));
  return path;
}

async function refused(model: string, input: string, pattern: RegExp): Promise<void> {
  const out = join(tmp, 'never.jsonl');
  await expect(score({ model, input, out })).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(pattern) });
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(tmp).filter((f) => f.includes('never'))).toEqual([]);
}

describe('score --input with side features', () => {
  const withFeatures = writeModel('f.wgm', ['speed', 'load']);

  it('a features array of the wrong width, dtype or count is refused naming the file and the field', async () => {
    await refused(withFeatures, writeNpz('w3.npz', 4, { data: new Float32Array(12), shape: [4, 3] }), /w3\.npz: features has shape \[4, 3\]; the model takes 2 side feature\(s\) per window \(speed, load\), so \[4, 2\]/);
    await refused(withFeatures, writeNpz('n5.npz', 4, { data: new Float32Array(10), shape: [5, 2] }), /n5\.npz: features has shape \[5, 2\]/);
    await refused(withFeatures, writeNpz('f64.npz', 4, { data: new Float64Array(8), shape: [4, 2] }), /f64\.npz: features: expected float32, got float64/);
    const nan = new Float32Array(8);
    nan[5] = Number.NaN;
    await refused(withFeatures, writeNpz('nan.npz', 4, { data: nan, shape: [4, 2] }), /nan\.npz: features\[2, 1\] \(load\) is NaN/);
  });

  it('no features array, or a file type without one, is refused', async () => {
    await refused(withFeatures, writeNpz('none.npz', 4), /none\.npz: the model takes 2 side feature\(s\) per window \(speed, load\); give an \.npz with a "features" array float32 \[N, 2\] beside "x"/);
    const npy = join(tmp, 'x.npy');
    writeFileSync(npy, encodeNpy(new Float32Array(16), [2, 8, 1]));
    await refused(withFeatures, npy, /x\.npy: the model takes 2 side feature/);
  });

  it('a model without side features ignores a dataset\'s features array', async () => {
    const plain = writeModel('p.wgm', []);
    const out = join(tmp, 'p.jsonl');
    expect(await score({ model: plain, input: writeNpz('ds.npz', 3, { data: new Float32Array(12), shape: [3, 4] }), out })).toBe(3);
    expect(existsSync(out)).toBe(true);
  });
});
