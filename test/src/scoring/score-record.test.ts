/**
 * Scoring raw recordings with the model's own chain (src/scoring): `scoreRecord` (the record in
 * chunks, windows in batches) gives exactly what the chain gives for the whole record at once,
 * scored window by window; fixed windows without stages are plain slices of the record; `sample`
 * maps back to the record (R peaks land on the synthetic record's true ones); what does not fit is
 * refused. The chain itself (stages, QRS, beat windows, RR features) is src/signal's, tested there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecord, recordFrames, type RawRecord } from '../../../src/io/record.js';
import type { InputSpec, WgmMetadata, WgmModel } from '../../../src/model/schema.js';
import { loadModel, type Model } from '../../../src/runtime/model.js';
import { scoreRecord, type ScoredWindow } from '../../../src/scoring/score-record.js';
import { createRecordChain } from '../../../src/scoring/signal-chain.js';
import { runWindows } from '../../../src/scoring/run-windows.js';
import { expectWavegateError } from '../../helpers/expect-error.js';
import { CWRU_DIR } from '../../helpers/shared-data.js';
import { CWRU, MITDB, needs } from '../../helpers/needs.js';
import { randomTensors, tinyMetadata } from '../model/tiny-model.js';
import { syntheticEcg, writeCsv, writeWfdb } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'wavegate-score-record-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BANDPASS = { kind: 'bandpass', low: 0.5, high: 40, order: 2 };

/** A tiny GRU described as a model of `input` (format v3). */
async function describedModel(input: Partial<InputSpec> & { window: number }, labels = ['N', 'S', 'V'], features = 0): Promise<Model> {
  const meta: WgmMetadata = tinyMetadata({ channels: input.channels ?? 1, window: input.window, outputs: labels.length, hidden: [6] });
  meta.input = { channels: meta.input.channels, ...input };
  delete meta.input.hop;
  if (input.windowing?.mode === 'fixed') meta.input.hop = input.windowing.hop;
  meta.labels = labels;
  if (features > 0) {
    const head = meta.layers.find((l) => l.type === 'dense')!;
    if (head.type === 'dense') head.inFeatures += features;
  }
  const model: WgmModel = { metadata: meta, tensors: randomTensors(meta, 11) };
  return loadModel(model);
}

const beatInput = (over: Partial<InputSpec> = {}): Partial<InputSpec> & { window: number } => ({
  channels: 1,
  window: 128,
  sampleRate: 360,
  raw: { sampleRate: 360, units: 'mV', channels: ['MLII'] },
  preprocessing: [BANDPASS],
  windowing: { mode: 'beat', before: 64, after: 64, qrs: { detector: 'pan-tompkins' } },
  ...over,
});

async function collect(model: Model, record: RawRecord, opts = {}): Promise<ScoredWindow[]> {
  const out: ScoredWindow[] = [];
  for await (const batch of scoreRecord(model, record, opts)) out.push(...batch);
  return out;
}

/** What the chain makes of the whole record pushed at once. */
function wholeRecord(input: InputSpec, record: RawRecord, channels: string[]) {
  const chain = createRecordChain(input, record.sampleRate, record.source);
  return [...chain.push(recordFrames(record, channels)), ...chain.end()];
}

/** The model's outputs for the given windows, one kernel call. */
async function reference(model: Model, windows: Float32Array[]): Promise<Float32Array> {
  const s = await model.createSession({ maxBatch: 64 });
  const T = windows[0].length / model.metadata.input.channels;
  const x = new Float32Array(windows.length * windows[0].length);
  windows.forEach((w, k) => x.set(w, k * w.length));
  return s.run(x, windows.length, T);
}

