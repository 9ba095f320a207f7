/**
 * WFDB writers for the formats the readers take: format-212 signal bytes, MIT annotation files
 * and header text. Used to make synthetic records (fixtures, tests) that any WFDB tool reads.
 */
import { WavegateError } from '../errors.js';
import { AUX, CHN, NUM, SKIP, SUB } from './wfdb-annotations.js';
import { bytesForSamples } from './wfdb-signal.js';

/** Packs interleaved 12-bit samples (-2048..2047) as format 212. */
export function encode212(samples: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(bytesForSamples(212, samples.length));
  for (let k = 0; k < samples.length; k++) {
    const v = samples[k];
    if (!Number.isInteger(v) || v < -2048 || v > 2047) throw new WavegateError('E_ARGUMENT', `encode212: sample ${k} (${v}) is not a 12-bit integer`);
  }
  for (let k = 0, i = 0; k < samples.length; k += 2, i += 3) {
    const a = samples[k] & 0xfff;
    out[i] = a & 0xff;
    out[i + 1] = a >> 8;
    if (k + 1 < samples.length) {
      const b = samples[k + 1] & 0xfff;
      out[i + 1] |= (b >> 8) << 4;
      out[i + 2] = b & 0xff;
    }
  }
  return out;
}

export interface AnnotationToWrite {
  sample: number;
  code: number;
  aux?: string;
  num?: number;
  subtype?: number;
  chan?: number;
}

/** Encodes annotations (sorted by sample) in MIT format; gaps over 1023 samples use SKIP. */
export function encodeMitAnnotations(anns: readonly AnnotationToWrite[]): Uint8Array {
  const words: number[] = [];
  let t = 0;
  for (const a of anns) {
    let dt = a.sample - t;
    if (!Number.isInteger(dt) || dt < 0) throw new WavegateError('E_ARGUMENT', `encodeMitAnnotations: annotation at ${a.sample} is not sorted`);
    if (a.code < 1 || a.code > 49) throw new WavegateError('E_ARGUMENT', `encodeMitAnnotations: code ${a.code} out of 1..49`);
    if (dt > 1023) {
      words.push(SKIP << 10, (dt >>> 16) & 0xffff, dt & 0xffff);
      dt = 0;
    }
    words.push((a.code << 10) | dt);
    t = a.sample;
    if (a.num !== undefined) words.push((NUM << 10) | (a.num & 0x3ff));
    if (a.subtype !== undefined) words.push((SUB << 10) | (a.subtype & 0x3ff));
    if (a.chan !== undefined) words.push((CHN << 10) | (a.chan & 0x3ff));
    if (a.aux !== undefined && a.aux.length > 0) {
      const bytes = Array.from(a.aux, (ch) => ch.charCodeAt(0) & 0xff);
      words.push((AUX << 10) | bytes.length);
      if (bytes.length % 2) bytes.push(0);
      for (let i = 0; i < bytes.length; i += 2) words.push(bytes[i] | (bytes[i + 1] << 8));
    }
  }
  words.push(0);
  const out = new Uint8Array(words.length * 2);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => dv.setUint16(2 * i, w, true));
  return out;
}

export interface HeaderSignalToWrite {
  file: string;
  format: 212 | 16;
  gain: number;
  adcResolution: number;
  adcZero: number;
  initialValue: number;
  checksum: number;
  description: string;
}

/** Header text with CRLF line ends, as PhysioNet writes them. */
export function formatWfdbHeader(record: string, fs: number, nSamples: number, signals: readonly HeaderSignalToWrite[]): string {
  const lines = [`${record} ${signals.length} ${fs} ${nSamples}`];
  for (const s of signals) {
    lines.push(`${s.file} ${s.format} ${s.gain} ${s.adcResolution} ${s.adcZero} ${s.initialValue} ${(s.checksum << 16) >> 16} 0 ${s.description}`);
  }
  return lines.join('\r\n') + '\r\n';
}
