import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCwruDataset } from '../../../tools/datasets/cwru.js';
import { Decimator } from '../../../src/signal/decimate.js';
import { readMat5 } from '../../../src/io/mat5.js';
import { cwruFileInfo, CWRU_LABELS_10, TIME_SPLITS } from '../../../src/labels/cwru.js';
import { CWRU, needs } from '../../helpers/needs.js';
import { CWRU_DIR } from '../../helpers/shared-data.js';

needs(CWRU).describe(`CWRU dataset from ${CWRU_DIR}`, () => {
  const opts = { dir: CWRU_DIR, window: 512, hop: 256 } as const;
  // Built once on first use: a skipped suite (no data) must not read the folder while collecting.
  let built: Record<string, ReturnType<typeof buildCwruDataset>> | undefined;
  const sets = new Proxy({} as Record<string, ReturnType<typeof buildCwruDataset>>, {
    get: (_, key: string) => (built ??= Object.fromEntries(TIME_SPLITS.map((s) => [s, buildCwruDataset({ ...opts, split: s })])))[key],
  });
  const regionsOf = (s: string) => (sets[s].meta.timeSplit as { regions: Record<string, [number, number]> }).regions;

  it('labels every window by its file and covers all 10 classes in every split; meta in v3 terms', () => {
    for (const s of TIME_SPLITS) {
      const d = sets[s];
      expect(d.meta.labels).toEqual(CWRU_LABELS_10);
      for (let i = 0; i < d.n; i += 97) expect(Number(d.y[i])).toBe(cwruFileInfo(d.meta.records[d.record[i]]).class10);
      expect(Object.values(d.meta.classCounts).every((v) => v > 0)).toBe(true);
    }
    expect(sets.train.meta.input).toEqual({
      channels: 1, sampleRate: 12000, window: 512, hop: 256, channelNames: ['DE'],
      raw: { sampleRate: 12000, units: 'g', channels: ['DE'] },
      preprocessing: [{ kind: 'decimate', to: 12000 }],
      windowing: { mode: 'fixed', window: 512, hop: 256 },
    });
    expect(sets.train.meta.sampleMarks).toBe('window-start');
    const four = buildCwruDataset({ ...opts, split: 'val', task: '4class' });
    expect(four.meta.labels).toEqual(['normal', 'inner', 'ball', 'outer']);
    expect(four.n).toBe(sets.val.n);
  });

  it('windows are the device\'s (every hop from the first sample) that lie inside disjoint regions', () => {
    for (const file of sets.train.meta.records) {
      const r = (s: string) => regionsOf(s)[file];
      expect(r('train')[1]).toBeLessThanOrEqual(r('val')[0]);
      expect(r('val')[1]).toBeLessThanOrEqual(r('test')[0]);
      for (const s of TIME_SPLITS) {
        const [a, b] = r(s);
        const idx = sets[s].meta.records.indexOf(file);
        const rate = sets[s].meta.recordRates[idx];
        const starts = Array.from(sets[s].sample).filter((_, i) => sets[s].record[i] === idx).map((v) => (Number(v) * 12000) / rate);
        expect(starts.length, `${s} ${file}`).toBe(Math.floor((b - 512) / 256) - Math.ceil(a / 256) + 1);
        for (const st of starts) {
          expect(st % 256).toBe(0);
          expect(st >= a && st + 512 <= b).toBe(true);
        }
      }
    }
  });

  it('windows hold the raw DE samples at 12 kHz; the 48 kHz normal file goes through the decimate stage', () => {
    const file = '12k_Drive_End_IR007_0_105.mat';
    const de = readMat5(readFileSync(join(CWRU_DIR, file)), file).get('X105_DE_time')!.data;
    const d = sets.val;
    const idx = d.meta.records.indexOf(file);
    const first = Array.from(d.record).indexOf(idx);
    const start = Number(d.sample[first]);
    expect(start).toBe(Math.ceil(regionsOf('val')[file][0] / 256) * 256);
    for (const k of [0, 1, 511]) expect(d.x[first * 512 + k]).toBe(Math.fround(de[start + k]));
    const normal = readMat5(readFileSync(join(CWRU_DIR, 'normal_0_97.mat')), 'normal_0_97.mat').get('X097_DE_time')!.data;
    const dec = new Decimator(48000, 12000).process(Float32Array.from(normal));
    const n = d.meta.records.indexOf('normal_0_97.mat');
    expect(d.meta.recordRates[n]).toBe(48000);
    const w = Array.from(d.record).indexOf(n);
    expect(Number(d.sample[w]) % 4).toBe(0); // raw 48 kHz samples: output k is input 4k
    expect(d.x.subarray(w * 512, (w + 1) * 512)).toEqual(dec.subarray(Number(d.sample[w]) / 4, Number(d.sample[w]) / 4 + 512));
    expect(regionsOf('test')['normal_0_97.mat'][1]).toBe(Math.ceil(243938 / 4));
  });

  it('refuses bad options, naming file and variable', () => {
    expect(() => buildCwruDataset({ ...opts, split: 'dev' as 'val' })).toThrow(/train, val, test/);
    expect(() => buildCwruDataset({ ...opts, split: 'val', leads: ['BA'] })).toThrow(/normal_0_97\.mat: no variable "X097_BA_time"/);
    expect(() => buildCwruDataset({ ...opts, split: 'val', dir: '/nonexistent' })).toThrow(/cannot list/);
    expect(() => buildCwruDataset({ ...opts, split: 'val', preprocessing: [{ kind: 'highpass', cutoff: 10, order: 2 }] })).toThrow(/normal_0_97\.mat: stream sample rate 48000 Hz differs from the model's 12000 Hz/);
  });
});
