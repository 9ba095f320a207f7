/**
 * Sample files for offline scoring: windows of multichannel samples as `[N, T, C]` float32.
 *
 * Formats (chosen by file suffix, or `options.format`):
 * - `.npy`: float32 (or float64, converted) `[N, T, C]`, or `[N, T]` meaning C = 1.
 * - `.npz`: the array `x` of a wavegate dataset file (same shapes as .npy).
 * - `.csv`: one row per time step, one column per channel. Windows are separated by a blank line,
 *   or, when the header names a `window` column, by a change of that column's value. The first
 *   row is a header when any of its cells is not a number. Lines starting with `#` are comments.
 * - `.jsonl` / `.ndjson`: one window per line: `[[c0, c1, ...], ...]` (T rows of C values),
 *   `[x0, x1, ...]` (C = 1), or an object `{"window": <either form>}`.
 * Every window must have the same T and C. NaN and infinite values are rejected with the
 * line/index that holds them: a model fed a NaN returns NaN scores, a silent wrong answer.
 */
import { WavegateError } from '../errors.js';
import { readNpy, type NpyArray } from './npy.js';
import { readNpz } from './npz.js';
import { nodeFs } from './node-fs.js';
import { assertKnownOptions } from '../options-check.js';

export interface SampleWindows {
  /** Row-major `[n, t, c]` samples. */
  data: Float32Array;
  /** Number of windows. */
  n: number;
  /** Time steps per window. */
  t: number;
  /** Channels per time step. */
  c: number;
}

export type SampleFormat = 'npy' | 'npz' | 'csv' | 'jsonl';

export interface ReadSamplesOptions {
  /** Format; default: from the file suffix (.npy .npz .csv .jsonl .ndjson). */
  format?: SampleFormat;
}

function fail(source: string, problem: string): never {
  throw new WavegateError('E_FILE_FORMAT', `${source}: ${problem}`);
}

/** Infers the format from a file name, or throws E_ARGUMENT naming the suffix. */
export function sampleFormatOf(path: string): SampleFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.npy')) return 'npy';
  if (lower.endsWith('.npz')) return 'npz';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  throw new WavegateError('E_ARGUMENT', `${path}: unknown sample file type (expected .npy, .npz, .csv, .jsonl or .ndjson)`);
}

/** Reads a sample file from disk. */
export function readSamplesFile(path: string, options: ReadSamplesOptions = {}): SampleWindows {
  assertKnownOptions(options, ['format'], 'readSamplesFile()');
  const format = options.format ?? sampleFormatOf(path);
  let bytes: Buffer;
  try {
    bytes = nodeFs('readSamplesFile()').readFileSync(path);
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `${path}: cannot read sample file: ${(e as Error).message}`, { cause: e });
  }
  return readSamples(bytes, format, path);
}

/** Decodes sample file contents in the given format. */
export function readSamples(bytes: Uint8Array, format: SampleFormat, source = `<${format}>`): SampleWindows {
  switch (format) {
    case 'npy':
      return fromArray(readNpy(bytes, source), source);
    case 'npz': {
      const x = readNpz(bytes, source).get('x');
      if (!x) fail(source, 'no array "x" in the .npz');
      return fromArray(x, `${source}:x.npy`);
    }
    case 'csv':
      return parseCsvSamples(new TextDecoder().decode(bytes), source);
    case 'jsonl':
      return parseJsonlSamples(new TextDecoder().decode(bytes), source);
  }
}

/** Converts an `[N, T, C]` or `[N, T]` float array, rejecting non-finite values by index. */
export function fromArray(a: NpyArray, source: string): SampleWindows {
  if (a.dtype !== 'float32' && a.dtype !== 'float64') fail(source, `samples must be float32 or float64, got ${a.dtype}`);
  if (a.shape.length !== 2 && a.shape.length !== 3) fail(source, `samples must have shape [N, T, C] or [N, T], got [${a.shape.join(', ')}]`);
  const [n, t] = a.shape;
  const c = a.shape.length === 3 ? a.shape[2] : 1;
  if (n === 0 || t === 0 || c === 0) fail(source, `empty sample array of shape [${a.shape.join(', ')}]`);
  const data = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data as Float64Array);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const w = Math.floor(i / (t * c));
      const s = Math.floor(i / c) % t;
      fail(source, `non-finite sample ${data[i]} at [${w}, ${s}, ${i % c}]`);
    }
  }
  return { data, n, t, c };
}

