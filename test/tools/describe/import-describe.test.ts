/**
 * `wavegate import --dataset/--meta` through commander, as the CLI runs it: the written model
 * carries the description (format v3) and `inspect` shows it; a description that does not fit the
 * graph, or that the device cannot run, is one `wavegate: E_CODE: ...` line, exit 1, no file.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliRun } from '../../helpers/cli.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeWgm } from '../../../src/model/load.js';
import { registerImport } from '../../../tools/cli/import.js';
import { registerInspect } from '../../../src/cli/inspect.js';
import { registerDataset } from '../../../tools/cli/dataset.js';
import { registerDatasetSynth } from '../../../tools/cli/dataset-synth.js';
import { sha256Hex } from '../../../src/model/digest.js';
import { FORMAT_VERSION } from '../../../src/model/schema.js';

const ONNX = fileURLToPath(new URL('../../../fixtures/models/ecg-beat-gru.onnx', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'wavegate-import-describe-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

const cli = (...args: string[]): Promise<CliRun> =>
  runCli((program) => {
    registerImport(program);
    registerInspect(program);
    registerDatasetSynth(registerDataset(program));
  }, args);

/** The demo model's description (docs/onnx-import.md shows the same file). */
const META = {
  name: 'ecg-beat-gru',
  description: 'synthetic-ECG beat classifier (demo)',
  input: {
    raw: { sampleRate: 360, units: 'mV', channels: ['MLII'] },
    preprocessing: [{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }],
    windowing: { mode: 'beat', before: 64, after: 64, qrs: { detector: 'pan-tompkins' } },
  },
  labels: ['N', 'S', 'V'],
  detector: { thresholds: { S: 0.6, V: 0.5 }, normalLabels: ['N'], minDuration: 1, window: 2 },
};

function metaFile(name: string, value: unknown): string {
  const p = join(tmp, name);
  writeFileSync(p, JSON.stringify(value));
  return p;
}

