/**
 * NumPy .npy reader and writer (format versions 1.0, 2.0 and 3.0).
 *
 * Only what wavegate exchanges with PyTorch/NumPy is accepted: little-endian (or
 * byte-order-free) numeric dtypes in C order. Everything else is refused with an
 * E_FILE_FORMAT error that names the source and the problem, never guessed at: a Fortran-order
 * array read as C order would be silently transposed, a big-endian one silently garbage.
 *
 * Layout (numpy/lib/format.py): magic `\x93NUMPY`, major, minor, header length (u16 for v1,
 * u32 for v2/v3), an ASCII (v1/v2) or UTF-8 (v3) Python dict literal padded with spaces and a
 * final `\n` so that the data starts at a multiple of 64 bytes, then the raw data.
 */
import { WavegateError } from '../errors.js';

export type NpyDtype = 'float32' | 'float64' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8';

export type NpyData = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Uint8Array;

export interface NpyArray {
  dtype: NpyDtype;
  /** Dimensions, outermost first (C order). `[]` is a scalar holding one element. */
  shape: number[];
  data: NpyData;
}

interface DtypeInfo {
  dtype: NpyDtype;
  bytes: number;
  descr: string;
}

/** descr strings accepted on read; '|' and '<' are both fine for one-byte types. */
const DESCR_TO_INFO: Record<string, DtypeInfo> = {
  '<f4': { dtype: 'float32', bytes: 4, descr: '<f4' },
  '<f8': { dtype: 'float64', bytes: 8, descr: '<f8' },
  '|i1': { dtype: 'int8', bytes: 1, descr: '|i1' },
  '<i1': { dtype: 'int8', bytes: 1, descr: '|i1' },
  '<i2': { dtype: 'int16', bytes: 2, descr: '<i2' },
  '<i4': { dtype: 'int32', bytes: 4, descr: '<i4' },
  '<i8': { dtype: 'int64', bytes: 8, descr: '<i8' },
  '|u1': { dtype: 'uint8', bytes: 1, descr: '|u1' },
  '<u1': { dtype: 'uint8', bytes: 1, descr: '|u1' },
};

const DTYPE_TO_DESCR: Record<NpyDtype, string> = {
  float32: '<f4',
  float64: '<f8',
  int8: '|i1',
  int16: '<i2',
  int32: '<i4',
  int64: '<i8',
  uint8: '|u1',
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Largest element count accepted, so a hostile header cannot make us allocate gigabytes. */
const MAX_ELEMENTS = 2 ** 31 - 1;

function fail(source: string, problem: string): never {
  throw new WavegateError('E_FILE_FORMAT', `${source}: not a valid .npy file: ${problem}`);
}

/** Parses the header dict with a strict grammar instead of eval-like tricks. */
function parseHeader(text: string, source: string): { descr: string; fortran: boolean; shape: number[] } {
  const body = text.trim();
  // {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } in any key order.
  if (!body.startsWith('{') || !body.endsWith('}')) fail(source, `header is not a dict: ${JSON.stringify(body.slice(0, 80))}`);
  const descrM = /'descr'\s*:\s*'([^']*)'/.exec(body);
  const fortranM = /'fortran_order'\s*:\s*(True|False)/.exec(body);
  const shapeM = /'shape'\s*:\s*\(([^)]*)\)/.exec(body);
  if (!descrM) fail(source, "header lacks a string 'descr' (structured dtypes are not supported)");
  if (!fortranM) fail(source, "header lacks 'fortran_order'");
  if (!shapeM) fail(source, "header lacks a tuple 'shape'");
  const parts = shapeM[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const shape = parts.map((p) => {
    if (!/^\d+$/.test(p)) fail(source, `shape entry ${JSON.stringify(p)} is not a non-negative integer`);
    return Number(p);
  });
  return { descr: descrM[1], fortran: fortranM[1] === 'True', shape };
}

function elementCount(shape: readonly number[], source: string): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) fail(source, `bad dimension ${d} in shape [${shape.join(', ')}]`);
    n *= d;
    if (n > MAX_ELEMENTS) fail(source, `shape [${shape.join(', ')}] has more than ${MAX_ELEMENTS} elements`);
  }
  return n;
}

