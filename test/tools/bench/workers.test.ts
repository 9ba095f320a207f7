/**
 * Smoke test of the benchmark machinery: every worker process runs a tiny size with one timed
 * call and emits well-formed rows. Not a timing assertion: the numbers are only checked to be
 * finite and positive.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMPLS, runnableImpls, runtimeOf, type ImplName } from '../../../tools/bench/cases.js';
import { relaxedSupport } from '../../../src/runtime/backend.js';
import { QUICK_MEASURE } from '../../../tools/bench/measure.js';
import { runRnnBench } from '../../../tools/bench/rnn.js';
import { runStreamBench, STREAM_IMPLS } from '../../../tools/bench/stream.js';

const modelDir = mkdtempSync(join(tmpdir(), 'wavegate-bench-test-'));
const quiet = (): void => {};

describe('npm run bench (quick, tiny sizes)', () => {
  for (const runtime of ['wavegate', 'ort-web', 'ort-node'] as const) {
    it(`${runtime} worker emits one well-formed row per (impl, size, batch)`, async () => {
      // wavegate-int8-relaxed where this Node runs the relaxed build (Node >= 22), as the driver's default does.
      const impls: ImplName[] = (await runnableImpls(IMPLS)).filter((i) => runtimeOf(i) === runtime);
      if (runtime === 'wavegate') expect(impls.includes('wavegate-int8-relaxed')).toBe((await relaxedSupport()).usable);
      const sizes = [{ I: 3, H: 8, T: 5 }, { I: 1, H: 20, T: 2 }];
      const batches = [1, 2];
      const { rows, failures } = await runRnnBench({ sizes, batches, impls, measure: QUICK_MEASURE, peak: false, interleave: 'round', modelDir, log: quiet });
      expect(failures).toEqual([]);
      expect(rows).toHaveLength(impls.length * sizes.length * batches.length);
      for (const r of rows) {
        expect(Object.keys(r)).toEqual(['impl', 'I', 'H', 'T', 'batch', 'nsPerStep', 'gmacs']);
        expect(impls).toContain(r.impl);
        expect(r.nsPerStep).toBeGreaterThan(0);
        expect(Number.isFinite(r.gmacs) && r.gmacs > 0).toBe(true);
      }
      expect(new Set(rows.map((r) => `${r.impl}/${r.I}x${r.H}x${r.T}/${r.batch}`)).size).toBe(rows.length);
    });
  }
});

describe('npm run bench:stream (quick, few streams)', () => {
  it('every runtime emits a row per supported (impl, cell); no INT8 GRU for ONNX Runtime', async () => {
    const { rows, failures } = await runStreamBench({ streams: 5, chunk: 4, hiddenSize: 8, measure: QUICK_MEASURE, modelDir, log: quiet });
    expect(failures).toEqual([]);
    const got = rows.map((r) => `${r.impl}/${r.cell}`).sort();
    const impls = await runnableImpls(STREAM_IMPLS);
    const expected = [
      ...impls.map((i) => `${i}/lstm`),
      ...impls.filter((i) => i.startsWith('wavegate-') || !i.endsWith('-int8')).map((i) => `${i}/gru`),
    ].sort();
    expect(got).toEqual(expected);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(['impl', 'cell', 'streamStepsPerSec']);
      expect(Number.isFinite(r.streamStepsPerSec) && r.streamStepsPerSec > 0).toBe(true);
    }
  });
});
