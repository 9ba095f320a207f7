import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { buildMitdbDataset, labelDetections } from '../../../tools/datasets/mitdb.js';
import { decodeDataset, encodeDataset } from '../../../tools/datasets/dataset-file.js';
import { parsePreprocessSpec } from '../../../tools/datasets/preprocess.js';
import { buildPipeline } from '../../../src/signal/pipeline.js';
import { rrFeatureRows, featureStats, normalizeFeatures } from '../../../src/signal/rr-features.js';
import { readWfdbAnnotations, readWfdbRecord, leadSignal } from '../../../src/io/wfdb-record.js';
import { aamiIndexOf } from '../../../src/labels/aami.js';
import { symbolOf } from '../../../src/io/wfdb-annotations.js';
import { MITDB, needs } from '../../helpers/needs.js';
import { MITDB_DIR } from '../../helpers/shared-data.js';
import { expectWavegateError } from '../../helpers/expect-error.js';
import { SYN_ANNOTATIONS, SYN_FS, mliiAdc, writeSyntheticEcgRecord, writeSyntheticRecord } from './synthetic-record.js';

describe('MIT-BIH beat dataset on a synthetic record', () => {
  const dir = writeSyntheticRecord('100');
  const beats = SYN_ANNOTATIONS.filter((a) => aamiIndexOf(symbolOf(a.code)) >= 0);
  const NAMES = ['preRR', 'postRR', 'localRR', 'averageRR'];

  it('cuts one window per AAMI beat but the first and last, at the R peak, from MLII found by name; meta in v3 terms', () => {
    const d = buildMitdbDataset({ dir, split: '100', before: 20, after: 30, features: NAMES, preprocessing: [] });
    expect(d.n).toBe(beats.length - 2);
    expect([d.t, d.c]).toEqual([50, 1]);
    expect(d.meta).toMatchObject({ format: 'wavegate-dataset', formatVersion: 2, labels: ['N', 'S', 'V', 'F', 'Q'], records: ['100'], recordRates: [360], split: '100', peaks: 'reference', sampleMarks: 'r-peak', source: 'mitdb' });
    expect(d.meta.input).toMatchObject({
      channels: 1, sampleRate: 360, window: 50, channelNames: ['MLII'], raw: { sampleRate: 360, units: 'mV', channels: ['MLII'] }, preprocessing: [],
      windowing: { mode: 'beat', before: 20, after: 30, qrs: { detector: 'pan-tompkins' } }, features: { kind: 'rr', names: NAMES, localBeats: 10 },
    });
    expect(Object.keys(d.meta.sourceDigests).sort()).toEqual(['100.atr', '100.dat', '100.hea']);
    const raw = rrFeatureRows(beats.map((b) => b.sample), SYN_FS, { names: NAMES, localBeats: 10 });
    const stats = featureStats(Float32Array.from(raw.flatMap((r) => Array.from(r.values))), 4);
    expect(d.meta.input.features!.normalize).toEqual(stats);
    for (let i = 0; i < d.n; i++) {
      const beat = beats[i + 1];
      expect(Number(d.y[i])).toBe(aamiIndexOf(symbolOf(beat.code)));
      expect(Number(d.sample[i])).toBe(beat.sample);
      for (const k of [0, 20, 49]) expect(d.x[i * 50 + k]).toBeCloseTo((mliiAdc(beat.sample - 20 + k) - 1024) / 200, 6);
      expect(d.features!.subarray(4 * i, 4 * i + 4)).toEqual(normalizeFeatures(raw[i].values, stats));
    }
    expect(Object.values(d.meta.classCounts).reduce((a, b) => a + b, 0)).toBe(d.n);
  });

  it('stacks leads in the order asked, runs the stage list and records it', () => {
    const stages = parsePreprocessSpec('bandpass:0.5-40');
    const d = buildMitdbDataset({ dir, split: '100', leads: ['MLII', 'V1'], before: 5, after: 5, preprocessing: stages });
    expect([d.t, d.c]).toEqual([10, 2]);
    expect(d.meta.input.preprocessing).toEqual([{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }]);
    const rec = readWfdbRecord(join(dir, '100'));
    const ml = leadSignal(rec, 'MLII').physical, v1 = leadSignal(rec, 'V1').physical;
    const frames = new Float32Array(2 * ml.length);
    for (let k = 0; k < ml.length; k++) (frames[2 * k] = ml[k]), (frames[2 * k + 1] = v1[k]);
    const y = buildPipeline(d.meta.input, 360).process(frames);
    const r = beats[1].sample;
    expect(d.x.subarray(0, 20)).toEqual(y.subarray(2 * (r - 5), 2 * (r + 5)));
  });

  it('a rate stage in the list: the model rate and the beat positions follow it, sample stays in record samples', () => {
    const d = buildMitdbDataset({ dir, split: '100', before: 10, after: 10, preprocessing: parsePreprocessSpec('bandpass:0.5-40,decimate:180') });
    expect(d.meta.input.sampleRate).toBe(180);
    expect(d.meta.input.raw!.sampleRate).toBe(360);
    expect(d.meta.input.preprocessing!.at(-1)).toEqual({ kind: 'decimate', to: 180 });
    expect(d.n).toBe(beats.length - 2);
    expect(Array.from(d.sample, Number)).toEqual(beats.slice(1, -1).map((b) => b.sample));
    expectWavegateError(() => buildMitdbDataset({ dir, split: '100', preprocessing: parsePreprocessSpec('decimate:250') }), 'E_INPUT', /decimate from 360 Hz to 250 Hz needs an integer factor/);
  });

  it('is deterministic and round-trips through the .npz file', () => {
    const a = encodeDataset(buildMitdbDataset({ dir, split: '100' }));
    expect(decodeDataset(a).meta.input.preprocessing).toEqual([{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }]); // the default
    const b = encodeDataset(buildMitdbDataset({ dir, split: '100' }));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const back = decodeDataset(a, 'syn.npz');
    expect([back.n, back.t, back.c]).toEqual([beats.length - 2, 256, 1]);
    expect(back.features!.length).toBe(6 * back.n);
    expect(back.sample.length).toBe(back.n);
    expect(back.meta.records).toEqual(['100']);
  });

  it('names a missing lead, missing records or files, and paced records', () => {
    expect(() => buildMitdbDataset({ dir, split: '100', leads: ['V5'] })).toThrow(/no lead "V5" \(has V1, MLII\)/);
    expectWavegateError(() => buildMitdbDataset({ dir, split: '100,101' }), 'E_NOT_FOUND', /split 100,101 needs files that are not there: 101\.hea, 101\.dat, 101\.atr/);
    expectWavegateError(() => buildMitdbDataset({ dir, split: 'DS2' }), 'E_NOT_FOUND', /split DS2 needs files that are not there: 103\.hea.*\(DS2_STAGED names the DS2 records staged here\)/);
    expect(() => buildMitdbDataset({ dir, split: '100,217' })).toThrow(/paced/);
    const noAtr = writeSyntheticRecord('100');
    rmSync(join(noAtr, '100.atr'));
    expectWavegateError(() => buildMitdbDataset({ dir: noAtr, split: '100' }), 'E_NOT_FOUND', /needs files that are not there: 100\.atr$/);
  });

  it('labels detections by the reference beat within the tolerance, one to one', () => {
    expect(labelDetections([0, 50, 95, 400], [10, 100], [1, 2], 10)).toEqual([1, -1, 2, -1]);
    expect(labelDetections([10, 12, 30], [11, 29], [3, 4], 5)).toEqual([3, -1, 4]); // one detection per beat
  });
});

