/**
 * Reads a WFDB record from disk: `<path>.hea`, its signal files and optionally `<path>.<annotator>`.
 * `recordPath` is the record path without extension, e.g. `../shared/data/mitdb/100`, as the
 * WFDB tools take it.
 */
import { WavegateError } from '../errors.js';
import { baseName, dirName, joinPath, nodeFs } from './node-fs.js';
import { assertKnownOptions } from '../options-check.js';
import { findLead, parseWfdbHeader, type WfdbHeader } from './wfdb-header.js';
import { decodeWfdbSignals, toPhysical, type WfdbSignals } from './wfdb-signal.js';
import { parseMitAnnotations, type WfdbAnnotation } from './wfdb-annotations.js';

export interface WfdbRecord extends WfdbSignals {
  header: WfdbHeader;
  /** Record name (the path's base name), e.g. `100`. */
  name: string;
}

export interface ReadWfdbOptions {
  /** Decode signal files too (default true); false reads the header only. */
  signals?: boolean;
}

function readFile(path: string, what: string): Buffer {
  try {
    return nodeFs('WFDB reader').readFileSync(path);
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `${path}: cannot read ${what}: ${(e as Error).message}`, { cause: e });
  }
}

/** Reads and parses `<recordPath>.hea`. */
export function readWfdbHeader(recordPath: string): WfdbHeader {
  const path = `${recordPath}.hea`;
  return parseWfdbHeader(readFile(path, 'WFDB header').toString('latin1'), path);
}

/** Reads the header and all signals of a record. */
export function readWfdbRecord(recordPath: string, options: ReadWfdbOptions = {}): WfdbRecord {
  assertKnownOptions(options, ['signals'], 'readWfdbRecord()');
  const header = readWfdbHeader(recordPath);
  const name = baseName(recordPath);
  if (options.signals === false) return { header, name, nSamples: header.nSamples ?? 0, adc: [] };
  const dir = dirName(recordPath);
  const files = new Map<string, Uint8Array>();
  for (const s of header.signals) {
    if (!files.has(s.file)) files.set(s.file, readFile(joinPath(dir, s.file), `signal file of record ${name}`));
  }
  return { header, name, ...decodeWfdbSignals(header, files, `${recordPath}.hea`) };
}

/** Reads `<recordPath>.<annotator>` (default `atr`, the reference annotations). */
export function readWfdbAnnotations(recordPath: string, annotator = 'atr'): WfdbAnnotation[] {
  const path = `${recordPath}.${annotator}`;
  return parseMitAnnotations(readFile(path, 'annotation file'), path);
}

/**
 * One lead of a record in physical units, found by name (e.g. `MLII`), never by position:
 * record 114 of MIT-BIH has V5 first.
 */
export function leadSignal(record: WfdbRecord, lead: string): { index: number; physical: Float32Array; adc: Int16Array } {
  const index = findLead(record.header, lead);
  if (index < 0) {
    const have = record.header.signals.map((s) => s.description).join(', ');
    throw new WavegateError('E_INPUT', `record ${record.name}: no lead ${JSON.stringify(lead)} (has ${have})`);
  }
  const adc = record.adc[index];
  return { index, adc, physical: toPhysical(adc, record.header.signals[index]) };
}
