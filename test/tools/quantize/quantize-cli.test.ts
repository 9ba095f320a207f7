/**
 * `wavegate quantize` end to end, through commander as the CLI runs it, on the committed demo
 * student (fixtures/models/ecg-beat-gru.onnx) and small datasets made by `wavegate dataset synth`:
 * the written file is a whole-model INT8 model (format version 4) that describes itself with the
 * dataset's pipeline and says how it was calibrated; its scores agree with the float model's and
 * are the same bits on both kernel builds; a model with side features gets its feature columns
 * their own scale; and every bad input is refused with one line before any work, leaving no file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliRun } from '../../helpers/cli.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../../../src/model/digest.js';
import { decodeWgm } from '../../../src/model/load.js';
import { FORMAT_VERSION } from '../../../src/model/schema.js';
import { int8ActivationQmax, int8ActivationScheme } from '../../../src/model/tensors.js';
import { loadModel } from '../../../src/runtime/model.js';
import { runWindows } from '../../../src/scoring/run-windows.js';
import { decodeDataset } from '../../../tools/datasets/dataset-file.js';
import { registerDataset } from '../../../tools/cli/dataset.js';
import { registerDatasetSynth } from '../../../tools/cli/dataset-synth.js';
import { registerQuantize } from '../../../tools/cli/quantize.js';
import { GraphBuilder, randomArray, seeded } from '../onnx/graph-builder.js';
import { KERNELS, needs } from '../../helpers/needs.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const STUDENT = join(ROOT, 'fixtures/models/ecg-beat-gru.onnx');
const tmp = mkdtempSync(join(tmpdir(), 'wavegate-quantize-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

const wavegate = (...args: string[]): Promise<CliRun> =>
  runCli((program) => {
    registerQuantize(program);
    registerDatasetSynth(registerDataset(program));
  }, args);

const calib = join(tmp, 'calib.npz');
/** Activation bits of the files this version writes (8, or 7 where the format has the 7-bit scheme). */
const BITS = int8ActivationQmax(int8ActivationScheme(FORMAT_VERSION)) === 63 ? 7 : 8;
const val = join(tmp, 'val.npz');

/**
 * The demo student on its own kind of data (synthetic N/S/V beats, other subjects than it was
 * trained on): INT8 must agree with float on nearly every window. Measured: 100 % top-1 on the
 * 288 validation windows, per-class sensitivity identical; the budgets leave room for one or two
 * windows near a decision boundary.
 */
const MIN_TOP1 = 0.98;
const MAX_SE_DROP = 0.02;

