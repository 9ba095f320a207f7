/**
 * `wavegate verify`: a .wgm model against its ONNX source on onnxruntime-node, side by side on
 * the same windows: top-1 agreement, largest and mean absolute difference of the outputs, per
 * class. onnxruntime is the independent oracle (docs/evaluation.md, "Verify").
 *
 * Only onnxruntime-node is loaded here, and every session is checked to run on its native
 * handler (tools/bench/backend-checks.ts): onnxruntime-common silently hands onnxruntime-node's
 * sessions to the WASM backend when onnxruntime-web was loaded first in the process.
 *
 * Per class k (the model's labels, else "0", "1", ...): `n` windows that onnxruntime puts in k,
 * `agreement` the share of those that wavegate puts in k too (null when n = 0), and the largest
 * and mean |difference| of output k over all windows.
 */
import { readFileSync } from 'node:fs';
import { WavegateError } from '../../src/errors.js';
import type { NpyArray } from '../../src/io/npy.js';
import { readNpz } from '../../src/io/npz.js';
import { fromArray, readSamplesFile, sampleFormatOf, type SampleWindows } from '../../src/io/samples.js';
import { loadModel } from '../../src/runtime/model.js';
import type { BackendChoice } from '../../src/runtime/options.js';
import { runWindows } from '../../src/scoring/run-windows.js';
import { checkWindows, featuresFor } from '../../src/scoring/score-windows.js';
import { importOnnx, type OnnxIo } from '../onnx/import.js';
import { assertNativeSession } from '../bench/backend-checks.js';

/** Default --min-agreement: the project's INT8 bar (test/integration/onnx-oracle.test.ts, INT8_TRAINED_TOP1). */
export const DEFAULT_MIN_AGREEMENT = 0.99;

export interface VerifyOptions {
  model: string;
  reference: string;
  input: string;
  minAgreement?: number;
  /** Windows per call. Default 64. */
  batch?: number;
  backend?: BackendChoice;
}

export interface VerifyClass {
  n: number;
  agreement: number | null;
  maxAbsDiff: number;
  meanAbsDiff: number;
}

export interface VerifyResult {
  windows: number;
  agreement: number;
  maxAbsDiff: number;
  meanAbsDiff: number;
  classes: Record<string, VerifyClass>;
  /** Share of windows each runtime labels as the input's `y` says (an .npz with integer `y` only). */
  accuracy?: { wavegate: number; onnxruntime: number };
  minAgreement: number;
  pass: boolean;
  onnxruntime: string;
}

type Ort = typeof import('onnxruntime-node');

