import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { buildMitdbDataset, labelDetections } from '../../../tools/datasets/mitdb.js';
import { decodeDataset, encodeDataset } from '../../../tools/datasets/dataset-file.js';
import { parsePreprocessing, applyStages } from '../../../tools/datasets/preprocess.js';
import { rrFeatures } from '../../../src/signal/beats.js';
import { readWfdbAnnotations, readWfdbRecord, leadSignal } from '../../../src/io/wfdb-record.js';
import { aamiIndexOf } from '../../../src/labels/aami.js';
import { symbolOf } from '../../../src/io/wfdb-annotations.js';
import { MITDB, needs } from '../../helpers/needs.js';
import { MITDB_DIR } from '../../helpers/shared-data.js';
import { SYN_ANNOTATIONS, SYN_FS, mliiAdc, writeSyntheticRecord } from './synthetic-record.js';

describe('MIT-BIH beat dataset on a synthetic record', () => {
  const dir = writeSyntheticRecord('100');
  const beats = SYN_ANNOTATIONS.filter((a) => aamiIndexOf(symbolOf(a.code)) >= 0);

  it('cuts one window per AAMI beat but the first and last, at the R peak, from MLII found by name', () => {
    const d = buildMitdbDataset({ dir, split: '100', before: 20, after: 30 });
    expect(d.n).toBe(beats.length - 2);
    expect([d.t, d.c]).toEqual([50, 1]);
    expect(d.meta).toMatchObject({ labels: ['N', 'S', 'V', 'F', 'Q'], fs: 360, window: 50, before: 20, after: 30, lead: ['MLII'], records: ['100'], split: '100', windows: 'reference', preprocessing: [] });
    expect(Object.keys(d.meta.sourceDigests).sort()).toEqual(['100.atr', '100.dat', '100.hea']);
    const rr = rrFeatures(beats.map((b) => b.sample), SYN_FS);
    for (let i = 0; i < d.n; i++) {
      const beat = beats[i + 1];
      expect(Number(d.y[i])).toBe(aamiIndexOf(symbolOf(beat.code)));
      for (const k of [0, 20, 49]) expect(d.x[i * 50 + k]).toBeCloseTo((mliiAdc(beat.sample - 20 + k) - 1024) / 200, 6);
      expect(Array.from(d.rr!.subarray(4 * i, 4 * i + 4))).toEqual(Array.from(rr[i].rr));
    }
    expect(Object.values(d.meta.classCounts).reduce((a, b) => a + b, 0)).toBe(d.n);
  });

  it('stacks leads in the order asked, applies preprocessing and records it', () => {
    const stages = parsePreprocessing('bandpass:0.5-40', 360);
    const d = buildMitdbDataset({ dir, split: '100', leads: ['MLII', 'V1'], before: 5, after: 5, preprocessing: stages });
    expect([d.t, d.c]).toEqual([10, 2]);
    expect(d.meta.preprocessing[0]).toMatchObject({ kind: 'bandpass', low: 0.5, high: 40, order: 2, fs: 360, causal: true });
    const rec = readWfdbRecord(join(dir, '100'));
    const ml = applyStages(leadSignal(rec, 'MLII').physical, stages);
    const v1 = applyStages(leadSignal(rec, 'V1').physical, stages);
    const r = beats[1].sample;
    expect(d.x[0 * 20 + 5 * 2 + 0]).toBe(ml[r]);
    expect(d.x[0 * 20 + 5 * 2 + 1]).toBe(v1[r]);
  });

  it('decimates to an integer divisor of the record rate and scales the beat positions', () => {
    const d = buildMitdbDataset({ dir, split: '100', before: 10, after: 10, fs: 180 });
    expect(d.meta.fs).toBe(180);
    expect(d.meta.preprocessing.at(-1)).toMatchObject({ kind: 'decimate', from: 360, to: 180, factor: 2 });
    expect(d.n).toBe(beats.length - 2);
    expect(() => buildMitdbDataset({ dir, split: '100', fs: 250 })).toThrow(/integer decimation/);
  });

  it('labels detector peaks by the reference beat within 150 ms and drops the rest', () => {
    const detector = () => beats.map((b, i) => (i === 5 ? b.sample + 100 : b.sample + 3));
    const d = buildMitdbDataset({ dir, split: '100', before: 10, after: 10, peaks: 'detector', detector });
    expect(d.meta.windows).toBe('detector');
    expect(d.meta.unmatchedDetections).toBe(1);
    expect(d.n).toBe(beats.length - 3);
    expect(labelDetections([0, 50, 95, 400], [10, 100], [1, 2], 10)).toEqual([1, -1, 2, -1]);
    expect(labelDetections([10, 12, 30], [11, 29], [3, 4], 5)).toEqual([3, -1, 4]); // one detection per beat
    expect(() => buildMitdbDataset({ dir, split: '100', peaks: 'detector' })).toThrow(/needs a QRS detector/);
  });

  it('is deterministic and round-trips through the .npz file', () => {
    const a = encodeDataset(buildMitdbDataset({ dir, split: '100' }));
    const b = encodeDataset(buildMitdbDataset({ dir, split: '100' }));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const back = decodeDataset(a, 'syn.npz');
    expect([back.n, back.t, back.c]).toEqual([beats.length - 2, 256, 1]);
    expect(back.rr!.length).toBe(4 * back.n);
    expect(back.meta.records).toEqual(['100']);
  });

  it('names a missing lead, a missing record and paced records', () => {
    expect(() => buildMitdbDataset({ dir, split: '100', leads: ['V5'] })).toThrow(/no lead "V5" \(has V1, MLII\)/);
    expect(() => buildMitdbDataset({ dir, split: '101' })).toThrow(/101/);
    expect(() => buildMitdbDataset({ dir, split: '100,217' })).toThrow(/paced/);
  });
});

needs(MITDB).describe('MIT-BIH beat dataset on the staged DS2 records', () => {
  it('has every AAMI beat but the first and last of each record, labels as annotated, R at `before`', () => {
    const d = buildMitdbDataset({ dir: MITDB_DIR, split: 'DS2_STAGED' });
    // README: DS2 staged has 25559 AAMI beats over 10 records.
    expect(d.n).toBe(25559 - 2 * 10);
    expect(d.meta.records).toHaveLength(10);
    // Record 100 (first in the split): window i is beat i+1 of the AAMI beats.
    const beats = readWfdbAnnotations(join(MITDB_DIR, '100')).filter((a) => aamiIndexOf(a.symbol) >= 0);
    const mlii = leadSignal(readWfdbRecord(join(MITDB_DIR, '100')), 'MLII').physical;
    for (const i of [0, 100, 2000]) {
      expect(d.record[i]).toBe(0);
      expect(Number(d.y[i])).toBe(aamiIndexOf(beats[i + 1].symbol));
      expect(d.x[i * 256 + 90]).toBe(mlii[beats[i + 1].sample]);
    }
    const total = Object.values(d.meta.classCounts).reduce((a, b) => a + b, 0);
    expect(total).toBe(d.n);
  });
});
