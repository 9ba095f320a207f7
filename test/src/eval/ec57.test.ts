import { describe, expect, it } from 'vitest';
import type { WfdbAnnotation } from '../../../src/io/wfdb-annotations.js';
import { formatEc57Table, grossFigures, scoreQrs, vfEpisodes } from '../../../src/eval/ec57.js';

function ann(sample: number, symbol: string, aux = ''): WfdbAnnotation {
  return { sample, symbol, aux, code: 0, subtype: 0, chan: 0, num: 0 };
}

describe('EC57 QRS scoring', () => {
  const fs = 360; // 150 ms = 54 samples
  it('matches detections within 150 ms, one to one', () => {
    const ref = [ann(1000, 'N'), ann(1300, 'V'), ann(1600, 'N'), ann(1900, 'A')];
    const r = scoreQrs(ref, [1054, 1290, 1310, 1655, 2500], { fs });
    expect(r.tp).toBe(2); // 1054 (54 samples, inside) and one of 1290/1310
    expect(r.fn).toBe(2); // 1600 (1655 is 55 samples away) and 1900
    expect(r.fp).toBe(3); // the other of 1290/1310, 1655, 2500
    expect(r.missed).toEqual([1600, 1900]);
    expect(r.se).toBeCloseTo(0.5, 12);
    expect(r.ppv).toBeCloseTo(0.4, 12);
  });

  it('pairs closest first, so a near-miss does not steal a neighbour', () => {
    const ref = [ann(1000, 'N'), ann(1080, 'N')];
    expect(scoreQrs(ref, [1040, 1079], { fs }).tp).toBe(2);
  });

  it('ignores non-beat annotations and leaves VF/VFL episodes out', () => {
    const ref = [
      ann(10, '+', '(N'), ann(500, 'N'), ann(900, '~'), ann(1000, '+', '(VFL'), ann(1200, '!'), ann(1500, 'N'),
      ann(2000, '+', '(N'), ann(2500, 'N'), ann(3000, '['), ann(3500, 'V'), ann(4000, ']'), ann(4500, 'N'),
    ];
    expect(vfEpisodes(ref)).toEqual([[1000, 2000], [3000, 4000]]);
    const r = scoreQrs(ref, [500, 1200, 1700, 2500, 3300, 4500], { fs });
    expect(r).toMatchObject({ tp: 3, fn: 0, fp: 0, excludedBeats: 2 });
  });

  it('honours a learning period and sums gross figures', () => {
    const ref = [ann(100, 'N'), ann(20000, 'N'), ann(30000, 'N')];
    const a = scoreQrs(ref, [100, 20000], { fs, start: 10000 });
    expect(a).toMatchObject({ tp: 1, fn: 1, fp: 0, excludedBeats: 1 });
    const b = scoreQrs(ref, [100, 20000, 30000, 40000], { fs });
    const g = grossFigures([a, b]);
    expect(g.gross).toMatchObject({ tp: 4, fn: 1, fp: 1 });
    expect(g.gross.se).toBeCloseTo(0.8, 12);
    expect(g.averageSe).toBeCloseTo((0.5 + 1) / 2, 12);
    expect(formatEc57Table([{ record: '1', result: a }, { record: '2', result: b }])).toMatch(/gross\s+4\s+1\s+1\s+80\.00\s+80\.00/);
  });
});
