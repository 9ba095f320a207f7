/**
 * Tensor element formats of a .wgm file and the reference INT8 weight quantizer.
 *
 * One traits table (as ggml's type_traits): the loader uses it to size and view tensors, the
 * writer to lay them out, and tools/quantize to quantize. The quantizer here is the scalar
 * reference; anything faster must reproduce it bit for bit.
 */
import { WavegateError } from '../errors.js';
import type { Tensor, TensorDType } from './schema.js';
import { F16_MAX, f16BitsToNumber, numberToF16BitsUp } from './f16.js';

/** F16 tensors are held as their raw binary16 bit patterns (Node 20 has no Float16Array); see f16.ts. */
export type TypedArray = Float32Array | Int8Array | Int32Array | Uint16Array;

/** What the loader and writer need to know about one tensor element type. */
export interface DTypeTraits {
  /** safetensors spelling, as in the JSON header. */
  name: TensorDType;
  /** Bytes per element; also the alignment the writer gives the tensor's first byte. */
  bytes: number;
  /** Typed array constructor holding elements of this type (little-endian on every supported host). */
  ctor: Float32ArrayConstructor | Int8ArrayConstructor | Int32ArrayConstructor | Uint16ArrayConstructor;
}

export const DTYPES: Readonly<Record<TensorDType, DTypeTraits>> = Object.freeze({
  F32: { name: 'F32', bytes: 4, ctor: Float32Array },
  I8: { name: 'I8', bytes: 1, ctor: Int8Array },
  I32: { name: 'I32', bytes: 4, ctor: Int32Array },
  F16: { name: 'F16', bytes: 2, ctor: Uint16Array },
});

/** True when `name` is a dtype this runtime stores (own keys only: "toString" is not a dtype). */
export function isTensorDType(name: unknown): name is TensorDType {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, name);
}

/** Number of elements of a shape (1 for a scalar shape []). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Builds a tensor, checking that `data` matches dtype and shape (a writer-side guard). */
export function makeTensor(dtype: TensorDType, shape: number[], data: TypedArray): Tensor {
  const traits = DTYPES[dtype];
  if (!(data instanceof traits.ctor)) {
    throw new WavegateError('E_ARGUMENT', `tensor data is ${data.constructor.name}, expected ${traits.ctor.name} for dtype ${dtype}`);
  }
  if (elementCount(shape) !== data.length) {
    throw new WavegateError('E_ARGUMENT', `tensor shape [${shape.join(', ')}] has ${elementCount(shape)} elements but data has ${data.length}`);
  }
  return { dtype, shape: [...shape], data };
}

/** Largest magnitude of a symmetric int8 code; -128 is never produced so that q and -q both exist. */
export const S8_MAX = 127;

/** Round half away from zero (the kernel's rounding for every quantization). */
export function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** Per-row symmetric int8 weights: `real[r, k] = scales[r] * q[r, k]`. */
export interface QuantizedRowsS8 {
  /** Row-major int8 codes [rows, cols], each in [-127, 127]. */
  q: Int8Array;
  /** One scale per row, finite and >= 0, each exactly a binary16 value (widened to f32). */
  scales: Float32Array;
  /** The same scales as binary16 bit patterns: what an F16 scale tensor (format version 2) stores. */
  scaleBits: Uint16Array;
}

/**
 * Reference per-row symmetric int8 quantization of a row-major f32 matrix [rows, cols].
 *
 *   scale[r] = f16 rounded up (toward +Infinity) of max_k |w[r, k]| / 127
 *   q[r, k]  = clamp(roundHalfAway(w[r, k] / scale[r]), -127, 127)
 *
 * The quotient is rounded to f16 directly from the double (not via an f32 first): rounding
 * up from the exact quotient guarantees max|w| / scale <= 127, so the clamp never bites. The
 * code is computed from the f16 scale actually stored, so dequantizing reproduces what the
 * kernel multiplies. Rows with max|w| < 127 * 2^-14 (about 0.0078) get a subnormal f16 scale
 * (step 2^-24): their codes use less of [-127, 127], but the error per weight stays at most
 * half a scale, max|w| / 254 + 2^-25, which is tiny in absolute terms. An all-zero row gets scale 0 and codes 0
 * (dequantizes to exact zeros, and the kernel's `acc * 0` contributes nothing). Non-finite
 * input is refused (it has no int8 code), and so is a scale above the f16 maximum 65504
 * (|w| above 8.3e6: not a trained model). `what` names the tensor in messages.
 */
export function quantizeRowsS8(w: Float32Array, rows: number, cols: number, what = 'quantizeRowsS8'): QuantizedRowsS8 {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0 || rows * cols !== w.length) {
    throw new WavegateError('E_ARGUMENT', `${what}: [${rows}, ${cols}] does not match ${w.length} elements`);
  }
  const q = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  const scaleBits = new Uint16Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let maxAbs = 0;
    for (let k = 0; k < cols; k++) {
      const v = w[base + k];
      if (!Number.isFinite(v)) {
        throw new WavegateError('E_ARGUMENT', `${what}: element [${r}, ${k}] is ${v}; weights must be finite`);
      }
      const a = Math.abs(v);
      if (a > maxAbs) maxAbs = a;
    }
    const bits = numberToF16BitsUp(maxAbs / S8_MAX);
    const scale = f16BitsToNumber(bits);
    if (!(scale <= F16_MAX)) {
      throw new WavegateError('E_ARGUMENT', `${what}: row ${r} has max |w| = ${maxAbs}, so its scale ${maxAbs / S8_MAX} exceeds the f16 maximum ${F16_MAX} (weights that large are not a real model)`);
    }
    scales[r] = scale;
    scaleBits[r] = bits;
    if (scale === 0) continue; // all-zero row: codes stay 0
    for (let k = 0; k < cols; k++) {
      const c = roundHalfAway(w[base + k] / scale);
      q[base + k] = c > S8_MAX ? S8_MAX : c < -S8_MAX ? -S8_MAX : c;
    }
  }
  return { q, scales, scaleBits };
}

/** Inverse of {@link quantizeRowsS8}: `real[r, k] = fround(scales[r] * q[r, k])`. */
export function dequantizeRowsS8(q: Int8Array, scales: Float32Array, rows: number, cols: number): Float32Array {
  if (q.length !== rows * cols || scales.length !== rows) {
    throw new WavegateError('E_ARGUMENT', `dequantizeRowsS8: q has ${q.length} elements and ${scales.length} scales for [${rows}, ${cols}]`);
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const s = scales[r];
    for (let k = 0; k < cols; k++) out[r * cols + k] = s * q[r * cols + k];
  }
  return out;
}
