/**
 * The stage schema (src/model/stages.ts): canonical stages parse to themselves; unknown keys,
 * missing keys and impossible values name `input.preprocessing[i].key`; the loader applies it
 * strictly to version-3 files and maps the legacy keys of versions 1 and 2.
 */
import { describe, expect, it } from 'vitest';
import { decodeWgm } from '../../../src/model/load.js';
import { encodeWgm } from '../../../src/model/write.js';
import { chainRates, parseStages, type Stage } from '../../../src/model/stages.js';
import { buildPipeline } from '../../../src/signal/pipeline.js';
import { expectWavegateError } from '../../helpers/expect-error.js';
import { editMetadata } from './raw.js';
import { tinyModel } from './tiny-model.js';

const SPECTRUM: Stage = { kind: 'spectrum', frame: 256, hop: 128, low: 0, high: 6000, bands: 32, level: 'relative' };

const CANONICAL: Stage[] = [
  { kind: 'decimate', to: 12000 },
  { kind: 'bandpass', low: 0.5, high: 40, order: 2 },
  { kind: 'highpass', cutoff: 0.5, order: 1 },
  { kind: 'lowpass', cutoff: 100, order: 12 },
  { kind: 'baseline', windows: [0.2, 0.6] },
  { kind: 'resample', to: 250 },
  { kind: 'normalize', mean: [0, 1], std: [1, 2] },
];

