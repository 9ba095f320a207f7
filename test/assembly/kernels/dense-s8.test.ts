/**
 * The INT8 dense op (denseS8, docs/kernel-abi.md): both builds give the same bits (budget 0) on
 * seeded random shapes, splits, scales, activations and both activation schemes; the reference
 * build equals an independent JS emulation of the ABI's formula (exact integer sums, every f32
 * operation rounded with Math.fround, the kernel's own sigmoid/tanh emulated in
 * test/assembly/s8-emulation.ts) bit for bit; argument errors are statuses, not traps.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BUILDS, Kernel, rng, sameBits, uniform, randomI8, type Build } from '../helpers.js';
import { quantize, sigmoidf, tanhf } from '../s8-emulation.js';

const OP_DENSE_S8 = 4;
const QS_A8 = 0;
const QS_A7 = 1;
const BAD_DIMS = 1;
const BAD_POINTER = 2;
const BAD_ARGUMENT = 3;
const f = Math.fround;

interface DenseCase {
  inF: number;
  outF: number;
  batch: number;
  split: number;
  xScale: number;
  tailScale: number;
  scheme: number;
  activation: number;
  bias: boolean;
  seed: number;
}

function data(c: DenseCase) {
  const rand = rng(c.seed);
  const xStride = c.inF + 3;
  const x = uniform(rand, c.batch * xStride, -1.2, 1.2);
  const qmax = c.scheme === QS_A7 ? 63 : 127;
  // Some exact quantization ties and clamped values in both ranges.
  for (let i = 0; i < x.length; i++) {
    const k = i % xStride;
    const s = k < c.split ? c.xScale : c.tailScale;
    if (i % 5 === 0) x[i] = f(((i % 9) - 4 + 0.5) * s);
    if (i % 11 === 0) x[i] = (i % 2 ? -1 : 1) * (qmax + 7) * s;
  }
  const Wq = randomI8(rand, c.outF * c.inF);
  const Ws = uniform(rand, c.outF, 0.001, 0.05);
  const b = uniform(rand, c.outF, -1, 1);
  return { x, xStride, Wq, Ws, b };
}

function run(build: Build, c: DenseCase): Float32Array {
  const kern = new Kernel(build);
  const { x, xStride, Wq, Ws, b } = data(c);
  const yStride = c.outF + 2;
  const y = kern.alloc(4 * c.batch * yStride);
  const scratch = kern.scratch(OP_DENSE_S8, c.inF, c.outF, c.batch);
  const st = kern.k.denseS8(kern.putI8(Wq), kern.putF32(Ws), c.bias ? kern.putF32(b) : 0, c.inF, c.outF, c.batch, kern.putF32(x), xStride,
    y, yStride, c.activation, scratch, c.split, c.xScale, c.tailScale, c.scheme);
  expect(st, `${build} status`).toBe(0);
  const out = new Float32Array(c.batch * c.outF);
  for (let n = 0; n < c.batch; n++) out.set(kern.f32(y + 4 * n * yStride, c.outF), n * c.outF);
  return out;
}

/** The ABI's formula, independently: codes, exact sums, the f32 epilogue in its order. */
function emulate(c: DenseCase): Float32Array {
  const { x, xStride, Wq, Ws, b } = data(c);
  const qmax = c.scheme === QS_A7 ? 63 : 127;
  const act = [(v: number) => v, (v: number) => (v < 0 ? 0 : v), tanhf, sigmoidf][c.activation];
  const out = new Float32Array(c.batch * c.outF);
  for (let n = 0; n < c.batch; n++) {
    const q = Array.from({ length: c.inF }, (_, k) => {
      const code = quantize(f(x[n * xStride + k] / f(k < c.split ? c.xScale : c.tailScale)));
      return Math.max(-qmax, Math.min(qmax, code));
    });
    for (let r = 0; r < c.outF; r++) {
      let accA = 0;
      let accB = 0;
      for (let k = 0; k < c.inF; k++) (k < c.split ? (accA += Wq[r * c.inF + k] * q[k]) : (accB += Wq[r * c.inF + k] * q[k]));
      let v = f(f(accA) * f(Ws[r] * f(c.xScale)));
      if (c.split < c.inF) v = f(v + f(f(accB) * f(Ws[r] * f(c.tailScale))));
      out[n * c.outF + r] = act(f(v + (c.bias ? b[r] : 0)));
    }
  }
  return out;
}