describe('import --meta', () => {
  it('writes the description into the model; inspect shows it (text and --json)', async () => {
    const out = join(tmp, 'demo.wgm');
    const r = await cli('import', ONNX, '--int8', '--out', out, '--meta', metaFile('demo.json', META));
    expect(r.err).toBe('');
    expect(r.out).toMatch(/labels \[N, S, V\]/);
    const m = decodeWgm(readFileSync(out)).metadata;
    expect(m.formatVersion).toBe(FORMAT_VERSION);
    expect(m.name).toBe('ecg-beat-gru');
    expect(m.input).toMatchObject({ channels: 1, window: 128, sampleRate: 360, channelNames: ['MLII'], raw: META.input.raw, preprocessing: META.input.preprocessing, windowing: META.input.windowing });
    expect(m.labels).toEqual(['N', 'S', 'V']);
    expect(m.detector).toEqual(META.detector);
    expect(m.provenance?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(m.provenance?.sourceSha256).toBe(sha256Hex(readFileSync(ONNX)));

    const text = await cli('inspect', out);
    expect(text.out).toMatch(/raw input {2}360 Hz, mV, channels MLII/);
    expect(text.out).toMatch(/chain {6}bandpass 0\.5-40 Hz order 2 => 360 Hz into the model/);
    expect(text.out).toMatch(/windowing {2}beat: 64 samples before the R peak \+ 64 from it \(QRS pan-tompkins\)/);
    expect(text.out).toMatch(/detector {3}thresholds S 0\.6, V 0\.5; normal N; 1 of 2 windows/);
    expect(text.out).toMatch(/output {5}3 \[N, S, V\]/);
    const json = JSON.parse((await cli('inspect', out, '--json')).out);
    expect(json.metadata.input.windowing).toEqual(META.input.windowing);
  });

  it('SOURCE_DATE_EPOCH makes the file reproducible', async () => {
    vi.stubEnv('SOURCE_DATE_EPOCH', '1700000000');
    try {
      await cli('import', ONNX, '--out', join(tmp, 'r1.wgm'), '--meta', metaFile('r.json', META));
      await cli('import', ONNX, '--out', join(tmp, 'r2.wgm'), '--meta', metaFile('r.json', META));
    } finally {
      vi.unstubAllEnvs();
    }
    expect(readFileSync(join(tmp, 'r1.wgm'))).toEqual(readFileSync(join(tmp, 'r2.wgm')));
    expect(decodeWgm(readFileSync(join(tmp, 'r1.wgm'))).metadata.provenance?.createdAt).toBe('2023-11-14T22:13:20Z');
  });
});

describe('import --dataset', () => {
  const dsPath = join(tmp, 'synth-ecg.npz');
  beforeAll(async () => {
    expect((await cli('dataset', 'synth', '--kind', 'ecg', '--count', '2', '--seconds', '20', '--seed', '3', '--out', dsPath)).code).toBeUndefined();
  });

  it('takes raw input, stages, windowing, labels and provenance from the dataset meta; --meta fields win', async () => {
    const out = join(tmp, 'from-ds.wgm');
    const r = await cli('import', ONNX, '--out', out, '--dataset', dsPath);
    expect(r.err).toBe('');
    const m = decodeWgm(readFileSync(out)).metadata;
    expect(m.input.raw).toMatchObject({ sampleRate: 360, units: 'mV' });
    expect(m.input.raw?.channels).toHaveLength(1);
    expect(m.input.preprocessing).toContainEqual({ kind: 'bandpass', low: 0.5, high: 40, order: 2 });
    expect(m.input.windowing).toMatchObject({ mode: 'beat', before: 64, after: 64, qrs: { detector: 'pan-tompkins' } });
    expect(m.input.sampleRate).toBe(360);
    expect(m.labels).toEqual(['N', 'S', 'V']);
    // The dataset stores RR features, but this graph takes none: the model takes none.
    expect(m.input.features).toBeUndefined();
    expect(m.provenance?.dataset).toMatchObject({ sha256: sha256Hex(readFileSync(dsPath)), split: 'synthetic', file: 'synth-ecg.npz' });
    expect(m.provenance?.dataset?.records).toHaveLength(2);

    const both = join(tmp, 'both.wgm');
    const meta = metaFile('over.json', { name: 'renamed', input: { raw: { sampleRate: 360, units: 'mV', channels: ['MLII'] } }, detector: { threshold: 0.7 } });
    expect((await cli('import', ONNX, '--out', both, '--dataset', dsPath, '--meta', meta)).err).toBe('');
    const b = decodeWgm(readFileSync(both)).metadata;
    expect([b.name, b.input.raw?.channels, b.detector, b.input.windowing?.mode, b.provenance?.dataset?.file]).toEqual(['renamed', ['MLII'], { threshold: 0.7 }, 'beat', 'synth-ecg.npz']);
  });

  it('a dataset whose windows do not fit the graph is refused', async () => {
    const p = join(tmp, 'w100.npz');
    expect((await cli('dataset', 'synth', '--kind', 'ecg', '--count', '1', '--seconds', '10', '--seed', '3', '--window', '100', '--out', p)).code).toBeUndefined();
    const out = join(tmp, 'w100.wgm');
    const r = await cli('import', ONNX, '--out', out, '--dataset', p);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^wavegate: E_INPUT: .*w100\.npz \(dataset meta\): input\.windowing makes windows of 100 samples; the graph of .*ecg-beat-gru\.onnx takes 128/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('descriptions that do not fit: one line, exit 1, nothing written', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['channels', { input: { ...META.input, raw: { sampleRate: 360, units: 'mV', channels: ['MLII', 'V5'] } } }, /E_INPUT: .*channels\.json: input\.raw\.channels names 2 channel\(s\) \(MLII, V5\); the graph of .* takes 1/],
    ['window', { input: { ...META.input, windowing: { mode: 'beat', before: 64, after: 65 } } }, /E_INPUT: .*window\.json: input\.windowing makes windows of 129 samples; the graph .* takes 128/],
    ['labels', { labels: ['N', 'S', 'V', 'F'] }, /E_INPUT: .*labels\.json: labels has 4 entries \(N, S, V, F\); the graph of .* outputs 3/],
    ['features', { input: { ...META.input, features: { kind: 'rr', names: ['preRR'] } } }, /E_INPUT: .*features\.json: input\.features names 1 side feature\(s\); the graph of .* takes none/],
    ['rate', { input: { ...META.input, sampleRate: 250 } }, /E_INPUT: .*rate\.json: input\.sampleRate is 250 Hz, but the preprocessing turns 360 Hz into 360 Hz/],
    ['upsample', { input: { ...META.input, raw: { sampleRate: 250, units: 'mV', channels: ['MLII'] }, preprocessing: [{ kind: 'decimate', to: 360 }] } }, /E_INPUT: .*upsample\.json: the device cannot run this input description: .*250 Hz to 360 Hz/],
    ['nyquist', { input: { ...META.input, preprocessing: [{ kind: 'lowpass', cutoff: 200, order: 2 }] } }, /E_INPUT: .*nyquist\.json: the device cannot run this input description: .*200/],
    ['unknown', { ...META, thresholds: { S: 0.5 } }, /E_FILE_FORMAT: .*unknown\.json: thresholds: unknown key/],
    ['impossible', { ...META, input: { ...META.input, raw: { sampleRate: 0, units: 'mV', channels: ['MLII'] } } }, /E_FILE_FORMAT: .*impossible\.json: input\.raw\.sampleRate: 0 is out of range/],
  ];
  for (const [name, meta, pattern] of cases) {
    it(name, async () => {
      const out = join(tmp, `${name}.wgm`);
      const r = await cli('import', ONNX, '--out', out, '--meta', metaFile(`${name}.json`, meta));
      expect(r.code).toBe(1);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(new RegExp(`^wavegate: ${pattern.source}`));
      expect(existsSync(out)).toBe(false);
    });
  }

  it('--out naming a directory: E_ARGUMENT, the directory untouched', async () => {
    const dir = join(tmp, 'outdir');
    mkdirSync(dir);
    const r = await cli('import', ONNX, '--out', dir, '--meta', metaFile('d.json', META));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^wavegate: E_ARGUMENT: --out .*outdir: is a directory; name a file\n$/);
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(tmp).filter((f) => f.includes('partial'))).toEqual([]);
  });
});
