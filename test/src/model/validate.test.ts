/**
 * One case per loader rule: each builds a valid file, breaks one thing (re-digesting so the rule
 * itself must catch it), and expects the right code and a message naming the culprit.
 */
import { describe, expect, it } from 'vitest';
import { decodeWgm } from '../../../src/model/load.js';
import { encodeWgm } from '../../../src/model/write.js';
import { isWavegateError, type WavegateErrorCode } from '../../../src/errors.js';
import { editMetadata, joinWgm, splitWgm } from './raw.js';
import { tinyModel } from './tiny-model.js';

const base = encodeWgm(tinyModel({ cell: 'lstm', precision: 'int8', hidden: [8, 4], layerNorm: true }));

function expectFail(bytes: Uint8Array, code: WavegateErrorCode, message: RegExp): void {
  try {
    decodeWgm(bytes, { source: 'bad.wgm' });
  } catch (e) {
    expect(isWavegateError(e), String(e)).toBe(true);
    expect((e as Error).message).toMatch(/^bad\.wgm: /);
    expect((e as Error).message).toMatch(message);
    expect((e as { code: string }).code).toBe(code);
    return;
  }
  throw new Error('decodeWgm accepted the file');
}

function editRaw(edit: (raw: ReturnType<typeof splitWgm>) => void, redigest = true): Uint8Array {
  const raw = splitWgm(base);
  edit(raw);
  return joinWgm(raw, { redigest });
}

function u64(n: bigint, rest = new Uint8Array(0)): Uint8Array {
  const b = new Uint8Array(8 + rest.length);
  new DataView(b.buffer).setBigUint64(0, n, true);
  b.set(rest, 8);
  return b;
}

