/**
 * Input checks and the [B, T, C] -> time-major [T, B, C] copy into the kernel's input buffer.
 * Every sample of a call is checked for NaN/Inf before the first kernel call of that call (so a
 * bad sample in the last tile cannot leave earlier tiles' streams advanced); the error names the
 * stream (or window), the time step and the channel. Nothing reaches the kernel unchecked.
 */
import { WavegateError } from '../errors.js';

/**
 * Copies `B` sequences of steps [t0, t0+T) into dst (time-major, `B` rows per step, `C` floats per
 * row). `seq(b)` gives sequence b's samples [*, C]. The samples were checked by checkFinite.
 */
export function copyTimeMajor(
  dst: Float32Array,
  dstBase: number,
  B: number,
  T: number,
  C: number,
  t0: number,
  seq: (b: number) => { data: Float32Array; offset: number },
): void {
  for (let b = 0; b < B; b++) {
    const { data, offset } = seq(b);
    let s = offset + t0 * C;
    for (let t = 0; t < T; t++) {
      let d = dstBase + (t * B + b) * C;
      for (let c = 0; c < C; c++, s++, d++) {
        dst[d] = data[s];
      }
    }
  }
}

/** Throws E_INPUT naming sequence `label`, step and channel of the first non-finite sample in data[offset, offset + T*C). */
export function checkFinite(data: Float32Array, offset: number, T: number, C: number, label: string): void {
  const end = offset + T * C;
  for (let i = offset; i < end; i++) {
    const v = data[i];
    // v - v is NaN exactly for NaN and ±Inf: one compare per sample.
    if (v - v !== 0) {
      const k = i - offset;
      throw new WavegateError('E_INPUT', `${label}: sample at step ${Math.floor(k / C)}, channel ${k % C} is ${v}; inputs must be finite`);
    }
  }
}

/** Checks a typed array argument. */
export function requireFloat32(v: unknown, what: string): Float32Array {
  if (!(v instanceof Float32Array)) {
    throw new WavegateError('E_INPUT', `${what}: expected a Float32Array, got ${v === null ? 'null' : Array.isArray(v) ? 'an Array' : typeof v === 'object' ? (v as object).constructor?.name : typeof v}`);
  }
  return v;
}

/** Checks a count-like argument. */
export function requireCount(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new WavegateError('E_INPUT', `${what}: expected an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/** What the model says about its side features, for checkSideFeatures' messages. */
export interface SideFeatureSpec {
  /** Values per vector (0: the model takes none). */
  count: number;
  /** Feature names in vector order (input.features.names). */
  names: readonly string[];
}

/**
 * Checks the side features of a call: required exactly when the model has them, a Float32Array
 * of `vectors * count` values, every value finite. `what` names the call, `unit` one vector's
 * owner ("window", "stream"), `label(i)` the owner of vector i in messages. Returns the array
 * (undefined when the model takes none).
 */
export function checkSideFeatures(
  features: unknown,
  spec: SideFeatureSpec,
  vectors: number,
  what: string,
  unit: string,
  label: (i: number) => string,
): Float32Array | undefined {
  const F = spec.count;
  if (F === 0) {
    if (features !== undefined) throw new WavegateError('E_INPUT', `${what}: the model takes no side features (its metadata has no input.features); drop the features option`);
    return undefined;
  }
  if (features === undefined) {
    throw new WavegateError('E_INPUT', `${what}: the model takes ${F} side features per ${unit} (input.features: ${spec.names.join(', ')}); pass { features } as a Float32Array [${vectors}, ${F}]`);
  }
  const data = requireFloat32(features, `${what}: features`);
  if (data.length !== vectors * F) {
    throw new WavegateError('E_INPUT', `${what}: features has ${data.length} values, expected ${vectors} ${unit}s * ${F} features = ${vectors * F} (input.features: ${spec.names.join(', ')})`);
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0) {
      const j = i % F;
      throw new WavegateError('E_INPUT', `${what}: features of ${label(Math.floor(i / F))}, feature ${j} (${spec.names[j]}) is ${v}; features must be finite`);
    }
  }
  return data;
}

/** Rejects option keys a call does not know (a misspelt option must not be silently ignored). */
export function checkOptionKeys(opts: object, known: readonly string[], what: string): void {
  const unknown = Object.keys(opts).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new WavegateError('E_ARGUMENT', `${what}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; known options: ${known.join(', ')}`);
  }
}
