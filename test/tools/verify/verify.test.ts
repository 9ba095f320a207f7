/**
 * `wavegate verify`: wavegate against onnxruntime-node on the same windows. The committed demo
 * models (f32 and INT8, from the same ONNX file) on the 200 committed beat windows, the ONNX
 * fixtures with side features (.npz) and a static batch dimension, the exit status below
 * --min-agreement, and bad input.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNpy, readNpy } from '../../../src/io/npy.js';
import { encodeNpz } from '../../../src/io/npz.js';
import { decodeWgm } from '../../../src/model/load.js';
import { encodeWgm } from '../../../src/model/write.js';
import { importOnnxFile } from '../../../tools/onnx/import.js';
import { compare, verify } from '../../../tools/verify/verify.js';
import { Rng } from '../../../tools/synth/rng.js';
import { KERNELS, needs } from '../../helpers/needs.js';
import { verifyCli } from '../eval/cli.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ONNX = `${ROOT}fixtures/models/ecg-beat-gru.onnx`;
const F32 = `${ROOT}fixtures/models/ecg-beat-gru.wgm`;
const INT8 = `${ROOT}fixtures/models/ecg-beat-gru-int8.wgm`;
const BEATS = `${ROOT}fixtures/signals/ecg-beats.npy`;
const tmp = mkdtempSync(join(tmpdir(), 'wavegate-verify-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Largest f32 difference from onnxruntime (test/integration/onnx-oracle.test.ts, F32_BUDGET). */
const F32_BUDGET = 1e-4;
/** INT8 against onnxruntime's f32 on the trained demo model: the project's bars (onnx-oracle.test.ts). */
const INT8_TOP1 = 0.99;
const INT8_PROB_BUDGET = 0.05;

