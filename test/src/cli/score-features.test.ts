/**
 * Side features end to end (needs the side-feature runtime and ONNX import): a graph that takes a
 * second input imports, `--meta` names its features (and a wrong count is refused), and
 * `score --input` feeds the .npz `features` array beside `x`: outputs equal PyTorch's.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { score } from '../../../src/cli/score.js';
import { readNpy } from '../../../src/io/npy.js';
import { encodeNpz } from '../../../src/io/npz.js';
import { decodeWgm } from '../../../src/model/load.js';
import { runImport } from '../../../tools/cli/import.js';

const FIX = fileURLToPath(new URL('../../../fixtures/onnx/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'wavegate-score-features-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
/** f32 budget against PyTorch's saved outputs (the bar for ONNX fixtures). */
const F32_BUDGET = 1e-4;

describe('score --input with side features from an .npz', () => {
  const x = readNpy(readFileSync(`${FIX}gru_side_features_hn.input.npy`));
  const f = readNpy(readFileSync(`${FIX}gru_side_features_hn.features.npy`));
  const torch = readNpy(readFileSync(`${FIX}gru_side_features_hn.torch.npy`));
  const meta = (names: string[]) => {
    const p = join(tmp, `meta-${names.length}.json`);
    writeFileSync(p, JSON.stringify({
      input: { raw: { sampleRate: 100, units: 'g', channels: ['DE'] }, preprocessing: [], windowing: { mode: 'fixed', window: x.shape[1], hop: x.shape[1] }, features: { kind: 'external', names } },
      labels: ['a', 'b', 'c'],
    }));
    return p;
  };

  it('--meta names the graph\'s features; another count is refused before writing', async () => {
    const model = join(tmp, 'side.wgm');
    await runImport(`${FIX}gru_side_features_hn.onnx`, { out: model, meta: meta(['speed', 'load', 'temp', 'rpm']) });
    expect(decodeWgm(readFileSync(model)).metadata.input.features).toEqual({ kind: 'external', names: ['speed', 'load', 'temp', 'rpm'] });
    const refused = join(tmp, 'side3.wgm');
    await expect(runImport(`${FIX}gru_side_features_hn.onnx`, { out: refused, meta: meta(['speed', 'load', 'temp']) })).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/input\.features names 3 side feature\(s\) .* takes 4/) });
    expect(existsSync(refused)).toBe(false);
  });

  it('matches PyTorch within 1e-4, with the label of each window', async () => {
    const input = join(tmp, 'side.npz');
    writeFileSync(input, encodeNpz({ x: { data: x.data as Float32Array, shape: x.shape }, features: { data: f.data as Float32Array, shape: f.shape } }));
    const out = join(tmp, 'side.jsonl');
    expect(await score({ model: join(tmp, 'side.wgm'), input, out })).toBe(x.shape[0]);
    const rows = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { index: number; label: string; output: number[] });
    const k = torch.shape[1];
    let worst = 0;
    rows.forEach((row, i) => {
      expect(row.label).toBe(['a', 'b', 'c'][row.output.indexOf(Math.max(...row.output))]);
      row.output.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - Number(torch.data[i * k + j]))); });
    });
    expect(worst).toBeLessThanOrEqual(F32_BUDGET);
  });
});
