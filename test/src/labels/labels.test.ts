import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { AAMI_CLASSES, AAMI_SYMBOLS, aamiClassOf, aamiIndexOf, countAami } from '../../../src/labels/aami.js';
import { DS1, DS2, DS2_STAGED, PACED, mitdbSplitRecords } from '../../../src/labels/splits.js';
import { CWRU_LABELS_10, CWRU_LABELS_4, cwruFileInfo, timeSplitRegions, windowStarts, TIME_SPLITS } from '../../../src/labels/cwru.js';
import { ANNOTATION_SYMBOLS } from '../../../src/io/wfdb-annotations.js';
import { CWRU, needs } from '../../helpers/needs.js';
import { CWRU_DIR } from '../../helpers/shared-data.js';

describe('AAMI label map', () => {
  it('maps exactly the EC57 symbols and nothing else', () => {
    const expected: Record<string, string> = { N: 'N', L: 'N', R: 'N', e: 'N', j: 'N', A: 'S', a: 'S', J: 'S', S: 'S', V: 'V', E: 'V', F: 'F', '/': 'Q', f: 'Q', Q: 'Q' };
    for (const sym of Object.values(ANNOTATION_SYMBOLS)) expect(aamiClassOf(sym), sym).toBe(expected[sym]);
    for (const [sym, cls] of Object.entries(expected)) expect(AAMI_CLASSES[aamiIndexOf(sym)]).toBe(cls);
    expect(aamiIndexOf('!')).toBe(-1);
    expect(aamiIndexOf('x')).toBe(-1);
    expect(aamiIndexOf('+')).toBe(-1);
    // Each symbol belongs to one class only.
    const all = Object.values(AAMI_SYMBOLS).flat();
    expect(new Set(all).size).toBe(all.length);
  });
  it('counts beats per class, ignoring non-beats', () => {
    expect(countAami(['N', 'L', '+', 'V', '!', 'f', 'a'])).toEqual({ N: 2, S: 1, V: 1, F: 0, Q: 1 });
  });
});

describe('de Chazal inter-patient split', () => {
  it('DS1 and DS2 are disjoint, 22 records each, without paced records; staged DS2 is a subset', () => {
    expect(DS1.length).toBe(22);
    expect(DS2.length).toBe(22);
    expect(DS1.filter((r) => DS2.includes(r))).toEqual([]);
    for (const r of PACED) {
      expect(DS1).not.toContain(r);
      expect(DS2).not.toContain(r);
    }
    expect(DS2_STAGED.length).toBe(10);
    for (const r of DS2_STAGED) expect(DS2).toContain(r);
  });
  it('resolves names and explicit lists, refusing paced records and unknown names', () => {
    expect(mitdbSplitRecords('ds1')).toBe(DS1);
    expect(mitdbSplitRecords('DS2-staged')).toBe(DS2_STAGED);
    expect(mitdbSplitRecords('100, 101')).toEqual(['100', '101']);
    expect(() => mitdbSplitRecords('100,102')).toThrow(/paced records 102/);
    expect(() => mitdbSplitRecords('DS3')).toThrow(/unknown MIT-BIH split/);
  });
});

describe('CWRU labels and time split', () => {
  it('parses file names into fault, size, load and class indices', () => {
    expect(cwruFileInfo('/x/12k_Drive_End_OR014@6_0_197.mat')).toMatchObject({ fault: 'outer', size: 0.014, load: 0, fileNumber: 197, varPrefix: 'X197', fs: 12000, orPosition: 6, class4: 3 });
    expect(CWRU_LABELS_10[cwruFileInfo('12k_Drive_End_IR007_0_105.mat').class10]).toBe('IR007');
    expect(cwruFileInfo('normal_0_97.mat')).toMatchObject({ fault: 'normal', varPrefix: 'X097', fs: 48000, class10: 0, class4: 0 });
    expect(() => cwruFileInfo('foo.mat')).toThrow(/not a CWRU file name/);
    expect(() => cwruFileInfo('12k_Drive_End_IR028_0_3001.mat')).toThrow(/outside the 10-class task/);
  });
  needs(CWRU).it('the staged files cover all 10 classes once, consistent with the 4-class task', () => {
    const infos = readdirSync(CWRU_DIR).filter((f) => f.endsWith('.mat')).map(cwruFileInfo);
    expect(infos.map((i) => i.class10).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const i of infos) expect(CWRU_LABELS_10[i.class10].startsWith({ normal: 'normal', inner: 'IR', ball: 'B', outer: 'OR' }[i.fault])).toBe(true);
    expect(new Set(infos.map((i) => CWRU_LABELS_4[i.class4]))).toEqual(new Set(['normal', 'inner', 'ball', 'outer']));
  });
  it('regions tile the recording and windows never leave their region nor overlap another set (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 10 })),
        (length, window, hop, w) => {
          const sum = w[0] + w[1] + w[2];
          const regions = timeSplitRegions(length, { fractions: [w[0] / sum, w[1] / sum, 1 - w[0] / sum - w[1] / sum] });
          expect(regions.train[0]).toBe(0);
          expect(regions.train[1]).toBe(regions.val[0]);
          expect(regions.val[1]).toBe(regions.test[0]);
          expect(regions.test[1]).toBe(length);
          // Every window lies inside its region; regions are ordered, so the last sample any train
          // window covers precedes the first sample of any val window, and so on: no shared sample.
          const spans = TIME_SPLITS.map((s) => {
            const starts = windowStarts(regions[s], window, hop);
            for (const st of starts) {
              expect(st).toBeGreaterThanOrEqual(regions[s][0]);
              expect(st + window).toBeLessThanOrEqual(regions[s][1]);
            }
            return starts.length ? [starts[0], starts[starts.length - 1] + window] : undefined;
          });
          const present = spans.filter((x): x is number[] => x !== undefined);
          for (let k = 1; k < present.length; k++) expect(present[k - 1][1]).toBeLessThanOrEqual(present[k][0]);
        },
      ),
      { numRuns: 100 },
    );
  });
  it('refuses bad fractions and window sizes', () => {
    expect(() => timeSplitRegions(100, { fractions: [0.5, 0.5, 0.5] })).toThrow(/sum to 1/);
    expect(() => windowStarts([0, 10], 0, 1)).toThrow(/positive integers/);
  });
});
