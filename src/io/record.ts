/**
 * Raw recordings for offline scoring (`wavegate score --record`): continuous samples of named
 * channels at one sample rate, before any preprocessing. One reader per format, chosen by the path:
 *
 * - WFDB: the record path without extension (`…/mitdb/100`, beside `100.hea` and its `.dat`), or
 *   the `.hea` path. Channels are the header's signal descriptions (`MLII`, `V5`), samples in
 *   physical units (`units` from the header, mV by default).
 * - CWRU `.mat` (MATLAB level 5): the `X<no>_<DE|FE|BA>_time` variables, channels `DE`, `FE`, `BA`;
 *   the rate (12 or 48 kHz) comes from the CWRU file name (src/labels/cwru.ts), units g.
 * - CSV (`.csv`): a header row naming the channels, then one row per sample. A column named `time`
 *   (seconds) gives the rate (its steps must be uniform); without one, pass `sampleRate`. Lines
 *   starting with `#` are comments.
 *
 * Channels are always looked up by name (record 114 of MIT-BIH has V5 first). NaN or infinite
 * samples are refused naming the channel and sample, since a filter fed one NaN is poisoned forever.
 */
import { WavegateError } from '../errors.js';
import { cwruFileInfo } from '../labels/cwru.js';
import { readMat5 } from './mat5.js';
import { baseName, nodeFs } from './node-fs.js';
import { readWfdbRecord } from './wfdb-record.js';
import { toPhysical } from './wfdb-signal.js';
import { assertKnownOptions } from '../options-check.js';

export interface RawChannel {
  /** Channel (lead, sensor) name, e.g. `MLII` or `DE`. */
  name: string;
  /** Physical unit when the file states one, e.g. `mV`. */
  units?: string;
  /** Samples in physical units. */
  samples: Float32Array;
}

export interface RawRecord {
  /** Record name: the file's base name without extension, e.g. `100`. */
  name: string;
  /** The path it was read from, for messages. */
  source: string;
  format: RecordFormat;
  /** Sample rate in Hz, the same for every channel. */
  sampleRate: number;
  /** Samples per channel. */
  length: number;
  channels: RawChannel[];
}

export type RecordFormat = 'wfdb' | 'mat' | 'csv';

export interface ReadRecordOptions {
  /** Sample rate in Hz for formats that do not carry one (CSV without a `time` column). It must agree with the file's own rate when the file has one. */
  sampleRate?: number;
  /** Format; default from the path (`.mat`, `.csv`, else WFDB). */
  format?: RecordFormat;
}

const READ_RECORD_OPTIONS = ['sampleRate', 'format'] as const;

function fail(source: string, problem: string): never {
  throw new WavegateError('E_FILE_FORMAT', `${source}: ${problem}`);
}

/** The format a path names: `.mat`, `.csv`, else a WFDB record (with or without `.hea`/`.dat`). */
export function recordFormatOf(path: string): RecordFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.mat')) return 'mat';
  if (lower.endsWith('.csv')) return 'csv';
  return 'wfdb';
}

/** Reads a raw recording; see the top of this file for the formats. */
export function readRecord(path: string, options: ReadRecordOptions = {}): RawRecord {
  assertKnownOptions(options, READ_RECORD_OPTIONS, 'readRecord()');
  if (options.sampleRate !== undefined && !(Number.isFinite(options.sampleRate) && options.sampleRate > 0)) {
    throw new WavegateError('E_ARGUMENT', `readRecord(): sampleRate must be a positive number of Hz, got ${String(options.sampleRate)}`);
  }
  const format = options.format ?? recordFormatOf(path);
  let record: RawRecord;
  if (format === 'wfdb') record = readWfdb(path);
  else if (format === 'mat') record = readCwruMat(path);
  else if (format === 'csv') record = readCsvRecord(path, options.sampleRate);
  else throw new WavegateError('E_ARGUMENT', `readRecord(): format must be "wfdb", "mat" or "csv", got ${JSON.stringify(format)}`);
  if (options.sampleRate !== undefined && Math.abs(options.sampleRate - record.sampleRate) > 1e-9 * record.sampleRate) {
    throw new WavegateError('E_INPUT', `${path}: the file says ${record.sampleRate} Hz, the sample rate given is ${options.sampleRate} Hz`);
  }
  for (const ch of record.channels) {
    for (let i = 0; i < ch.samples.length; i++) {
      const v = ch.samples[i];
      if (v - v !== 0) throw new WavegateError('E_INPUT', `${path}: channel ${ch.name} sample ${i} is ${v} (samples must be finite numbers)`);
    }
  }
  return record;
}

