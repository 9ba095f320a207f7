/**
 * Strict reader for MATLAB level-5 MAT files holding real numeric arrays (e.g. CWRU bearing data).
 *
 * Why our own: the one npm reader found (mat-for-js 1.1.0, a single release, pako dependency) is
 * not hardened against truncated or hostile files; this format subset fits in one small module
 * that validates every length before reading.
 *
 * Layout: a 128-byte header (116 bytes text, 8 bytes subsystem offset, u16 version 0x0100, the
 * endian indicator "IM" for little-endian), then data elements. Each element has an 8-byte tag
 * (u32 type, u32 byte count) and data padded to 8 bytes, or the "small data element" form where
 * the byte count sits in the tag's upper 16 bits and up to 4 data bytes follow in the same 8.
 * A miMATRIX element holds sub-elements: array flags (class, complex bit), dimensions, name,
 * real part. miCOMPRESSED holds a zlib stream of further elements (MATLAB 7 `-v7` files).
 * Supported: numeric classes (double, single, int8..uint64), real, any stored element type.
 * Refused with a named error: big-endian files, complex, sparse, cell, struct, object, char,
 * logical arrays are read as numeric. Data are returned in MATLAB's column-major order.
 */
import { unzlibSync } from 'fflate';
import { WavegateError } from '../errors.js';
import { assertKnownOptions } from '../options-check.js';

export interface MatArray {
  name: string;
  /** MATLAB class name, e.g. `double`, `uint16`. */
  className: string;
  /** Dimensions as MATLAB reports them, e.g. [121265, 1] for a column vector. */
  dims: number[];
  /** Values converted to float64, column-major. */
  data: Float64Array;
}

export interface ReadMatOptions {
  /** Skip variables of unsupported classes (cell, struct, char, sparse, complex) instead of failing. Default false. */
  skipUnsupported?: boolean;
}

const MI = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, INT64: 12, UINT64: 13, MATRIX: 14, COMPRESSED: 15 } as const;

const ELEMENT_BYTES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8 };

