import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { beatWindowArgs, registerDataset } from '../../../tools/cli/dataset.js';
import { decodeDataset } from '../../../tools/datasets/dataset-file.js';
import { parsePreprocessSpec } from '../../../tools/datasets/preprocess.js';
import { buildPipeline } from '../../../src/signal/pipeline.js';
import { writeSyntheticRecord } from './synthetic-record.js';
import { NUMPY, needs, PYTHON } from '../../helpers/needs.js';


/** Runs `wavegate dataset ...` in-process and captures stdout/stderr and the exit code. */
async function run(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const r = await runCli(registerDataset, ['dataset', ...args]);
  return { stdout: r.out, stderr: r.err, code: Number(r.code ?? 0) };
}

describe('wavegate dataset build', () => {
  const dir = writeSyntheticRecord('100');
  const outDir = mkdtempSync(join(tmpdir(), 'wg-ds-cli-'));

  it('builds an MIT-BIH beat dataset with the default band-pass and prints class counts', async () => {
    const out = join(outDir, 'syn.npz');
    const r = await run(['build', '--source', `mitdb:${dir}`, '--split', '100', '--out', out, '--window', '100']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/windows x 100 samples x 1 channel\(s\) at 360 Hz, 6 side features from 1 recording\(s\), split 100/);
    expect(r.stdout).toMatch(/^\s+N\s+\d+/m);
    const d = decodeDataset(readFileSync(out), out);
    expect(d.meta).toMatchObject({ source: 'mitdb', input: { window: 100, windowing: { mode: 'beat', before: 35, after: 65 } } });
    expect(d.meta.input.preprocessing).toEqual([{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }]);
    expect(d.meta.createdBy).toMatch(/^wavegate \d+\.\d+\.\d+: wavegate /);
  });

  it('every stage --preprocess writes is one the device chain runs (the highpass finding of issue 8)', async () => {
    const out = join(outDir, 'hp.npz');
    const r = await run(['build', '--source', `mitdb:${dir}`, '--split', '100', '--out', out, '--quiet', '--preprocess', 'highpass:0.5:2,lowpass:40,baseline,decimate:180,normalize:0:2', '--features', 'none', '--window', '40']);
    expect(r.code, r.stderr).toBe(0);
    const d = decodeDataset(readFileSync(out), out);
    expect(d.meta.input.preprocessing).toEqual([
      { kind: 'highpass', cutoff: 0.5, order: 2 }, { kind: 'lowpass', cutoff: 40, order: 2 }, { kind: 'baseline', windows: [0.2, 0.6] },
      { kind: 'decimate', to: 180 }, { kind: 'normalize', mean: 0, std: 2 },
    ]);
    expect(d.features).toBeUndefined();
    expect(buildPipeline(d.meta.input, 360).outputRate).toBe(180);
  });

  it('refuses records that are absent, a record without its .atr, and --out naming a directory or missing folder, leaving nothing behind', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--source', `mitdb:${dir}`, '--split', 'DS2', '--out', join(outDir, 'ds2.npz')], /^wavegate: E_NOT_FOUND: .*split DS2 needs files that are not there: 103\.hea/],
      [['--source', `mitdb:${dir}`, '--split', '100', '--out', outDir], /^wavegate: E_ARGUMENT: --out .*: is a directory/],
      [['--source', `mitdb:${dir}`, '--split', '100', '--out', join(outDir, 'no', 'such', 'x.npz')], /^wavegate: E_NOT_FOUND: --out .*: folder .* does not exist/],
    ];
    const noAtr = writeSyntheticRecord('100');
    rmSync(join(noAtr, '100.atr'));
    cases.push([['--source', `mitdb:${noAtr}`, '--split', '100', '--out', join(outDir, 'noatr.npz')], /^wavegate: E_NOT_FOUND: .*needs files that are not there: 100\.atr\n$/]);
    const before = readdirSync(outDir).sort();
    for (const [args, msg] of cases) {
      const r = await run(['build', ...args, '--quiet']);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    }
    expect(readdirSync(outDir).sort()).toEqual(before);
  });

  it('named features and a training set\'s feature normalisation', async () => {
    const train = join(outDir, 'train.npz');
    expect((await run(['build', '--source', `mitdb:${dir}`, '--split', '100', '--out', train, '--quiet', '--features', 'preRR,postRR/preRR', '--local-beats', '4'])).code).toBe(0);
    const test = join(outDir, 'test.npz');
    const r = await run(['build', '--source', `mitdb:${dir}`, '--split', '100', '--out', test, '--quiet', '--features', 'preRR,postRR/preRR', '--local-beats', '4', '--features-from', train]);
    expect(r.code, r.stderr).toBe(0);
    const [a, b] = [train, test].map((p) => decodeDataset(readFileSync(p), p));
    expect(b.meta.input.features).toEqual(a.meta.input.features);
    expect(a.meta.input.features).toMatchObject({ kind: 'rr', names: ['preRR', 'postRR/preRR'], localBeats: 4 });
    const bad = await run(['build', '--source', `mitdb:${dir}`, '--split', '100', '--out', test, '--quiet', '--features-from', train]);
    expect(bad.stderr).toMatch(/--features-from .*: its features \[preRR, postRR\/preRR\] differ from --features/);
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
      [['--source', `mitdb:${dir}`, '--split', '100', '--preprocess', 'spectrum:64:32:0-100:8'], /E_ARGUMENT: MIT-BIH datasets are beat windows around R peaks, .*a spectrum stage hands on band values/],
      [['--source', `mitdb:${dir}`, '--split', '100', '--preprocess', 'lowpass:200'], /E_INPUT: .*lowpass at 200 Hz is not below the Nyquist frequency 180 Hz/],
      [['--source', `mitdb:${dir}`, '--split', '100', '--features', 'preRR,qrs'], /E_MODEL_FORMAT: .*unknown RR feature "qrs"/],
      [['--source', `mitdb:${dir}`, '--split', '100', '--window', '10', '--before', '3', '--after', '3'], /must equal --window 10/],
      [['--source', `mitdb:${dir}`, '--split', '100', '--window', '40000'], /E_INPUT: no windows/],
      [['--source', `cwru:${dir}`, '--split', 'train', '--before', '3'], /--before\/--after apply to mitdb/],
      [['--source', `cwru:${dir}`, '--split', 'train', '--features', 'preRR'], /cwru windows are fixed and have no RR features/],
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
    expect(() => parsePreprocessSpec('bandpass:40-0.5')).toThrow(/--preprocess stage 1\.high: 0.5 Hz must be above low/);
    expect(() => parsePreprocessSpec('lowpass:40:13')).toThrow(/order: 13 is out of range/);
    expect(parsePreprocessSpec('none')).toEqual([]);
    expect(parsePreprocessSpec('baseline:0.1-0.3, resample:250')).toEqual([{ kind: 'baseline', windows: [0.1, 0.3] }, { kind: 'resample', to: 250 }]);
  });

  it('--preprocess spectrum: level relative unless said; a stage after it, or a malformed one, refused', () => {
    expect(parsePreprocessSpec('spectrum:512:256:100-4000:16')).toEqual([{ kind: 'spectrum', frame: 512, hop: 256, low: 100, high: 4000, bands: 16, level: 'relative' }]);
    expect(parsePreprocessSpec('spectrum:256:128:0-6000:32:absolute')[0]).toMatchObject({ level: 'absolute' });
    expect(() => parsePreprocessSpec('spectrum:256:128:0-6000')).toThrow(/expected spectrum:<frame>:<hop>:<low>-<high>:<bands>\[:relative\|absolute\]/);
    expect(() => parsePreprocessSpec('spectrum:256:128:6000:32')).toThrow(/expected spectrum:<frame>:<hop>:<low>-<high>:<bands>\[:level\]/);
    expect(() => parsePreprocessSpec('spectrum:256:128:0-6000:32,normalize:0:1')).toThrow(/--preprocess stage 1: a spectrum stage must be the last stage/);
    expect(() => parsePreprocessSpec('spectrum:300:128:0-6000:32')).toThrow(/--preprocess stage 1\.frame: expected a power of two/);
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
assert d['sample'].dtype == np.int64 and d['sample'].shape == (n,)
meta = json.loads(d['meta'].tobytes().decode('utf-8'))
assert d['features'].dtype == np.float32 and d['features'].shape == (n, len(meta['input']['features']['names']))
for k in ['format', 'formatVersion', 'labels', 'input', 'source', 'sampleMarks', 'split', 'records', 'recordRates', 'sourceDigests', 'createdBy', 'classCounts']:
    assert k in meta, k
print(n, int((d['y'] == 2).sum()))
`;
    const r = spawnSync(PYTHON, ['-c', script, out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const d = decodeDataset(readFileSync(out));
    expect(r.stdout.trim()).toBe(`${d.n} ${d.meta.classCounts.V}`);
  });
});
