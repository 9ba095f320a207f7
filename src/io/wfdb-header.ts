/**
 * WFDB header (.hea) parser for single-segment records (PhysioNet "header(5)" format).
 *
 * Record line:  `name[/nseg] nsig [fs[/counterfreq[(base)]] [nsamp [basetime [basedate]]]]`
 * Signal line:  `file format[xNN][:skew][+offset] [gain[(baseline)][/units] [adcres [adczero
 *                [initval [checksum [blocksize [description]]]]]]]`
 * Lines may end in CRLF (PhysioNet's own files do); `#` lines are comments, kept as `info`.
 * Multi-segment records, multi-sample frames and skew are refused: nothing wavegate reads uses
 * them, and reading them as if they were absent would misalign samples silently.
 */
import { WavegateError } from '../errors.js';

export interface WfdbSignalSpec {
  /** Signal file name relative to the header's folder, e.g. `100.dat`. */
  file: string;
  /** Storage format, e.g. 212 or 16. */
  format: number;
  /** Byte offset of the first sample in the file (the `+offset` suffix), 0 by default. */
  byteOffset: number;
  /** ADC units per physical unit; the WFDB default 200 when the header gives 0 or nothing. */
  gain: number;
  /** ADC value of physical zero; defaults to adcZero as WFDB does. */
  baseline: number;
  /** Physical units, `mV` by default. */
  units: string;
  /** ADC resolution in bits (0 when unknown). */
  adcResolution: number;
  /** ADC output for a 0 V input. */
  adcZero: number;
  /** First sample value, when given; checked on read. */
  initialValue?: number;
  /** 16-bit sum of all samples, when given; checked on read. */
  checksum?: number;
  /** Lead or signal name, e.g. `MLII` (the description field). */
  description: string;
}

export interface WfdbHeader {
  record: string;
  /** Sampling frequency in Hz per signal (WFDB default 250 when absent). */
  fs: number;
  /** Samples per signal; undefined when the header leaves it out (then the file length decides). */
  nSamples?: number;
  signals: WfdbSignalSpec[];
  /** Comment lines without the leading `#` (age, sex, medications for MIT-BIH). */
  info: string[];
}

const DEFAULT_FS = 250;
const DEFAULT_GAIN = 200;

function fail(source: string, line: number, problem: string): never {
  throw new WavegateError('E_FILE_FORMAT', `${source}: line ${line}: ${problem}`);
}

function int(text: string, source: string, line: number, field: string): number {
  if (!/^[+-]?\d+$/.test(text)) fail(source, line, `${field} ${JSON.stringify(text)} is not an integer`);
  return Number(text);
}

function num(text: string, source: string, line: number, field: string): number {
  const v = Number(text);
  if (text === '' || !Number.isFinite(v)) fail(source, line, `${field} ${JSON.stringify(text)} is not a number`);
  return v;
}

function parseRecordLine(tokens: string[], source: string, line: number): Omit<WfdbHeader, 'signals' | 'info'> & { nsig: number } {
  if (tokens.length < 2) fail(source, line, 'record line needs at least a name and a signal count');
  const [name, nsigText, fsText, nsampText] = tokens;
  if (name.includes('/')) fail(source, line, `multi-segment record ${JSON.stringify(name)} is not supported`);
  const nsig = int(nsigText, source, line, 'signal count');
  if (nsig < 1 || nsig > 256) fail(source, line, `signal count ${nsig} out of range 1..256`);
  let fs = DEFAULT_FS;
  if (fsText !== undefined) {
    fs = num(fsText.split('/')[0], source, line, 'sampling frequency');
    if (!(fs > 0)) fail(source, line, `sampling frequency ${fs} must be positive`);
  }
  let nSamples: number | undefined;
  if (nsampText !== undefined) {
    nSamples = int(nsampText, source, line, 'sample count');
    if (nSamples < 0) fail(source, line, `sample count ${nSamples} is negative`);
    if (nSamples === 0) nSamples = undefined; // WFDB: 0 means "unknown, read to end of file"
  }
  return { record: name, fs, nSamples, nsig };
}

