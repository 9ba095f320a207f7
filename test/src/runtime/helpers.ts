/** Shared helpers for runtime tests: kernel availability, seeded inputs, reference comparisons. */
import type { WgmModel } from '../../../src/model/schema.js';
import { referenceForward } from '../../../src/runtime/reference.js';
import { relaxedSupport } from '../../../src/runtime/backend.js';
import { prng } from '../model/tiny-model.js';
import { KERNELS } from '../../helpers/needs.js';


/**
 * Every kernel build this engine runs: ref, simd, and relaxed where the runtime accepts it (the
 * Node 24 leg of .ci/run; test/src/runtime/relaxed-engines.test.ts says which engines must).
 */
export const BACKENDS: readonly ('ref' | 'simd' | 'relaxed')[] = KERNELS.present && (await relaxedSupport()).usable ? ['ref', 'simd', 'relaxed'] : ['ref', 'simd'];

/** Smooth-ish random signal in about ±1.5, seeded. */
export function signal(length: number, seed: number): Float32Array {
  const r = prng(seed);
  const out = new Float32Array(length);
  let v = 0;
  for (let i = 0; i < length; i++) {
    v = 0.8 * v + (r() * 2 - 1) * 0.6;
    out[i] = v + Math.sin(i * 0.21);
  }
  return out;
}

/** Reference window-mode scores for windows [n, T, C]. */
export function referenceRun(model: WgmModel, windows: Float32Array, n: number, T: number): Float64Array {
  const C = model.metadata.input.channels;
  const S = model.metadata.output.size;
  const out = new Float64Array(n * S);
  for (let w = 0; w < n; w++) {
    const xs = Array.from({ length: T }, (_, t) => windows.subarray((w * T + t) * C, (w * T + t + 1) * C));
    out.set(referenceForward(model, xs).pooled, w * S);
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
