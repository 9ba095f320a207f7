/**
 * Writes the peers' ONNX models into the benchmark cache (driver side, before workers start).
 * A file is written to a temporary name and renamed, so a concurrent run never reads half a file.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { onnxModelFile, type OnnxModelSpec } from './jobs.js';
import { buildRnnOnnx } from './onnx-build.js';
import { makeRnnWeights } from './weights.js';

/** Returns the path of the model, building it first when the cache lacks it. */
export function ensureOnnxModel(dir: string, spec: OnnxModelSpec): string {
  const file = onnxModelFile(dir, spec);
  if (existsSync(file)) return file;
  mkdirSync(dirname(file), { recursive: true });
  const weights = makeRnnWeights(spec.cell, spec.inputSize, spec.hiddenSize, spec.seed);
  const bytes = buildRnnOnnx(weights, { precision: spec.precision, io: spec.io });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
  return file;
}
