import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSynthDataset } from '../../../tools/synth/dataset.js';
import { registerDatasetSynth } from '../../../tools/cli/dataset-synth.js';
import { decodeDataset, encodeDataset } from '../../../tools/datasets/dataset-file.js';
import { createSignalChain } from '../../../src/signal/chain.js';
import { expectWavegateError } from '../../helpers/expect-error.js';

async function synthCli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const program = new Command().exitOverride();
  registerDatasetSynth(program.command('dataset'));
  let stdout = '', stderr = '';
  const [w, e] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  process.stdout.write = ((s: string) => ((stdout += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write;
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'wavegate', 'dataset', 'synth', ...args]);
    return { stdout, stderr, code: Number(process.exitCode ?? 0) };
  } finally {
    process.stdout.write = w;
    process.stderr.write = e;
    process.exitCode = before;
  }
}

describe('synthetic datasets', () => {
  it('ecg: N/S/V beat windows with normalised RR features, split-able by record', () => {
    const ds = buildSynthDataset({ kind: 'ecg', count: 3, seconds: 60, seed: 2 });
    const { n, t, c } = ds;
    expect([t, c]).toEqual([128, 1]);
    expect(ds.x.length).toBe(n * t * c);
    const names = ds.meta.input.features!.names;
    expect(ds.features!.length).toBe(n * names.length);
    expect(new Set(ds.record)).toEqual(new Set([0, 1, 2]));
    expect(ds.meta.labels).toEqual(['N', 'S', 'V']);
    expect(ds.meta.input.preprocessing).toEqual([{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }]);
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
    // V beats are premature: preRR/localRR (normalised) below that of the N beats on average
    const col = names.indexOf('preRR/localRR');
    const mean = (cls: bigint) => {
      const v = Array.from(ds.y).flatMap((y, i) => (y === cls ? [ds.features![i * names.length + col]] : []));
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    expect(mean(2n)).toBeLessThan(mean(0n) - 0.5);
  });

  it('bearing: 4 classes in turn, the fixed windows of the chain', () => {
    const ds = buildSynthDataset({ kind: 'bearing', count: 4, seconds: 0.5, window: 512, seed: 1 });
    expect([ds.n, ds.t, ds.c]).toEqual([4 * Math.floor(6000 / 512), 512, 1]);
    expect(Object.values(ds.meta.classCounts)).toEqual([11, 11, 11, 11]);
    expect(Array.from(ds.sample.subarray(0, 3), Number)).toEqual([0, 512, 1024]);
    expect(ds.meta.input.windowing).toEqual({ mode: 'fixed', window: 512, hop: 512 });
    expect(() => createSignalChain(ds.meta.input, 12000)).not.toThrow();
    expect(buildSynthDataset({ kind: 'bearing' }).n).toBe(8 * 23); // the defaults, as docs/signals.md says
  });

  it('refuses empty results and sizes past the documented limits', () => {
    expectWavegateError(() => buildSynthDataset({ kind: 'ecg', seconds: 1 }), 'E_ARGUMENT', /no windows: 12 record\(s\) of 1 s hold no complete beat window/);
    expectWavegateError(() => buildSynthDataset({ kind: 'bearing', window: 100000 }), 'E_ARGUMENT', /--window must be an integer in \[8, 65536\], got 100000/);
    expectWavegateError(() => buildSynthDataset({ kind: 'bearing', seconds: 100000 }), 'E_ARGUMENT', /--seconds must be > 0 and at most 11184/);
    // 16 recordings of 10 s at 12 kHz in 64k windows, hop 1: 14 GB, far past the 512 MiB limit (refused before memory runs out)
    expectWavegateError(() => buildSynthDataset({ kind: 'bearing', count: 16, seconds: 10, window: 65536, hop: 1 }), 'E_ARGUMENT', /more than 512 MiB of windows \(the limit/);
  });

  it('the CLI writes the dataset file format deterministically, refuses empty results with one line, and writes nothing then', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wg-synth-'));
    const out = join(dir, 'ecg.npz');
    const r = await synthCli(['--kind', 'ecg', '--out', out, '--count', '2', '--seconds', '30']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/windows of 128 x 1 from 2 ecg records \(N \d+, S \d+, V \d+\)/);
    const bytes = readFileSync(out);
    const d = decodeDataset(bytes, out);
    expect(d.meta).toMatchObject({ format: 'wavegate-dataset', source: 'synthetic', kind: 'ecg', input: { sampleRate: 360 } });
    expect(Buffer.from(encodeDataset(buildSynthDataset({ kind: 'ecg', count: 2, seconds: 30 })))).toEqual(bytes);
    const empty = join(dir, 'empty.npz');
    const e = await synthCli(['--kind', 'ecg', '--out', empty, '--seconds', '1']);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/^wavegate: E_ARGUMENT: dataset synth: no windows/);
    expect(existsSync(empty)).toBe(false);
    const big = await synthCli(['--kind', 'bearing', '--out', empty, '--window', '100000']);
    expect(big.stderr).toMatch(/^wavegate: E_ARGUMENT: .*--window must be an integer in \[8, 65536\]/);
    const toDir = await synthCli(['--kind', 'bearing', '--out', dir]);
    expect(toDir.stderr).toMatch(/^wavegate: E_ARGUMENT: --out .*: is a directory/);
  });
});