describe('beat models: preprocessing -> QRS on the preprocessed signal -> beat windows', () => {
  const ecg = syntheticEcg();
  const path = writeWfdb(tmp, 'beats', ecg.fs, [{ name: 'V1', mv: ecg.signal.map((v) => 0.3 * v) }, { name: 'MLII', mv: ecg.signal }]);

  it('scores one line per detected beat, in order, equal to the chain on the whole record, bit for bit', async () => {
    const model = await describedModel(beatInput());
    const record = readRecord(path);
    const got = await collect(model, record, { batch: 7 }); // odd batches: tiling must not matter
    const beats = wholeRecord(model.metadata.input, record, ['MLII']);
    const want = await reference(model, beats.map((b) => b.data));
    expect(got.length).toBe(beats.length);
    expect(got.length).toBeGreaterThan(ecg.rPeaks.length - 5);
    got.forEach((row, i) => {
      expect(row.index).toBe(i);
      expect(row.sample).toBe(beats[i].sample);
      expect(row.time).toBeCloseTo(beats[i].sample / 360, 6);
      expect(Float32Array.from(row.output)).toEqual(want.subarray(i * 3, i * 3 + 3));
      expect(row.label).toBe(['N', 'S', 'V'][row.output.indexOf(Math.max(...row.output))]);
    });
    // Detected R peaks land on the true ones (the synthetic record knows them), in the record's samples.
    const near = got.filter((r) => ecg.rPeaks.some((p) => Math.abs(p - r.sample) <= 0.05 * 360)).length;
    expect(near / got.length).toBeGreaterThan(0.97);
    model.dispose();
  });

  it('the channel comes from the model by name (MLII, not the first lead), or from the caller', async () => {
    const model = await describedModel(beatInput());
    const record = readRecord(path);
    const byName = await collect(model, record);
    const byOverride = await collect(model, record, { channels: ['V1'] });
    expect(byOverride.length).toBeGreaterThan(0);
    expect(byOverride.map((r) => r.output)).not.toEqual(byName.map((r) => r.output));
    await expect(collect(model, record, { channels: ['MLII', 'V1'] })).rejects.toMatchObject({ code: 'E_ARGUMENT', message: expect.stringMatching(/2 channel name\(s\) given .* the model takes 1/) });
    model.dispose();
  });

  it('RR side features: by name, normalised as the model says, consistent with the R peaks', () => {
    const input = beatInput({ features: { kind: 'rr', names: ['postRR', 'preRR'], localBeats: 10, normalize: { mean: [0.8, 0.7], std: [0.2, 0.1] } } }) as InputSpec;
    const windows = wholeRecord(input, readRecord(path), ['MLII']);
    expect(windows.length).toBeGreaterThan(ecg.rPeaks.length - 5);
    const rr = (w: (typeof windows)[number]) => ({ post: w.features![0] * 0.2 + 0.8, pre: w.features![1] * 0.1 + 0.7 });
    for (let i = 2; i < windows.length - 1; i++) {
      // Every beat of the clean synthetic record is detected, so neighbours are consecutive beats.
      expect(rr(windows[i]).pre).toBeCloseTo((windows[i].sample - windows[i - 1].sample) / 360, 4);
      expect(rr(windows[i]).post).toBeCloseTo((windows[i + 1].sample - windows[i].sample) / 360, 4);
    }
  });
});

describe('fixed-window models', () => {
  const ecg = syntheticEcg();

  it('without stages: the record\'s own samples, every hop; sample is the window\'s first sample', async () => {
    const input = { channels: 1, window: 90, raw: { sampleRate: 360, units: 'mV', channels: ['MLII'] }, preprocessing: [], windowing: { mode: 'fixed' as const, window: 90, hop: 45 } };
    const model = await describedModel(input, ['normal', 'abnormal']);
    const csv = writeCsv(join(tmp, 'fixed.csv'), 360, [{ name: 'MLII', values: ecg.signal }]);
    const record = readRecord(csv);
    const got = await collect(model, record);
    const x = recordFrames(record, ['MLII']);
    const starts = Array.from({ length: Math.floor((x.length - 90) / 45) + 1 }, (_, k) => k * 45);
    const want = await reference(model, starts.map((s) => x.slice(s, s + 90)));
    expect(got.map((r) => r.sample)).toEqual(starts);
    got.forEach((row, i) => expect(Float32Array.from(row.output)).toEqual(want.subarray(2 * i, 2 * i + 2)));
    model.dispose();
  });

  it('with a decimate stage: sample counts the record\'s samples, not the model rate\'s', async () => {
    const input = { channels: 1, window: 90, raw: { sampleRate: 360, units: 'mV', channels: ['MLII'] }, preprocessing: [{ kind: 'decimate', to: 180 }], windowing: { mode: 'fixed' as const, window: 90, hop: 45 } };
    const model = await describedModel(input, ['normal', 'abnormal']);
    const record = readRecord(join(tmp, 'fixed.csv'));
    const got = await collect(model, record, { batch: 5 });
    const whole = wholeRecord(model.metadata.input, record, ['MLII']);
    const want = await reference(model, whole.map((w) => w.data));
    expect(got.length).toBe(Math.floor((ecg.signal.length / 2 - 90) / 45) + 1);
    got.forEach((row, i) => {
      expect(row.sample).toBe(2 * 45 * i);
      expect(Float32Array.from(row.output)).toEqual(want.subarray(2 * i, 2 * i + 2));
    });
    model.dispose();
  });

  needs(CWRU).it('CWRU: a 12 kHz model takes 12 kHz files as they are and 48 kHz ones through its decimate stage', async () => {
    const input = { channels: 1, window: 1024, raw: { sampleRate: 12000, units: 'g', channels: ['DE'] }, preprocessing: [{ kind: 'decimate', to: 12000 }], windowing: { mode: 'fixed' as const, window: 1024, hop: 512 } };
    const model = await describedModel(input, ['normal', 'inner', 'ball', 'outer']);
    for (const [file, factor] of [['12k_Drive_End_IR007_0_105.mat', 1], ['normal_0_97.mat', 4]] as const) {
      const record = readRecord(join(CWRU_DIR, file));
      const got = await collect(model, record, { batch: 256 });
      const de = recordFrames(record, ['DE']);
      const n = Math.floor((Math.ceil(de.length / factor) - 1024) / 512) + 1;
      expect(got.length).toBe(n);
      expect(got.map((r) => r.sample)).toEqual(Array.from({ length: n }, (_, k) => k * 512 * factor));
      if (factor === 1) {
        // No decimation at 12 kHz: the windows are the file's own samples.
        const pick = [0, 1, n >> 1, n - 1];
        const want = await reference(model, pick.map((k) => de.slice(k * 512, k * 512 + 1024)));
        pick.forEach((k, j) => expect(Float32Array.from(got[k].output)).toEqual(want.subarray(4 * j, 4 * j + 4)));
      }
    }
    model.dispose();
  });
});

