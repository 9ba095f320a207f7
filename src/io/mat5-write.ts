/**
 * MATLAB level-5 MAT writer for what the reader (src/io/mat5.ts) takes: real double arrays,
 * uncompressed. Used to make synthetic CWRU-like recordings (the pipeline's --synthetic run,
 * tests) that MATLAB, scipy.io.loadmat and wavegate read alike.
 *
 * Layout: a 128-byte header (text, subsystem offset 0, version 0x0100, "IM" = little-endian), then
 * one miMATRIX element per variable: array flags (class mxDOUBLE_CLASS 6), dimensions (int32),
 * name (int8), real part (miDOUBLE), each sub-element padded to 8 bytes.
 */
import { WavegateError } from '../errors.js';

export interface MatVariableToWrite {
  name: string;
  /** Values in MATLAB's column-major order. */
  data: ArrayLike<number>;
  /** Dimensions; default a column vector [data.length, 1]. */
  dims?: number[];
}

const MI_INT8 = 1, MI_INT32 = 5, MI_UINT32 = 6, MI_DOUBLE = 9, MI_MATRIX = 14;
const MX_DOUBLE_CLASS = 6;

/** One data element: its tag (type, byte count) and the data padded to 8 bytes. Exported for tests that build files of other classes or malformed ones. */
export function element(type: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + Math.ceil(data.length / 8) * 8);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, data.length, true);
  out.set(data, 8);
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/** Encodes the variables as one MAT file (level 5, little-endian, uncompressed doubles). */
export function encodeMat5(vars: readonly MatVariableToWrite[], description = 'wavegate'): Uint8Array {
  const header = new Uint8Array(128).fill(0x20);
  header.set(new TextEncoder().encode(`MATLAB 5.0 MAT-file, ${description}`.slice(0, 116)), 0);
  header.fill(0, 116, 124);
  header.set([0x00, 0x01, 0x49, 0x4d], 124);
  const parts: Uint8Array[] = [header];
  for (const v of vars) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(v.name)) throw new WavegateError('E_ARGUMENT', `encodeMat5: ${JSON.stringify(v.name)} is not a MATLAB variable name`);
    const dims = v.dims ?? [v.data.length, 1];
    if (dims.reduce((a, b) => a * b, 1) !== v.data.length) throw new WavegateError('E_ARGUMENT', `encodeMat5: ${v.name}: dimensions ${dims.join('x')} do not hold ${v.data.length} values`);
    const flags = new Uint8Array(8);
    new DataView(flags.buffer).setUint32(0, MX_DOUBLE_CLASS, true);
    const d = new Uint8Array(4 * dims.length);
    dims.forEach((n, i) => new DataView(d.buffer).setInt32(4 * i, n, true));
    const real = new Uint8Array(Float64Array.from(v.data).buffer);
    parts.push(element(MI_MATRIX, concat([element(MI_UINT32, flags), element(MI_INT32, d), element(MI_INT8, new TextEncoder().encode(v.name)), element(MI_DOUBLE, real)])));
  }
  return concat(parts);
}
