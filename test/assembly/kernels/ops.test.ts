import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Kernel, BUILDS, rng, uniform, randomI8, maxAbsDiff } from '../helpers.js';
import { MAX_OPS_ERROR } from '../budgets.js';

const act = [(v: number) => v, (v: number) => Math.max(v, 0), Math.tanh, (v: number) => 1 / (1 + Math.exp(-v))];

describe.each(BUILDS)('kernel-%s.wasm row ops vs float64 JS', (build) => {
  it('denseF32 (all activations, with and without bias, strided rows)', () => {
    const rand = rng(3);
    for (const [inF, outF, batch] of [[1, 1, 1], [7, 5, 3], [64, 9, 2], [33, 17, 4]]) {
      for (let a = 0; a < 4; a++) {
        const kern = new Kernel(build);
        const W = uniform(rand, outF * inF, -1, 1);
        const b = uniform(rand, outF, -1, 1);
        const xs = inF + 2;
        const ys = outF + 1;
        const x = uniform(rand, batch * xs, -2, 2);
        const useBias = a % 2 === 0;
        const yp = kern.alloc(batch * ys * 4);
        const st = kern.k.denseF32(kern.putF32(W), useBias ? kern.putF32(b) : 0, inF, outF, batch, kern.putF32(x), xs, yp, ys, a);
        expect(st).toBe(0);
        const y = kern.f32(yp, batch * ys);
        const want: number[] = [];
        const got: number[] = [];
        for (let n = 0; n < batch; n++) {
          for (let r = 0; r < outF; r++) {
            let s = useBias ? b[r] : 0;
            for (let k = 0; k < inF; k++) s += W[r * inF + k] * x[n * xs + k];
            want.push(act[a](s));
            got.push(y[n * ys + r]);
          }
        }
        expect(maxAbsDiff(got, want), `${inF}x${outF} act ${a}`).toBeLessThanOrEqual(MAX_OPS_ERROR * Math.sqrt(inF));
      }
    }
  });

  it('softmaxF32 rows sum to 1 and match exp(x - max) / sum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 1e6 }), (n, rows, seed) => {
        const kern = new Kernel(build);
        const stride = n + 3;
        const x = uniform(rng(seed), rows * stride, -30, 30);
        const p = kern.putF32(x);
        expect(kern.k.softmaxF32(p, n, rows, stride)).toBe(0);
        const y = kern.f32(p, rows * stride);
        for (let r = 0; r < rows; r++) {
          const row = Array.from(x.subarray(r * stride, r * stride + n));
          const m = Math.max(...row);
          const e = row.map((v) => Math.exp(v - m));
          const s = e.reduce((a, b) => a + b, 0);
          expect(maxAbsDiff(y.subarray(r * stride, r * stride + n), e.map((v) => v / s))).toBeLessThanOrEqual(MAX_OPS_ERROR);
          // The padding between rows is untouched.
          expect(Array.from(y.subarray(r * stride + n, (r + 1) * stride))).toEqual(Array.from(x.subarray(r * stride + n, (r + 1) * stride)));
        }
      }),
      { numRuns: 40, seed: 99 },
    );
  });

  it('layerNormF32 with and without gamma/beta', () => {
    const rand = rng(12);
    for (const n of [1, 3, 8, 37, 128]) {
      for (const affine of [false, true]) {
        const kern = new Kernel(build);
        const rows = 3;
        const x = uniform(rand, rows * n, -3, 5);
        const g = uniform(rand, n, 0.5, 1.5);
        const be = uniform(rand, n, -1, 1);
        const p = kern.putF32(x);
        const eps = 1e-5;
        expect(kern.k.layerNormF32(p, n, rows, n, affine ? kern.putF32(g) : 0, affine ? kern.putF32(be) : 0, eps)).toBe(0);
        const y = kern.f32(p, rows * n);
        const want: number[] = [];
        for (let r = 0; r < rows; r++) {
          const row = Array.from(x.subarray(r * n, (r + 1) * n));
          const mean = row.reduce((a, b) => a + b, 0) / n;
          const v = row.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
          row.forEach((val, k) => want.push(((val - mean) / Math.sqrt(v + eps)) * (affine ? g[k] : 1) + (affine ? be[k] : 0)));
        }
        expect(maxAbsDiff(y, want), `n=${n}`).toBeLessThanOrEqual(MAX_OPS_ERROR * 10);
      }
    }
  });

  it('matvecS8S32 is exact against a JS integer loop in both activation schemes, extremes included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 1e6 }), fc.constantFrom('random', 'min', 'max'), fc.constantFrom(0, 1), (rows, cols, seed, extreme, scheme) => {
        // The relaxed build in both of its dot forms (seed parity picks one).
        const kern = new Kernel(build, (seed % 2) as 0 | 1);
        const rand = rng(seed);
        const qmax = scheme === 1 ? 63 : 127;
        // Weights may be -128 (a file's I8 can hold it; the quantizer never writes it); activations span the scheme's range.
        const W = extreme === 'random' ? randomI8(rand, rows * cols) : new Int8Array(rows * cols).fill(extreme === 'min' ? -128 : 127);
        const x = extreme === 'random' ? Int8Array.from({ length: cols }, () => Math.floor(rand() * (2 * qmax + 1)) - qmax) : new Int8Array(cols).fill(extreme === 'min' ? -qmax : qmax);
        const out = kern.alloc(rows * 4);
        expect(kern.k.matvecS8S32(kern.packS8(W, rows, cols), rows, cols, kern.putI8(x), out, scheme)).toBe(0);
        const got = kern.i32(out, rows);
        for (let r = 0; r < rows; r++) {
          let s = 0;
          for (let k = 0; k < cols; k++) s += W[r * cols + k] * x[k];
          expect(got[r]).toBe(s);
        }
      }),
      { numRuns: 60, seed: 5 },
    );
  });
});