describe('MIT-BIH detector peaks on a synthetic ECG record', () => {
  it('windows sit on the device detector\'s R peaks, each labelled by the true beat within 150 ms', () => {
    const { dir, ecg } = writeSyntheticEcgRecord('100', { seconds: 90, seed: 11 });
    const d = buildMitdbDataset({ dir, split: '100', peaks: 'detector' });
    expect(d.meta.peaks).toBe('detector');
    expect(d.meta.unmatchedDetections).toBe(0);
    expect(d.n).toBeGreaterThan(ecg.rPeaks.length - 6);
    const cls = ['N', 'S', 'V'];
    for (let i = 0; i < d.n; i++) {
      const s = Number(d.sample[i]);
      const k = ecg.rPeaks.reduce((best, r, j) => (Math.abs(r - s) < Math.abs(ecg.rPeaks[best] - s) ? j : best), 0);
      expect(Math.abs(ecg.rPeaks[k] - s)).toBeLessThanOrEqual(8);
      expect(['N', 'S', 'V', 'F', 'Q'][Number(d.y[i])]).toBe(cls[cls.indexOf(ecg.labels[k])]);
    }
  });
});

needs(MITDB).describe('MIT-BIH beat dataset on the staged DS2 records', () => {
  it('has every AAMI beat but the first and last of each record, labels as annotated, R at `before`', () => {
    const d = buildMitdbDataset({ dir: MITDB_DIR, split: 'DS2_STAGED', preprocessing: [] });
    // README: DS2 staged has 25559 AAMI beats over 10 records.
    expect(d.n).toBe(25559 - 2 * 10);
    expect(d.meta.records).toHaveLength(10);
    // Record 100 (first in the split): window i is beat i+1 of the AAMI beats.
    const beats = readWfdbAnnotations(join(MITDB_DIR, '100')).filter((a) => aamiIndexOf(a.symbol) >= 0);
    const mlii = leadSignal(readWfdbRecord(join(MITDB_DIR, '100')), 'MLII').physical;
    for (const i of [0, 100, 2000]) {
      expect(d.record[i]).toBe(0);
      expect(Number(d.y[i])).toBe(aamiIndexOf(beats[i + 1].symbol));
      expect(Number(d.sample[i])).toBe(beats[i + 1].sample);
      expect(d.x[i * 256 + 90]).toBe(mlii[beats[i + 1].sample]);
    }
    const total = Object.values(d.meta.classCounts).reduce((a, b) => a + b, 0);
    expect(total).toBe(d.n);
  });

  it('DS1 (reference peaks) has 51021 - 2 x 22 = 50977 windows, as docs/datasets.md says', () => {
    const d = buildMitdbDataset({ dir: MITDB_DIR, split: 'DS1' });
    expect(d.n).toBe(51021 - 2 * 22);
    expect(d.n).toBe(50977);
  });
});