needs(KERNELS).describe('wavegate verify', () => {
  it('the f32 demo model agrees with onnxruntime on every window within the f32 budget', async () => {
    const r = await verifyCli('--model', F32, '--reference', ONNX, '--input', BEATS, '--min-agreement', '1', '--json');
    expect(r.code).toBeUndefined();
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['windows', 'agreement', 'maxAbsDiff', 'meanAbsDiff', 'classes', 'minAgreement', 'pass', 'onnxruntime']);
    expect(j).toMatchObject({ windows: 200, agreement: 1, minAgreement: 1, pass: true });
    expect(j.maxAbsDiff).toBeLessThanOrEqual(F32_BUDGET);
    expect(Object.keys(j.classes)).toEqual(['N', 'S', 'V']);
    expect(Object.values(j.classes as Record<string, { n: number }>).reduce((s, c) => s + c.n, 0)).toBe(200);
  });

  it('the INT8 demo model: agreement and differences within the project\'s INT8 bars; accuracy against y', async () => {
    const x = readNpy(readFileSync(BEATS));
    const y = readNpy(readFileSync(`${ROOT}fixtures/signals/ecg-beats-labels.npy`));
    const npz = join(tmp, 'beats.npz');
    writeFileSync(npz, encodeNpz({ x: { data: x.data as Float32Array, shape: x.shape }, y: { data: y.data as BigInt64Array, shape: y.shape } }));
    const r = await verify({ model: INT8, reference: ONNX, input: npz });
    expect(r.agreement).toBeGreaterThanOrEqual(INT8_TOP1);
    expect(r.maxAbsDiff).toBeGreaterThan(0); // it is INT8
    expect(r.maxAbsDiff).toBeLessThanOrEqual(INT8_PROB_BUDGET);
    expect(r.accuracy).toBeDefined();
    for (const v of Object.values(r.accuracy!)) expect(v >= 0 && v <= 1).toBe(true);
    expect(Math.abs(r.accuracy!.wavegate - r.accuracy!.onnxruntime)).toBeLessThanOrEqual(1 - r.agreement);
    for (const c of Object.values(r.classes)) expect(c.maxAbsDiff).toBeLessThanOrEqual(r.maxAbsDiff);
  });

  it('side features from an .npz, and a static batch dimension', async () => {
    const side = importOnnxFile(`${ROOT}fixtures/onnx/gru_side_features_hn.onnx`).model;
    const wgm = join(tmp, 'side.wgm');
    writeFileSync(wgm, encodeWgm(side));
    const x = readNpy(readFileSync(`${ROOT}fixtures/onnx/gru_side_features_hn.input.npy`));
    const f = readNpy(readFileSync(`${ROOT}fixtures/onnx/gru_side_features_hn.features.npy`));
    const npz = join(tmp, 'side.npz');
    writeFileSync(npz, encodeNpz({ x: { data: x.data as Float32Array, shape: x.shape }, features: { data: f.data as Float32Array, shape: f.shape } }));
    const r = await verify({ model: wgm, reference: `${ROOT}fixtures/onnx/gru_side_features_hn.onnx`, input: npz, minAgreement: 1 });
    expect(r).toMatchObject({ windows: 6, agreement: 1, pass: true });
    expect(r.maxAbsDiff).toBeLessThanOrEqual(F32_BUDGET);
    expect(Object.keys(r.classes)).toEqual(['0', '1', '2']); // no labels: output indices

    // [1, 64, 1] fixed in the graph: five windows go one at a time.
    const fixed = importOnnxFile(`${ROOT}fixtures/onnx/gru_static_window.onnx`).model;
    const fixedWgm = join(tmp, 'static.wgm');
    writeFileSync(fixedWgm, encodeWgm(fixed));
    const rng = new Rng(3);
    const windows = join(tmp, 'static.npy');
    writeFileSync(windows, encodeNpy(Float32Array.from({ length: 5 * 64 }, () => rng.uint32() / 2 ** 31 - 1), [5, 64, 1]));
    const s = await verify({ model: fixedWgm, reference: `${ROOT}fixtures/onnx/gru_static_window.onnx`, input: windows, batch: 3 });
    expect(s).toMatchObject({ windows: 5, agreement: 1 });
    expect(s.maxAbsDiff).toBeLessThanOrEqual(F32_BUDGET);
  });

  it('exits 1 with the figures printed when agreement is below --min-agreement', async () => {
    // The demo model with its output biases pushed towards V: it disagrees with its ONNX source.
    const m = decodeWgm(new Uint8Array(readFileSync(F32)));
    const head = m.metadata.layers.filter((l) => l.type === 'dense').pop()!.name + '.b';
    const b = Float32Array.from(m.tensors.get(head)!.data as Float32Array);
    b[2] += 50; // every window becomes V
    m.tensors.set(head, { ...m.tensors.get(head)!, data: b });
    const skewed = join(tmp, 'skewed.wgm');
    writeFileSync(skewed, encodeWgm(m));
    const r = await verifyCli('--model', skewed, '--reference', ONNX, '--input', BEATS);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^verify .*skewed\.wgm against .*ecg-beat-gru\.onnx on onnxruntime-node [\d.]+ \(native CPU, 1 thread\): 200 window\(s\)/);
    expect(r.out).toMatch(/\ntop-1 agreement 14\.50 %/); // the 29 V windows of 200
    expect(r.out).toMatch(/\nFAIL: agreement \d+\.\d\d % < --min-agreement 99\.00 %\n$/);
    expect(r.err).toMatch(/^wavegate verify: top-1 agreement \d+\.\d\d % is below --min-agreement 99\.00 %\n$/);
    const low = await verifyCli('--model', skewed, '--reference', ONNX, '--input', BEATS, '--min-agreement', '0.1');
    expect(low.code).toBeUndefined();
    expect(low.out).toMatch(/\nPASS: /);
  });

  it('refuses bad input with one E_CODE line', async () => {
    const cases: Array<[RegExp, string[]]> = [
      [/^wavegate: E_NOT_FOUND: .*missing\.onnx: cannot read ONNX reference model/, ['--model', F32, '--reference', join(tmp, 'missing.onnx'), '--input', BEATS]],
      [/^wavegate: E_ONNX_FORMAT: /, ['--model', F32, '--reference', BEATS, '--input', BEATS]],
      [/^wavegate: E_INPUT: .*side\.npz: windows are 40 steps long, the model expects 128/, ['--model', F32, '--reference', ONNX, '--input', join(tmp, 'side.npz')]],
      [/^wavegate: E_INPUT: .*ecg-beats\.npy: the model takes 4 side feature\(s\)/, ['--model', join(tmp, 'side.wgm'), '--reference', `${ROOT}fixtures/onnx/gru_side_features_hn.onnx`, '--input', BEATS]],
    ];
    for (const [pattern, args] of cases) {
      const r = await verifyCli(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.out).toBe('');
      expect(r.err).toMatch(pattern);
    }
  });
});

describe('verify arithmetic', () => {
  it('counts agreement and differences per class', () => {
    // onnxruntime rows: classes 0, 0, 1; wavegate: 0, 1, 1.
    const want = new Float32Array([0.9, 0.1, 0.6, 0.4, 0.2, 0.8]);
    const got = new Float32Array([0.8, 0.2, 0.4, 0.6, 0.2, 0.8]);
    const r = compare(want, got, 3, 2, ['a', 'b'], Int32Array.from([0, 0, 0]), 0.5, 'test');
    expect(r.agreement).toBeCloseTo(2 / 3, 15);
    expect(r.classes.a).toMatchObject({ n: 2, agreement: 0.5 });
    expect(r.classes.b).toMatchObject({ n: 1, agreement: 1 });
    expect(r.classes.a.maxAbsDiff).toBeCloseTo(0.2, 6);
    expect(r.classes.a.meanAbsDiff).toBeCloseTo(0.1, 6);
    expect(r.maxAbsDiff).toBeCloseTo(0.2, 6);
    expect(r.accuracy).toEqual({ wavegate: 1 / 3, onnxruntime: 2 / 3 });
    expect(r.pass).toBe(true);
    expect(compare(want, got, 3, 2, undefined, undefined, 0.9, 't')).toMatchObject({ pass: false });
  });
});
