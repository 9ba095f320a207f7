/**
 * The --meta description file (tools/describe/description.ts) and the dataset mapping
 * (from-dataset.ts): strict keys, impossible values named by file and field, and both generations
 * of dataset metadata mapped to the same model description.
 */
import { describe, expect, it } from 'vitest';
import { parseDescription, parseDescriptionText, type ModelDescription } from '../../../tools/describe/description.js';
import { describeDatasetMeta } from '../../../tools/describe/from-dataset.js';
import { applyDescription, graphFeatureCount } from '../../../tools/describe/apply.js';
import { expectFormatError, expectWavegateError } from '../../helpers/expect-error.js';
import { randomTensors, tinyMetadata } from '../../src/model/tiny-model.js';

const SHA = 'ab'.repeat(32);

const VALID = {
  name: 'ecg-beat-gru',
  description: 'beat classifier',
  input: {
    raw: { sampleRate: 360, units: 'mV', channels: ['MLII'] },
    sampleRate: 360,
    preprocessing: [{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }],
    windowing: { mode: 'beat', before: 90, after: 166, qrs: { detector: 'pan-tompkins', refractory: 0.2 } },
    features: { kind: 'rr', names: ['preRR', 'postRR'], localBeats: 10, normalize: { mean: [0.8, 0.8], std: [0.2, 0.2] } },
  },
  labels: ['N', 'S', 'V', 'F', 'Q'],
  detector: { thresholds: { S: 0.6, V: 0.5 }, normalLabels: ['N'], minDuration: 2, window: 3, hysteresis: 1, cooldown: 10 },
  provenance: { dataset: { sha256: SHA, split: 'DS1', source: 'mitdb', file: 'ds1.npz', records: ['101', '106'] }, calibrationSet: 'DS1 500 windows' },
};

/** VALID with one field replaced (path like "input.windowing.before"), or removed when value is undefined. */
function withField(path: string, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(VALID));
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce((o, k) => o[k], copy);
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

describe('--meta file', () => {
  it('a complete description parses to itself', () => {
    expect(parseDescription(VALID, 'm.json')).toEqual(VALID);
    expect(parseDescriptionText(JSON.stringify(VALID), 'm.json')).toEqual(VALID);
  });

  it('defaults: QRS detector settings and the local RR mean', () => {
    const d = parseDescription({ input: { windowing: { mode: 'beat', before: 1, after: 2 }, features: { kind: 'rr', names: ['preRR'] } } }, 'm.json');
    expect(d.input?.windowing).toEqual({ mode: 'beat', before: 1, after: 2, qrs: { detector: 'pan-tompkins' } });
    expect(d.input?.features?.localBeats).toBe(10);
  });

  it('unknown keys are refused naming the file and the field; what the graph decides is refused with the reason', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...VALID, lables: ['N'] }, /^m\.json: lables: unknown key \(known: name, description, input, labels, detector, provenance\)/],
      [withField('input.raw.rate', 360), /^m\.json: input\.raw\.rate: unknown key/],
      [withField('input.windowing.hop', 10), /^m\.json: input\.windowing\.hop: unknown key \(known: mode, before, after, qrs\)/],
      [withField('input.windowing.qrs.treshold', 1), /input\.windowing\.qrs\.treshold: unknown key/],
      [withField('detector.minDurration', 1), /detector\.minDurration: unknown key/],
      [withField('provenance.dataset.sha', SHA), /provenance\.dataset\.sha: unknown key/],
      [withField('input.channels', 1), /^m\.json: input\.channels: not allowed here: the channel count comes from the ONNX graph/],
      [{ ...VALID, layers: [] }, /^m\.json: layers: not allowed here: layers come from the ONNX graph/],
      [withField('input.preprocessing', [{ kind: 'bandpass', low: 0.5, high: 40, fc: 3 }]), /input\.preprocessing\[0\]\.fc: unknown .*bandpass stage \(it takes low, high, order\)/],
    ];
    for (const [raw, pattern] of cases) expectFormatError(() => parseDescription(raw, 'm.json'), pattern);
  });

  it('impossible values are refused naming the field', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['input.raw.sampleRate', -360, /input\.raw\.sampleRate: -360 is out of range \(0, /],
      ['input.raw.units', '', /input\.raw\.units: expected a non-empty string/],
      ['input.raw.channels', ['MLII', 'MLII'], /input\.raw\.channels: "MLII" appears twice/],
      ['input.windowing', { mode: 'beat', before: -1, after: 10 }, /input\.windowing\.before: -1 is out of range/],
      ['input.windowing', { mode: 'fixed', window: 0, hop: 1 }, /input\.windowing\.window: 0 is out of range/],
      ['input.windowing', { mode: 'sliding', window: 10, hop: 1 }, /input\.windowing\.mode: expected "fixed", "beat" or "stream"/],
      ['input.windowing.qrs', { detector: 'wavelet' }, /input\.windowing\.qrs\.detector: expected "pan-tompkins"/],
      ['input.preprocessing', [{ kind: 'bandpass', low: 40, high: 0.5, order: 2 }], /input\.preprocessing\[0\]\.high: 0\.5 Hz must be above low \(?40 Hz/],
      ['input.preprocessing', [{ kind: 'highpass', cutoff: 0.5 }], /input\.preprocessing\[0\]\.order: missing \(a highpass stage takes cutoff, order\)/],
      ['input.preprocessing', [{ kind: 'notch', f: 50 }], /input\.preprocessing\[0\]\.kind: .*"notch"/],
      ['input.preprocessing', [{ kind: 'decimate' }], /input\.preprocessing\[0\]\.to: missing/],
      ['input.preprocessing', [{ kind: 'normalize', mean: 0, std: 0 }], /input\.preprocessing\[0\]\.std: .*must be > 0/],
      ['input.features.normalize', { mean: [0], std: [1, 1] }, /input\.features\.normalize\.mean: expected 2 numbers, one per feature/],
      ['input.features.kind', 'hrv', /input\.features\.kind: expected "rr" .* or "external"/],
      ['detector.thresholds', { S: 1.5 }, /detector\.thresholds\.S: 1\.5 is out of range \[0, 1\]/],
      ['detector.thresholds', { X: 0.5 }, /detector\.thresholds\.X: "X" is not one of the labels \[N, S, V, F, Q\]/],
      ['detector.window', 1, /detector\.window: 1 windows cannot hold minDuration 2 positives/],
      ['provenance.dataset.sha256', 'abc', /provenance\.dataset\.sha256: expected 64 lowercase hex digits/],
      ['labels', ['N', 'N'], /labels: "N" appears twice/],
    ];
    for (const [path, value, pattern] of cases) expectFormatError(() => parseDescription(withField(path, value), 'm.json'), pattern);
    expectFormatError(() => parseDescriptionText('{"name": ', 'm.json'), /^m\.json: not valid JSON/);
  });
});

