import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WindowAssembler } from '../../../src/signal/window-assembler.js';
import { isWavegateError } from '../../../src/errors.js';
import { splitAt } from './helpers.js';

/** A ramp so every sample value names its own frame and channel: frame*10 + channel. */
function ramp(frames: number, channels: number, offset = 0): Float32Array {
  const x = new Float32Array(frames * channels);
  for (let f = 0; f < frames; f++) for (let c = 0; c < channels; c++) x[f * channels + c] = (f + offset) * 10 + c;
  return x;
}

/** Plain reference: windows of a contiguous stream. */
function referenceWindows(x: Float32Array, length: number, hop: number, channels: number): Float32Array[] {
  const frames = x.length / channels;
  const out: Float32Array[] = [];
  for (let s = 0; s + length <= frames; s += hop) out.push(x.slice(s * channels, (s + length) * channels));
  return out;
}

function expectCode(fn: () => unknown, code: string): void {
  let caught: unknown;
  try { fn(); } catch (e) { caught = e; }
  expect(isWavegateError(caught), String(caught)).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
}

describe('WindowAssembler', () => {
  it('any chunking of a contiguous stream gives the reference windows (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 20 }),
        (length, hop, channels, cuts) => {
          const x = ramp(300, channels);
          const wa = new WindowAssembler({ length, hop, channels });
          const got = splitAt(x, cuts.map((c) => c * channels)).flatMap((chunk, i) => wa.push(100 + i, chunk));
          const want = referenceWindows(x, length, hop, channels);
          expect(got.map((w) => w.data)).toEqual(want);
          expect(got.map((w) => w.start)).toEqual(want.map((_, k) => k * hop));
          expect(wa.gaps).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never emits a window across a gap', () => {
    const wa = new WindowAssembler({ length: 8, hop: 4 });
    const w1 = wa.push(1, ramp(10, 1, 0));
    const w2 = wa.push(2, ramp(3, 1, 10)); // frames 0..12 contiguous
    const w3 = wa.push(5, ramp(10, 1, 100)); // chunks 3 and 4 lost
    const all = [...w1, ...w2, ...w3];
    expect(wa.gaps).toBe(1);
    for (const w of all) {
      const frames = Array.from(w.data, (v) => v / 10);
      for (let i = 1; i < frames.length; i++) expect(frames[i] - frames[i - 1]).toBe(1); // contiguous inside
    }
    expect(w3.map((w) => w.data[0] / 10)).toEqual([100]); // restarts on the frame after the gap
    expect(w3[0].seq).toBe(5);
    expect(w3[0].segment).toBe(1);
    expect(wa.droppedFrames).toBe(5); // frames 8..12 were waiting for a window that the gap broke
  });

  it('names the chunk each window starts in', () => {
    const wa = new WindowAssembler({ length: 4, hop: 2 });
    const ws = [0, 1, 2, 3].flatMap((i) => wa.push(i, ramp(3, 1, 3 * i)));
    expect(ws.map((w) => [w.start, w.seq])).toEqual([[0, 0], [2, 0], [4, 1], [6, 2], [8, 2]]);
  });

  it('rejects non-monotonic sequence numbers, NaN samples and ragged chunks with E_INPUT', () => {
    const wa = new WindowAssembler({ length: 4, channels: 2 });
    wa.push(7, ramp(2, 2));
    expectCode(() => wa.push(7, ramp(2, 2)), 'E_INPUT');
    expectCode(() => wa.push(3, ramp(2, 2)), 'E_INPUT');
    expectCode(() => wa.push(8, new Float32Array([1, Number.NaN])), 'E_INPUT');
    expectCode(() => wa.push(8, new Float32Array([1, 2, 3])), 'E_INPUT');
    expectCode(() => wa.push(8.5, ramp(1, 2)), 'E_INPUT');
    expectCode(() => new WindowAssembler({ length: 0 }), 'E_ARGUMENT');
    wa.reset();
    expect(wa.push(1, ramp(4, 2)).length).toBe(1); // after reset any sequence number starts afresh
  });
});