function readBytes(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `${path}: cannot read ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
}

/** Windows, optional features and optional integer labels from --input. */
function readInput(path: string): { samples: SampleWindows; features?: NpyArray; y?: NpyArray } {
  if (sampleFormatOf(path) !== 'npz') return { samples: readSamplesFile(path) };
  const arrays = readNpz(readBytes(path, 'windows file'), path);
  const x = arrays.get('x');
  if (!x) throw new WavegateError('E_FILE_FORMAT', `${path}: no array "x" in the .npz`);
  return { samples: fromArray(x, `${path}:x.npy`), features: arrays.get('features'), y: arrays.get('y') };
}

function labelsOf(y: NpyArray | undefined, n: number, classes: number, path: string): Int32Array | undefined {
  if (!y || !['int8', 'int16', 'int32', 'int64', 'uint8'].includes(y.dtype) || y.shape.length !== 1 || y.shape[0] !== n) return undefined;
  const out = Int32Array.from(y.data as ArrayLike<number | bigint>, (v) => Number(v));
  for (let i = 0; i < n; i++) {
    if (!(out[i] >= 0 && out[i] < classes)) throw new WavegateError('E_INPUT', `${path}: y[${i}] = ${out[i]} is not a class index 0..${classes - 1}`);
  }
  return out;
}

function argmax(v: Float32Array, row: number, size: number): number {
  let best = 0;
  for (let k = 1; k < size; k++) if (v[row * size + k] > v[row * size + best]) best = k;
  return best;
}

/** Batch-first [B, T, C] to the ONNX input's layout. */
function toLayout(x: Float32Array, B: number, T: number, C: number, io: OnnxIo): { data: Float32Array; dims: number[] } {
  if (io.inputLayout === 'batch_first') return { data: x, dims: [B, T, C] };
  const o = new Float32Array(x.length);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) o[(t * B + b) * C + c] = x[(b * T + t) * C + c];
  return { data: o, dims: [T, B, C] };
}

/** Runs both and compares. Everything is checked before the first window runs. */
export async function verify(o: VerifyOptions): Promise<VerifyResult> {
  const minAgreement = o.minAgreement ?? DEFAULT_MIN_AGREEMENT;
  if (!(minAgreement >= 0 && minAgreement <= 1)) throw new WavegateError('E_ARGUMENT', `--min-agreement must be a fraction in [0, 1], got ${minAgreement}`);
  const onnxBytes = readBytes(o.reference, 'ONNX reference model');
  const { io } = importOnnx(onnxBytes, { source: o.reference });
  const model = await loadModel(o.model);
  try {
    const meta = model.metadata;
    const { samples, features: featureArray, y } = readInput(o.input);
    checkWindows(model, samples, o.input);
    const features = featuresFor(model, featureArray, samples.n, o.input);
    const S = meta.output.size;
    if (io.perStep) throw new WavegateError('E_MODEL_UNSUPPORTED', `${o.reference}: the ONNX model outputs every time step; verify compares one output row per window`);
    if ((io.featureCount ?? 0) !== (meta.input.features?.names.length ?? 0)) {
      throw new WavegateError('E_INPUT', `${o.reference} takes ${io.featureCount ?? 0} side feature(s), ${o.model} takes ${meta.input.features?.names.length ?? 0}: not the same model`);
    }
    const { t: T, c: C, n: N } = samples;
    const layoutDims = io.inputLayout === 'batch_first' ? { batch: io.inputDims[0], time: io.inputDims[1] } : { batch: io.inputDims[1], time: io.inputDims[0] };
    if (layoutDims.time !== null && layoutDims.time !== undefined && layoutDims.time !== T) {
      throw new WavegateError('E_INPUT', `${o.input}: windows are ${T} steps long; ${o.reference} takes ${layoutDims.time}`);
    }
    if (io.inputDims[2] !== null && io.inputDims[2] !== undefined && io.inputDims[2] !== C) throw new WavegateError('E_INPUT', `${o.input}: windows have ${C} channel(s); ${o.reference} takes ${io.inputDims[2]}`);
    const labels = labelsOf(y, N, S, o.input);
    const batch = typeof layoutDims.batch === 'number' ? layoutDims.batch : (o.batch ?? 64);

    let ort: Ort;
    try {
      ort = (await import('onnxruntime-node')) as Ort;
    } catch (e) {
      throw new WavegateError('E_NOT_FOUND', `onnxruntime-node cannot be loaded (${(e as Error).message.split('\n')[0]}); verify needs the dev dependencies (ONNXRUNTIME_NODE_INSTALL=skip npm ci)`, { cause: e });
    }
    ort.env.logLevel = 'error';
    const ortSession = await ort.InferenceSession.create(onnxBytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', executionProviders: ['cpu'] });
    const session = await model.createSession({ maxBatch: batch, maxWindow: T, backend: o.backend });
    try {
      try {
        assertNativeSession(ortSession, ort.env.versions as Record<string, string | undefined>);
      } catch (e) {
        throw new WavegateError('E_STATE', `verify: onnxruntime-node's session for ${o.reference} is not on its native backend (onnxruntime-web was loaded in this process first and took it; env.versions ${JSON.stringify(ort.env.versions)}): run verify in a process that loads only onnxruntime-node`, { cause: e });
      }
      const stride = T * C;
      const F = meta.input.features?.names.length ?? 0;
      const want = new Float32Array(N * S), got = new Float32Array(N * S);
      for (let s = 0; s < N; s += batch) {
        const n = Math.min(batch, N - s);
        const x = samples.data.subarray(s * stride, (s + n) * stride);
        const f = F > 0 ? features!.subarray(s * F, (s + n) * F) : undefined;
        got.set(runWindows(session, x, n, T, f), s * S);
        // A static batch dimension: pad the last call with zero windows and drop their rows.
        const B = typeof layoutDims.batch === 'number' ? layoutDims.batch : n;
        const xb = B === n ? x : (() => { const p = new Float32Array(B * stride); p.set(x); return p; })();
        const { data, dims } = toLayout(xb, B, T, C, io);
        const feeds: Record<string, InstanceType<Ort['Tensor']>> = { [io.inputName]: new ort.Tensor('float32', data, dims) };
        if (io.featuresName) {
          const fb = new Float32Array(B * F);
          fb.set(f!);
          feeds[io.featuresName] = new ort.Tensor('float32', fb, [B, F]);
        }
        const res = await ortSession.run(feeds);
        const out = res[io.outputName].data as Float32Array;
        if (out.length !== B * S) throw new WavegateError('E_INPUT', `${o.reference}: output ${io.outputName} has ${out.length} values for ${B} window(s); ${o.model} outputs ${S} per window`);
        want.set(out.subarray(0, n * S), s * S);
      }
      return compare(want, got, N, S, meta.labels, labels, minAgreement, ort.env.versions.node ?? 'unknown');
    } finally {
      session.dispose();
      await ortSession.release();
    }
  } finally {
    model.dispose();
  }
}

