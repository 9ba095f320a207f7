import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpz, requireArray } from '../../../src/io/npz.js';
import { buildSynthDataset } from '../../../tools/synth/dataset.js';
import { encodeSynthDataset, registerDatasetSynth } from '../../../tools/cli/dataset-synth.js';

describe('synthetic datasets', () => {
  it('ecg: N/S/V beat windows with RR features, split-able by record', () => {
    const ds = buildSynthDataset({ kind: 'ecg', count: 3, seconds: 60, seed: 2 });
    const [n, t, c] = ds.shape;
    expect(t).toBe(128);
    expect(c).toBe(1);
    expect(ds.x.length).toBe(n * t * c);
    expect(ds.rr!.length).toBe(n * 4);
    expect(new Set(ds.record)).toEqual(new Set([0, 1, 2]));
    expect(ds.meta.labels).toEqual(['N', 'S', 'V']);
    for (const k of ['N', 'S', 'V']) expect(ds.meta.classCounts[k]).toBeGreaterThan(10);
    // the R peak sits at `before` in every window: it is the largest |sample| of most windows
    let centred = 0;
    for (let i = 0; i < n; i++) {
      const w = ds.x.subarray(i * t, (i + 1) * t);
      let best = 0;
      for (let j = 0; j < t; j++) if (Math.abs(w[j]) > Math.abs(w[best])) best = j;
      if (Math.abs(best - 64) <= 3) centred++;
    }
    expect(centred / n).toBeGreaterThan(0.9);
    // V beats are premature: their pre-RR is shorter than the local average
    for (let i = 0; i < n; i++) if (ds.y[i] === 2n) expect(ds.rr![4 * i]).toBeLessThan(ds.rr![4 * i + 2]);
  });

  it('bearing: 4 classes in turn, fixed windows', () => {
    const ds = buildSynthDataset({ kind: 'bearing', count: 4, seconds: 0.5, window: 512, seed: 1 });
    expect(ds.shape).toEqual([4 * Math.floor(6000 / 512), 512, 1]);
    expect(Object.values(ds.meta.classCounts)).toEqual([11, 11, 11, 11]);
  });

  it('the CLI writes an .npz that reads back with the documented keys, deterministically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wg-synth-'));
    const out = join(dir, 'ecg.npz');
    const program = new Command().exitOverride();
    registerDatasetSynth(program.command('dataset'));
    const log: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => { log.push(s); return true; }) as typeof process.stdout.write;
    return program.parseAsync(['node', 'wavegate', 'dataset', 'synth', '--kind', 'ecg', '--out', out, '--count', '2', '--seconds', '30']).then(() => {
      process.stdout.write = write;
      expect(log.join('')).toMatch(/windows of 128 x 1 from 2 ecg records \(N \d+, S \d+, V \d+\)/);
      const bytes = readFileSync(out);
      const arrays = readNpz(bytes, out);
      expect(requireArray(arrays, 'x').shape.slice(1)).toEqual([128, 1]);
      expect(requireArray(arrays, 'y').dtype).toBe('int64');
      expect(requireArray(arrays, 'record').dtype).toBe('int32');
      expect(requireArray(arrays, 'rr').shape[1]).toBe(4);
      const meta = JSON.parse(new TextDecoder().decode(requireArray(arrays, 'meta').data as Uint8Array));
      expect(meta.fs).toBe(360);
      expect(meta.preprocessing[0]).toEqual({ kind: 'bandpass', low: 0.5, high: 40, order: 2 });
      expect(Buffer.from(encodeSynthDataset(buildSynthDataset({ kind: 'ecg', count: 2, seconds: 30 })))).toEqual(bytes);
    });
  });
});
