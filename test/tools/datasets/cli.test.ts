import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { beatWindowArgs, registerDataset } from '../../../tools/cli/dataset.js';
import { decodeDataset } from '../../../tools/datasets/dataset-file.js';
import { parsePreprocessing } from '../../../tools/datasets/preprocess.js';
import { writeSyntheticRecord } from './synthetic-record.js';
import { NUMPY, needs, PYTHON } from '../../helpers/needs.js';


/** Runs `wavegate dataset ...` in-process and captures stdout/stderr and the exit code. */
async function run(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    const program = new Command('wavegate').exitOverride();
    registerDataset(program);
    await program.parseAsync(['node', 'wavegate', 'dataset', ...args]);
    return { stdout, stderr, code: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = before;
    out.mockRestore();
    err.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('wavegate dataset build', () => {
  const dir = writeSyntheticRecord('100');
  const outDir = mkdtempSync(join(tmpdir(), 'wg-ds-cli-'));

  it('builds an MIT-BIH beat dataset with the default band-pass and prints class counts', async () => {
    const out = join(outDir, 'syn.npz');
    const r = await run(['build', '--source', `mitdb:${dir}`, '--split', '100', '--out', out, '--window', '100']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/windows x 100 samples x 1 channel\(s\) at 360 Hz from 1 recording\(s\), split 100/);
    expect(r.stdout).toMatch(/^\s+N\s+\d+/m);
    const d = decodeDataset(readFileSync(out), out);
    expect(d.meta).toMatchObject({ window: 100, before: 35, after: 65, source: 'mitdb' });
    expect(d.meta.preprocessing[0]).toMatchObject({ kind: 'bandpass', low: 0.5, high: 40 });
    expect(d.meta.createdBy).toMatch(/^wavegate \d+\.\d+\.\d+: wavegate /);
  });

  it('writes a compressed file with the same arrays', async () => {
    const a = join(outDir, 'a.npz');
    const b = join(outDir, 'b.npz');
    await run(['build', '--source', `mitdb:${dir}`, '--split', '100', '--out', a, '--quiet']);
    const r = await run(['build', '--source', `mitdb:${dir}`, '--split', '100', '--out', b, '--quiet', '--compress']);
    expect(r.stdout).toBe('');
    const da = decodeDataset(readFileSync(a));
    const db = decodeDataset(readFileSync(b));
    expect(readFileSync(b).length).toBeLessThan(readFileSync(a).length);
    expect(db.x).toEqual(da.x);
    expect(db.y).toEqual(da.y);
  });

  it('fails with one E_ line and status 1 on bad arguments', async () => {
    for (const [args, msg] of [
      [['--source', 'foo:/x', '--split', 'DS1'], /--source must be mitdb:<dir> or cwru:<dir>/],
      [['--source', `mitdb:${dir}`, '--split', 'DS9'], /unknown MIT-BIH split/],
      [['--source', `mitdb:${dir}`, '--split', '100', '--preprocess', 'notch:50'], /unknown stage "notch"/],
      [['--source', `mitdb:${dir}`, '--split', '100', '--window', '10', '--before', '3', '--after', '3'], /must equal --window 10/],
      // Until src/signal/qrs.ts exists, asking for detector peaks must fail clearly.
      ...(existsSync(new URL('../../../src/signal/qrs.ts', import.meta.url)) ? [] : [[['--source', `mitdb:${dir}`, '--split', '100', '--peaks', 'detector'], /--peaks detector/]]),
      [['--source', `cwru:${dir}`, '--split', 'train', '--before', '3'], /--before\/--after apply to mitdb/],
    ] as Array<[string[], RegExp]>) {
      const r = await run(['build', ...args, '--out', join(outDir, 'x.npz')]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/^wavegate: E_[A-Z_]+: /);
      expect(r.stderr).toMatch(msg);
    }
  });

  it('derives before/after from any two of window, before, after', () => {
    expect(beatWindowArgs({})).toEqual({ before: 90, after: 166 });
    expect(beatWindowArgs({ window: '200', after: '150' })).toEqual({ before: 50, after: 150 });
    expect(beatWindowArgs({ before: '10', after: '20' })).toEqual({ before: 10, after: 20 });
    expect(() => beatWindowArgs({ window: '10', before: '10' })).toThrow(/leaves no room/);
    expect(() => parsePreprocessing('bandpass:40-0.5', 360)).toThrow(/low/);
    expect(() => parsePreprocessing('lowpass:200', 360)).toThrow(/cut-off/);
  });

  needs(NUMPY).it('numpy reads the file without pickle, with the documented dtypes and shapes', async () => {
    const out = join(outDir, 'np.npz');
    await run(['build', '--source', `mitdb:${dir}`, '--split', '100', '--out', out, '--quiet']);
    const script = `
import numpy as np, json, sys
d = np.load(sys.argv[1], allow_pickle=False)
n = d['x'].shape[0]
assert d['x'].dtype == np.float32 and d['x'].shape[1:] == (256, 1), d['x'].shape
assert d['y'].dtype == np.int64 and d['y'].shape == (n,)
assert d['record'].dtype == np.int32 and d['record'].shape == (n,)
assert d['rr'].dtype == np.float32 and d['rr'].shape == (n, 4)
meta = json.loads(d['meta'].tobytes().decode('utf-8'))
for k in ['labels', 'fs', 'window', 'before', 'after', 'lead', 'channels', 'preprocessing', 'split', 'records', 'sourceDigests', 'createdBy']:
    assert k in meta, k
print(n, int((d['y'] == 2).sum()))
`;
    const r = spawnSync(PYTHON, ['-c', script, out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const d = decodeDataset(readFileSync(out));
    expect(r.stdout.trim()).toBe(`${d.n} ${d.meta.classCounts.V}`);
  });
});
