/**
 * Parses the safetensors framing of a .wgm file: the u64 length, the JSON header and the tensor
 * table. Only structure here (sizes, offsets, dtypes); what the tensors mean is validate.ts's job.
 * Every check runs before any allocation sized by the file, so a hostile length or shape cannot
 * make us allocate or read out of bounds.
 */
import { WavegateError } from '../errors.js';
import type { TensorDType } from './schema.js';
import { DTYPES, isTensorDType } from './formats.js';
import type { ModelLimits } from './limits.js';
import { METADATA_KEY, PREFIX_BYTES } from './layout.js';

export interface TableEntry {
  name: string;
  dtype: TensorDType;
  shape: number[];
  /** [begin, end) within the data section. */
  begin: number;
  end: number;
}

export interface ParsedHeader {
  /** `__metadata__` string map (may be empty). */
  metadata: Record<string, string>;
  /** Entries in file order of their offsets. */
  table: TableEntry[];
  /** Byte offset of the data section in the file. */
  dataStart: number;
}

function fail(source: string, problem: string, code: 'E_MODEL_FORMAT' | 'E_MODEL_UNSUPPORTED' = 'E_MODEL_FORMAT'): never {
  throw new WavegateError(code, `${source}: ${problem}`);
}

/** Reads and checks the header; `bytes` is the whole file. */
export function parseHeader(bytes: Uint8Array, source: string, limits: ModelLimits): ParsedHeader {
  if (bytes.length < PREFIX_BYTES) fail(source, `truncated: ${bytes.length} bytes, but a .wgm file starts with an 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  const room = bytes.length - PREFIX_BYTES;
  if (n > BigInt(limits.maxHeaderBytes)) fail(source, `header length ${n} exceeds the limit of ${limits.maxHeaderBytes} bytes (corrupt or not a .wgm file)`);
  if (n > BigInt(room)) fail(source, `truncated: header length ${n} but only ${room} bytes follow the length field`);
  const headerLen = Number(n);
  if (headerLen < 2) fail(source, `header length ${headerLen} is too small for a JSON object`);
  const headerBytes = bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLen);
  if (headerBytes[0] !== 0x7b) fail(source, `header does not start with "{" (not a safetensors/.wgm file)`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    fail(source, 'header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(source, `header is not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail(source, 'header JSON is not an object');
  const obj = json as Record<string, unknown>;
  const dataStart = PREFIX_BYTES + headerLen;
  const dataLen = bytes.length - dataStart;

  const metadata: Record<string, string> = {};
  const rawMeta = obj[METADATA_KEY];
  if (rawMeta !== undefined) {
    if (rawMeta === null || typeof rawMeta !== 'object' || Array.isArray(rawMeta)) fail(source, `header ${METADATA_KEY} is not an object`);
    for (const [k, v] of Object.entries(rawMeta)) {
      if (typeof v !== 'string') fail(source, `header ${METADATA_KEY}["${k}"] is not a string (safetensors metadata maps strings to strings)`);
      metadata[k] = v;
    }
  }

  const names = Object.keys(obj).filter((k) => k !== METADATA_KEY);
  if (names.length > limits.maxTensors) fail(source, `header lists ${names.length} tensors; the limit is ${limits.maxTensors}`);
  const table = names.map((name) => parseEntry(name, obj[name], dataLen, source));
  checkCoverage(table, dataLen, source);
  return { metadata, table, dataStart };
}

/** Shape text for messages; JSON.stringify never throws on parsed JSON (join would, on {"toString": 1}). */
function showShape(shape: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(shape);
  } catch {
    s = '(unprintable: nested too deep)'; // a hostile [[[[...]]]] would overflow the stack
  }
  return s.length > 80 ? `${s.slice(0, 80)}...` : s;
}

function parseEntry(name: string, raw: unknown, dataLen: number, source: string): TableEntry {
  const at = `tensor "${name.length > 80 ? name.slice(0, 80) + '...' : name}"`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(source, `${at}: table entry is not an object`);
  const e = raw as Record<string, unknown>;
  if (typeof e.dtype !== 'string') fail(source, `${at}: dtype is missing or not a string`);
  if (!isTensorDType(e.dtype)) fail(source, `${at}: dtype "${e.dtype.slice(0, 16)}" is not supported (F32, I32, F16, I8)`, 'E_MODEL_UNSUPPORTED');
  if (!Array.isArray(e.shape)) fail(source, `${at}: shape is not an array`);
  if (e.shape.length > 8) fail(source, `${at}: shape has ${e.shape.length} dimensions (at most 8)`);
  let elements = 1;
  for (const d of e.shape as unknown[]) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) fail(source, `${at}: shape ${showShape(e.shape)} must hold non-negative integers`);
    elements *= d;
    // The product only grows past dataLen for an impossible tensor; stop before it leaves the safe range.
    if (elements > dataLen) fail(source, `${at}: shape ${showShape(e.shape)} needs more bytes than the file's data section (${dataLen})`);
  }
  const off = e.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)) {
    fail(source, `${at}: data_offsets must be two non-negative integers [begin, end]`);
  }
  const [begin, end] = off as [number, number];
  if (end < begin) fail(source, `${at}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLen) fail(source, `${at}: data_offsets [${begin}, ${end}] run past the end of the data section (${dataLen} bytes; file truncated?)`);
  const want = elements * DTYPES[e.dtype].bytes;
  if (end - begin !== want) fail(source, `${at}: data_offsets span ${end - begin} bytes but ${e.dtype} [${(e.shape as number[]).join(', ')}] needs ${want}`);
  return { name, dtype: e.dtype, shape: e.shape as number[], begin, end };
}

/** Tensors must tile the data section exactly: no gap, no overlap, nothing after the last one. */
function checkCoverage(table: TableEntry[], dataLen: number, source: string): void {
  table.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const t of table) {
    if (t.begin < pos) fail(source, `tensor "${t.name}" at [${t.begin}, ${t.end}] overlaps the previous tensor (which ends at ${pos})`);
    if (t.begin > pos) fail(source, `gap of ${t.begin - pos} bytes before tensor "${t.name}" at ${t.begin}; tensors must be contiguous`);
    pos = t.end;
  }
  if (pos !== dataLen) fail(source, `${dataLen - pos} bytes after the last tensor; the data section must end with it`);
}
