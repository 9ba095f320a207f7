/**
 * WFDB signal files in formats 212 and 16, the two MIT-BIH and most PhysioNet ECG records use.
 *
 * Signals that name the same file are interleaved frame by frame in header order. Format 212
 * packs each pair of consecutive samples of that stream into 3 bytes as two 12-bit two's
 * complement values: s0 = b0 | (b1 & 0x0F) << 8, s1 = b2 | (b1 & 0xF0) << 4. Format 16 stores
 * each sample as a 16-bit little-endian two's complement value.
 * The file length must match the header's sample count, and the first value and the 16-bit
 * checksum of each signal are verified when the header gives them: a truncated or mismatched
 * .dat file is an error, never a shorter or shifted signal.
 */
import { WavegateError } from '../errors.js';
import type { WfdbHeader, WfdbSignalSpec } from './wfdb-header.js';

export interface WfdbSignals {
  /** Samples per signal. */
  nSamples: number;
  /** ADC values per signal in header order. */
  adc: Int16Array[];
}

/** Formats this reader decodes. */
export const SUPPORTED_FORMATS: readonly number[] = [212, 16];

/** Bytes needed by `count` interleaved samples in `format`. */
export function bytesForSamples(format: number, count: number): number {
  if (format === 16) return count * 2;
  if (format === 212) return Math.floor(count / 2) * 3 + (count % 2 ? 2 : 0);
  throw new WavegateError('E_FILE_FORMAT', `WFDB signal format ${format} is not supported (supported: ${SUPPORTED_FORMATS.join(', ')})`);
}

/** Decodes `count` interleaved format-212 samples starting at `bytes[0]` (reference loop). */
export function decode212(bytes: Uint8Array, count: number): Int16Array {
  const out = new Int16Array(count);
  let o = 0;
  let i = 0;
  for (; o + 1 < count; o += 2, i += 3) {
    const b1 = bytes[i + 1];
    const s0 = bytes[i] | ((b1 & 0x0f) << 8);
    const s1 = bytes[i + 2] | ((b1 & 0xf0) << 4);
    out[o] = s0 > 2047 ? s0 - 4096 : s0;
    out[o + 1] = s1 > 2047 ? s1 - 4096 : s1;
  }
  if (o < count) {
    const s0 = bytes[i] | ((bytes[i + 1] & 0x0f) << 8);
    out[o] = s0 > 2047 ? s0 - 4096 : s0;
  }
  return out;
}

/** Decodes `count` format-16 samples. */
export function decode16(bytes: Uint8Array, count: number): Int16Array {
  const out = new Int16Array(count);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let k = 0; k < count; k++) out[k] = dv.getInt16(2 * k, true);
  return out;
}

/** 16-bit two's complement sum of the samples, as WFDB header checksums are defined. */
export function checksum16(samples: Int16Array): number {
  let sum = 0;
  for (let k = 0; k < samples.length; k++) sum = (sum + samples[k]) & 0xffff;
  return sum;
}

/**
 * Decodes every signal of a record from its signal files.
 * @param files   contents of each signal file, by the name the header uses
 * @param source  record name for error messages
 */
export function decodeWfdbSignals(header: WfdbHeader, files: ReadonlyMap<string, Uint8Array>, source = header.record): WfdbSignals {
  // Group signals by file, keeping header order inside each file (that is the frame order).
  const groups = new Map<string, number[]>();
  header.signals.forEach((s, k) => groups.set(s.file, [...(groups.get(s.file) ?? []), k]));
  const adc: Int16Array[] = new Array(header.signals.length);
  let nSamples = header.nSamples;
  for (const [file, members] of groups) {
    const specs = members.map((k) => header.signals[k]);
    const format = specs[0].format;
    const offset = specs[0].byteOffset;
    if (specs.some((s) => s.format !== format || s.byteOffset !== offset)) {
      throw new WavegateError('E_FILE_FORMAT', `${source}: signals in ${file} disagree on format or byte offset`);
    }
    if (!SUPPORTED_FORMATS.includes(format)) {
      throw new WavegateError('E_FILE_FORMAT', `${source}: ${file}: WFDB signal format ${format} is not supported (supported: ${SUPPORTED_FORMATS.join(', ')})`);
    }
    const bytes = files.get(file);
    if (!bytes) throw new WavegateError('E_NOT_FOUND', `${source}: signal file ${file} is missing`);
    if (bytes.length < offset) throw new WavegateError('E_FILE_FORMAT', `${source}: ${file} is shorter than its byte offset ${offset}`);
    const body = bytes.subarray(offset);
    const nsig = members.length;
    let n = nSamples;
    if (n === undefined) {
      // No sample count in the header: the file length decides, whole frames only.
      n = Math.floor((format === 16 ? body.length / 2 : Math.floor(body.length / 3) * 2) / nsig);
    }
    const count = n * nsig;
    const need = bytesForSamples(format, count);
    if (body.length < need) {
      throw new WavegateError('E_FILE_FORMAT', `${source}: ${file} is truncated: ${n} samples x ${nsig} signals in format ${format} need ${need} bytes, file has ${body.length}`);
    }
    // One spare byte is tolerated for format 212 with an odd sample count (some writers pad).
    if (body.length - need > (format === 212 && count % 2 ? 1 : 0)) {
      throw new WavegateError('E_FILE_FORMAT', `${source}: ${file} has ${body.length - need} bytes more than ${n} samples x ${nsig} signals in format ${format}`);
    }
    const all = format === 212 ? decode212(body, count) : decode16(body, count);
    members.forEach((k, j) => {
      const one = new Int16Array(n);
      for (let t = 0; t < n; t++) one[t] = all[t * nsig + j];
      adc[k] = one;
    });
    nSamples = n;
  }
  const total = nSamples ?? 0;
  header.signals.forEach((spec, k) => verifySignal(spec, adc[k], `${source}: signal ${k} (${spec.description || 'unnamed'})`));
  return { nSamples: total, adc };
}

function verifySignal(spec: WfdbSignalSpec, samples: Int16Array, where: string): void {
  if (spec.initialValue !== undefined && samples.length > 0 && samples[0] !== spec.initialValue) {
    throw new WavegateError('E_FILE_FORMAT', `${where}: first sample ${samples[0]} differs from the header's initial value ${spec.initialValue}`);
  }
  if (spec.checksum !== undefined) {
    const got = checksum16(samples);
    if (got !== (spec.checksum & 0xffff)) {
      throw new WavegateError('E_FILE_FORMAT', `${where}: checksum ${got} differs from the header's ${spec.checksum & 0xffff} (corrupt or mismatched .dat)`);
    }
  }
}

/** Physical values, (adc - baseline) / gain, e.g. millivolts for ECG. */
export function toPhysical(adc: Int16Array, spec: Pick<WfdbSignalSpec, 'gain' | 'baseline'>): Float32Array {
  const out = new Float32Array(adc.length);
  const inv = 1 / spec.gain;
  for (let t = 0; t < adc.length; t++) out[t] = (adc[t] - spec.baseline) * inv;
  return out;
}