function makeView(dtype: NpyDtype, buf: ArrayBuffer, n: number): NpyData {
  switch (dtype) {
    case 'float32': return new Float32Array(buf, 0, n);
    case 'float64': return new Float64Array(buf, 0, n);
    case 'int8': return new Int8Array(buf, 0, n);
    case 'int16': return new Int16Array(buf, 0, n);
    case 'int32': return new Int32Array(buf, 0, n);
    case 'int64': return new BigInt64Array(buf, 0, n);
    case 'uint8': return new Uint8Array(buf, 0, n);
  }
}

/**
 * Decodes a .npy file. The returned typed array owns a fresh copy of the data (aligned, and
 * independent of `bytes`). Assumes a little-endian host, as every wavegate target is.
 * @param bytes  whole file contents
 * @param source name used in error messages (file path or npz entry name)
 */
export function readNpy(bytes: Uint8Array, source = '<npy>'): NpyArray {
  if (bytes.length < 10) fail(source, `file is ${bytes.length} bytes, shorter than the 10-byte preamble`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) fail(source, 'bad magic (expected \\x93NUMPY)');
  const major = bytes[6];
  const minor = bytes[7];
  if (minor !== 0 || major < 1 || major > 3) fail(source, `unsupported format version ${major}.${minor}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    headerStart = 10;
  } else {
    if (bytes.length < 12) fail(source, 'truncated preamble');
    headerLen = dv.getUint32(8, true);
    headerStart = 12;
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) fail(source, `header length ${headerLen} runs past the end of the ${bytes.length}-byte file`);
  const headerBytes = bytes.subarray(headerStart, dataStart);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const { descr, fortran, shape } = parseHeader(text, source);
  const info = DESCR_TO_INFO[descr];
  if (!info) {
    const why = descr.startsWith('>') ? 'big-endian data is not supported' : 'unsupported dtype';
    fail(source, `${why}: descr ${JSON.stringify(descr)} (supported: ${Object.keys(DESCR_TO_INFO).join(' ')})`);
  }
  const n = elementCount(shape, source);
  // A Fortran-ordered array with at most one non-unit dimension has the same bytes as C order.
  if (fortran && shape.filter((d) => d > 1).length > 1) fail(source, 'Fortran-order arrays are not supported; save with C order');
  const need = n * info.bytes;
  const have = bytes.length - dataStart;
  if (have < need) fail(source, `truncated: shape [${shape.join(', ')}] of ${info.dtype} needs ${need} data bytes, file has ${have}`);
  if (have > need) fail(source, `${have - need} trailing bytes after the data of shape [${shape.join(', ')}]`);
  const buf = new ArrayBuffer(need);
  new Uint8Array(buf).set(bytes.subarray(dataStart, dataStart + need));
  return { dtype: info.dtype, shape, data: makeView(info.dtype, buf, n) };
}

/** The dtype name of a typed array; E_ARGUMENT for array kinds .npy files here do not carry. */
export function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  throw new WavegateError('E_ARGUMENT', 'encodeNpy: unsupported typed array');
}

/**
 * Encodes a typed array as a version 1.0 .npy file (2.0 when the header would exceed 65535 bytes).
 * @param shape defaults to `[data.length]`; its product must equal `data.length`.
 */
export function encodeNpy(data: NpyData, shape: readonly number[] = [data.length]): Uint8Array {
  const dtype = dtypeOf(data);
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new WavegateError('E_ARGUMENT', `encodeNpy: bad dimension ${d}`);
    n *= d;
  }
  if (n !== data.length) {
    throw new WavegateError('E_ARGUMENT', `encodeNpy: shape [${shape.join(', ')}] holds ${n} elements, data has ${data.length}`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${DTYPE_TO_DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let major = 1;
  let pre = 10;
  // Pad so that preamble + header (ending in '\n') is a multiple of 64 bytes, as numpy does.
  let total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  if (total - pre > 0xffff) {
    major = 2;
    pre = 12;
    total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  }
  const headerLen = total - pre;
  const header = dict + ' '.repeat(headerLen - dict.length - 1) + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, headerLen, true);
  else dv.setUint32(8, headerLen, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}
