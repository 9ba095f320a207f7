import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCwruDataset } from '../../../tools/datasets/cwru.js';
import { decimate, decimateStage } from '../../../src/signal/decimate.js';
import { readMat5 } from '../../../src/io/mat5.js';
import { cwruFileInfo, CWRU_LABELS_10, TIME_SPLITS } from '../../../src/labels/cwru.js';
import { cascadeGain, designLowpass } from '../../../src/signal/filters.js';
import { CWRU, needs } from '../../helpers/needs.js';
import { CWRU_DIR } from '../../helpers/shared-data.js';

describe('decimation for the 48 kHz baseline', () => {
  it('keeps a tone below the new Nyquist frequency and removes one above it', () => {
    const stage = decimateStage(48000, 12000);
    expect(stage.factor).toBe(4);
    const tone = (f: number) => Float32Array.from({ length: 48000 }, (_, i) => Math.sin((2 * Math.PI * f * i) / 48000));
    const rms = (x: Float32Array) => Math.sqrt(x.slice(2000).reduce((s, v) => s + v * v, 0) / (x.length - 2000));
    expect(rms(decimate(tone(1000), stage))).toBeCloseTo(Math.SQRT1_2, 2);
    // 9 kHz would alias to 3 kHz at 12 kHz: it must be attenuated well below 1 %.
    expect(rms(decimate(tone(9000), stage))).toBeLessThan(0.01);
    // Whatever lies above 7.2 kHz folds into the 0-4.8 kHz pass band at 12 kHz: at least 40 dB down.
    const aa = designLowpass(stage.antiAlias.fc, 48000, stage.antiAlias.order);
    expect(cascadeGain(aa, 7200, 48000)).toBeLessThan(0.01);
    expect(cascadeGain(aa, 3000, 48000)).toBeGreaterThan(0.99);
    expect(() => decimateStage(48000, 10000)).toThrow(/integer decimation/);
  });
});

needs(CWRU).describe(`CWRU dataset from ${CWRU_DIR}`, () => {
  const opts = { dir: CWRU_DIR, window: 512, hop: 256 } as const;
  // Built once on first use: a skipped suite (no data) must not read the folder while collecting.
  let built: Record<string, ReturnType<typeof buildCwruDataset>> | undefined;
  const sets = new Proxy({} as Record<string, ReturnType<typeof buildCwruDataset>>, {
    get: (_, key: string) => (built ??= Object.fromEntries(TIME_SPLITS.map((s) => [s, buildCwruDataset({ ...opts, split: s })])))[key],
  });

  it('labels every window by its file and covers all 10 classes in every split', () => {
    for (const s of TIME_SPLITS) {
      const d = sets[s];
      expect(d.meta.labels).toEqual(CWRU_LABELS_10);
      for (let i = 0; i < d.n; i += 97) expect(Number(d.y[i])).toBe(cwruFileInfo(d.meta.records[d.record[i]]).class10);
      expect(Object.values(d.meta.classCounts).every((v) => v > 0)).toBe(true);
    }
    const four = buildCwruDataset({ ...opts, split: 'val', task: '4class' });
    expect(four.meta.labels).toEqual(['normal', 'inner', 'ball', 'outer']);
    expect(four.n).toBe(sets.val.n);
  });

  it('regions are disjoint per recording and windows stay inside them', () => {
    for (const file of sets.train.meta.records) {
      const r = (s: string) => (sets[s].meta.timeSplit as { regions: Record<string, [number, number]> }).regions[file];
      expect(r('train')[1]).toBeLessThanOrEqual(r('val')[0]);
      expect(r('val')[1]).toBeLessThanOrEqual(r('test')[0]);
      for (const s of TIME_SPLITS) {
        const [a, b] = r(s);
        const idx = sets[s].meta.records.indexOf(file);
        const count = Array.from(sets[s].record).filter((v) => v === idx).length;
        expect(count, `${s} ${file}`).toBe(Math.floor((b - a - 512) / 256) + 1);
      }
    }
  });

  it('windows hold the raw DE samples at 12 kHz, and the 48 kHz normal file is decimated by 4', () => {
    const file = '12k_Drive_End_IR007_0_105.mat';
    const de = readMat5(readFileSync(join(CWRU_DIR, file)), file).get('X105_DE_time')!.data;
    const d = sets.val;
    const idx = d.meta.records.indexOf(file);
    const first = Array.from(d.record).indexOf(idx);
    const start = (d.meta.timeSplit as { regions: Record<string, [number, number]> }).regions[file][0];
    for (const k of [0, 1, 511]) expect(d.x[first * 512 + k]).toBe(Math.fround(de[start + k]));
    expect(d.meta.resampling).toHaveProperty(['normal_0_97.mat', 'factor'], 4);
    expect((sets.test.meta.timeSplit as { regions: Record<string, [number, number]> }).regions['normal_0_97.mat'][1]).toBe(Math.ceil(243938 / 4));
  });

  it('refuses bad options, naming file and variable', () => {
    expect(() => buildCwruDataset({ ...opts, split: 'dev' as 'val' })).toThrow(/train, val, test/);
    expect(() => buildCwruDataset({ ...opts, split: 'val', leads: ['BA'] })).toThrow(/normal_0_97\.mat: no variable "X097_BA_time"/);
    expect(() => buildCwruDataset({ ...opts, split: 'val', dir: '/nonexistent' })).toThrow(/cannot list/);
  });
});