needs(KERNELS).describe('wavegate quantize', () => {
  beforeAll(async () => {
    expect((await wavegate('dataset', 'synth', '--kind', 'ecg', '--out', calib, '--count', '6', '--seconds', '60')).code).toBeUndefined();
    expect((await wavegate('dataset', 'synth', '--kind', 'ecg', '--out', val, '--count', '4', '--seconds', '60', '--seed', '7')).code).toBeUndefined();
  }, 60_000);

  it('writes a whole-model INT8 file that describes itself, says how it was calibrated, and agrees with the float model', async () => {
    const out = join(tmp, 'student-int8.wgm');
    const r = await wavegate('quantize', STUDENT, '--calib', calib, '--val', val, '--out', out);
    expect(r.code, r.err).toBeUndefined();
    // The comparison of methods per quantized input, the float-vs-INT8 table and the summary.
    expect(r.out).toMatch(new RegExp(`calibration: \\d+ statistics windows, \\d+ held-out windows, ${BITS}-bit activations`));
    expect(r.out).toMatch(/^ {2}input +minmax +p99\.9 +p99\.99 +mse +dynamic +chosen$/m);
    expect(r.out).toMatch(/^ {2}gru0 .*$/m);
    expect(r.out).toMatch(/^ {2}dense0 .*(minmax|p99\.9|p99\.99|mse) \(scale [\d.e-]+\)$/m);
    expect(r.out).toMatch(/float vs INT8 on .*val\.npz, 288 windows: top-1 agreement/);
    for (const label of ['N', 'S', 'V', 'accuracy']) expect(r.out).toMatch(new RegExp(`^ {2}${label} `, 'm'));
    const bytes = readFileSync(out);
    expect(r.out).toMatch(new RegExp(`student-int8\\.wgm: 3 layers \\[gru\\(1->32 int8\\) > pool\\(last\\) > dense\\(32->3 int8\\) > softmax\\], 3459 params, ${bytes.length} bytes = [\\d.]+ % of the f32 file`));

    const m = decodeWgm(bytes);
    const meta = m.metadata;
    expect(meta.formatVersion).toBe(FORMAT_VERSION);
    const [gru, , dense] = meta.layers;
    expect(gru).toMatchObject({ type: 'gru', precision: 'int8' });
    expect(dense).toMatchObject({ type: 'dense', precision: 'int8', inputQuant: { mode: 'static' } });
    expect((dense as { inputQuant: { scale: number } }).inputQuant.scale).toBeGreaterThan(0);
    expect(m.tensors.get('dense0.W')!.dtype).toBe('I8');
    expect(m.tensors.get('dense0.W.scale')!.dtype).toBe('F16');
    expect(m.tensors.get('gru0.B')!.dtype).toBe('F16');
    // The dataset's pipeline, through the one mapping (tools/describe): what `import --dataset` writes.
    const ds = decodeDataset(readFileSync(calib));
    expect(meta.input.raw).toEqual(ds.meta.input.raw);
    expect(meta.input.preprocessing).toEqual(ds.meta.input.preprocessing);
    expect(meta.input.windowing).toEqual(ds.meta.input.windowing);
    expect(meta.labels).toEqual(['N', 'S', 'V']);
    expect(meta.input.features).toBeUndefined(); // the graph takes none
    // Provenance: source model and calibration set digests, tool, date, the methods and their figures.
    const p = meta.provenance as Record<string, any>;
    expect(p.sourceSha256).toBe(sha256Hex(readFileSync(STUDENT)));
    expect(p.producer).toMatch(/^wavegate \S+ quantize$/);
    expect(p.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(p.calibrationSet).toBe(`calib.npz sha256:${sha256Hex(readFileSync(calib))}`);
    expect(p.calibration.inputs.gru0.chosen).toMatch(/^(minmax|p99\.9|p99\.99|mse|dynamic)$/);
    for (const method of ['minmax', 'p99.9', 'p99.99', 'mse']) {
      const [top1, mad] = p.calibration.inputs.dense0[method];
      expect(top1).toBeGreaterThan(0.9);
      expect(mad).toBeGreaterThanOrEqual(0);
    }
    expect(p.calibration.activationBits).toBe(BITS);
    expect(p.metrics.top1Agreement).toBeGreaterThanOrEqual(MIN_TOP1);
    for (const c of ['N', 'S', 'V']) expect(p.metrics[`se.${c}.float`] - p.metrics[`se.${c}.int8`]).toBeLessThanOrEqual(MAX_SE_DROP);

    // Independently of the tool: the written file scores the validation windows the same bits on
    // both kernel builds (the INT8 dense head included), and agrees with the float import.
    const v = decodeDataset(readFileSync(val));
    const scores = async (backend: 'ref' | 'simd') => {
      const model = await loadModel(m);
      const s = await model.createSession({ backend, maxBatch: 64 });
      const y = runWindows(s, v.x.subarray(0, 64 * v.t), 64, v.t);
      model.dispose();
      return y;
    };
    const [ref, simd] = [await scores('ref'), await scores('simd')];
    expect(Buffer.from(simd.buffer).equals(Buffer.from(ref.buffer))).toBe(true);
  }, 120_000);

  it('compares the methods on a --select set (another split) and says so in its report and provenance', async () => {
    const out = join(tmp, 'student-select.wgm');
    const r = await wavegate('quantize', STUDENT, '--calib', calib, '--select', val, '--out', out);
    expect(r.code, r.err).toBeUndefined();
    expect(r.out).toMatch(new RegExp(`calibration: \\d+ statistics windows, 288 selection windows \\(.*val\\.npz\\), ${BITS}-bit activations; agreement with the float model on the selection windows`));
    // Without --val the report is on the selection windows.
    expect(r.out).toMatch(/float vs INT8 on .*val\.npz \(selection windows\), 288 windows: top-1 agreement/);
    const p = decodeWgm(readFileSync(out)).metadata.provenance as Record<string, any>;
    expect(p.selectionSet).toBe(`val.npz sha256:${sha256Hex(readFileSync(val))}`);
    expect(p.calibration.heldOutWindows).toBe(288);
    // The demo student loses no class under INT8: no layer is kept float.
    expect(p.calibration.inputs.dense0.chosen).not.toBe('f32');
    expect(p.metrics.top1Agreement).toBeGreaterThanOrEqual(MIN_TOP1);
  }, 120_000);

  it('gives the same bytes for the same inputs (SOURCE_DATE_EPOCH, fixed seeds)', async () => {
    const a = join(tmp, 'a.wgm');
    const b = join(tmp, 'b.wgm');
    vi.stubEnv('SOURCE_DATE_EPOCH', '1700000000');
    try {
      for (const out of [a, b]) expect((await wavegate('quantize', STUDENT, '--calib', calib, '--out', out, '--calib-windows', '64', '--select-windows', '100')).code).toBeUndefined();
    } finally {
      vi.unstubAllEnvs();
    }
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect((decodeWgm(readFileSync(a)).metadata.provenance as Record<string, any>).calibration).toMatchObject({ statsWindows: 64, heldOutWindows: 100, seed: 1 });
  }, 120_000);

  it('measures on fixed windows cut at another hop (--val, --select), and refuses another window length', async () => {
    // GRU(1 -> 8) over 64-sample windows, last step, Gemm -> the 4 synthetic bearing classes, Softmax.
    const g = new GraphBuilder();
    const rnd = seeded(9);
    const H = 8;
    g.init('W', [1, 3 * H, 1], randomArray(3 * H, rnd, 2));
    g.init('R', [1, 3 * H, H], randomArray(3 * H * H, rnd));
    g.init('B', [1, 6 * H], randomArray(6 * H, rnd, 0.2));
    g.init('fc.weight', [4, H], randomArray(4 * H, rnd, 1));
    g.init('fc.bias', [4], randomArray(4, rnd, 0.1));
    g.node('Transpose', ['x'], ['xt'], { perm: { ints: [1, 0, 2] } });
    const [, hn] = g.node('GRU', ['xt', 'W', 'R', 'B'], 2, { hidden_size: { i: H }, linear_before_reset: { i: 1 } }, '/rnn/GRU');
    const [h] = g.node('Squeeze', [hn, g.constInts([0])], 1);
    const [logits] = g.node('Gemm', [h, 'fc.weight', 'fc.bias'], 1, { transB: { i: 1 } });
    g.node('Softmax', [logits], ['probs'], { axis: { i: -1 } });
    const onnxPath = join(tmp, 'bearing.onnx');
    writeFileSync(onnxPath, g.encode([{ name: 'x', dims: ['batch', 64, 1] }], 'probs'));
    const synth = async (name: string, ...args: string[]) => {
      const path = join(tmp, name);
      expect((await wavegate('dataset', 'synth', '--kind', 'bearing', '--out', path, '--count', '4', '--seconds', '0.5', ...args)).code).toBeUndefined();
      return path;
    };
    const calibFixed = await synth('bearing-calib.npz', '--window', '64', '--hop', '64');
    const valHalfHop = await synth('bearing-val.npz', '--window', '64', '--hop', '32', '--seed', '3');
    const out = join(tmp, 'bearing-int8.wgm');
    const r = await wavegate('quantize', onnxPath, '--calib', calibFixed, '--val', valHalfHop, '--select', valHalfHop, '--out', out, '--calib-windows', '64', '--select-windows', '100');
    expect(r.code, r.err).toBeUndefined();
    expect(r.out).toMatch(/float vs INT8 on .*bearing-val\.npz/);
    // The model keeps its own windowing (hop 64), not the measurement set's.
    expect(decodeWgm(readFileSync(out)).metadata.input.windowing).toEqual({ mode: 'fixed', window: 64, hop: 64 });
    const longer = await synth('bearing-long.npz', '--window', '96', '--hop', '32');
    for (const [flag, role] of [['--val', 'validation set'], ['--select', 'selection set']]) {
      const bad = await wavegate('quantize', onnxPath, '--calib', calibFixed, flag, longer, '--out', join(tmp, `bad-${flag.slice(2)}.wgm`));
      expect(bad.code).toBe(1);
      expect(bad.err).toMatch(new RegExp(`bearing-long\\.npz \\(${role}\\): input\\.windowing is .*"window":96`));
    }
  }, 120_000);

  it('gives the side-feature columns of the first dense layer their own static scale', async () => {
    const onnxPath = writeSideFeatureGraph(join(tmp, 'side.onnx'));
    const out = join(tmp, 'side-int8.wgm');
    // --all-int8: this untrained graph changes the top-1 of 3 % of the N windows under INT8, so by
    // default its dense layer would stay f32 (the per-class check); here the INT8 scales are the subject.
    const r = await wavegate('quantize', onnxPath, '--calib', calib, '--out', out, '--calib-windows', '64', '--select-windows', '100', '--all-int8');
    expect(r.code, r.err).toBeUndefined();
    expect(r.out).toMatch(/^ {2}dense0\.features .*\(scale [\d.e-]+\)$/m);
    const m = decodeWgm(readFileSync(out));
    const dense = m.metadata.layers.find((l) => l.type === 'dense') as Record<string, any>;
    expect(dense.featureQuant.mode).toBe('static');
    // Normalised RR features spread wider than h in (-1, 1): their scale is the larger one.
    expect(dense.featureQuant.scale).toBeGreaterThan(dense.inputQuant.scale);
    expect(m.metadata.input.features?.names).toEqual(decodeDataset(readFileSync(calib)).meta.input.features?.names);
    expect((m.metadata.provenance as Record<string, any>).metrics.top1Agreement).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  it('keeps a dense layer f32 where INT8 changes a class measurably, and says so', async () => {
    // The same untrained side-feature graph as above, without --all-int8.
    const onnxPath = writeSideFeatureGraph(join(tmp, 'side-float.onnx'));
    const out = join(tmp, 'side-float.wgm');
    const r = await wavegate('quantize', onnxPath, '--calib', calib, '--out', out, '--calib-windows', '64', '--select-windows', '100');
    expect(r.code, r.err).toBeUndefined();
    expect(r.out).toMatch(/^ {2}input +minmax +p99\.9 +p99\.99 +mse +dynamic +f32 +chosen$/m);
    expect(r.out).toMatch(/^ {2}dense0 .* f32 \(layer kept float\)$/m);
    const m = decodeWgm(readFileSync(out));
    const dense = m.metadata.layers.find((l) => l.type === 'dense') as Record<string, any>;
    expect(dense.precision ?? 'f32').toBe('f32');
    expect(dense.inputQuant).toBeUndefined();
    expect(m.tensors.get('dense0.W')!.dtype).toBe('F32');
    expect(m.metadata.layers.find((l) => l.type === 'gru')!.precision).toBe('int8');
    const p = m.metadata.provenance as Record<string, any>;
    expect(p.calibration.inputs.dense0.chosen).toBe('f32');
    expect(p.calibration.inputs.dense0.f32[0]).toBeGreaterThan(p.calibration.inputs.dense0.mse[0]);
    expect(p.metrics.top1Agreement).toBeGreaterThanOrEqual(0.99);
  }, 120_000);

  describe('refuses, before any work and leaving no file', () => {
    let refusals = 0;
    const refused = async (args: string[], code: string, message: RegExp) => {
      const out = join(tmp, `refused-${refusals++}.wgm`);
      const r = await wavegate('quantize', ...args, '--out', out);
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      expect(r.err).toMatch(new RegExp(`^wavegate: ${code}: `));
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/statistics/); // no calibration ran
      expect(existsSync(out)).toBe(false);
    };

    it('a calibration set from another task (bearing windows for a beat model)', async () => {
      const bearing = join(tmp, 'bearing.npz');
      await wavegate('dataset', 'synth', '--kind', 'bearing', '--out', bearing, '--count', '4', '--window', '128');
      await refused([STUDENT, '--calib', bearing], 'E_INPUT', /labels has 4 entries \(normal, inner, ball, outer\); the graph of .* outputs 3/);
    });

    it('a --meta file whose sample rate or preprocessing differs from the calibration set', async () => {
      const ds = decodeDataset(readFileSync(calib)).meta.input;
      const metaFile = (name: string, input: object) => {
        const p = join(tmp, name);
        writeFileSync(p, JSON.stringify({ input, labels: ['N', 'S', 'V'] }));
        return p;
      };
      await refused([STUDENT, '--calib', calib, '--meta', metaFile('rate.json', { raw: { ...ds.raw, sampleRate: 250 } })], 'E_INPUT', /calib\.npz \(calibration set\): input\.raw\.sampleRate is 360, but .*rate\.json has 250/);
      await refused([STUDENT, '--calib', calib, '--meta', metaFile('band.json', { preprocessing: [{ kind: 'bandpass', low: 1, high: 40, order: 2 }] })], 'E_INPUT', /input\.preprocessing is .*"low":0\.5.*but .*band\.json has .*"low":1/);
    });

    it('a validation set made another way (another window length), or a window length the graph does not take', async () => {
      const short = join(tmp, 'short.npz');
      await wavegate('dataset', 'synth', '--kind', 'ecg', '--out', short, '--count', '2', '--seconds', '30', '--window', '96');
      await refused([STUDENT, '--calib', calib, '--val', short], 'E_INPUT', /short\.npz \(validation set\): input\.windowing is .*"before":48.*but the model .* has .*"before":64/);
      await refused([STUDENT, '--calib', calib, '--select', short], 'E_INPUT', /short\.npz \(selection set\): input\.windowing is .*"before":48.*but the model .* has .*"before":64/);
      await refused([join(ROOT, 'fixtures/onnx/gru_static_window.onnx'), '--calib', calib], 'E_INPUT', /makes windows of 128 samples; the graph of .* takes 64/);
    });

    it('a side-feature count the graph does not take', async () => {
      await refused([join(ROOT, 'fixtures/onnx/gru_side_features_hn.onnx'), '--calib', calib], 'E_INPUT', /input\.features names 6 side feature\(s\) .*; the graph of .* takes 4/);
    });

    it('an ONNX model the importer cannot take, a missing calibration file, a bad option', async () => {
      await refused([join(ROOT, 'fixtures/onnx/conv_front_unsupported.onnx'), '--calib', calib], 'E_ONNX_UNSUPPORTED', /unsupported op Conv/);
      await refused([STUDENT, '--calib', join(tmp, 'nope.npz')], 'E_NOT_FOUND', /nope\.npz/);
      // A bad option value is a usage error: commander's message (and exit status 2 in the real CLI).
      await expect(wavegate('quantize', STUDENT, '--calib', calib, '--calib-windows', '0', '--out', join(tmp, 'u.wgm'))).rejects.toMatchObject({ code: 'commander.invalidArgument', message: expect.stringMatching(/--calib-windows <n>' argument '0' is invalid\. expected a whole number >= 1/) });
    });
  });
});

/** GRU(1 -> 8), last step, Concat with the 6 RR features of the synthetic beats, Gemm -> 3, Softmax; untrained (seed 5). */
function writeSideFeatureGraph(onnxPath: string): string {
  const g = new GraphBuilder();
  const rnd = seeded(5);
  const H = 8;
  const F = 6;
  g.init('W', [1, 3 * H, 1], randomArray(3 * H, rnd, 2));
  g.init('R', [1, 3 * H, H], randomArray(3 * H * H, rnd));
  g.init('B', [1, 6 * H], randomArray(6 * H, rnd, 0.2));
  g.init('fc.weight', [3, H + F], randomArray(3 * (H + F), rnd, 1));
  g.init('fc.bias', [3], randomArray(3, rnd, 0.1));
  g.node('Transpose', ['x'], ['xt'], { perm: { ints: [1, 0, 2] } });
  const [y] = g.node('GRU', ['xt', 'W', 'R', 'B'], 2, { hidden_size: { i: H }, linear_before_reset: { i: 1 } }, '/rnn/GRU');
  const [seq] = g.node('Squeeze', [y, g.constInts([1])], 1);
  const [h] = g.node('Gather', [seq, g.constInts([-1], true)], 1, { axis: { i: 0 } });
  const [z] = g.node('Concat', [h, 'f'], 1, { axis: { i: 1 } });
  const [logits] = g.node('Gemm', [z, 'fc.weight', 'fc.bias'], 1, { transB: { i: 1 } });
  g.node('Softmax', [logits], ['probs'], { axis: { i: -1 } });
  writeFileSync(onnxPath, g.encode([{ name: 'x', dims: ['batch', 'time', 1] }, { name: 'f', dims: ['batch', F] }], 'probs'));
  return onnxPath;
}
