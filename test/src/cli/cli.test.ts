/**
 * The installed `wavegate` command, spawned as a user runs it (bin/wavegate.js -> dist/):
 * import -> inspect -> score on a committed ONNX fixture, checked against PyTorch's own outputs,
 * and the bad-input paths: one `wavegate: E_CODE: ...` line on stderr, exit status 1, no output file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy, readNpy } from '../../../src/io/npy.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/wavegate.js');
const FIX = join(ROOT, 'fixtures/onnx');
/** f32 budget against PyTorch's saved outputs (the bar). */
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

  it('unknown command is a usage error (exit 2)', () => {
    const r = wavegate('frobnicate');
    expect(r.code).toBe(2);
  });
});
