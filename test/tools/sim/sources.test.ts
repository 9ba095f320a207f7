import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWfdbAnnotations } from '../../../src/io/wfdb-record.js';
import { aamiClassOf } from '../../../src/labels/aami.js';
import { deviceSignals, LEVEL_BLOCK, LEVEL_FS } from '../../../tools/sim/sources.js';
import { CWRU_DIR, MITDB_DIR } from '../../helpers/shared-data.js';
import { CWRU, MITDB, needs } from '../../helpers/needs.js';
import { expectWavegateError } from '../../helpers/expect-error.js';

describe('simulator sources from recordings', () => {
  needs(MITDB).it('replays an MIT-BIH record per device, offset, with its S/V/F beats as truth', () => {
    const record = join(MITDB_DIR, '208');
    const [a, b] = deviceSignals({ signal: 'ecg', devices: 2, duration: 120, record: `${record}.hea` });
    expect(a.fs).toBe(360);
    expect(a.samples).toHaveLength(120 * 360);
    // device 1 starts 37 s into the record
    expect(b.samples[0]).toBe(a.samples[37 * 360]);
    const beats = readWfdbAnnotations(record).filter((x) => x.sample >= 36 && x.sample < 120 * 360 - 36 && ['S', 'V', 'F'].includes(aamiClassOf(x.symbol) ?? ''));
    expect(a.anomalies.map((x) => x.start + 36)).toEqual(beats.map((x) => x.sample));
    expect(new Set(a.anomalies.map((x) => x.class))).toContain('V');
  });

  needs(CWRU).it('replays a CWRU file; a fault file is one anomaly over the run, a normal file none', () => {
    const [fault] = deviceSignals({ signal: 'vibration', devices: 1, duration: 2, record: join(CWRU_DIR, '12k_Drive_End_IR007_0_105.mat') });
    expect(fault).toMatchObject({ fs: 12000, stream: 'vib', anomalies: [{ class: 'inner', start: 0, end: 24000 }] });
    const [normal] = deviceSignals({ signal: 'vibration', devices: 1, duration: 1, record: join(CWRU_DIR, 'normal_0_97.mat') });
    expect(normal.fs).toBe(48000);
    expect(normal.anomalies).toEqual([]);
  });

  it('names bad options', () => {
    expectWavegateError(() => deviceSignals({ signal: 'ecg', devices: 0, duration: 1 }), 'E_ARGUMENT', /--devices must be an integer >= 1/);
    expectWavegateError(() => deviceSignals({ signal: 'eeg' as never, devices: 1, duration: 1 }), 'E_ARGUMENT', /--signal must be ecg, vibration or level/);
    expectWavegateError(() => deviceSignals({ signal: 'ecg', devices: 1, duration: 1, record: '/nonexistent/100' }), 'E_NOT_FOUND', /nonexistent/);
  });
});

describe('the level signal (the chaos run)', () => {
  it('is 0 but for single blocks at 1, each one anomaly, 6 to 14 blocks apart, the same for the same seed', () => {
    const [s] = deviceSignals({ signal: 'level', devices: 1, duration: 60, seed: 4 });
    expect(s).toMatchObject({ device: 'lvl-0000', stream: 'lvl', fs: LEVEL_FS });
    expect(s.samples.length).toBe(60 * LEVEL_FS);
    const ones = s.samples.reduce((n, x) => n + (x === 1 ? 1 : 0), 0);
    expect(ones).toBe(s.anomalies.length * LEVEL_BLOCK);
    for (const a of s.anomalies) {
      expect(a).toMatchObject({ class: 'anomaly', end: a.start + LEVEL_BLOCK });
      expect(a.start % LEVEL_BLOCK).toBe(0);
      expect([...s.samples.subarray(a.start, a.end)].every((x) => x === 1)).toBe(true);
    }
    const gaps = s.anomalies.slice(1).map((a, i) => (a.start - s.anomalies[i].start) / LEVEL_BLOCK);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(6);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(14);
    expect(deviceSignals({ signal: 'level', devices: 1, duration: 60, seed: 4 })[0].anomalies).toEqual(s.anomalies);
  });
});