const CLASS_NAMES: Record<number, string> = {
  1: 'cell', 2: 'struct', 3: 'object', 4: 'char', 5: 'sparse', 6: 'double', 7: 'single', 8: 'int8', 9: 'uint8',
  10: 'int16', 11: 'uint16', 12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64',
};
const NUMERIC_CLASSES = new Set([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);

/** Largest element count accepted per array, so a hostile header cannot make us allocate gigabytes. */
const MAX_ELEMENTS = 2 ** 28;

class Unsupported extends Error {}

interface Tag {
  type: number;
  nbytes: number;
  /** Offset of the data. */
  data: number;
  /** Offset of the next element. */
  next: number;
}

function fail(source: string, offset: number, problem: string): never {
  throw new WavegateError('E_FILE_FORMAT', `${source}: byte ${offset}: ${problem}`);
}

function readTag(dv: DataView, pos: number, end: number, source: string): Tag {
  if (pos + 8 > end) fail(source, pos, `truncated element tag (${end - pos} bytes left)`);
  const first = dv.getUint32(pos, true);
  if (first >>> 16 !== 0) {
    const nbytes = first >>> 16;
    if (nbytes > 4) fail(source, pos, `small data element claims ${nbytes} bytes (max 4)`);
    return { type: first & 0xffff, nbytes, data: pos + 4, next: pos + 8 };
  }
  const nbytes = dv.getUint32(pos + 4, true);
  const data = pos + 8;
  if (data + nbytes > end) fail(source, pos, `element of type ${first} claims ${nbytes} bytes, only ${end - data} remain (truncated file?)`);
  // Compressed elements are not padded; every other element is padded to 8 bytes.
  const next = first === MI.COMPRESSED ? data + nbytes : Math.min(end, data + Math.ceil(nbytes / 8) * 8);
  return { type: first, nbytes, data, next };
}

function readNumbers(dv: DataView, tag: Tag, count: number, source: string, what: string): Float64Array {
  const size = ELEMENT_BYTES[tag.type];
  if (!size) fail(source, tag.data - 8, `${what}: element type ${tag.type} is not numeric`);
  if (tag.nbytes !== count * size) fail(source, tag.data - 8, `${what}: ${tag.nbytes} bytes for ${count} values of ${size} bytes`);
  const out = new Float64Array(count);
  const p = tag.data;
  switch (tag.type) {
    case MI.INT8: for (let i = 0; i < count; i++) out[i] = dv.getInt8(p + i); break;
    case MI.UINT8: for (let i = 0; i < count; i++) out[i] = dv.getUint8(p + i); break;
    case MI.INT16: for (let i = 0; i < count; i++) out[i] = dv.getInt16(p + 2 * i, true); break;
    case MI.UINT16: for (let i = 0; i < count; i++) out[i] = dv.getUint16(p + 2 * i, true); break;
    case MI.INT32: for (let i = 0; i < count; i++) out[i] = dv.getInt32(p + 4 * i, true); break;
    case MI.UINT32: for (let i = 0; i < count; i++) out[i] = dv.getUint32(p + 4 * i, true); break;
    case MI.SINGLE: for (let i = 0; i < count; i++) out[i] = dv.getFloat32(p + 4 * i, true); break;
    case MI.DOUBLE: for (let i = 0; i < count; i++) out[i] = dv.getFloat64(p + 8 * i, true); break;
    case MI.INT64: for (let i = 0; i < count; i++) out[i] = Number(dv.getBigInt64(p + 8 * i, true)); break;
    case MI.UINT64: for (let i = 0; i < count; i++) out[i] = Number(dv.getBigUint64(p + 8 * i, true)); break;
  }
  return out;
}

function readMatrix(dv: DataView, start: number, end: number, source: string): MatArray {
  const flagsTag = readTag(dv, start, end, source);
  if (flagsTag.type !== MI.UINT32 || flagsTag.nbytes !== 8) fail(source, start, 'miMATRIX does not start with an 8-byte array-flags element');
  const flags = dv.getUint32(flagsTag.data, true);
  const classId = flags & 0xff;
  const complex = (flags & 0x0800) !== 0;
  const dimsTag = readTag(dv, flagsTag.next, end, source);
  if (dimsTag.type !== MI.INT32 || dimsTag.nbytes % 4 !== 0 || dimsTag.nbytes < 8) fail(source, flagsTag.next, 'miMATRIX dimensions element is not an int32 array of 2+ values');
  const dims: number[] = [];
  for (let i = 0; i < dimsTag.nbytes / 4; i++) {
    const d = dv.getInt32(dimsTag.data + 4 * i, true);
    if (d < 0) fail(source, dimsTag.data, `negative dimension ${d}`);
    dims.push(d);
  }
  const nameTag = readTag(dv, dimsTag.next, end, source);
  if (nameTag.type !== MI.INT8 && nameTag.type !== MI.UINT8) fail(source, dimsTag.next, 'miMATRIX name element is not int8 text');
  const name = new TextDecoder('latin1').decode(new Uint8Array(dv.buffer, dv.byteOffset + nameTag.data, nameTag.nbytes));
  const className = CLASS_NAMES[classId] ?? `class ${classId}`;
  if (!NUMERIC_CLASSES.has(classId)) throw new Unsupported(`variable ${JSON.stringify(name)}: ${className} arrays are not supported`);
  if (complex) throw new Unsupported(`variable ${JSON.stringify(name)}: complex arrays are not supported`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > MAX_ELEMENTS) fail(source, dimsTag.data, `variable ${JSON.stringify(name)} has ${count} elements (limit ${MAX_ELEMENTS})`);
  const realTag = readTag(dv, nameTag.next, end, source);
  if (realTag.next > end) fail(source, nameTag.next, `variable ${JSON.stringify(name)}: real part runs past its miMATRIX element`);
  const data = readNumbers(dv, realTag, count, source, `variable ${JSON.stringify(name)}`);
  return { name, className, dims, data };
}

function readElements(bytes: Uint8Array, start: number, source: string, options: ReadMatOptions, out: Map<string, MatArray>): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = start;
  while (pos < bytes.length) {
    const tag = readTag(dv, pos, bytes.length, source);
    if (tag.type === MI.MATRIX) {
      if (tag.nbytes === 0) { pos = tag.next; continue; } // empty placeholder MATLAB writes for []
      try {
        const arr = readMatrix(dv, tag.data, tag.data + tag.nbytes, source);
        if (out.has(arr.name)) fail(source, pos, `variable ${JSON.stringify(arr.name)} appears twice`);
        out.set(arr.name, arr);
      } catch (e) {
        if (!(e instanceof Unsupported)) throw e;
        if (!options.skipUnsupported) fail(source, pos, e.message);
      }
    } else if (tag.type === MI.COMPRESSED) {
      let inflated: Uint8Array;
      try {
        inflated = unzlibSync(bytes.subarray(tag.data, tag.data + tag.nbytes));
      } catch (e) {
        fail(source, pos, `miCOMPRESSED element does not inflate: ${(e as Error).message}`);
      }
      readElements(inflated, 0, `${source} (compressed element at byte ${pos})`, options, out);
    } else {
      fail(source, pos, `top-level element of type ${tag.type} (expected miMATRIX 14 or miCOMPRESSED 15)`);
    }
    pos = tag.next;
  }
}

/**
 * Parses a level-5 MAT file into its numeric variables by name.
 * @param source file name for error messages
 */
export function readMat5(bytes: Uint8Array, source = '<mat>', options: ReadMatOptions = {}): Map<string, MatArray> {
  assertKnownOptions(options, ['skipUnsupported'], 'readMat5()');
  if (bytes.length < 128) fail(source, 0, `file is ${bytes.length} bytes, shorter than the 128-byte MAT header`);
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, 116));
  if (!text.startsWith('MATLAB 5.0 MAT-file')) {
    const why = text.startsWith('MATLAB 7.3') || text.includes('HDF') ? ' (MATLAB 7.3 files are HDF5; save with -v7)' : '';
    fail(source, 0, `not a level-5 MAT file${why}`);
  }
  const endian = String.fromCharCode(bytes[126], bytes[127]);
  if (endian === 'MI') fail(source, 126, 'big-endian MAT files are not supported');
  if (endian !== 'IM') fail(source, 126, `bad endian indicator ${JSON.stringify(endian)}`);
  const version = bytes[124] | (bytes[125] << 8);
  if (version !== 0x0100) fail(source, 124, `unsupported MAT version 0x${version.toString(16)}`);
  const out = new Map<string, MatArray>();
  readElements(bytes, 128, source, options, out);
  return out;
}

/** The named variable, or an E_FILE_FORMAT error listing the variables the file has. */
export function requireMatVariable(vars: Map<string, MatArray>, name: string, source = '<mat>'): MatArray {
  const v = vars.get(name);
  if (!v) throw new WavegateError('E_FILE_FORMAT', `${source}: no variable ${JSON.stringify(name)} (has ${[...vars.keys()].join(', ') || 'none'})`);
  return v;
}
