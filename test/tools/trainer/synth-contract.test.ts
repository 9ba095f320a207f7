/**
 * The Python fallback generator (tools/trainer/synth.py, for machines without Node: the GPU box)
 * and the project's generator (tools/synth/dataset.ts, `wavegate dataset synth`) agree on what a
 * model trained on their data would assume: the labels and their order, the sample rate, the
 * default window and the array layout. Their signals differ (two generators), not their meaning.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { readNpz, requireArray } from '../../../src/io/npz.js';
import { buildSynthDataset, type SynthKind } from '../../../tools/synth/dataset.js';
import { needs, NUMPY, PYTHON } from '../../helpers/needs.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

needs(NUMPY).describe('tools/trainer/synth.py keeps the TypeScript generator\'s contract', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wavegate-synth-contract-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['ecg', 'bearing'] as SynthKind[])('%s: same labels in the same order, sample rate, default window, x [N, T, 1] float32 and y int64', (kind) => {
    const out = join(dir, `${kind}.npz`);
    const script = `import sys; from tools.trainer.synth import synth_file; synth_file(sys.argv[1], sys.argv[2], seed=1, records=2, windows_per_record=4)`;
    const r = spawnSync(PYTHON, ['-c', script, out, kind], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const npz = readNpz(readFileSync(out), out);
    const meta = JSON.parse(new TextDecoder().decode(requireArray(npz, 'meta', out).data as Uint8Array)) as { labels: string[]; fs: number; window: number; kind: string };
    const ts = buildSynthDataset({ kind, count: 1, seconds: kind === 'ecg' ? 10 : 0.2, seed: 1 }).meta;
    expect({ kind: meta.kind, labels: meta.labels, fs: meta.fs, window: meta.window }).toEqual({ kind: ts.kind, labels: ts.labels, fs: ts.input.sampleRate, window: ts.input.window });
    const x = requireArray(npz, 'x', out);
    expect(x.dtype).toBe('float32');
    expect(x.shape).toEqual([8, ts.input.window, 1]);
    const y = requireArray(npz, 'y', out);
    expect(y.dtype).toBe('int64');
    expect(Math.max(...Array.from(y.data as BigInt64Array, Number))).toBeLessThan(ts.labels.length);
  });
});
