import { describe, expect, it } from 'vitest';
import { makeRow } from '../../../tools/bench/cases.js';
import { medianOverRounds, medianPeak, runRnnBench } from '../../../tools/bench/rnn.js';
import { QUICK_MEASURE } from '../../../tools/bench/measure.js';

describe('npm run bench driver', () => {
  it('combines rounds into one row per point: the median ns/step, GMAC/s recomputed', () => {
    const c = { cell: 'lstm' as const, I: 2, H: 4, T: 10, batch: 1 };
    const d = { ...c, batch: 2 };
    const rows = [300, 100, 200].map((ns) => makeRow('ort-node', c, ns * c.T));
    rows.push(makeRow('ort-node', d, 50 * d.T));
    const out = medianOverRounds(rows, [c, d]);
    expect(out).toHaveLength(2);
    expect(out[0].nsPerStep).toBeCloseTo(200);
    expect(out[0].gmacs).toBeCloseTo(makeRow('ort-node', c, 200 * c.T).gmacs);
    expect(out[1].batch).toBe(2);
  });

  it('runs several rounds and still returns one row per point', async () => {
    const { rows, failures } = await runRnnBench({
      sizes: [{ I: 2, H: 8, T: 4 }],
      batches: [1],
      impls: ['wavegate-f32-simd', 'wavegate-int8-simd'],
      measure: QUICK_MEASURE,
      peak: false,
      rounds: 2,
      log: () => {},
    });
    expect(failures).toEqual([]);
    expect(rows.map((r) => r.impl)).toEqual(['wavegate-f32-simd', 'wavegate-int8-simd']);
  });

  it('gives the same rows whether workers are interleaved per point or per round', async () => {
    const base = {
      sizes: [{ I: 2, H: 8, T: 4 }, { I: 3, H: 5, T: 2 }],
      batches: [1, 2],
      impls: ['wavegate-int8-simd' as const],
      measure: QUICK_MEASURE,
      peak: false,
      rounds: 1,
      log: () => {},
    };
    const logs: string[] = [];
    const point = await runRnnBench({ ...base, interleave: 'point', log: (t) => logs.push(t) });
    const round = await runRnnBench({ ...base, interleave: 'round' });
    const keys = (rs: typeof point.rows): string[] => rs.map((r) => `${r.impl} ${r.I}x${r.H}x${r.T} b${r.batch}`).sort();
    expect(point.failures).toEqual([]);
    expect(round.failures).toEqual([]);
    expect(keys(point.rows)).toHaveLength(4);
    expect(keys(point.rows)).toEqual(keys(round.rows));
    // One worker process per point in point mode.
    expect(logs.filter((l) => l.includes('wavegate worker'))).toHaveLength(4);
  });

  it('reports the lane-wise median of the per-round peak measurements', () => {
    const p = (i: number, f: number) => ({ intDotGmacs: i, f32Gmacs: f, intConfig: `c${i}`, f32Config: 'x' });
    expect(medianPeak([p(20, 9), p(25, 14), p(24, 10)])).toEqual({ intDotGmacs: 24, f32Gmacs: 10, intConfig: 'c20', f32Config: 'x' });
  });
});

describe('npm run bench:stream driver', () => {
  it('combines rounds into one row per (impl, cell): the median stream-steps/s', async () => {
    const { medianStreamRows } = await import('../../../tools/bench/stream.js');
    const rows = medianStreamRows([
      { impl: 'ort-node', cell: 'lstm', streamStepsPerSec: 3 },
      { impl: 'ort-node', cell: 'gru', streamStepsPerSec: 10 },
      { impl: 'ort-node', cell: 'lstm', streamStepsPerSec: 1 },
      { impl: 'ort-node', cell: 'lstm', streamStepsPerSec: 2 },
    ]);
    expect(rows).toEqual([
      { impl: 'ort-node', cell: 'lstm', streamStepsPerSec: 2 },
      { impl: 'ort-node', cell: 'gru', streamStepsPerSec: 10 },
    ]);
  });
});