describe('parseStages', () => {
  it('returns canonical stages unchanged (fresh objects, keys in schema order)', () => {
    const parsed = parseStages(CANONICAL, { channels: 2 });
    expect(parsed).toEqual(CANONICAL);
    expect(parsed[0]).not.toBe(CANONICAL[0]);
    expect(Object.keys(parseStages([{ order: 2, high: 40, kind: 'bandpass', low: 1 }])[0])).toEqual(['kind', 'low', 'high', 'order']);
    expect(parseStages([CANONICAL[0], SPECTRUM])).toEqual([CANONICAL[0], SPECTRUM]);
  });

  it('spectrum: the rate it hands on is rate / hop; the bands must fit below Nyquist and hold a bin each', () => {
    expect(chainRates([{ kind: 'decimate', to: 12000 }, SPECTRUM], 48000)).toEqual({ rates: [48000, 12000], outputRate: 93.75 });
    expect(chainRates([SPECTRUM], 8000)).toEqual({ index: 0, problem: 'spectrum up to 6000 Hz is above the Nyquist frequency 4000 Hz of the 8000 Hz signal at this point' });
    expect(chainRates([{ ...SPECTRUM, frame: 32, bands: 64 }], 12000)).toEqual({ index: 0, problem: 'spectrum bands of 93.75 Hz are narrower than the 375 Hz bins of 32-sample frames at 12000 Hz (fewer bands or longer frames)' });
  });

  const bad: Array<[string, unknown, RegExp, 'E_MODEL_FORMAT' | 'E_MODEL_UNSUPPORTED']> = [
    ['not a list', { kind: 'bandpass' }, /^input\.preprocessing: expected an array/, 'E_MODEL_FORMAT'],
    ['not an object', [3], /preprocessing\[0\]: expected a stage object, got number 3/, 'E_MODEL_FORMAT'],
    ['unknown kind', [{ kind: 'notch', freq: 50 }], /preprocessing\[0\]\.kind: unknown stage kind "notch"/, 'E_MODEL_UNSUPPORTED'],
    ['legacy key fc', [{ kind: 'highpass', fc: 0.5, order: 2 }], /preprocessing\[0\]\.fc: unknown key for a highpass stage \(it takes cutoff, order\)/, 'E_MODEL_FORMAT'],
    ['legacy key fs', [{ kind: 'bandpass', low: 0.5, high: 40, order: 2, fs: 360 }], /preprocessing\[0\]\.fs: unknown key/, 'E_MODEL_FORMAT'],
    ['legacy key from', [{ kind: 'resample', from: 360, to: 250 }], /preprocessing\[0\]\.from: unknown key/, 'E_MODEL_FORMAT'],
    ['missing order', [{ kind: 'lowpass', cutoff: 40 }], /preprocessing\[0\]\.order: missing/, 'E_MODEL_FORMAT'],
    ['order out of range', [{ kind: 'lowpass', cutoff: 40, order: 13 }], /\[0\]\.order: 13 is out of range \[1, 12\]/, 'E_MODEL_FORMAT'],
    ['fractional order', [{ kind: 'lowpass', cutoff: 40, order: 2.5 }], /\[0\]\.order: expected an integer/, 'E_MODEL_FORMAT'],
    ['negative cut-off', [{ kind: 'highpass', cutoff: -1, order: 2 }], /\[0\]\.cutoff: -1 is out of range \(0,/, 'E_MODEL_FORMAT'],
    ['band upside down', [{ kind: 'bandpass', low: 40, high: 0.5, order: 2 }], /\[0\]\.high: 0.5 Hz must be above low \(40 Hz\)/, 'E_MODEL_FORMAT'],
    ['string value', [{ kind: 'decimate', to: '12000' }], /\[0\]\.to: expected a finite number, got "12000"/, 'E_MODEL_FORMAT'],
    ['resample to a fraction', [{ kind: 'resample', to: 250.5 }], /\[0\]\.to: the resampler takes integer rates/, 'E_MODEL_FORMAT'],
    ['baseline one window', [{ kind: 'baseline', windows: [0.2] }], /\[0\]\.windows: expected two durations/, 'E_MODEL_FORMAT'],
    ['baseline window too long', [{ kind: 'baseline', windows: [0.2, 60] }], /\[0\]\.windows\[1\]: expected seconds in \(0, 10\]/, 'E_MODEL_FORMAT'],
    ['std zero', [{ kind: 'normalize', mean: 0, std: 0 }], /\[0\]\.std: 0 must be > 0/, 'E_MODEL_FORMAT'],
    ['std per channel, wrong count', [{ kind: 'normalize', mean: 0, std: [1, 2, 3] }], /\[0\]\.std: has 3 values; expected one number or one per channel \(2\)/, 'E_MODEL_FORMAT'],
    ['spectrum frame not a power of two', [{ ...SPECTRUM, frame: 300 }], /\[0\]\.frame: expected a power of two \(the FFT's size\), got 300/, 'E_MODEL_FORMAT'],
    ['spectrum frame too long', [{ ...SPECTRUM, frame: 16384 }], /\[0\]\.frame: 16384 is out of range \[16, 8192\]/, 'E_MODEL_FORMAT'],
    ['spectrum hop beyond the frame', [{ ...SPECTRUM, hop: 257 }], /\[0\]\.hop: 257 is out of range \[1, 256\]/, 'E_MODEL_FORMAT'],
    ['spectrum band upside down', [{ ...SPECTRUM, low: 6000, high: 100 }], /\[0\]\.high: 100 Hz must be above low \(6000 Hz\)/, 'E_MODEL_FORMAT'],
    ['spectrum no bands', [{ ...SPECTRUM, bands: 0 }], /\[0\]\.bands: 0 is out of range \[1, 512\]/, 'E_MODEL_FORMAT'],
    ['spectrum unknown level', [{ ...SPECTRUM, level: 'db' }], /\[0\]\.level: expected "absolute" or "relative", got "db"/, 'E_MODEL_FORMAT'],
    ['spectrum missing level', [{ kind: 'spectrum', frame: 256, hop: 128, low: 0, high: 6000, bands: 32 }], /\[0\]\.level: missing/, 'E_MODEL_FORMAT'],
    ['a stage after the spectrum', [SPECTRUM, { kind: 'normalize', mean: 0, std: 2 }], /preprocessing\[0\]: a spectrum stage must be the last stage \(stage 1 of 2\)/, 'E_MODEL_FORMAT'],
  ];
  it.each(bad)('%s', (_name, stages, re, code) => expectWavegateError(() => parseStages(stages, { channels: 2 }), code, re));

  it('maps the legacy keys of format versions 1 and 2', () => {
    const legacy = [
      { kind: 'bandpass', low: 0.5, high: 40, order: 2, fs: 360, design: 'butterworth', causal: true },
      { kind: 'highpass', fc: 0.5, fs: 360 },
      { kind: 'baseline' },
      { kind: 'decimate', from: 360, to: 180, factor: 2, antiAlias: { design: 'butterworth', order: 12, fc: 72 } },
      { kind: 'resample', from: 180, to: 250 },
    ];
    expect(parseStages(legacy, { legacy: true })).toEqual([
      { kind: 'bandpass', low: 0.5, high: 40, order: 2 },
      { kind: 'highpass', cutoff: 0.5, order: 2 },
      { kind: 'baseline', windows: [0.2, 0.6] },
      { kind: 'decimate', to: 180 },
      { kind: 'resample', to: 250 },
    ]);
    expectWavegateError(() => parseStages([{ kind: 'bandpass', low: 1, high: 2, causal: false }], { legacy: true }), 'E_MODEL_UNSUPPORTED', /causal: zero-phase/);
    expectWavegateError(() => parseStages([{ kind: 'lowpass', fc: 1, cutoff: 2 }], { legacy: true }), 'E_MODEL_FORMAT', /\.fc: differs from cutoff/);
    expectWavegateError(() => parseStages([{ kind: 'lowpass', cutoff: 1, q: 2 }], { legacy: true }), 'E_MODEL_FORMAT', /\.q: unknown key/);
  });

  it('walks the rates of a chain: the rate entering each stage and the rate at the end', () => {
    expect(chainRates(CANONICAL, 48000)).toEqual({ rates: [48000, 12000, 12000, 12000, 12000, 12000, 250], outputRate: 250 });
    expect(chainRates(CANONICAL, 44100)).toEqual({ index: 0, problem: expect.stringMatching(/decimate from 44100 Hz to 12000 Hz needs an integer factor/) });
    expect(chainRates([{ kind: 'decimate', to: 100 }, { kind: 'lowpass', cutoff: 60, order: 2 }], 360)).toMatchObject({ index: 0 });
    expect(chainRates([{ kind: 'decimate', to: 120 }, { kind: 'lowpass', cutoff: 60, order: 2 }], 360)).toMatchObject({ index: 1, problem: expect.stringMatching(/not below the Nyquist frequency 60 Hz/) });
  });
});

describe('the loader applies the schema', () => {
  const v3 = encodeWgm(tinyModel({ cell: 'gru', precision: 'f32', hidden: [8] }));
  const load = (bytes: Uint8Array) => decodeWgm(bytes, { source: 'm.wgm' }).metadata;
  const raw = { sampleRate: 360, units: 'mV', channels: ['a', 'b'] };

  it('version 3: canonical stages load; legacy keys, bad values and a chain that cannot run are refused, naming the field', () => {
    const ok = load(editMetadata(v3, (m) => Object.assign(m.input, { raw, sampleRate: 180, preprocessing: [{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }, { kind: 'decimate', to: 180 }] })));
    expect(ok.input.preprocessing).toEqual([{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }, { kind: 'decimate', to: 180 }]);
    expectWavegateError(() => load(editMetadata(v3, (m) => (m.input.preprocessing = [{ kind: 'highpass', fc: 0.5, order: 2 }]))), 'E_MODEL_FORMAT', /^m\.wgm: metadata input\.preprocessing\[0\]\.fc: unknown key/);
    expectWavegateError(() => load(editMetadata(v3, (m) => (m.input.preprocessing = [{ kind: 'normalize', mean: [0, 0, 0], std: 1 }]))), 'E_MODEL_FORMAT', /input\.preprocessing\[0\]\.mean: has 3 values.*\(2\)/);
    expectWavegateError(() => load(editMetadata(v3, (m) => Object.assign(m.input, { raw, preprocessing: [{ kind: 'lowpass', cutoff: 200, order: 2 }] }))), 'E_MODEL_FORMAT', /input\.preprocessing\[0\]: lowpass at 200 Hz is not below the Nyquist frequency 180 Hz .*input\.raw\.sampleRate 360 Hz/);
    expectWavegateError(() => load(editMetadata(v3, (m) => Object.assign(m.input, { raw, sampleRate: 250, preprocessing: [{ kind: 'decimate', to: 180 }] }))), 'E_MODEL_FORMAT', /input\.sampleRate: 250 Hz differs from the 180 Hz the preprocessing makes of input\.raw\.sampleRate 360 Hz/);
  });

  it('version 3 spectrum stage: input.channels counts stream channels x bands; beat windows refused', () => {
    const spectrum = { ...SPECTRUM, bands: 4 };
    const de = { sampleRate: 12000, units: 'g', channels: ['DE'] };
    const withSpectrum = (m: Record<string, any>, extra: Record<string, unknown> = {}) => Object.assign(m.input, { raw: de, sampleRate: 93.75, preprocessing: [spectrum], ...extra });
    // tinyModel takes 2 input channels: 2 raw channels x 4 bands do not fit, 1 x 4 needs 4.
    expectWavegateError(() => load(editMetadata(v3, (m) => withSpectrum(m))), 'E_MODEL_FORMAT', /input\.channels: 2 is not a whole number of stream channels of 4 spectrum bands each/);
    const two = { ...spectrum, bands: 2 };
    const ok = load(editMetadata(v3, (m) => withSpectrum(m, { preprocessing: [two] })));
    expect(ok.input.preprocessing).toEqual([two]);
    expectWavegateError(() => load(editMetadata(v3, (m) => withSpectrum(m, { preprocessing: [two], raw: raw }))), 'E_MODEL_FORMAT', /input\.raw\.channels: has 2 names for 1 channels/);
    expectWavegateError(
      () => load(editMetadata(v3, (m) => withSpectrum(m, { preprocessing: [two], window: 7, windowing: { mode: 'beat', before: 3, after: 4, qrs: { detector: 'pan-tompkins' } } }))),
      'E_MODEL_UNSUPPORTED', /input\.windowing\.mode: beat windows need a signal to detect R peaks in/,
    );
  });

  it('version 3 RR features must be ones the device computes', () => {
    expectWavegateError(() => load(editMetadata(v3, (m) => {
      m.input.features = { kind: 'rr', names: ['preRR', 'qrsWidth'], localBeats: 10 };
      m.layers.find((l: { type: string }) => l.type === 'dense').inFeatures += 2;
    })), 'E_MODEL_FORMAT', /^m\.wgm: metadata input\.features: input\.features\.names\[1\]: unknown RR feature "qrsWidth"/);
  });

  it('versions 1 and 2: legacy keys load mapped, and the mapped list runs', () => {
    const v2 = editMetadata(v3, (m) => {
      m.formatVersion = 2;
      m.input.sampleRate = 180;
      m.input.preprocessing = [{ kind: 'highpass', fc: 0.5, fs: 360, design: 'butterworth', causal: true }, { kind: 'decimate', from: 360, to: 180, factor: 2 }];
    });
    const meta = load(v2);
    expect(meta.input.preprocessing).toEqual([{ kind: 'highpass', cutoff: 0.5, order: 2 }, { kind: 'decimate', to: 180 }]);
    expect(buildPipeline(meta.input, 360).outputRate).toBe(180);
  });
});
