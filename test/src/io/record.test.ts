/**
 * Raw recordings (src/io/record.ts): WFDB, CSV and CWRU .mat, channels by name, rates, and bad
 * input named by file, line and channel.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecord, recordFrames } from '../../../src/io/record.js';
import { readWfdbRecord, leadSignal } from '../../../src/io/wfdb-record.js';
import { expectFormatError, expectWavegateError } from '../../helpers/expect-error.js';
import { CWRU_DIR, MITDB_DIR } from '../../helpers/shared-data.js';
import { CWRU, MITDB, needs } from '../../helpers/needs.js';
import { syntheticEcg, writeCsv, writeWfdb } from '../scoring/helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'wavegate-record-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('WFDB records', () => {
  it('reads every lead by name in physical units, with or without the .hea suffix', () => {
    const ecg = syntheticEcg();
    const v5 = ecg.signal.map((v) => -0.5 * v);
    const path = writeWfdb(tmp, 'syn', ecg.fs, [{ name: 'V5', mv: v5 }, { name: 'MLII', mv: ecg.signal }]);
    for (const p of [path, `${path}.hea`]) {
      const r = readRecord(p);
      expect(r).toMatchObject({ name: 'syn', format: 'wfdb', sampleRate: 360, length: ecg.signal.length });
      expect(r.channels.map((c) => [c.name, c.units])).toEqual([['V5', 'mV'], ['MLII', 'mV']]);
      // 212 stores 1/200 mV steps: the physical values are the quantized input, within half a step.
      const mlii = r.channels[1].samples;
      let worst = 0;
      for (let i = 0; i < mlii.length; i++) worst = Math.max(worst, Math.abs(mlii[i] - ecg.signal[i]));
      expect(worst).toBeLessThanOrEqual(0.5 / 200 + 1e-6);
    }
  });

  it('recordFrames picks channels by name and interleaves them in the order asked', () => {
    const r = readRecord(join(tmp, 'syn'));
    const f = recordFrames(r, ['MLII', 'V5']);
    expect(f.length).toBe(2 * r.length);
    expect([f[0], f[1], f[2 * 100], f[2 * 100 + 1]]).toEqual([r.channels[1].samples[0], r.channels[0].samples[0], r.channels[1].samples[100], r.channels[0].samples[100]]);
    expectWavegateError(() => recordFrames(r, ['V1']), 'E_INPUT', /syn: no channel "V1" \(the record has V5, MLII\)/);
  });

  it('a missing record is E_NOT_FOUND naming the header it looked for', () => {
    expectWavegateError(() => readRecord(join(tmp, 'nope')), 'E_NOT_FOUND', /nope\.hea/);
  });

  needs(MITDB).it('MIT-BIH 114 lists V5 first; MLII is found by name, equal to the WFDB reader', () => {
    const r = readRecord(join(MITDB_DIR, '114'));
    expect(r.channels.map((c) => c.name)).toEqual(['V5', 'MLII']);
    const mlii = leadSignal(readWfdbRecord(join(MITDB_DIR, '114')), 'MLII').physical;
    expect(recordFrames(r, ['MLII'])).toEqual(mlii);
  });
});

describe('CSV records', () => {
  const ecg = syntheticEcg();
  const head = ecg.signal.subarray(0, 720);

  it('takes the rate from a uniform time column, or from the caller', () => {
    const timed = writeCsv(join(tmp, 'timed.csv'), 360, [{ name: 'MLII', values: head }]);
    const r = readRecord(timed);
    expect(r).toMatchObject({ name: 'timed', format: 'csv', sampleRate: 360, length: 720 });
    expect(r.channels.map((c) => c.name)).toEqual(['MLII']);
    expect(r.channels[0].samples).toEqual(head);
    const bare = writeCsv(join(tmp, 'bare.csv'), 360, [{ name: 'MLII', values: head }, { name: 'V1', values: head }], false);
    expect(readRecord(bare, { sampleRate: 250 }).sampleRate).toBe(250);
    expectWavegateError(() => readRecord(bare), 'E_INPUT', /bare\.csv: a CSV record needs its sample rate: add a "time" column .* or pass --sample-rate/);
    expectWavegateError(() => readRecord(timed, { sampleRate: 250 }), 'E_INPUT', /timed\.csv: the time column says 360 Hz, the sample rate given is 250 Hz/);
  });

  it('refuses NaN samples naming the line and the channel', () => {
    const p = join(tmp, 'nan.csv');
    writeFileSync(p, 'time,MLII\n0,0.1\n0.002777778,NaN\n');
    expectWavegateError(() => readRecord(p), 'E_INPUT', /nan\.csv: line 3, channel MLII: NaN/);
  });

  it('refuses a file without a header row, ragged rows, words and uneven time steps', () => {
    const cases: Array<[string, RegExp]> = [
      ['0.1\n0.2\n', /line 1: the first row must name the channels/],
      ['time,MLII\n0,0.1\n0.1\n', /line 3 has 1 columns, the header has 2/],
      ['time,MLII\n0,0.1\n0.1,abc\n', /line 3, channel MLII: "abc" is not a number/],
      ['time,MLII\n0,1\n0.1,1\n0.3,1\n', /time column: the step to row 2 is 0\.1 s, the mean step 0\.15 s/],
      ['time,MLII\n', /no samples after the header/],
    ];
    cases.forEach(([text, pattern], i) => {
      const p = join(tmp, `bad${i}.csv`);
      writeFileSync(p, text);
      expectFormatError(() => readRecord(p), pattern);
    });
  });
});

needs(CWRU).describe('CWRU .mat records', () => {
  it('12 kHz drive-end file: channels DE, FE, BA in g, rate from the file name', () => {
    const r = readRecord(join(CWRU_DIR, '12k_Drive_End_IR007_0_105.mat'));
    expect(r).toMatchObject({ name: '12k_Drive_End_IR007_0_105', format: 'mat', sampleRate: 12000, length: 121265 });
    expect(r.channels.map((c) => c.name).sort()).toEqual(['BA', 'DE', 'FE']);
    expect(r.channels.every((c) => c.units === 'g')).toBe(true);
  });

  it('the normal baseline is 48 kHz and has no BA channel', () => {
    const r = readRecord(join(CWRU_DIR, 'normal_0_97.mat'));
    expect(r.sampleRate).toBe(48000);
    expect(r.channels.map((c) => c.name).sort()).toEqual(['DE', 'FE']);
    expectWavegateError(() => recordFrames(r, ['BA']), 'E_INPUT', /normal_0_97\.mat: no channel "BA" \(the record has/);
  });

  it('a .mat whose name is not CWRU\'s cannot say its rate', () => {
    const p = join(tmp, 'vibration.mat');
    writeFileSync(p, new Uint8Array(200));
    expectWavegateError(() => readRecord(p), 'E_INPUT', /vibration\.mat: the sample rate of a \.mat record comes from its CWRU file name/);
  });
});
