/**
 * Jobs a benchmark driver hands to a worker process, and where the peers' ONNX model files live.
 * Workers import this module, so it must not import onnxruntime or onnx-proto.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCase, ImplName } from './cases.js';
import type { MeasureOptions } from './measure.js';
import type { Cell } from './weights.js';

export interface RnnJob {
  mode: 'rnn';
  /** All of one runtime (one process per runtime). */
  impls: ImplName[];
  cases: BenchCase[];
  modelDir: string;
  seed: number;
  measure: MeasureOptions;
}

export interface StreamJob {
  mode: 'stream';
  impls: ImplName[];
  cell: Cell;
  inputSize: number;
  hiddenSize: number;
  /** Independent streams advanced by each call (all of them are ready at once). */
  streams: number;
  /** Samples per stream per call. */
  chunk: number;
  modelDir: string;
  seed: number;
  measure: MeasureOptions;
}

export type BenchJob = RnnJob | StreamJob;

/** One row of `npm run bench:stream -- --json`. */
export interface StreamRow {
  impl: ImplName;
  cell: Cell;
  streamStepsPerSec: number;
}

export interface OnnxModelSpec {
  cell: Cell;
  inputSize: number;
  hiddenSize: number;
  precision: 'f32' | 'int8';
  io: 'final' | 'stream';
  seed: number;
}

/** Default cache of generated models: $WAVEGATE_BENCH_CACHE, else <tmpdir>/wavegate-bench. Never committed. */
export function defaultModelDir(): string {
  return process.env.WAVEGATE_BENCH_CACHE ?? join(tmpdir(), 'wavegate-bench');
}

/** Bumped whenever onnx-build.ts or the seeded weights (weights.ts) change what it writes, so stale cached files are not reused (3: the project PRNG). */
export const ONNX_BUILDER_VERSION = 3;

/** File of a generated model; the name carries every parameter, so a cached file is always the right one. */
export function onnxModelFile(dir: string, s: OnnxModelSpec): string {
  const v = ONNX_BUILDER_VERSION;
  return join(dir, `${s.cell}-${s.precision}-${s.io}-i${s.inputSize}-h${s.hiddenSize}-seed${s.seed}-v${v}.onnx`);
}

/** Seed of a layer's weights, shared by every runtime; the input uses the same seed (see makeInput). */
export const DEFAULT_SEED = 20261127;
