import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '../../../src/io/npy.js';
import { encodeNpz } from '../../../src/io/npz.js';
import { parseCsvSamples, parseJsonlSamples, readSamples, readSamplesFile, sampleFormatOf } from '../../../src/io/samples.js';
import { expectFormatError } from '../../helpers/expect-error.js';

/** Windows as nested arrays [n][t][c] for comparisons. */
function nested(s: { data: Float32Array; n: number; t: number; c: number }): number[][][] {
  return Array.from({ length: s.n }, (_, i) =>
    Array.from({ length: s.t }, (_, j) => Array.from(s.data.subarray((i * s.t + j) * s.c, (i * s.t + j + 1) * s.c))),
  );
}

const windowsArb = fc
  .record({ n: fc.integer({ min: 1, max: 4 }), t: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 1, max: 3 }) })
  .chain(({ n, t, c }) =>
    fc.array(fc.array(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: c, maxLength: c }), { minLength: t, maxLength: t }), {
      minLength: n,
      maxLength: n,
    }),
  )
  .map((w) => w.map((win) => win.map((row) => row.map((v) => Math.fround(v) + 0)))); // +0: -0 prints as 0

describe('sample files: the same windows in every format (property)', () => {
  it('csv (blank-line separated), csv (window column), jsonl, npy and npz agree', () => {
    fc.assert(
      fc.property(windowsArb, (w) => {
        const c = w[0][0].length;
        const csvBlank = w.map((win) => win.map((r) => r.join(',')).join('\n')).join('\n\n') + '\n';
        const header = ['window', ...Array.from({ length: c }, (_, j) => `ch${j}`)].join(',');
        const csvCol = [header, ...w.flatMap((win, i) => win.map((r) => [i, ...r].join(',')))].join('\r\n');
        const jsonl = w.map((win) => JSON.stringify(c === 1 && win.length % 2 ? win.map((r) => r[0]) : { window: win })).join('\n');
        const flat = new Float32Array(w.flat(2));
        const shape = [w.length, w[0].length, c];
        for (const s of [
          parseCsvSamples(csvBlank),
          parseCsvSamples(csvCol),
          parseJsonlSamples(jsonl),
          readSamples(encodeNpy(flat, shape), 'npy'),
          readSamples(encodeNpz({ x: { data: flat, shape } }), 'npz'),
        ]) {
          expect(nested(s)).toEqual(w);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('reads [N, T] npy as one channel and converts float64', () => {
    const s = readSamples(encodeNpy(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]), 'npy');
    expect([s.n, s.t, s.c]).toEqual([2, 3, 1]);
    expect(Array.from(s.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('picks the format from the suffix and reads from disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wg-samples-'));
    const p = join(dir, 'a.csv');
    writeFileSync(p, '# two windows\nx,y\n1,2\n3,4\n\n5,6\n7,8\n');
    const s = readSamplesFile(p);
    expect([s.n, s.t, s.c]).toEqual([2, 2, 2]);
    expect(sampleFormatOf('A.NDJSON')).toBe('jsonl');
    expect(() => sampleFormatOf('a.wav')).toThrow(/unknown sample file type/);
    expect(() => readSamplesFile(join(dir, 'missing.npy'))).toThrow(/cannot read/);
  });
});

describe('sample files: bad input names the place', () => {
  it('rejects NaN/Inf in CSV with the line', () => {
    expectFormatError(() => parseCsvSamples('1,2\n3,NaN\n', 'a.csv'), /a\.csv: non-finite sample NaN at line 2, column 2/);
    expectFormatError(() => parseCsvSamples('1,2\n-inf,2\n', 'a.csv'), /-Infinity at line 2/);
  });
  it('rejects non-numbers and ragged rows in CSV', () => {
    expectFormatError(() => parseCsvSamples('1,2\n3,x\n', 'a.csv'), /line 2, column 2: "x" is not a number/);
    expectFormatError(() => parseCsvSamples('1,2\n3\n', 'a.csv'), /line 2 has 1 columns, expected 2/);
    expectFormatError(() => parseCsvSamples('1,2\n3,4\n\n5,6\n', 'a.csv'), /window 1 has 1 time steps/);
    expectFormatError(() => parseCsvSamples('1,2\n0x10,2\n', 'a.csv'), /line 2, column 1: "0x10" is not a number/);
    expectFormatError(() => parseCsvSamples('\n# nothing\n', 'a.csv'), /no samples/);
  });
  it('rejects bad JSON lines with the line', () => {
    expectFormatError(() => parseJsonlSamples('[[1],[2]]\n[[1],[null]]\n', 'b.jsonl'), /line 2, step 1, channel 0: null/);
    expectFormatError(() => parseJsonlSamples('[[1],[2]]\n{oops\n', 'b.jsonl'), /line 2: invalid JSON/);
    expectFormatError(() => parseJsonlSamples('{"w": [1]}\n', 'b.jsonl'), /line 1: expected/);
    expectFormatError(() => parseJsonlSamples('[[1,2]]\n[[1]]\n', 'b.jsonl'), /window 1 step 0 has 1 channels/);
  });
  it('rejects non-finite, wrongly shaped or integer npy with the index', () => {
    const d = new Float32Array(12);
    d[7] = Infinity;
    expectFormatError(() => readSamples(encodeNpy(d, [2, 3, 2]), 'npy', 'c.npy'), /c\.npy: non-finite sample Infinity at \[1, 0, 1\]/);
    expectFormatError(() => readSamples(encodeNpy(new Float32Array(4)), 'npy', 'c.npy'), /shape \[N, T, C\]/);
    expectFormatError(() => readSamples(encodeNpy(new Int16Array(4), [2, 2]), 'npy', 'c.npy'), /float32 or float64, got int16/);
    expectFormatError(() => readSamples(encodeNpz({ y: new Float32Array(1) }), 'npz', 'd.npz'), /no array "x"/);
  });
});