/**
 * The named channels of `record` as interleaved frames `[length, names.length]`, in the order of
 * `names`. E_INPUT naming the record, the channel and the channels it has, when one is missing.
 */
export function recordFrames(record: RawRecord, names: readonly string[]): Float32Array {
  const picked = names.map((name) => {
    const ch = record.channels.find((c) => c.name === name);
    if (!ch) throw new WavegateError('E_INPUT', `${record.source}: no channel ${JSON.stringify(name)} (the record has ${record.channels.map((c) => c.name).join(', ') || 'none'})`);
    return ch.samples;
  });
  const c = picked.length;
  const out = new Float32Array(record.length * c);
  picked.forEach((s, k) => {
    for (let i = 0; i < record.length; i++) out[i * c + k] = s[i];
  });
  return out;
}

function readFile(path: string, what: string): Buffer {
  try {
    return nodeFs('readRecord()').readFileSync(path);
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `${path}: cannot read ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
}

function readWfdb(path: string): RawRecord {
  const recordPath = path.replace(/\.(hea|dat)$/i, '');
  if (!nodeFs('readRecord()').existsSync(`${recordPath}.hea`)) {
    throw new WavegateError('E_NOT_FOUND', `${path}: no WFDB header ${recordPath}.hea (a record is named without extension, e.g. mitdb/100; CSV and CWRU .mat files by their suffix)`);
  }
  const rec = readWfdbRecord(recordPath);
  return {
    name: rec.name,
    source: recordPath,
    format: 'wfdb',
    sampleRate: rec.header.fs,
    length: rec.nSamples,
    channels: rec.header.signals.map((spec, i) => ({ name: spec.description, units: spec.units, samples: toPhysical(rec.adc[i], spec) })),
  };
}

const CWRU_VARIABLE = /^(X\d+)_(DE|FE|BA)_time$/;

function readCwruMat(path: string): RawRecord {
  const name = baseName(path);
  let info: ReturnType<typeof cwruFileInfo>;
  try {
    info = cwruFileInfo(name);
  } catch (e) {
    throw new WavegateError('E_INPUT', `${path}: the sample rate of a .mat record comes from its CWRU file name: ${(e as Error).message}`, { cause: e });
  }
  const vars = readMat5(readFile(path, 'MAT file'), path, { skipUnsupported: true });
  const channels: RawChannel[] = [];
  for (const [varName, v] of vars) {
    const m = CWRU_VARIABLE.exec(varName);
    // Some CWRU files also hold another recording's variables: only this file's prefix counts.
    if (!m || m[1] !== info.varPrefix) continue;
    if (v.dims.filter((d) => d > 1).length > 1) fail(path, `variable ${varName} has dims [${v.dims.join(', ')}]; expected a vector`);
    channels.push({ name: m[2], units: 'g', samples: Float32Array.from(v.data) });
  }
  if (channels.length === 0) fail(path, `no ${info.varPrefix}_<DE|FE|BA>_time variable (has ${[...vars.keys()].join(', ') || 'none'})`);
  const length = channels[0].samples.length;
  for (const ch of channels) {
    if (ch.samples.length !== length) fail(path, `channel ${ch.name} has ${ch.samples.length} samples, ${channels[0].name} has ${length}`);
  }
  return { name: name.replace(/\.mat$/i, ''), source: path, format: 'mat', sampleRate: info.fs, length, channels };
}

/** Cells that JavaScript's Number() would take but a data file should not (hex, blanks). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function readCsvRecord(path: string, sampleRate: number | undefined): RawRecord {
  const lines = readFile(path, 'CSV record').toString('utf8').split(/\r?\n/);
  let header: string[] | undefined;
  const columns: number[][] = [];
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li].trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(',').map((c) => c.trim());
    if (!header) {
      if (cells.every((c) => DECIMAL.test(c))) fail(path, `line ${li + 1}: the first row must name the channels (e.g. "time,MLII")`);
      if (new Set(cells).size !== cells.length || cells.some((c) => c === '')) fail(path, `line ${li + 1}: channel names must be unique and non-empty`);
      header = cells;
      header.forEach(() => columns.push([]));
      continue;
    }
    if (cells.length !== header.length) fail(path, `line ${li + 1} has ${cells.length} columns, the header has ${header.length}`);
    cells.forEach((c, j) => {
      const lower = c.toLowerCase();
      if (/^[+-]?(nan|inf|infinity)$/.test(lower)) {
        throw new WavegateError('E_INPUT', `${path}: line ${li + 1}, channel ${header![j]}: ${c} (samples must be finite numbers)`);
      }
      if (!DECIMAL.test(c)) fail(path, `line ${li + 1}, channel ${header![j]}: ${JSON.stringify(c)} is not a number`);
      columns[j].push(Number(c));
    });
  }
  if (!header) fail(path, 'no header row and no samples');
  const length = columns[0].length;
  if (length === 0) fail(path, 'no samples after the header');
  const timeCol = header.findIndex((h) => h.toLowerCase() === 'time');
  let rate = sampleRate;
  if (timeCol >= 0) {
    const fileRate = rateOfTimeColumn(columns[timeCol], path);
    if (rate !== undefined && Math.abs(rate - fileRate) > 1e-6 * fileRate) {
      throw new WavegateError('E_INPUT', `${path}: the time column says ${fileRate} Hz, the sample rate given is ${rate} Hz`);
    }
    rate = fileRate;
  }
  if (rate === undefined) {
    throw new WavegateError('E_INPUT', `${path}: a CSV record needs its sample rate: add a "time" column in seconds or pass --sample-rate`);
  }
  const channels = header.flatMap((h, j) => (j === timeCol ? [] : [{ name: h, samples: Float32Array.from(columns[j]) }]));
  if (channels.length === 0) fail(path, 'no channel columns besides time');
  return { name: baseName(path).replace(/\.csv$/i, ''), source: path, format: 'csv', sampleRate: rate, length, channels };
}

/**
 * The rate of a uniform `time` column (seconds), rounded to 1 mHz (times printed with a few decimals
 * put the mean step a little off: 6 decimals over 21600 samples at 360 Hz give 360.000001 Hz);
 * E_FILE_FORMAT when the steps vary.
 */
function rateOfTimeColumn(t: number[], path: string): number {
  if (t.length < 2) fail(path, 'the time column needs at least two samples to give a rate');
  const step = (t[t.length - 1] - t[0]) / (t.length - 1);
  if (!(step > 0)) fail(path, 'the time column must increase');
  for (let i = 1; i < t.length; i++) {
    // Times printed with a few decimals wobble by half a unit of the last digit: allow 1 % of a step.
    if (Math.abs(t[i] - t[i - 1] - step) > 0.01 * step) {
      fail(path, `time column: the step to row ${i + 1} is ${+(t[i] - t[i - 1]).toPrecision(6)} s, the mean step ${+step.toPrecision(6)} s (samples must be uniform)`);
    }
  }
  return Math.round(1e3 / step) / 1e3;
}
