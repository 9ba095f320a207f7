import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Kernel, FAST_BUILDS, FAST_VARIANTS, rng, maxAbsDiff, sameBits } from '../helpers.js';
import { MAX_S8_VS_F32 } from '../budgets.js';
import { runRnn, randomCase, quantizeCase, Cell } from '../rnn-runner.js';

/** Both activation schemes (docs/kernel-abi.md): QS_A8 (model format 1-3) and QS_A7 (format 4). */
const SCHEMES = [0, 1] as const;
const schemeName = (s: 0 | 1) => (s === 1 ? 'QS_A7' : 'QS_A8');

interface Variant { cell: Cell; lbr?: 0 | 1; peepholes?: boolean }
const VARIANTS: Variant[] = [{ cell: 'lstm' }, { cell: 'lstm', peepholes: true }, { cell: 'gru', lbr: 1 }, { cell: 'gru', lbr: 0 }];
const name = (v: Variant) => (v.cell === 'lstm' ? (v.peepholes ? 'LSTM peepholes' : 'LSTM') : `GRU lbr=${v.lbr}`);

describe.each(FAST_VARIANTS.flatMap((v) => SCHEMES.map((s) => [v.name, v, s] as const)))('INT8 recurrent kernels: %s build bit-identical to ref build, scheme %i (budget 0)', (_name, variant, scheme) => {
  const fast = () => new Kernel(variant.build, variant.dotForm);
  for (const v of VARIANTS) {
    it(`${name(v)} over random shapes, scales, batches, directions`, () => {
      fc.assert(
        fc.property(
          fc.record({
            I: fc.integer({ min: 1, max: 40 }),
            H: fc.integer({ min: 1, max: 40 }),
            batch: fc.integer({ min: 1, max: 9 }),
            T: fc.integer({ min: 1, max: 12 }),
            reverse: fc.constantFrom(0 as const, 1 as const),
            staticScale: fc.boolean(),
            xAmp: fc.constantFrom(0.01, 1, 8),
            seed: fc.integer({ min: 1, max: 1 << 30 }),
          }),
          (p) => {
            const cs = randomCase(rng(p.seed), { ...v, ...p });
            const q = quantizeCase(cs);
            // A static scale that clips large inputs exercises the clamp as well.
            const xScale = p.staticScale ? p.xAmp / 100 : 0;
            const a = runRnn(new Kernel('ref'), cs, q, { xScale, pad: p.seed % 3, scheme });
            const b = runRnn(fast(), cs, q, { xScale, scheme });
            expect(sameBits(a.y, b.y), 'y').toBe(true);
            expect(sameBits(a.h, b.h), 'h').toBe(true);
            if (a.c) expect(sameBits(a.c, b.c!), 'c').toBe(true);
          },
        ),
        { numRuns: 40, seed: 4242 + scheme },
      );
    });
    it(`${name(v)} at model-sized and odd shapes (several tiles, partial row groups)`, () => {
      const shapes = [
        { I: 64, H: 64, batch: 3, T: 20 },
        { I: 1, H: 128, batch: 1, T: 30 },
        { I: 70, H: 300, batch: 3, T: 3 },
        { I: 3, H: 21, batch: 17, T: 5 },
        // The streaming case: one input, many streams (stream pairs, an odd last stream, two tiles).
        { I: 1, H: 64, batch: 17, T: 9 },
        { I: 1, H: 37, batch: 10, T: 7 },
        { I: 2, H: 8, batch: 2, T: 4 },
      ];
      for (const s of shapes) {
        const cs = randomCase(rng(77), { ...v, ...s });
        const q = quantizeCase(cs);
        const a = runRnn(new Kernel('ref'), cs, q, { scheme });
        const b = runRnn(fast(), cs, q, { scheme });
        expect(sameBits(a.y, b.y), JSON.stringify(s)).toBe(true);
      }
    });
  }
});

describe.each(FAST_VARIANTS.map((v) => [v.name, v] as const))('INT8 LSTM batch-1 path (input projection in chunks of 8 steps, I >= 8), %s build', (_name, variant) => {
  const fast = () => new Kernel(variant.build, variant.dotForm);
  it('bit-identical to ref across chunk boundaries, directions, scales, schemes, slots, chunked calls and peepholes', () => {
    for (const [I, H] of [[8, 5], [33, 64], [64, 17]]) {
      for (const T of [1, 7, 8, 9, 17]) {
        for (const reverse of [0, 1] as const) {
          // Peepholes on every other case (the epilogue is the only part they change).
          const peepholes = (I + T + reverse) % 2 === 0;
          const cs = randomCase(rng(I * 1000 + H * 10 + T + reverse), { cell: 'lstm', I, H, batch: 1, T, reverse, peepholes });
          const q = quantizeCase(cs);
          for (const [xScale, scheme] of [[0, 0], [0.02, 0], [0, 1], [0.02, 1]] as const) {
            const a = runRnn(new Kernel('ref'), cs, q, { xScale, scheme });
            const b = runRnn(fast(), cs, q, { xScale, scheme });
            const tag = JSON.stringify({ I, H, T, reverse, xScale, scheme });
            expect(sameBits(a.y, b.y), `y ${tag}`).toBe(true);
            expect(sameBits(a.h, b.h), `h ${tag}`).toBe(true);
            expect(sameBits(a.c!, b.c!), `c ${tag}`).toBe(true);
          }
          const chunks: number[] = [];
          for (let t = 0; t < T; t += 5) chunks.push(Math.min(5, T - t));
          const scheme = (T % 2) as 0 | 1;
          const whole = runRnn(fast(), cs, q, { scheme });
          const split = runRnn(fast(), cs, q, { chunks, slots: [3], scheme });
          expect(sameBits(split.y, whole.y), `chunked I=${I} H=${H} T=${T} scheme ${scheme}`).toBe(true);
        }
      }
    }
  });
});

