import { describe, expect, it } from 'vitest';
import { makeRow } from '../../../tools/bench/cases.js';
import { medianOverRounds, runRnnBench } from '../../../tools/bench/rnn.js';
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