const arbCase = fc
  .record({
    inF: fc.integer({ min: 1, max: 80 }),
    outF: fc.integer({ min: 1, max: 12 }),
    batch: fc.integer({ min: 1, max: 4 }),
    splitAt: fc.double({ min: 0, max: 1, noNaN: true }),
    xScale: fc.double({ min: 1e-3, max: 0.05, noNaN: true }),
    tailScale: fc.double({ min: 1e-3, max: 0.2, noNaN: true }),
    scheme: fc.constantFrom(QS_A8, QS_A7),
    activation: fc.integer({ min: 0, max: 3 }),
    bias: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1e6 }),
  })
  .map(({ splitAt, ...r }): DenseCase => ({ ...r, xScale: f(r.xScale), tailScale: f(r.tailScale), split: Math.max(1, Math.min(r.inF, Math.ceil(splitAt * r.inF))) }));

/** Random cases per property (fixed seed): each is a few small kernel calls; 150 cover every tail length (inF % 8) and split position many times over. */
const DENSE_S8_RUNS = 150;

describe('denseS8: the INT8 dense head', () => {
  it('every other build gives the reference build\'s bits (budget 0), and the reference equals the ABI formula emulated in JS', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const ref = run('ref', c);
        for (const build of BUILDS.filter((b) => b !== 'ref')) expect(sameBits(run(build, c), ref), `${build} ${JSON.stringify(c)}`).toBe(true);
        expect(sameBits(ref, emulate(c)), `ref vs emulation ${JSON.stringify(c)}`).toBe(true);
      }),
      { numRuns: DENSE_S8_RUNS, seed: 20261206 },
    );
  });

  it('one range (split = inF) needs no tail scale; the codes of QS_A7 stop at 63', () => {
    const c: DenseCase = { inF: 19, outF: 5, batch: 2, split: 19, xScale: f(1 / 64), tailScale: 0, scheme: QS_A7, activation: 0, bias: true, seed: 7 };
    const ref = run('ref', c);
    for (const build of BUILDS.filter((b) => b !== 'ref')) expect(sameBits(run(build, c), ref), build).toBe(true);
    expect(sameBits(ref, emulate(c))).toBe(true);
    // A7 vs A8 on the same data: the clamped inputs differ, so the outputs must too.
    expect(sameBits(ref, run('ref', { ...c, scheme: QS_A8 }))).toBe(false);
  });

  describe.each(BUILDS)('kernel-%s.wasm', (build) => {
    it('reports bad arguments as statuses', () => {
      const kern = new Kernel(build);
      const k = kern.k;
      const p = kern.alloc(1 << 16);
      expect(k.scratchBytes(OP_DENSE_S8, 10, 3, 1)).toBeGreaterThanOrEqual(4 * 10);
      expect(k.scratchBytes(OP_DENSE_S8, 131073, 3, 1)).toBe(-1);
      //            Wq Ws b  inF outF batch x xs y ys act scr split sA   sB   scheme
      expect(k.denseS8(p, p, 0, 8, 2, 1, p, 8, p, 2, 0, p, 8, 0.1, 0, 0)).toBe(0);
      expect(k.denseS8(p, p, 0, 8, 2, 1, p, 8, p, 2, 0, p, 9, 0.1, 0, 0)).toBe(BAD_DIMS); // split > inF
      expect(k.denseS8(p, p, 0, 8, 2, 1, p, 8, p, 2, 0, p, 0, 0.1, 0, 0)).toBe(BAD_DIMS); // split < 1
      expect(k.denseS8(p, p, 0, 8, 2, 1, p, 8, p, 2, 0, p, 4, 0.1, 0, 0)).toBe(BAD_ARGUMENT); // two ranges, no tail scale
      expect(k.denseS8(p, p, 0, 8, 2, 1, p, 8, p, 2, 0, p, 8, 0, 0, 0)).toBe(BAD_ARGUMENT); // static scale required
      expect(k.denseS8(p, p, 0, 8, 2, 1, p, 8, p, 2, 0, p, 8, NaN, 0, 0)).toBe(BAD_ARGUMENT);
      expect(k.denseS8(p, p, 0, 8, 2, 1, p, 8, p, 2, 0, p, 8, 0.1, 0, 2)).toBe(BAD_ARGUMENT); // unknown scheme
      expect(k.denseS8(p, p, 0, 8, 2, 1, p, 8, p, 2, 7, p, 8, 0.1, 0, 0)).toBe(BAD_ARGUMENT); // unknown activation
      expect(k.denseS8(p, 0, 0, 8, 2, 1, p, 8, p, 2, 0, p, 8, 0.1, 0, 0)).toBe(BAD_POINTER); // no scales
      expect(k.denseS8(p, p, 0, 8, 2, 1, p, 8, p, 2, 0, 0, 8, 0.1, 0, 0)).toBe(BAD_POINTER); // no scratch
      expect(k.denseS8(p, p, 0, 8, 2, 1, p, 7, p, 2, 0, p, 8, 0.1, 0, 0)).toBe(BAD_DIMS); // stride < inF
    });
  });
});
