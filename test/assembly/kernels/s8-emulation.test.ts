import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Kernel, rng, sameBits } from '../helpers.js';
import { runRnn, randomCase, quantizeCase, Cell } from '../rnn-runner.js';
import { emulateS8, sigmoidf, tanhf } from '../s8-emulation.js';

interface Variant { cell: Cell; lbr?: 0 | 1; peepholes?: boolean }
const VARIANTS: Variant[] = [{ cell: 'lstm' }, { cell: 'lstm', peepholes: true }, { cell: 'gru', lbr: 1 }, { cell: 'gru', lbr: 0 }];
const name = (v: Variant) => (v.cell === 'lstm' ? (v.peepholes ? 'LSTM peepholes' : 'LSTM') : `GRU lbr=${v.lbr}`);

describe('INT8 reference kernel vs independent bit-exact JS emulation (budget 0)', () => {
  it('sigmoid and tanh match the emulation bit for bit', () => {
    const xs: number[] = [];
    for (let i = -3000; i <= 3000; i++) xs.push(Math.fround(i / 97));
    const kern = new Kernel('ref');
    for (const [fn, emu] of [['sigmoidF32', sigmoidf], ['tanhF32', tanhf]] as const) {
      const p = kern.putF32(xs);
      expect(kern.k[fn](p, xs.length, 1, xs.length)).toBe(0);
      const got = kern.f32(p, xs.length);
      expect(sameBits(got, Float32Array.from(xs, emu)), fn).toBe(true);
    }
  });
  for (const v of VARIANTS) {
    it(`${name(v)} over random shapes, static and dynamic scales, both activation schemes`, () => {
      fc.assert(
        fc.property(
          fc.record({
            I: fc.integer({ min: 1, max: 20 }),
            H: fc.integer({ min: 1, max: 20 }),
            batch: fc.integer({ min: 1, max: 3 }),
            T: fc.integer({ min: 1, max: 8 }),
            reverse: fc.constantFrom(0 as const, 1 as const),
            staticScale: fc.boolean(),
            scheme: fc.constantFrom(0 as const, 1 as const),
            seed: fc.integer({ min: 1, max: 1 << 30 }),
          }),
          (p) => {
            const cs = randomCase(rng(p.seed), { ...v, ...p, xAmp: 2 });
            const q = quantizeCase(cs);
            const xScale = p.staticScale ? 0.01 : 0;
            const got = runRnn(new Kernel('ref'), cs, q, { xScale, scheme: p.scheme });
            const want = emulateS8(cs, q, xScale, p.scheme);
            expect(sameBits(got.y, want.y), 'y').toBe(true);
            expect(sameBits(got.h, want.h), 'h').toBe(true);
            if (got.c) expect(sameBits(got.c, want.c!), 'c').toBe(true);
          },
        ),
        { numRuns: 60, seed: 777 },
      );
    });
  }
});
