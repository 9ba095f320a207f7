/**
 * Validates a whole model: metadata (validate-metadata.ts) plus every tensor against what the
 * layers imply (tensors.ts, per format version): presence, exact dtype and shape, no strays,
 * finite F32 and F16 values, int8 scales >= 0. Used by the loader on untrusted files and by the writer before writing.
 */
import { WavegateError } from '../errors.js';
import type { Tensor, WgmMetadata, WgmModel } from './schema.js';
import { DTYPES, elementCount } from './formats.js';
import { f16BitsToNumber } from './f16.js';
import { DEFAULT_LIMITS, type ModelLimits } from './limits.js';
import { layerTensorSpecs, type TensorSpec } from './tensors.js';
import { validateMetadata } from './validate-metadata.js';

export interface ValidateOptions {
  /** File name or label used in messages. Default "model". */
  source?: string;
  /** Size caps. Default {@link DEFAULT_LIMITS}. */
  limits?: Partial<ModelLimits>;
}

/** All tensors the metadata requires, keyed by name. Throws if two layers claim one name. */
export function expectedTensors(meta: WgmMetadata, source = 'model'): Map<string, TensorSpec> {
  const out = new Map<string, TensorSpec>();
  for (const layer of meta.layers) {
    for (const spec of layerTensorSpecs(layer, meta.formatVersion)) {
      if (out.has(spec.name)) {
        throw new WavegateError('E_MODEL_FORMAT', `${source}: tensor name "${spec.name}" is claimed by two layers (layer "${layer.name}" collides with an earlier one)`);
      }
      out.set(spec.name, spec);
    }
  }
  return out;
}

/** Checks one tensor's dtype and shape against its spec (no values). */
export function checkTensorHeader(spec: TensorSpec, dtype: string, shape: readonly number[], source: string): void {
  if (dtype !== spec.dtype) {
    throw new WavegateError('E_MODEL_FORMAT', `${source}: tensor "${spec.name}" (${spec.role}) has dtype ${dtype}, expected ${spec.dtype}`);
  }
  if (shape.length !== spec.shape.length || shape.some((d, i) => d !== spec.shape[i])) {
    throw new WavegateError('E_MODEL_FORMAT', `${source}: tensor "${spec.name}" (${spec.role}) has shape [${shape.join(', ')}], expected [${spec.shape.join(', ')}]`);
  }
}

/** Checks that the set of tensor names is exactly the expected one (reports the first stray or missing). */
export function checkTensorSet(expected: Map<string, TensorSpec>, present: Iterable<string>, source: string): void {
  const seen = new Set<string>();
  for (const name of present) {
    if (!expected.has(name)) {
      throw new WavegateError('E_MODEL_FORMAT', `${source}: tensor "${name}" is not used by any layer (unexpected tensor)`);
    }
    seen.add(name);
  }
  for (const [name, spec] of expected) {
    if (!seen.has(name)) throw new WavegateError('E_MODEL_FORMAT', `${source}: tensor "${name}" (${spec.role}) is missing`);
  }
}

/** Value checks: F32 and F16 finite everywhere; scales also >= 0. Names the tensor and flat element index. */
export function checkTensorValues(spec: TensorSpec, t: Tensor, source: string): void {
  if (t.dtype === 'F16') return checkF16Values(spec, t.data as Uint16Array, source);
  if (t.dtype !== 'F32') return; // every I8 code is a valid weight (the kernel widens to i16, no overflow)
  const d = t.data as Float32Array;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    // v - v is NaN for NaN and ±Inf, 0 otherwise: one branch per element on the hot path.
    if (v - v !== 0) {
      throw new WavegateError('E_MODEL_FORMAT', `${source}: tensor "${spec.name}" (${spec.role}) element ${i} is ${v}; values must be finite`);
    }
    if (spec.scale && v < 0) {
      throw new WavegateError('E_MODEL_FORMAT', `${source}: tensor "${spec.name}" (${spec.role}) element ${i} is ${v}; scales must be >= 0`);
    }
  }
}

/** F16 values as bit patterns: exponent all ones is Inf/NaN; the sign bit set (other than -0) is negative. */
function checkF16Values(spec: TensorSpec, bits: Uint16Array, source: string): void {
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    if ((b & 0x7c00) === 0x7c00) {
      throw new WavegateError('E_MODEL_FORMAT', `${source}: tensor "${spec.name}" (${spec.role}) element ${i} is ${f16BitsToNumber(b)} (f16 0x${b.toString(16)}); values must be finite`);
    }
    if (spec.scale && b > 0x8000) {
      throw new WavegateError('E_MODEL_FORMAT', `${source}: tensor "${spec.name}" (${spec.role}) element ${i} is ${f16BitsToNumber(b)}; scales must be >= 0`);
    }
  }
}

/** Validates a model held in memory (what the writer gets); returns its metadata typed. */
export function validateModel(model: WgmModel, opts: ValidateOptions = {}): WgmMetadata {
  const source = opts.source ?? 'model';
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  if (!(model?.tensors instanceof Map)) throw new WavegateError('E_MODEL_FORMAT', `${source}: model.tensors must be a Map`);
  const meta = validateMetadata(model.metadata, source, limits);
  const expected = expectedTensors(meta, source);
  checkTensorSet(expected, model.tensors.keys(), source);
  let bytes = 0;
  for (const [name, t] of model.tensors) {
    const spec = expected.get(name)!;
    checkTensorHeader(spec, t.dtype, t.shape, source);
    const traits = DTYPES[t.dtype];
    if (!(t.data instanceof traits.ctor) || t.data.length !== elementCount(t.shape)) {
      throw new WavegateError('E_MODEL_FORMAT', `${source}: tensor "${name}" data is a ${t.data?.constructor?.name} of ${t.data?.length} elements, expected ${traits.ctor.name} of ${elementCount(t.shape)}`);
    }
    bytes += t.data.byteLength;
    checkTensorValues(spec, t, source);
  }
  if (bytes > limits.maxBytes) throw new WavegateError('E_MODEL_FORMAT', `${source}: tensors total ${bytes} bytes; the limit is ${limits.maxBytes}`);
  return meta;
}