describe.each(FAST_VARIANTS.map((v) => [v.name, v] as const))('INT8 activation quantization edge values (%s quantize4 vs scalar quantizeF32)', (_name, variant) => {
  // Ties, neighbours of ties, the clamp edges, values past 2^23 (where v + 0.5 rounds), -0,
  // subnormals, infinities and NaN: with xScale = 1 the kernel quantizes exactly these.
  const EDGE = [
    0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999997, -0.49999997, 0.50000006, 1.4999999, 126.5, -126.5,
    127.49999, 127.5, -127.5, 128, 1e6, 8388607.5, 8388609, -16777215, 3e38, -3e38, Infinity,
    -Infinity, NaN, 0, -0, 1e-45, -1e-45, 0.2, -0.7, 63.5,
  ];
  for (const v of VARIANTS) {
    it(`${name(v)}: same bits as ref on edge inputs (static and dynamic scale, both schemes, I = 24 and the streams' I = 1 route)`, () => {
      // I = 1 with 9 streams: the tile's x values are quantized 4 streams per v128 (quantizeTileX).
      for (const [I, batch] of [[24, 3], [1, 9]]) {
        const cs = randomCase(rng(5), { ...v, I, H: 16, batch, T: 6 });
        for (let k = 0; k < cs.x.length; k++) cs.x[k] = EDGE[k % EDGE.length];
        const q = quantizeCase(cs);
        for (const scheme of SCHEMES) {
          for (const xScale of [1, 0.5, 0]) {
            const a = runRnn(new Kernel('ref'), cs, q, { xScale, scheme });
            const b = runRnn(new Kernel(variant.build, variant.dotForm), cs, q, { xScale, scheme });
            expect(sameBits(a.y, b.y), `y I=${I} xScale=${xScale} ${schemeName(scheme)}`).toBe(true);
            expect(sameBits(a.h, b.h), `h I=${I} xScale=${xScale} ${schemeName(scheme)}`).toBe(true);
          }
        }
      }
    });
  }
});

describe('INT8 streaming semantics (every build)', () => {
  for (const build of ['ref', ...FAST_BUILDS] as const) {
    for (const v of VARIANTS) {
      it(`${build} ${name(v)}: chunks of 1, 7, 64 and whole are bit-identical (both schemes)`, () => {
        const cs = randomCase(rng(3), { ...v, I: 5, H: 12, batch: 3, T: 130 });
        const q = quantizeCase(cs);
        for (const scheme of SCHEMES) {
          const whole = runRnn(new Kernel(build), cs, q, { scheme });
          for (const size of [1, 7, 64]) {
            const chunks: number[] = [];
            for (let t = 0; t < cs.T; t += size) chunks.push(Math.min(size, cs.T - t));
            const got = runRnn(new Kernel(build), cs, q, { chunks, scheme });
            expect(sameBits(got.y, whole.y), `y chunk ${size} ${schemeName(scheme)}`).toBe(true);
            expect(sameBits(got.h, whole.h), `h chunk ${size} ${schemeName(scheme)}`).toBe(true);
          }
        }
      });
      it(`${build} ${name(v)}: slots indirection matches the plain call`, () => {
        const cs = randomCase(rng(8), { ...v, I: 3, H: 9, batch: 4, T: 10 });
        const q = quantizeCase(cs);
        const plain = runRnn(new Kernel(build), cs, q, { xScale: 0.02, scheme: 1 });
        const viaSlots = runRnn(new Kernel(build), cs, q, { xScale: 0.02, slots: [2, 6, 0, 4], scheme: 1 });
        expect(sameBits(viaSlots.y, plain.y)).toBe(true);
        expect(sameBits(viaSlots.h, plain.h)).toBe(true);
      });
    }
  }
});

describe('INT8 hybrid vs f32 agreement (random weights)', () => {
  for (const v of VARIANTS) {
    it(`${name(v)}: max |h_s8 - h_f32| is small (printed)`, () => {
      const cs = randomCase(rng(21), { ...v, I: 8, H: 32, batch: 2, T: 100 });
      const q = quantizeCase(cs);
      const f = runRnn(new Kernel('simd'), cs);
      for (const scheme of SCHEMES) {
        const qmax = scheme === 1 ? 63 : 127;
        const dyn = runRnn(new Kernel('simd'), cs, q, { scheme });
        const stat = runRnn(new Kernel('simd'), cs, q, { xScale: 1 / qmax, scheme });
        const dDyn = maxAbsDiff(dyn.y, f.y);
        const dStat = maxAbsDiff(stat.y, f.y);
        console.log(`[s8 vs f32] ${name(v)} ${schemeName(scheme)} I=8 H=32 T=100: max|dy| dynamic=${dDyn.toExponential(2)} static=${dStat.toExponential(2)}`);
        expect(dDyn).toBeLessThanOrEqual(MAX_S8_VS_F32);
        expect(dStat).toBeLessThanOrEqual(MAX_S8_VS_F32);
        expect(dDyn).toBeGreaterThan(0); // it really ran the INT8 path
      }
    });
  }
});