describe('dataset metadata -> description (describeDatasetMeta)', () => {
  const file = { file: 'ds.npz', sha256: SHA, featureCount: 4 };

  it('dataset format 2: the input spec under meta.input is taken as it is (features only when the file has them)', () => {
    const input = {
      channels: 1, sampleRate: 180, window: 128, channelNames: ['MLII'], raw: { sampleRate: 360, units: 'mV', channels: ['MLII'] },
      preprocessing: [{ kind: 'highpass', cutoff: 0.5, order: 2 }, { kind: 'decimate', to: 180 }],
      windowing: { mode: 'beat', before: 45, after: 83, qrs: { detector: 'pan-tompkins' } },
      features: { kind: 'rr', names: ['preRR', 'postRR'], localBeats: 8, normalize: { mean: [0.8, 0.8], std: [0.2, 0.2] } },
    };
    const meta = { format: 'wavegate-dataset', formatVersion: 2, labels: ['N', 'S'], input, split: 'DS2', source: 'mitdb', records: ['100'], sampleMarks: 'r-peak' };
    const d = parseDescription(describeDatasetMeta(meta, { ...file, featureCount: 2 }, 'v3.npz'), 'v3.npz');
    expect(d.input).toEqual({ raw: input.raw, sampleRate: 180, preprocessing: input.preprocessing, windowing: input.windowing, features: input.features });
    expect(d.labels).toEqual(['N', 'S']);
    expect(d.provenance?.dataset).toEqual({ sha256: SHA, split: 'DS2', source: 'mitdb', file: 'ds.npz', records: ['100'] });
    const noFeatures = parseDescription(describeDatasetMeta(meta, { ...file, featureCount: 0 }, 'v3.npz'), 'v3.npz');
    expect(noFeatures.input?.features).toBeUndefined();
  });

  it('what cannot be known is named', () => {
    // A dataset from before format 2 (fs, lead, before/after at the top of meta) is refused with a way out.
    expectFormatError(() => describeDatasetMeta({ fs: 100, window: 10, before: 5, lead: 'x' }, file, 'q.npz'), /^q\.npz: meta\.input is missing: the dataset predates dataset format 2; rebuild it/);
  });
});

describe('applyDescription: side features must fit the first dense layer', () => {
  const meta = tinyMetadata({ channels: 1, window: 16, hidden: [4], outputs: 3 });
  const head = meta.layers.find((l) => l.type === 'dense')!;
  if (head.type === 'dense') head.inFeatures = 4 + 2; // the graph concatenates 2 side features
  const model = { metadata: meta, tensors: randomTensors(meta, 5) };
  const base = { input: { raw: { sampleRate: 360, units: 'mV', channels: ['MLII'] }, windowing: { mode: 'beat' as const, before: 8, after: 8, qrs: { detector: 'pan-tompkins' as const } } } };

  it('counts the side features from the graph', () => expect(graphFeatureCount(meta)).toBe(2));

  it('refuses a description without features, or with another count; takes the right one', () => {
    const src = (d: ModelDescription) => ({ onnx: 'g.onnx', meta: { path: 'm.json', description: d } });
    expectWavegateError(() => applyDescription(model, src(base)), 'E_INPUT', /^m\.json: the graph of g\.onnx takes 2 side feature\(s\) .* describe them in input\.features/);
    const three = { input: { ...base.input, features: { kind: 'rr' as const, names: ['preRR', 'postRR', 'localRR'], localBeats: 10 } } };
    expectWavegateError(() => applyDescription(model, src(three)), 'E_INPUT', /^m\.json: input\.features names 3 side feature\(s\) \(preRR, postRR, localRR\); the graph of g\.onnx takes 2/);
    const two = { input: { ...base.input, features: { kind: 'rr' as const, names: ['preRR', 'postRR'], localBeats: 10 } } };
    expect(applyDescription(model, src(two)).metadata.input.features?.names).toEqual(['preRR', 'postRR']);
  });
});