describe('framing', () => {
  it('too short', () => expectFail(base.subarray(0, 5), 'E_MODEL_FORMAT', /truncated: 5 bytes/));
  it('hostile header length', () => expectFail(u64(0xffffffffffffffffn, new Uint8Array(64)), 'E_MODEL_FORMAT', /header length 18446744073709551615 exceeds/));
  it('header length past the end', () => expectFail(u64(1000n, new Uint8Array(64)), 'E_MODEL_FORMAT', /truncated: header length 1000 but only 64/));
  it('not JSON', () => expectFail(u64(4n, new TextEncoder().encode('{abc')), 'E_MODEL_FORMAT', /not valid JSON/));
  it('not UTF-8', () => expectFail(u64(4n, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 'E_MODEL_FORMAT', /not valid UTF-8/));
  it('not an object', () => expectFail(u64(2n, new TextEncoder().encode('[]')), 'E_MODEL_FORMAT', /does not start with "\{"/));
  it('truncated data', () => expectFail(base.subarray(0, base.length - 3), 'E_MODEL_FORMAT', /run past the end of the data section/));
  it('trailing bytes', () => expectFail(Buffer.concat([base, Buffer.alloc(4)]), 'E_MODEL_FORMAT', /4 bytes after the last tensor/));
  it('metadata value not a string', () => expectFail(editRaw((r) => (r.header.__metadata__.x = 1)), 'E_MODEL_FORMAT', /__metadata__\["x"\] is not a string/));
  it('no wavegate metadata', () => expectFail(editRaw((r) => delete r.header.__metadata__.wavegate), 'E_MODEL_FORMAT', /not a wavegate model/));
});

describe('tensor table', () => {
  it('unknown dtype', () => expectFail(editRaw((r) => (r.header['head.b'].dtype = 'BF16')), 'E_MODEL_UNSUPPORTED', /"head.b": dtype "BF16" is not supported/));
  it('negative shape', () => expectFail(editRaw((r) => (r.header['head.b'].shape = [-3])), 'E_MODEL_FORMAT', /"head.b": shape \[-3\] must hold non-negative integers/));
  it('fractional shape', () => expectFail(editRaw((r) => (r.header['head.b'].shape = [1.5, 2])), 'E_MODEL_FORMAT', /"head.b": shape .* non-negative integers/));
  it('shape element that breaks string conversion (fuzz regression)', () =>
    expectFail(editRaw((r) => (r.header['head.b'].shape = [{ toString: 1 }])), 'E_MODEL_FORMAT', /"head.b": shape \[\{"toString":1\}\] must hold non-negative integers/));
  it('huge shape', () => expectFail(editRaw((r) => (r.header['head.b'].shape = [2 ** 40, 2 ** 40])), 'E_MODEL_FORMAT', /"head.b": shape .* needs more bytes/));
  it('byte length does not match shape', () => expectFail(editRaw((r) => (r.header['head.b'].shape = [2])), 'E_MODEL_FORMAT', /"head.b": data_offsets span 12 bytes but F32 \[2\] needs 8/));
  it('offsets reversed', () => expectFail(editRaw((r) => (r.header['head.b'].data_offsets = [12, 0])), 'E_MODEL_FORMAT', /"head.b": data_offsets \[12, 0\] end before/));
  it('offsets past the end', () => expectFail(editRaw((r) => (r.header['head.b'].data_offsets = [1e9, 1e9 + 12])), 'E_MODEL_FORMAT', /run past the end/));
  it('overlap', () =>
    expectFail(
      editRaw((r) => {
        const [b] = r.header['head.W'].data_offsets;
        r.header['head.b'].data_offsets = [b, b + 12];
      }),
      'E_MODEL_FORMAT',
      /overlaps the previous tensor/,
    ));
  it('gap', () => expectFail(editRaw((r) => delete r.header['head.b']), 'E_MODEL_FORMAT', /gap of 12 bytes|bytes after the last tensor/));
  it('swapped offsets of same-shaped tensors (canonical layout)', () =>
    expectFail(
      editRaw((r) => {
        const g = r.header['norm.gamma'].data_offsets;
        r.header['norm.gamma'].data_offsets = r.header['norm.beta'].data_offsets;
        r.header['norm.beta'].data_offsets = g;
      }),
      'E_MODEL_FORMAT',
      /canonical layout/,
    ));
  it('stray tensor', () =>
    expectFail(
      editRaw((r) => {
        r.header['extra'] = { dtype: 'I8', shape: [4], data_offsets: [r.data.length, r.data.length + 4] };
        r.data = Buffer.concat([r.data, Buffer.alloc(4)]);
      }),
      'E_MODEL_FORMAT',
      /tensor "extra" is not used by any layer/,
    ));
});

describe('digest', () => {
  it('flipped data byte', () => {
    const b = Uint8Array.from(base);
    b[b.length - 1] ^= 1;
    expectFail(b, 'E_MODEL_DIGEST', /digest mismatch/);
  });
  it('edited metadata without re-digesting', () => expectFail(editRaw((r) => (r.header.__metadata__.wavegate = r.header.__metadata__.wavegate.replace('tiny', 'tinz')), false), 'E_MODEL_DIGEST', /digest mismatch/));
  it('missing digest', () => expectFail(editRaw((r) => delete r.header.__metadata__['wavegate.sha256'], false), 'E_MODEL_DIGEST', /no "wavegate.sha256"/));
});

describe('metadata', () => {
  const cases: [string, (m: any) => void, WavegateErrorCode, RegExp][] = [
    ['wrong format', (m) => (m.format = 'other'), 'E_MODEL_FORMAT', /metadata format: expected "wavegate-model"/],
    ['future version', (m) => (m.formatVersion = 99), 'E_MODEL_UNSUPPORTED', /version 99; this runtime reads versions up to 4/],
    ['channels not an integer', (m) => (m.input.channels = 2.5), 'E_MODEL_FORMAT', /input.channels: expected an integer/],
    ['negative sample rate', (m) => (m.input.sampleRate = -1), 'E_MODEL_FORMAT', /input.sampleRate: -1 is out of range/],
    ['channel names count', (m) => (m.input.channelNames = ['a']), 'E_MODEL_FORMAT', /input.channelNames: has 1 names for 2 channels/],
    ['unknown layer type', (m) => (m.layers[0].type = 'conv'), 'E_MODEL_UNSUPPORTED', /layers\[0\].type: unknown layer type "conv"/],
    ['hidden too big', (m) => (m.layers[0].hiddenSize = 5000), 'E_MODEL_FORMAT', /layers\[0\] "rnn0".hiddenSize: 5000 is out of range \[1, 4096\]/],
    ['chain mismatch', (m) => (m.layers[1].inputSize = 7), 'E_MODEL_FORMAT', /layers\[1\] "rnn1".inputSize: 7 does not match the previous layer's output size 8/],
    ['first layer vs channels', (m) => (m.input.channels = 3), 'E_MODEL_FORMAT', /layers\[0\] "rnn0".inputSize: 2 does not match .* \(input.channels\)/],
    ['bad direction', (m) => (m.layers[0].direction = 'sideways'), 'E_MODEL_FORMAT', /direction: expected one of "forward", "reverse", "bidirectional"/],
    ['duplicate name', (m) => (m.layers[1].name = 'rnn0'), 'E_MODEL_FORMAT', /duplicate layer name "rnn0"/],
    ['bad name', (m) => (m.layers[0].name = '../x'), 'E_MODEL_FORMAT', /layers\[0\].name: "..\/x" must match/],
    ['two pools', (m) => m.layers.splice(3, 0, { type: 'pool', name: 'p2', mode: 'last' }), 'E_MODEL_FORMAT', /a second pool layer/],
    ['recurrent after pool', (m) => m.layers.splice(4, 0, { type: 'gru', name: 'late', inputSize: 4, hiddenSize: 4, direction: 'forward', linearBeforeReset: true, precision: 'f32' }), 'E_MODEL_FORMAT', /"late".type: recurrent layer after a pool layer/],
    ['output size', (m) => (m.output.size = 4), 'E_MODEL_FORMAT', /(labels: has 3 labels for output.size 4|output.size: 4 does not match)/],
    ['labels length', (m) => (m.labels = ['a']), 'E_MODEL_FORMAT', /labels: has 1 labels for output.size 3/],
    ['static scale missing', (m) => (m.layers[0].inputQuant = { mode: 'static' }), 'E_MODEL_FORMAT', /inputQuant.scale: expected a finite number/],
    ['epsilon zero', (m) => (m.layers[2].epsilon = 0), 'E_MODEL_FORMAT', /"norm".epsilon: 0 is out of range \(0, 1\]/],
    ['threshold range', (m) => (m.detector = { threshold: 2 }), 'E_MODEL_FORMAT', /detector.threshold: 2 is out of range/],
    ['v3 raw channel names', (m) => (m.input.raw = { sampleRate: 360, units: 'mV', channels: ['MLII'] }), 'E_MODEL_FORMAT', /input.raw.channels: has 1 names for 2 channels/],
    ['v3 raw units', (m) => (m.input.raw = { sampleRate: 360, channels: ['a', 'b'] }), 'E_MODEL_FORMAT', /input.raw.units: expected a string/],
    ['v3 windowing mode', (m) => (m.input.windowing = { mode: 'sliding' }), 'E_MODEL_FORMAT', /input.windowing.mode: expected one of "fixed", "beat", "stream"/],
    ['v3 fixed window vs input.window', (m) => ((m.input.window = 16), (m.input.windowing = { mode: 'fixed', window: 32, hop: 8 })), 'E_MODEL_FORMAT', /input.windowing.window: 32 differs from input.window 16/],
    ['v3 beat window sum', (m) => ((m.input.window = 16), (m.input.windowing = { mode: 'beat', before: 4, after: 4, qrs: { detector: 'pan-tompkins' } })), 'E_MODEL_FORMAT', /before 4 \+ after 4 differs from input.window 16/],
    ['v3 beat detector', (m) => ((m.input.window = 8), (m.input.windowing = { mode: 'beat', before: 4, after: 4, qrs: { detector: 'wavelet' } })), 'E_MODEL_FORMAT', /qrs.detector: expected one of "pan-tompkins"/],
    ['v3 features without room in the head', (m) => (m.input.features = { kind: 'rr', names: ['preRR'], localBeats: 10 }), 'E_MODEL_FORMAT', /inFeatures: \d+ does not match the pooled output \d+ \+ 1 side features/],
    ['v3 features normalize length', (m) => (m.input.features = { kind: 'rr', names: ['preRR'], localBeats: 10, normalize: { mean: [0, 1], std: [1] } }), 'E_MODEL_FORMAT', /input.features.normalize.mean: expected 1 numbers/],
    ['v3 threshold of an unknown class', (m) => (m.detector = { thresholds: { X: 0.5 } }), 'E_MODEL_FORMAT', /detector.thresholds.X: names no class/],
    ['v3 detector k of n', (m) => (m.detector = { minDuration: 3, window: 2 }), 'E_MODEL_FORMAT', /detector.window: 2 is less than minDuration 3/],
    ['v3 dataset digest', (m) => (m.provenance = { dataset: { sha256: 'abc', split: 'DS1' } }), 'E_MODEL_FORMAT', /provenance.dataset.sha256: expected 64 lowercase hex digits/],
    ['no layers', (m) => (m.layers = []), 'E_MODEL_FORMAT', /layers: is empty/],
    ['metrics not numbers', (m) => (m.provenance = { metrics: { acc: 'high' } }), 'E_MODEL_FORMAT', /provenance.metrics.acc: expected a finite number/],
    ['v3 peepholes without their tensor', (m) => (m.layers[0].peepholes = true), 'E_MODEL_FORMAT', /tensor "rnn0.P" \(peephole weights \(i, o, f\)\) is missing/],
    ['v3 peepholes not a boolean', (m) => (m.layers[0].peepholes = 1), 'E_MODEL_FORMAT', /"rnn0".peepholes: expected a boolean, got number 1/],
    ['v3 peepholes in a version-2 file', (m) => ((m.formatVersion = 2), (m.layers[0].peepholes = true)), 'E_MODEL_FORMAT', /"rnn0".peepholes: needs format version 3 \(the file is version 2\)/],
    ['precision changed (tensor dtype no longer matches)', (m) => (m.layers[0].precision = 'f32', delete m.layers[0].inputQuant), 'E_MODEL_FORMAT', /tensor "rnn0.(W|R|W.scale|R.scale)".*(dtype I8, expected F32|not used by any layer)/],
  ];
  it.each(cases)('%s', (_name, edit, code, re) => expectFail(editMetadata(base, edit), code, re));
  it('metadata text not JSON', () => expectFail(editRaw((r) => (r.header.__metadata__.wavegate = '{nope')), 'E_MODEL_FORMAT', /__metadata__.wavegate is not valid JSON/));
});

describe('tensor values', () => {
  function patchTensor(name: string, index: number, value: number): Uint8Array {
    return editRaw((r) => {
      const [b] = r.header[name].data_offsets;
      new DataView(r.data.buffer, r.data.byteOffset).setFloat32(b + 4 * index, value, true);
    });
  }
  it('NaN weight names tensor and index', () => expectFail(patchTensor('head.W', 5, NaN), 'E_MODEL_FORMAT', /tensor "head.W" \(dense weights \[out, in\]\) element 5 is NaN/));
  it('Inf bias', () => expectFail(patchTensor('head.b', 0, Infinity), 'E_MODEL_FORMAT', /tensor "head.b" .* element 0 is Infinity/));
  function patchF16(name: string, index: number, bits: number): Uint8Array {
    return editRaw((r) => {
      const [b] = r.header[name].data_offsets;
      new DataView(r.data.buffer, r.data.byteOffset).setUint16(b + 2 * index, bits, true);
    });
  }
  // Version 4 stores INT8 recurrent biases F16.
  it('Inf F16 bias', () => expectFail(patchF16('rnn1.B', 0, 0x7c00), 'E_MODEL_FORMAT', /tensor "rnn1.B" .* element 0 is Infinity \(f16 0x7c00\)/));
  // Version-2 scales are F16 (bit patterns: 0xb800 = -0.5, 0x7c00 = Infinity, 0x7e00 = NaN).
  it('negative scale', () => expectFail(patchF16('rnn0.W.scale', 3, 0xb800), 'E_MODEL_FORMAT', /tensor "rnn0.W.scale" .* element 3 is -0.5; scales must be >= 0/));
  it('infinite F16 scale', () => expectFail(patchF16('rnn0.R.scale', 1, 0x7c00), 'E_MODEL_FORMAT', /tensor "rnn0.R.scale" .* element 1 is Infinity \(f16 0x7c00\); values must be finite/));
  it('NaN F16 scale', () => expectFail(patchF16('rnn1.W.scale', 0, 0x7e00), 'E_MODEL_FORMAT', /tensor "rnn1.W.scale" .* element 0 is NaN/));
  it('-0 scale is a zero scale, accepted', () => expect(() => decodeWgm(patchF16('rnn0.W.scale', 0, 0x8000))).not.toThrow());
  it('wrong shape for the layer', () =>
    expectFail(
      editRaw((r) => {
        r.header['rnn0.W'].shape = [1, 2, 32]; // same byte count as [1, 32, 2]
      }),
      'E_MODEL_FORMAT',
      /tensor "rnn0.W" \(input weights \(gates i, o, f, c\)\) has shape \[1, 2, 32\], expected \[1, 32, 2\]/,
    ));
});

describe('LSTM peepholes (format version 3)', () => {
  const peep = encodeWgm(tinyModel({ cell: 'lstm', precision: 'int8', hidden: [8, 4], peepholes: true }));
  it('loads with ${name}.P F32 [D, 3H] on int8 layers too', () => {
    const m = decodeWgm(peep);
    expect(m.tensors.get('rnn0.P')).toMatchObject({ dtype: 'F32', shape: [1, 24] });
    expect(m.tensors.get('rnn1.P')).toMatchObject({ dtype: 'F32', shape: [1, 12] });
  });
  it('refuses peepholes on a GRU layer', () =>
    expectFail(editMetadata(encodeWgm(tinyModel({ cell: 'gru' })), (m: any) => (m.layers[0].peepholes = false)), 'E_MODEL_FORMAT', /"rnn0".peepholes: is only meaningful for an lstm layer/));
  it('refuses P of the wrong shape', () =>
    expectFail(
      joinWgm((() => { const r = splitWgm(peep); r.header['rnn1.P'].shape = [3, 4]; return r; })(), { redigest: true }),
      'E_MODEL_FORMAT',
      /tensor "rnn1.P" \(peephole weights \(i, o, f\)\) has shape \[3, 4\], expected \[1, 12\]/,
    ));
  it('refuses a stray P when peepholes is off', () =>
    expectFail(editMetadata(peep, (m: any) => delete m.layers[1].peepholes), 'E_MODEL_FORMAT', /tensor "rnn1.P" is not used by any layer/));
});

describe('INT8 dense layers (format version 4)', () => {
  // A mid ReLU layer (one input range) and a head; with side features the first dense layer has two.
  const withFeatures = encodeWgm(tinyModel({ cell: 'gru', precision: 'int8', int8Head: true, features: 3, mid: 6 }));
  it('load with I8 weights, F16 per-row scales and F32 biases', () => {
    const m = decodeWgm(withFeatures);
    expect(m.tensors.get('mid.W')).toMatchObject({ dtype: 'I8', shape: [6, 11] });
    expect(m.tensors.get('mid.W.scale')).toMatchObject({ dtype: 'F16', shape: [6] });
    expect(m.tensors.get('head.b')).toMatchObject({ dtype: 'F32', shape: [3] });
    expect(m.metadata.layers.find((l) => l.name === 'mid')).toMatchObject({ precision: 'int8', inputQuant: { mode: 'static' }, featureQuant: { mode: 'static' } });
  });
  const cases: [string, (m: any) => void, RegExp][] = [
    ['in a version-3 file', (m) => (m.formatVersion = 3), /"mid".precision: a dense layer's precision needs format version 4 \(the file is version 3\)/],
    ['without its input scale', (m) => delete m.layers[2].inputQuant, /"mid".inputQuant: is required for an int8 dense layer/],
    ['with a dynamic input scale', (m) => (m.layers[2].inputQuant = { mode: 'dynamic' }), /"mid".inputQuant.mode: must be "static" for a dense layer/],
    ['with a zero scale', (m) => (m.layers[3].inputQuant.scale = 0), /"head".inputQuant.scale: 0 is out of range/],
    ['without the feature scale of the first dense layer', (m) => delete m.layers[2].featureQuant, /"mid".featureQuant: is required for an int8 dense layer that takes side features/],
    ['with a feature scale on a later dense layer', (m) => (m.layers[3].featureQuant = { mode: 'static', scale: 0.1 }), /"head".featureQuant: is only meaningful for the first dense layer of a model with side features/],
    ['with input scales on an f32 dense layer', (m) => (m.layers[3].precision = 'f32'), /"head".inputQuant: is only meaningful for precision "int8"/],
  ];
  it.each(cases)('refused %s', (_name, edit, re) => expectFail(editMetadata(withFeatures, edit), 'E_MODEL_FORMAT', re));
  it('refuses F32 weights under precision int8, naming the tensor', () => {
    const f32 = splitWgm(encodeWgm(tinyModel({ cell: 'gru', precision: 'int8' })));
    expectFail(editMetadata(joinWgm(f32, { redigest: true }), (m: any) => (m.layers[2] = { ...m.layers[2], precision: 'int8', inputQuant: { mode: 'static', scale: 0.1 } })), 'E_MODEL_FORMAT', /tensor "head.(W|W.scale)"/);
  });
});

describe('writer refuses invalid models', () => {
  it('NaN weight', () => {
    const m = tinyModel();
    (m.tensors.get('head.W')!.data as Float32Array)[0] = NaN;
    expect(() => encodeWgm(m)).toThrow(/head.W.*element 0 is NaN/);
  });
  it('missing tensor', () => {
    const m = tinyModel();
    m.tensors.delete('head.b');
    expect(() => encodeWgm(m)).toThrow(/tensor "head.b" \(dense bias\) is missing/);
  });
});