/** Bits of a float array as strings (-0 kept apart from 0), so toEqual compares bit patterns. */
const bits = (a: Float32Array): string[] => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : v.toString()));

describe('softmaxF32 and layerNormF32 give the same bits in every build', () => {
  it('softmax: ref and the SIMD builds agree bit for bit over random row lengths and values (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 3 }), fc.double({ min: 0.1, max: 40, noNaN: true }), fc.integer({ min: 1, max: 1e6 }), (n, rows, range, seed) => {
        const x = uniform(rng(seed), rows * n, -range, range);
        const outs = BUILDS.map((build) => {
          const kern = new Kernel(build);
          const p = kern.putF32(x);
          expect(kern.k.softmaxF32(p, n, rows, n)).toBe(0);
          return bits(kern.f32(p, rows * n));
        });
        for (const o of outs.slice(1)) expect(o).toEqual(outs[0]);
      }),
      { numRuns: 120 },
    );
  });

  it('layer norm: ref and the SIMD builds agree bit for bit, with and without gamma/beta (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.integer({ min: 1, max: 1e6 }), (n, rows, affine, seed) => {
        const rand = rng(seed);
        const x = uniform(rand, rows * n, -3, 5);
        const g = uniform(rand, n, 0.5, 1.5);
        const be = uniform(rand, n, -1, 1);
        const outs = BUILDS.map((build) => {
          const kern = new Kernel(build);
          const p = kern.putF32(x);
          expect(kern.k.layerNormF32(p, n, rows, n, affine ? kern.putF32(g) : 0, affine ? kern.putF32(be) : 0, 1e-5)).toBe(0);
          return bits(kern.f32(p, rows * n));
        });
        for (const o of outs.slice(1)) expect(o).toEqual(outs[0]);
      }),
      { numRuns: 120 },
    );
  });
});

describe('denseF32 gives the same bits in every build (the head of an INT8 model)', () => {
  it('ref and the SIMD builds agree bit for bit over random shapes and activations (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 19 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 1e6 }), (inF, outF, batch, a, seed) => {
        const rand = rng(seed);
        const W = uniform(rand, outF * inF, -1, 1);
        const b = uniform(rand, outF, -1, 1);
        const x = uniform(rand, batch * inF, -2, 2);
        const outs = BUILDS.map((build) => {
          const kern = new Kernel(build);
          const yp = kern.alloc(batch * outF * 4);
          expect(kern.k.denseF32(kern.putF32(W), kern.putF32(b), inF, outF, batch, kern.putF32(x), inF, yp, outF, a)).toBe(0);
          return Array.from(kern.f32(yp, batch * outF), (v) => Object.is(v, -0) ? '-0' : v.toString());
        });
        for (const o of outs.slice(1)) expect(o).toEqual(outs[0]);
      }),
      { numRuns: 80 },
    );
  });
});
