import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IMPLS, isInt8, makeRow, parseBatches, parseImpls, parseSizes, runtimeOf } from '../../../tools/bench/cases.js';
import { gateCount, macsPerStep, makeInput, makeRnnWeights, seededRandom } from '../../../tools/bench/weights.js';
import { isWavegateError } from '../../../src/errors.js';

/**
 * A row's derived figures are a division or two in float64 (relative error ~1e-16 each); 1e-12
 * relative allows that over the whole range (callNs up to 1e10) and catches any wrong formula.
 */
const ROW_RELATIVE_ERROR = 1e-12;

describe('benchmark cases', () => {
  it('parses IxHxT lists and refuses anything else with E_ARGUMENT naming the part', () => {
    expect(parseSizes('1x64x360,64x256x200')).toEqual([
      { I: 1, H: 64, T: 360 },
      { I: 64, H: 256, T: 200 },
    ]);
    for (const bad of ['1x64', '0x64x360', 'ax2x3', '1x64x360,']) {
      try {
        parseSizes(bad);
        expect.unreachable(`accepted ${bad}`);
      } catch (e) {
        expect(isWavegateError(e, 'E_ARGUMENT')).toBe(true);
      }
    }
    expect(() => parseImpls('ort-node,tflite')).toThrow(/tflite/);
    expect(() => parseBatches('1,0')).toThrow(/"0"/);
  });

  it('maps every implementation to its runtime and precision', () => {
    expect(IMPLS.map(runtimeOf)).toEqual(['wavegate', 'wavegate', 'wavegate', 'wavegate', 'ort-web', 'ort-web', 'ort-node', 'ort-node']);
    expect(IMPLS.filter(isInt8)).toEqual(['wavegate-int8-simd', 'wavegate-int8-relaxed', 'ort-web-int8', 'ort-node-int8']);
  });

  it('MACs per step are 4H(I+H) for LSTM and 3H(I+H) for GRU', () => {
    expect(macsPerStep('lstm', 1, 64)).toBe(4 * 64 * 65);
    expect(macsPerStep('gru', 64, 256)).toBe(3 * 256 * 320);
  });

  it('a row divides the call time by T (not by batch) and its GMAC/s is MACs x batch / ns', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.double({ min: 1e3, max: 1e10, noNaN: true }),
        (I, H, T, batch, callNs) => {
          const r = makeRow('ort-node', { cell: 'lstm', I, H, T, batch }, callNs);
          expect(Math.abs(r.nsPerStep - callNs / T) / (callNs / T)).toBeLessThan(ROW_RELATIVE_ERROR);
          const macs = macsPerStep('lstm', I, H) * batch;
          expect(Math.abs(r.gmacs * r.nsPerStep - macs) / macs).toBeLessThan(ROW_RELATIVE_ERROR);
          expect(Object.keys(r)).toEqual(['impl', 'I', 'H', 'T', 'batch', 'nsPerStep', 'gmacs']);
        },
      ),
      { seed: 2030 }, // fast-check's default 100 runs: pure arithmetic, microseconds each
    );
  });
});

describe('seeded weights', () => {
  it('are deterministic per seed and differ between seeds', () => {
    const a = makeRnnWeights('lstm', 3, 8, 7);
    const b = makeRnnWeights('lstm', 3, 8, 7);
    const c = makeRnnWeights('lstm', 3, 8, 8);
    expect(a.W).toEqual(b.W);
    expect(a.R).toEqual(b.R);
    expect(a.W).not.toEqual(c.W);
    expect(makeInput(5, 2, 3, 1)).toEqual(makeInput(5, 2, 3, 1));
  });

  it('have ONNX shapes and the PyTorch init range U(-1/sqrt(H), 1/sqrt(H))', () => {
    for (const cell of ['lstm', 'gru'] as const) {
      const w = makeRnnWeights(cell, 5, 16, 3);
      const rows = gateCount(cell) * 16;
      expect([w.W.length, w.R.length, w.B.length]).toEqual([rows * 5, rows * 16, 2 * rows]);
      const bound = 1 / Math.sqrt(16);
      for (const v of [...w.W, ...w.R, ...w.B]) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    }
  });

  it('the PRNG stays in [0, 1)', () => {
    const r = seededRandom(123);
    for (let i = 0; i < 10000; i++) {
      const v = r();
      expect(v >= 0 && v < 1).toBe(true);
    }
  });
});
