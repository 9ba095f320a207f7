/**
 * Float vs INT8, measured the way the device computes both: each model runs in a kernel session
 * (the SIMD build where the engine has it) on the same windows. Figures: top-1 agreement, the
 * mean and max absolute difference of the outputs (after the model's softmax/sigmoid), and, where
 * the windows have labels, per-class sensitivity and accuracy of each model.
 */
import type { WgmModel } from '../../src/model/schema.js';
import { loadModel } from '../../src/runtime/model.js';
import { runWindows } from '../../src/scoring/run-windows.js';
import type { Windows } from './collect.js';

/** Windows per kernel call: large enough to amortise the call, small enough for a 256-step window of a wide model. */
const BATCH = 64;

/** Outputs [indices.length, outSize] of `model` on the windows `indices`. */
export async function modelOutputs(model: WgmModel, w: Windows, indices: readonly number[]): Promise<Float32Array> {
  const m = await loadModel(model);
  const session = await m.createSession({ maxBatch: BATCH, maxWindow: w.t });
  try {
    const size = model.metadata.output.size;
    const F = model.metadata.input.features?.names.length ?? 0;
    const out = new Float32Array(indices.length * size);
    const win = new Float32Array(BATCH * w.t * w.c);
    const feat = F > 0 ? new Float32Array(BATCH * F) : undefined;
    const rowLen = w.t * w.c;
    for (let start = 0; start < indices.length; start += BATCH) {
      const n = Math.min(BATCH, indices.length - start);
      for (let i = 0; i < n; i++) {
        const k = indices[start + i];
        win.set(w.x.subarray(k * rowLen, (k + 1) * rowLen), i * rowLen);
        if (feat) feat.set(w.features!.subarray(k * F, (k + 1) * F), i * F);
      }
      const y = runWindows(session, win.subarray(0, n * rowLen), n, w.t, feat?.subarray(0, n * F));
      out.set(y.subarray(0, n * size), start * size);
    }
    return out;
  } finally {
    m.dispose();
  }
}

export interface Agreement {
  windows: number;
  /** Fraction of windows whose largest output is the same class. */
  top1: number;
  /** Mean and max |float - int8| over every output of every window. */
  meanAbsDiff: number;
  maxAbsDiff: number;
}

/** Index of the largest of a[from .. from + n). */
export const argmax = (a: Float32Array, from: number, n: number): number => {
  let best = 0;
  for (let j = 1; j < n; j++) if (a[from + j] > a[from + best]) best = j;
  return best;
};

/** Top-1 agreement and output differences of two output arrays [n, size]. */
export function agreement(float: Float32Array, int8: Float32Array, size: number): Agreement {
  const n = float.length / size;
  let same = 0;
  let sum = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    if (argmax(float, i * size, size) === argmax(int8, i * size, size)) same++;
    for (let j = 0; j < size; j++) {
      const d = Math.abs(float[i * size + j] - int8[i * size + j]);
      sum += d;
      if (d > max) max = d;
    }
  }
  return { windows: n, top1: n > 0 ? same / n : 1, meanAbsDiff: n > 0 ? sum / (n * size) : 0, maxAbsDiff: max };
}

/** Orders candidates: more top-1 agreement first, then smaller mean |diff|. Negative when `a` is better. */
export function compareAgreement(a: Agreement, b: Agreement): number {
  if (a.top1 !== b.top1) return b.top1 - a.top1;
  return a.meanAbsDiff - b.meanAbsDiff;
}

export interface ClassFigures {
  label: string;
  /** Windows of this class. */
  n: number;
  /** Sensitivity (recall) of the float and the INT8 model; null without windows of the class. */
  floatSe: number | null;
  int8Se: number | null;
}

/** Per-class sensitivity and accuracy of both models against labels y (class indices). */
export function classFigures(float: Float32Array, int8: Float32Array, size: number, y: ArrayLike<number>, labels: readonly string[]): { classes: ClassFigures[]; floatAccuracy: number; int8Accuracy: number } {
  const n = y.length;
  const hits = labels.map(() => ({ n: 0, f: 0, q: 0 }));
  let fa = 0;
  let qa = 0;
  for (let i = 0; i < n; i++) {
    const c = y[i];
    const f = argmax(float, i * size, size) === c;
    const q = argmax(int8, i * size, size) === c;
    if (f) fa++;
    if (q) qa++;
    if (c >= 0 && c < labels.length) {
      hits[c].n++;
      if (f) hits[c].f++;
      if (q) hits[c].q++;
    }
  }
  return {
    classes: labels.map((label, c) => ({ label, n: hits[c].n, floatSe: hits[c].n ? hits[c].f / hits[c].n : null, int8Se: hits[c].n ? hits[c].q / hits[c].n : null })),
    floatAccuracy: n ? fa / n : 0,
    int8Accuracy: n ? qa / n : 0,
  };
}
