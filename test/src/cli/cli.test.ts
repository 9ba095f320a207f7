/**
 * The installed `wavegate` command, spawned as a user runs it (bin/wavegate.js -> dist/):
 * import -> inspect -> score on a committed ONNX fixture, checked against PyTorch's own outputs,
 * score --record with a described model, --out to standard output and to things that are not
 * regular files, and the bad-input paths: one `wavegate: E_CODE: ...` line on stderr, exit
 * status 1, no output file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy, readNpy } from '../../../src/io/npy.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/wavegate.js');
const FIX = join(ROOT, 'fixtures/onnx');
/** f32 budget against PyTorch's saved outputs (the issue's bar). */
const F32_BUDGET = 1e-4;

function wavegate(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'wavegate-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/tools/cli/main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  }
});

describe('wavegate import | inspect | score', () => {
  const model = join(tmp, 'lstm.wgm');
  const input = join(FIX, 'lstm_i3_h13_last.input.npy');

  it('imports the ONNX fixture', () => {
    const r = wavegate('import', join(FIX, 'lstm_i3_h13_last.onnx'), '--out', model);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(model)).toBe(true);
  });

  it('inspect --json reports layers, parameters, weight bytes and kernel memory', () => {
    const r = wavegate('inspect', model, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.channels).toBe(3);
    expect(report.outputSize).toBe(4);
    // LSTM 3->13: 4H(I+H) weights + 8H biases; dense 13->4 with bias.
    expect(report.parameterCount).toBe(4 * 13 * (3 + 13) + 8 * 13 + 13 * 4 + 4);
    expect(report.weightFileBytes).toBe(4 * report.parameterCount);
    expect(report.memory.totalBytes ?? report.memory.kernelMemoryBytes ?? report.memory.reservedBytes).toBeGreaterThan(0);
    const text = wavegate('inspect', model);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/parameters\s+\d+/);
    expect(text.out).toMatch(/lstm 3->13 forward f32/);
  });

  it('score writes one JSON line per window, in order, matching PyTorch within 1e-4', () => {
    const out = join(tmp, 'scores.jsonl');
    const r = wavegate('score', '--model', model, '--input', input, '--out', out);
    expect(r.code).toBe(0);
    expect(existsSync(`${out}.partial`)).toBe(false); // written aside, renamed when complete
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    const torch = readNpy(readFileSync(join(FIX, 'lstm_i3_h13_last.torch.npy')));
    const [n, k] = torch.shape;
    expect(lines.length).toBe(n);
    let maxDiff = 0;
    lines.forEach((row, i) => {
      expect(Object.keys(row)).toEqual(['index', 'output']);
      expect(row.index).toBe(i);
      expect(row.output.length).toBe(k);
      for (let j = 0; j < k; j++) maxDiff = Math.max(maxDiff, Math.abs(row.output[j] - Number(torch.data[i * k + j])));
    });
    console.log(`score vs PyTorch: max abs diff ${maxDiff.toExponential(2)} over ${n} windows`);
    expect(maxDiff).toBeLessThanOrEqual(F32_BUDGET);
  });

  it('score reads JSON lines the same as .npy', () => {
    const npy = readNpy(readFileSync(input));
    const [n, t, c] = npy.shape;
    const rows: number[][][] = [];
    for (let i = 0; i < n; i++) {
      rows.push(Array.from({ length: t }, (_, s) => Array.from(npy.data.slice((i * t + s) * c, (i * t + s + 1) * c) as Float32Array, Number)));
    }
    writeFileSync(join(tmp, 'w.jsonl'), rows.map((w) => JSON.stringify(w)).join('\n') + '\n');
    const a = wavegate('score', '--model', model, '--input', input, '--out', join(tmp, 'a.jsonl'));
    const b = wavegate('score', '--model', model, '--input', join(tmp, 'w.jsonl'), '--out', join(tmp, 'b.jsonl'));
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(readFileSync(join(tmp, 'b.jsonl'), 'utf8')).toBe(readFileSync(join(tmp, 'a.jsonl'), 'utf8'));
  });
});