/** The figures of two output matrices [N, S]: `want` from onnxruntime, `got` from wavegate. */
export function compare(want: Float32Array, got: Float32Array, N: number, S: number, labelNames: readonly string[] | undefined, y: Int32Array | undefined, minAgreement: number, ortVersion: string): VerifyResult {
  const names = labelNames ?? Array.from({ length: S }, (_, k) => String(k));
  const n = new Array<number>(S).fill(0), same = new Array<number>(S).fill(0);
  const maxCol = new Array<number>(S).fill(0), sumCol = new Array<number>(S).fill(0);
  let agree = 0, okW = 0, okO = 0;
  for (let i = 0; i < N; i++) {
    const a = argmax(want, i, S), b = argmax(got, i, S);
    n[a]++;
    if (a === b) { agree++; same[a]++; }
    if (y) { if (a === y[i]) okO++; if (b === y[i]) okW++; }
    for (let k = 0; k < S; k++) {
      const d = Math.abs(want[i * S + k] - got[i * S + k]);
      if (!(d <= maxCol[k])) maxCol[k] = d; // NaN propagates as the maximum
      sumCol[k] += d;
    }
  }
  const agreement = N > 0 ? agree / N : 1;
  const classes = Object.fromEntries(names.map((name, k) => [name, { n: n[k], agreement: n[k] > 0 ? same[k] / n[k] : null, maxAbsDiff: maxCol[k], meanAbsDiff: N > 0 ? sumCol[k] / N : 0 }]));
  return {
    windows: N,
    agreement,
    maxAbsDiff: maxCol.reduce((m, v) => (v > m || Number.isNaN(v) ? v : m), 0),
    meanAbsDiff: N > 0 ? sumCol.reduce((s, v) => s + v, 0) / (N * S) : 0,
    classes,
    ...(y ? { accuracy: { wavegate: okW / N, onnxruntime: okO / N } } : {}),
    minAgreement,
    pass: agreement >= minAgreement,
    onnxruntime: ortVersion,
  };
}

/** The text report. */
export function formatVerify(r: VerifyResult, model: string, reference: string): string {
  const pct = (v: number | null) => (v === null ? '-' : (100 * v).toFixed(2));
  const e = (v: number) => v.toExponential(2);
  const names = Object.keys(r.classes);
  const w = Math.max(8, ...names.map((l) => l.length + 1));
  const lines = [
    `verify ${model} against ${reference} on onnxruntime-node ${r.onnxruntime} (native CPU, 1 thread): ${r.windows} window(s)`,
    `top-1 agreement ${pct(r.agreement)} %, max |diff| ${e(r.maxAbsDiff)}, mean |diff| ${e(r.meanAbsDiff)}`,
    '',
    `${'class'.padEnd(w)}${'n'.padStart(7)}${'agree %'.padStart(9)}${'max |diff|'.padStart(12)}${'mean |diff|'.padStart(12)}`,
    ...names.map((l) => {
      const c = r.classes[l];
      return `${l.padEnd(w)}${String(c.n).padStart(7)}${pct(c.agreement).padStart(9)}${e(c.maxAbsDiff).padStart(12)}${e(c.meanAbsDiff).padStart(12)}`;
    }),
  ];
  if (r.accuracy) lines.push('', `accuracy against the input's y: wavegate ${pct(r.accuracy.wavegate)} %, onnxruntime ${pct(r.accuracy.onnxruntime)} %`);
  lines.push('', `${r.pass ? 'PASS' : 'FAIL'}: agreement ${pct(r.agreement)} % ${r.pass ? '>=' : '<'} --min-agreement ${pct(r.minAgreement)} %`);
  return lines.join('\n');
}