/** Parses one numeric CSV cell; null for a cell that is not a number. */
function parseNumber(cell: string): number | null {
  const s = cell.trim();
  if (s === '') return null;
  const lower = s.toLowerCase();
  // Number('') is 0 and Number('0x10') is 16: accept only decimal floats and nan/inf spellings.
  if (/^[+-]?(nan|inf|infinity)$/.test(lower)) return lower.includes('nan') ? NaN : lower.startsWith('-') ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  return Number(s);
}

/** Collects windows of rows and checks that they all have the same T and C. */
class WindowCollector {
  private readonly windows: number[][][] = [];
  private current: number[][] = [];
  constructor(private readonly source: string) {}
  row(values: number[], where: string): void {
    for (let j = 0; j < values.length; j++) {
      if (!Number.isFinite(values[j])) fail(this.source, `non-finite sample ${values[j]} at ${where}, column ${j + 1}`);
    }
    this.current.push(values);
  }
  end(): void {
    if (this.current.length > 0) this.windows.push(this.current);
    this.current = [];
  }
  finish(): SampleWindows {
    this.end();
    if (this.windows.length === 0) fail(this.source, 'no samples');
    const t = this.windows[0].length;
    const c = this.windows[0][0].length;
    if (c === 0) fail(this.source, 'rows have no channels');
    const data = new Float32Array(this.windows.length * t * c);
    this.windows.forEach((w, i) => {
      if (w.length !== t) fail(this.source, `window ${i} has ${w.length} time steps, window 0 has ${t}`);
      w.forEach((r, s) => {
        if (r.length !== c) fail(this.source, `window ${i} step ${s} has ${r.length} channels, expected ${c}`);
        data.set(r, (i * t + s) * c);
      });
    });
    return { data, n: this.windows.length, t, c };
  }
}

/** CSV layout as documented at the top of this file. */
export function parseCsvSamples(text: string, source = '<csv>'): SampleWindows {
  const lines = text.split(/\r?\n/);
  const out = new WindowCollector(source);
  let windowCol = -1;
  let lastWindowId: string | undefined;
  let width = -1;
  let sawData = false;
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li];
    const where = `line ${li + 1}`;
    if (line.trim().startsWith('#')) continue;
    if (line.trim() === '') {
      out.end();
      continue;
    }
    const cells = line.split(',');
    const nums = cells.map(parseNumber);
    if (!sawData && width < 0 && nums.some((v) => v === null)) {
      // Header row: remember the column layout and where the window id lives.
      width = cells.length;
      windowCol = cells.findIndex((h) => h.trim().toLowerCase() === 'window');
      continue;
    }
    if (width >= 0 && cells.length !== width) fail(source, `${where} has ${cells.length} columns, expected ${width}`);
    width = cells.length;
    const bad = nums.findIndex((v, j) => v === null && j !== windowCol);
    if (bad >= 0) fail(source, `${where}, column ${bad + 1}: ${JSON.stringify(cells[bad].trim())} is not a number`);
    if (windowCol >= 0) {
      const id = cells[windowCol].trim();
      if (lastWindowId !== undefined && id !== lastWindowId) out.end();
      lastWindowId = id;
    }
    out.row(nums.filter((_, j) => j !== windowCol) as number[], where);
    sawData = true;
  }
  return out.finish();
}

function jsonWindow(value: unknown, source: string, where: string): number[][] {
  const w = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as { window?: unknown }).window : value;
  if (!Array.isArray(w) || w.length === 0) fail(source, `${where}: expected a non-empty array or {"window": [...]}`);
  return w.map((step, s) => {
    const row = Array.isArray(step) ? step : [step];
    return row.map((v, j) => {
      // JSON cannot spell NaN/Infinity, but null (what JSON.stringify(NaN) gives) and strings can sneak in.
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(source, `${where}, step ${s}, channel ${j}: ${JSON.stringify(v)} is not a finite number`);
      return v;
    });
  });
}

/** JSON lines layout as documented at the top of this file. */
export function parseJsonlSamples(text: string, source = '<jsonl>'): SampleWindows {
  const out = new WindowCollector(source);
  const lines = text.split(/\r?\n/);
  for (let li = 0; li < lines.length; li++) {
    if (lines[li].trim() === '') continue;
    const where = `line ${li + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(lines[li]);
    } catch (e) {
      fail(source, `${where}: invalid JSON: ${(e as Error).message}`);
    }
    for (const row of jsonWindow(value, source, where)) out.row(row, where);
    out.end();
  }
  return out.finish();
}