describe('bad input gives one clear error line and exit status 1', () => {
  it('missing model file', () => {
    const r = wavegate('score', '--model', join(tmp, 'nope.wgm'), '--input', join(FIX, 'lstm_i3_h13_last.input.npy'), '--out', join(tmp, 'x.jsonl'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^wavegate: E_NOT_FOUND: .*nope\.wgm/);
    expect(existsSync(join(tmp, 'x.jsonl'))).toBe(false);
  });

  it('corrupt model file', () => {
    const bad = join(tmp, 'bad.wgm');
    writeFileSync(bad, Buffer.from('not a model at all, just text'));
    const r = wavegate('inspect', bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^wavegate: E_MODEL_FORMAT: .*bad\.wgm/);
  });

  it('windows with the wrong channel count', () => {
    const model = join(tmp, 'lstm2.wgm');
    expect(wavegate('import', join(FIX, 'lstm_i3_h13_last.onnx'), '--out', model).code).toBe(0);
    const wrong = join(tmp, 'wrong.npy');
    writeFileSync(wrong, encodeNpy(new Float32Array(2 * 5 * 2), [2, 5, 2]));
    const r = wavegate('score', '--model', model, '--input', wrong, '--out', join(tmp, 'y.jsonl'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^wavegate: E_INPUT: .*2 channel\(s\).*expects 3/);
    expect(existsSync(join(tmp, 'y.jsonl'))).toBe(false);
  });

  it('NaN samples are refused, naming the window', () => {
    const model = join(tmp, 'lstm3.wgm');
    expect(wavegate('import', join(FIX, 'lstm_i3_h13_last.onnx'), '--out', model).code).toBe(0);
    const data = new Float32Array(2 * 4 * 3);
    data[1 * 12 + 5] = Number.NaN;
    const nan = join(tmp, 'nan.npy');
    writeFileSync(nan, encodeNpy(data, [2, 4, 3]));
    const r = wavegate('score', '--model', model, '--input', nan, '--out', join(tmp, 'z.jsonl'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^wavegate: E_(INPUT|FILE_FORMAT): .*(NaN|not finite)/i);
  });

  it('a directory where a model, a record or a --meta file belongs: one line, exit 1, no stack trace', () => {
    const dir = mkdtempSync(join(tmp, 'd-'));
    const cases: Array<[string[], RegExp]> = [
      [['inspect', dir], /^wavegate: E_NOT_FOUND: .*: not a model file \(a directory\)\n$/],
      [['score', '--model', dir, '--input', join(FIX, 'lstm_i3_h13_last.input.npy'), '--out', '-'], /^wavegate: E_NOT_FOUND: .*: not a model file \(a directory\)\n$/],
      [['import', join(FIX, 'lstm_i3_h13_last.onnx'), '--out', join(tmp, 'm.wgm'), '--meta', dir], /^wavegate: E_NOT_FOUND: .*: cannot read --meta file: EISDIR\n$/],
    ];
    for (const [args, pattern] of cases) {
      const r = wavegate(...args);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(pattern);
    }
  });

  it('unknown command is a usage error (exit 2)', () => {
    const r = wavegate('frobnicate');
    expect(r.code).toBe(2);
  });
});

describe('--out: standard output, and never replacing what is not a regular file (issue 8)', () => {
  const model = join(tmp, 'out-lstm.wgm');
  const input = join(FIX, 'lstm_i3_h13_last.input.npy');
  beforeAll(() => {
    expect(wavegate('import', join(FIX, 'lstm_i3_h13_last.onnx'), '--out', model).code).toBe(0);
  });

  it('--out - and --out /dev/stdout write the lines to standard output; /dev/stdout stays what it was', () => {
    const before = lstatSync('/dev/stdout');
    for (const out of ['-', '/dev/stdout']) {
      const r = wavegate('score', '--model', model, '--input', input, '--out', out);
      expect(r.code).toBe(0);
      const lines = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => l.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(r.err).toMatch(/-> standard output/);
    }
    const after = lstatSync('/dev/stdout');
    expect([after.isSymbolicLink(), after.isCharacterDevice(), after.ino]).toEqual([before.isSymbolicLink(), before.isCharacterDevice(), before.ino]);
  });

  it('a link to a pipe (/proc/self/fd/1) is written through and stays a link', () => {
    const link = join(tmp, 'stdout-link');
    symlinkSync('/proc/self/fd/1', link);
    // Through a shell so that standard output is a pipe (spawnSync's own stdio is a socket, which /proc cannot reopen).
    const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
    const cmd = [process.execPath, BIN, 'score', '--model', model, '--input', input, '--out', link].map(q).join(' ');
    const r = spawnSync('sh', ['-c', `${cmd} | cat`], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toMatch(/^scored 7 window\(s\)/);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(7);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('--out naming a directory: one E_ARGUMENT line, exit 1, no .partial beside it (score and import)', () => {
    const dir = join(tmp, 'a-dir');
    mkdirSync(dir);
    const s = wavegate('score', '--model', model, '--input', input, '--out', dir);
    const i = wavegate('import', join(FIX, 'lstm_i3_h13_last.onnx'), '--out', dir);
    for (const r of [s, i]) {
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^wavegate: E_ARGUMENT: --out .*a-dir: is a directory; name a file\n$/);
    }
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(tmp).filter((f) => f.startsWith('a-dir') || f.endsWith('.partial'))).toEqual(['a-dir']);
  });
});

describe('score --record and labels (issue 8)', () => {
  const demo = join(tmp, 'demo.wgm');
  const meta = join(tmp, 'demo.meta.json');
  beforeAll(() => {
    writeFileSync(meta, JSON.stringify({
      name: 'ecg-beat-gru',
      input: {
        raw: { sampleRate: 360, units: 'mV', channels: ['MLII'] },
        preprocessing: [{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }],
        windowing: { mode: 'beat', before: 64, after: 64 },
      },
      labels: ['N', 'S', 'V'],
    }));
    expect(wavegate('import', join(ROOT, 'fixtures/models/ecg-beat-gru.onnx'), '--int8', '--out', demo, '--meta', meta).code).toBe(0);
  });

  it('a CSV record: one line per beat with index, sample, time, label and output; labels match the synthetic truth', () => {
    const rec = readNpy(readFileSync(join(ROOT, 'fixtures/signals/ecg-record.npy'))).data as Float32Array;
    const truth = JSON.parse(readFileSync(join(ROOT, 'fixtures/signals/ecg-record.json'), 'utf8')) as { rPeaks: number[]; labels: string[] };
    const csv = join(tmp, 'ecg.csv');
    writeFileSync(csv, `time,MLII\n${Array.from(rec, (v, i) => `${(i / 360).toFixed(6)},${v}`).join('\n')}\n`);
    const out = join(tmp, 'beats.jsonl');
    const r = wavegate('score', '--model', demo, '--record', csv, '--out', out);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^scored \d+ window\(s\) of record .*ecg\.csv in \d+ ms -> /);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(truth.rPeaks.length - 5);
    let agree = 0;
    lines.forEach((row, i) => {
      expect(Object.keys(row)).toEqual(['index', 'sample', 'time', 'label', 'output']);
      expect(row.index).toBe(i);
      expect(row.time).toBeCloseTo(row.sample / 360, 6);
      const k = truth.rPeaks.findIndex((p) => Math.abs(p - row.sample) <= 18);
      if (k >= 0 && truth.labels[k] === row.label) agree++;
    });
    // The demo model classifies the synthetic beats it was trained on; the chain must find them.
    expect(agree / lines.length).toBeGreaterThan(0.9);
  });

  it('--input lines gain the label when the model has labels (index and output keep their meaning)', () => {
    const a = wavegate('score', '--model', demo, '--input', join(ROOT, 'fixtures/signals/ecg-beats.npy'), '--out', '-');
    expect(a.code).toBe(0);
    const rows = a.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(200);
    rows.forEach((row, i) => {
      expect(Object.keys(row)).toEqual(['index', 'label', 'output']);
      expect(row.index).toBe(i);
      expect(row.label).toBe(['N', 'S', 'V'][row.output.indexOf(Math.max(...row.output))]);
    });
  });

  it('NaN in a record, a missing lead, or --input and --record together: one line, exit 1, no output file', () => {
    const nan = join(tmp, 'nan.csv');
    writeFileSync(nan, 'time,MLII\n0,0.1\n0.0027778,nan\n');
    const lead = join(tmp, 'v1.csv');
    writeFileSync(lead, 'time,V1\n0,0.1\n0.0027778,0.2\n');
    const cases: Array<[string[], RegExp]> = [
      [['--record', nan], /^wavegate: E_INPUT: .*nan\.csv: line 3, channel MLII: nan \(samples must be finite numbers\)\n$/],
      [['--record', lead], /^wavegate: E_INPUT: .*v1\.csv: no channel "MLII" \(the record has V1\)\n$/],
      [['--record', lead, '--input', nan], /^wavegate: E_ARGUMENT: score: give exactly one of --input/],
    ];
    for (const [args, pattern] of cases) {
      const out = join(tmp, 'never.jsonl');
      const r = wavegate('score', '--model', demo, ...args, '--out', out);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(pattern);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(tmp).filter((f) => f.includes('never'))).toEqual([]);
    }
  });
});