describe('what does not fit is refused before the first result', () => {
  const ecg = syntheticEcg();

  it('a record at another rate, when the model has no rate stage: E_INPUT naming both rates', async () => {
    const model = await describedModel(beatInput());
    const csv = writeCsv(join(tmp, 'r250.csv'), 250, [{ name: 'MLII', values: ecg.signal.subarray(0, 2500) }]);
    await expect(collect(model, readRecord(csv))).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/r250\.csv: .*sample rate 250 Hz differs from the model's 360 Hz/) });
    model.dispose();
  });

  it('a record without the lead the model needs: E_INPUT naming the record and the lead', async () => {
    const model = await describedModel(beatInput());
    const path = writeWfdb(tmp, 'nolead', 360, [{ name: 'V1', mv: ecg.signal }, { name: 'V5', mv: ecg.signal }]);
    await expect(collect(model, readRecord(path))).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/nolead: no channel "MLII" \(the record has V1, V5\)/) });
    model.dispose();
  });

  it('other units: E_INPUT naming both', async () => {
    const model = await describedModel(beatInput({ raw: { sampleRate: 360, units: 'uV', channels: ['MLII'] } }));
    const path = writeWfdb(tmp, 'units', 360, [{ name: 'MLII', mv: ecg.signal }]);
    await expect(collect(model, readRecord(path))).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/channel MLII is in mV, the model takes uV/) });
    model.dispose();
  });

  it('a model that does not describe its windows, or that streams: E_MODEL_UNSUPPORTED', async () => {
    const path = writeWfdb(tmp, 'plain', 360, [{ name: 'MLII', mv: ecg.signal }]);
    const plain = await describedModel({ channels: 1, window: 128, channelNames: ['MLII'] });
    await expect(collect(plain, readRecord(path))).rejects.toMatchObject({ code: 'E_MODEL_UNSUPPORTED', message: expect.stringMatching(/no input\.windowing; import it with --dataset or --meta/) });
    const streaming = await describedModel(beatInput({ windowing: { mode: 'stream' } }));
    await expect(collect(streaming, readRecord(path))).rejects.toMatchObject({ code: 'E_MODEL_UNSUPPORTED', message: expect.stringMatching(/streams/) });
  });

  it('side features of the wrong length: E_INPUT naming the features', async () => {
    const model = await describedModel(beatInput({ features: { kind: 'rr', names: ['preRR', 'postRR'], localBeats: 10 } }), ['N', 'S', 'V'], 2);
    const s = await model.createSession({ maxBatch: 2 });
    const x = new Float32Array(2 * 128);
    expectWavegateError(() => runWindows(s, x, 2, 128, new Float32Array(3)), 'E_INPUT', /side features: 3 values for 2 window\(s\) of 2 feature\(s\) \(preRR, postRR\)/);
    expectWavegateError(() => runWindows(s, x, 2, 128), 'E_INPUT', /takes 2 side feature\(s\) per window \(preRR, postRR\) and none were given/);
    model.dispose();
  });
});