function parseSignalLine(text: string, source: string, line: number): WfdbSignalSpec {
  const tokens = text.trim().split(/\s+/);
  if (tokens.length < 2) fail(source, line, 'signal line needs a file name and a format');
  const [file, fmtText, gainText, resText, zeroText, initText, sumText, _block] = tokens;
  const fm = /^(\d+)(x\d+)?(:\d+)?(\+\d+)?$/.exec(fmtText);
  if (!fm) fail(source, line, `format field ${JSON.stringify(fmtText)} is malformed`);
  if (fm[2] && fm[2] !== 'x1') fail(source, line, `multi-sample frames (${fm[2]}) are not supported`);
  if (fm[3] && fm[3] !== ':0') fail(source, line, `skew (${fm[3]}) is not supported`);
  const format = Number(fm[1]);
  const byteOffset = fm[4] ? Number(fm[4].slice(1)) : 0;

  let gain = DEFAULT_GAIN;
  let baseline: number | undefined;
  let units = 'mV';
  if (gainText !== undefined) {
    const gm = /^([^(/]+)(?:\(([^)]*)\))?(?:\/(.+))?$/.exec(gainText);
    if (!gm) fail(source, line, `gain field ${JSON.stringify(gainText)} is malformed`);
    gain = num(gm[1], source, line, 'gain');
    if (gain === 0) gain = DEFAULT_GAIN; // WFDB: 0 means "uncalibrated, use the default"
    if (gain < 0) fail(source, line, `gain ${gain} is negative`);
    if (gm[2] !== undefined) baseline = int(gm[2], source, line, 'baseline');
    if (gm[3] !== undefined) units = gm[3];
  }
  const adcResolution = resText !== undefined ? int(resText, source, line, 'ADC resolution') : 0;
  const adcZero = zeroText !== undefined ? int(zeroText, source, line, 'ADC zero') : 0;
  const initialValue = initText !== undefined ? int(initText, source, line, 'initial value') : undefined;
  const checksum = sumText !== undefined ? int(sumText, source, line, 'checksum') : undefined;
  // The description is everything after the 8th field and may contain spaces.
  let description = '';
  if (tokens.length > 8) {
    const m = /^\s*(?:\S+\s+){8}(.*)$/.exec(text);
    description = m ? m[1].trim() : '';
  }
  return { file, format, byteOffset, gain, baseline: baseline ?? adcZero, units, adcResolution, adcZero, initialValue, checksum, description };
}

/**
 * Parses header text.
 * @param source file name for error messages
 */
export function parseWfdbHeader(text: string, source = '<hea>'): WfdbHeader {
  const lines = text.split(/\r?\n/);
  const info: string[] = [];
  const signals: WfdbSignalSpec[] = [];
  let rec: ReturnType<typeof parseRecordLine> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (trimmed.startsWith('#')) {
      info.push(trimmed.slice(1).trim());
      continue;
    }
    if (trimmed === '') continue;
    if (!rec) {
      rec = parseRecordLine(trimmed.split(/\s+/), source, i + 1);
    } else if (signals.length < rec.nsig) {
      signals.push(parseSignalLine(raw, source, i + 1));
    } else {
      fail(source, i + 1, `unexpected line after ${rec.nsig} signal lines: ${JSON.stringify(trimmed.slice(0, 60))}`);
    }
  }
  if (!rec) throw new WavegateError('E_FILE_FORMAT', `${source}: no record line (empty header)`);
  if (signals.length !== rec.nsig) {
    throw new WavegateError('E_FILE_FORMAT', `${source}: record line announces ${rec.nsig} signals, header has ${signals.length} signal lines (truncated?)`);
  }
  return { record: rec.record, fs: rec.fs, nSamples: rec.nSamples, signals, info };
}

/** Index of the signal whose description is `lead` (case-sensitive, as WFDB names are), or -1. */
export function findLead(header: WfdbHeader, lead: string): number {
  return header.signals.findIndex((s) => s.description === lead);
}
