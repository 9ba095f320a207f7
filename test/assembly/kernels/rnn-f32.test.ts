import { describe, it, expect } from 'vitest';
import { Kernel, rng, maxAbsDiff } from '../helpers.js';
import { MAX_F32_REF_VS_F64, MAX_F32_SIMD_VS_REF, MAX_F32_SIMD_VS_F64 } from '../budgets.js';
import { runRnn, randomCase, RnnCase, Cell } from '../rnn-runner.js';
import { lstmReference, gruReference } from '../../helpers/rnn-reference.js';

function reference(cs: RnnCase): { y: Float64Array; h: Float64Array; c?: Float64Array } {
  const h = Float64Array.from(cs.h0);
  const shape = { I: cs.I, H: cs.H, batch: cs.batch, T: cs.T, reverse: cs.reverse === 1 };
  if (cs.cell === 'lstm') {
    const c = Float64Array.from(cs.c0!);
    const y = lstmReference({ W: cs.W, R: cs.R, B: cs.B!, P: cs.P }, shape, cs.x, h, c);
    return { y, h, c };
  }
  const y = gruReference({ W: cs.W, R: cs.R, Wb: cs.Wb!, Rb: cs.Rb! }, shape, cs.x, h, (cs.lbr ?? 1) === 1);
  return { y, h };
}

interface Variant { cell: Cell; lbr?: 0 | 1; peepholes?: boolean }
const VARIANTS: Variant[] = [{ cell: 'lstm' }, { cell: 'lstm', peepholes: true }, { cell: 'gru', lbr: 1 }, { cell: 'gru', lbr: 0 }];
const SHAPES = [
  { I: 1, H: 5, batch: 1, T: 300 },
  { I: 3, H: 13, batch: 7, T: 40 },
  { I: 17, H: 8, batch: 1, T: 1 },
  { I: 6, H: 33, batch: 7, T: 9 },
  { I: 64, H: 64, batch: 2, T: 20 },
  { I: 5, H: 19, batch: 17, T: 6 },
];

const name = (v: Variant) => (v.cell === 'lstm' ? (v.peepholes ? 'LSTM peepholes' : 'LSTM') : `GRU lbr=${v.lbr}`);

describe('f32 recurrent kernels vs float64 reference', () => {
  const ref = new Kernel('ref');
  const simd = new Kernel('simd');
  for (const v of VARIANTS) {
    for (const reverse of [0, 1] as const) {
      it(`${name(v)} reverse=${reverse}: ref within ${MAX_F32_REF_VS_F64}, simd within ${MAX_F32_SIMD_VS_REF} of ref`, () => {
        let seed = 11;
        for (const s of SHAPES) {
          const cs = randomCase(rng(seed++), { ...v, ...s, reverse });
          const want = reference(cs);
          const a = runRnn(new Kernel('ref'), cs, undefined, { pad: 3 });
          const b = runRnn(new Kernel('simd'), cs);
          const tag = `${name(v)} ${JSON.stringify(s)} reverse=${reverse}`;
          expect(maxAbsDiff(a.y, want.y), `ref y ${tag}`).toBeLessThanOrEqual(MAX_F32_REF_VS_F64);
          expect(maxAbsDiff(a.h, want.h), `ref h ${tag}`).toBeLessThanOrEqual(MAX_F32_REF_VS_F64);
          if (want.c) expect(maxAbsDiff(a.c!, want.c), `ref c ${tag}`).toBeLessThanOrEqual(MAX_F32_REF_VS_F64);
          expect(maxAbsDiff(b.y, a.y), `simd y ${tag}`).toBeLessThanOrEqual(MAX_F32_SIMD_VS_REF);
          expect(maxAbsDiff(b.y, want.y), `simd y vs f64 ${tag}`).toBeLessThanOrEqual(MAX_F32_SIMD_VS_F64);
          if (want.c) expect(maxAbsDiff(b.c!, a.c!), `simd c ${tag}`).toBeLessThanOrEqual(MAX_F32_SIMD_VS_REF);
        }
      });
    }
  }
  void ref;
  void simd;
});

describe('f32 streaming semantics (both builds)', () => {
  for (const build of ['ref', 'simd'] as const) {
    for (const v of VARIANTS) {
      it(`${build} ${name(v)}: chunks of 1, 7, 64 and whole are bit-identical`, () => {
        const cs = randomCase(rng(5), { ...v, I: 3, H: 10, batch: 3, T: 130 });
        const whole = runRnn(new Kernel(build), cs);
        for (const size of [1, 7, 64]) {
          const chunks: number[] = [];
          for (let t = 0; t < cs.T; t += size) chunks.push(Math.min(size, cs.T - t));
          const got = runRnn(new Kernel(build), cs, undefined, { chunks });
          expect(Buffer.from(got.y.buffer).equals(Buffer.from(whole.y.buffer)), `y chunk ${size}`).toBe(true);
          expect(Buffer.from(got.h.buffer).equals(Buffer.from(whole.h.buffer)), `h chunk ${size}`).toBe(true);
        }
      });
      it(`${build} ${name(v)}: slots indirection matches the permuted plain call`, () => {
        const cs = randomCase(rng(9), { ...v, I: 2, H: 6, batch: 4, T: 12 });
        const plain = runRnn(new Kernel(build), cs);
        const viaSlots = runRnn(new Kernel(build), cs, undefined, { slots: [5, 0, 3, 1] });
        expect(Buffer.from(viaSlots.y.buffer).equals(Buffer.from(plain.y.buffer))).toBe(true);
        expect(Buffer.from(viaSlots.h.buffer).equals(Buffer.from(plain.h.buffer))).toBe(true);
      });
    }
  }
});
