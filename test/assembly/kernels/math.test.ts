import { describe, it, expect } from 'vitest';
import { Kernel, BUILDS, FAST_BUILDS, sameBits, rng } from '../helpers.js';
import { MAX_ACTIVATION_ERROR } from '../budgets.js';

/** Probe values: a dense sweep plus the edges (tiny, branch points, saturation, huge, +-0). */
function probes(): Float32Array {
  const v: number[] = [0, -0, 1e-30, -1e-30, 1e-8, 0.625, -0.625, 0.62499997, 9, -9, 20, -20, 87, -87, 88.5, -88.5, 100, -100, 1e30, -1e30];
  for (let i = -4000; i <= 4000; i++) v.push(i / 200);
  const rand = rng(7);
  for (let i = 0; i < 4000; i++) v.push((rand() * 2 - 1) * 12);
  return Float32Array.from(v);
}

function apply(build: (typeof BUILDS)[number], fn: 'sigmoidF32' | 'tanhF32', xs: Float32Array): Float32Array {
  const kern = new Kernel(build);
  const p = kern.putF32(xs);
  const st = kern.k[fn](p, xs.length, 1, xs.length);
  expect(st).toBe(0);
  return kern.f32(p, xs.length).slice();
}

describe('shared nonlinearities (assembly/math.ts and its v128 twin)', () => {
  const xs = probes();
  for (const fn of ['sigmoidF32', 'tanhF32'] as const) {
    const exact = fn === 'sigmoidF32' ? (v: number) => 1 / (1 + Math.exp(-v)) : Math.tanh;
    it(`${fn}: every build within ${MAX_ACTIVATION_ERROR} of Math`, () => {
      for (const build of BUILDS) {
        const out = apply(build, fn, xs);
        let worst = 0;
        for (let i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(out[i] - exact(xs[i])));
        expect(worst, `${build} ${fn}`).toBeLessThanOrEqual(MAX_ACTIVATION_ERROR);
      }
    });
    it(`${fn}: the SIMD builds are bit-identical to the ref build`, () => {
      // Lengths not a multiple of 4 exercise the scalar tail of the SIMD loop too.
      const a = apply('ref', fn, xs.subarray(1));
      for (const build of FAST_BUILDS) expect(sameBits(a, apply(build, fn, xs.subarray(1))), build).toBe(true);
    });
  }
  it('tanh is odd and saturates exactly', () => {
    const out = apply('ref', 'tanhF32', Float32Array.from([3, -3, 50, -50, 0.1, -0.1]));
    expect(out[0]).toBe(-out[1]);
    expect(out[2]).toBe(1);
    expect(out[3]).toBe(-1);
    expect(out[4]).toBe(-out[5]);
  });
});
