/**
 * WFDB annotation files in MIT format (e.g. MIT-BIH `.atr` reference beat labels).
 *
 * A stream of 16-bit little-endian words: code = w >> 10, dt = w & 0x3FF.
 *   code 1..49   an annotation of that type at time += dt
 *   SKIP (59)    the next two words are a 32-bit interval, high word first (PDP-11 order),
 *                added to the time; the following annotation word adds its own dt
 *   NUM (60), SUB (61), CHN (62)  set num/subtype/chan of the preceding annotation (value dt);
 *                num and chan carry over to later annotations, as the WFDB library does
 *   AUX (63)     dt bytes of auxiliary text for the preceding annotation, padded to even
 *   0 word       end of file (a trailing odd byte or a missing end word is an error)
 */
import { WavegateError } from '../errors.js';

export interface WfdbAnnotation {
  /** Sample index from the start of the record. */
  sample: number;
  /** Annotation type code (1..49). */
  code: number;
  /** MIT mnemonic, e.g. `N`, `V`, `+` (see ANNOTATION_SYMBOLS). */
  symbol: string;
  subtype: number;
  chan: number;
  num: number;
  /** Auxiliary text, e.g. `(AFIB` for a rhythm change; empty when absent. */
  aux: string;
}

export const SKIP = 59;
export const NUM = 60;
export const SUB = 61;
export const CHN = 62;
export const AUX = 63;
/** Largest annotation type code (ACMAX in the WFDB library). */
export const ACMAX = 49;

/** MIT-BIH symbol of each annotation code (WFDB `annstr`); codes without one map to `[code]`. */
export const ANNOTATION_SYMBOLS: Readonly<Record<number, string>> = {
  0: ' ', // NOTQRS
  1: 'N', 2: 'L', 3: 'R', 4: 'a', 5: 'V', 6: 'F', 7: 'J', 8: 'A', 9: 'S', 10: 'E', 11: 'j',
  12: '/', 13: 'Q', 14: '~', 16: '|', 18: 's', 19: 'T', 20: '*', 21: 'D', 22: '"', 23: '=',
  24: 'p', 25: 'B', 26: '^', 27: 't', 28: '+', 29: 'u', 30: '?', 31: '!', 32: '[', 33: ']',
  34: 'e', 35: 'n', 36: '@', 37: 'x', 38: 'f', 39: '(', 40: ')', 41: 'r',
};

/**
 * Symbols of annotations that mark a QRS complex. `x` (non-conducted P wave) and `!` (flutter
 * wave) are not beats; the AAMI class map in src/labels/aami.ts decides what is scored.
 */
export const BEAT_SYMBOLS: ReadonlySet<string> = new Set(['N', 'L', 'R', 'a', 'V', 'F', 'J', 'A', 'S', 'E', 'j', '/', 'Q', 'B', 'e', 'n', 'f', 'r', '?']);

/** Code of the rhythm-change annotation whose aux text names the new rhythm, e.g. `(VFL`. */
export const RHYTHM_CODE = 28;

export function symbolOf(code: number): string {
  return ANNOTATION_SYMBOLS[code] ?? `[${code}]`;
}

function fail(source: string, offset: number, problem: string): never {
  throw new WavegateError('E_FILE_FORMAT', `${source}: byte ${offset}: ${problem}`);
}

/**
 * Decodes an MIT-format annotation file.
 * @param source file name for error messages
 */
export function parseMitAnnotations(bytes: Uint8Array, source = '<atr>'): WfdbAnnotation[] {
  if (bytes.length % 2 !== 0) fail(source, bytes.length - 1, 'odd file length (truncated annotation file?)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: WfdbAnnotation[] = [];
  let time = 0;
  let num = 0;
  let chan = 0;
  let pos = 0;
  let last: WfdbAnnotation | undefined;
  const latin1 = new TextDecoder('latin1');
  for (;;) {
    if (pos + 2 > bytes.length) fail(source, pos, 'missing end-of-file word (truncated annotation file?)');
    const w = dv.getUint16(pos, true);
    const at = pos;
    pos += 2;
    if (w === 0) break;
    const code = w >> 10;
    const dt = w & 0x3ff;
    if (code === SKIP) {
      if (pos + 4 > bytes.length) fail(source, at, 'SKIP without its 32-bit interval');
      const interval = (dv.getUint16(pos, true) << 16) | dv.getUint16(pos + 2, true); // signed 32-bit
      pos += 4;
      time += interval;
      if (time < 0) fail(source, at, `SKIP makes the time negative (${time})`);
    } else if (code === NUM || code === SUB || code === CHN) {
      if (!last) fail(source, at, `modifier ${code === NUM ? 'NUM' : code === SUB ? 'SUB' : 'CHN'} before any annotation`);
      // num and chan are signed bytes in WFDB; MIT-BIH uses small non-negative values.
      const v = dt > 511 ? dt - 1024 : dt;
      if (code === NUM) last.num = num = v;
      else if (code === SUB) last.subtype = v;
      else last.chan = chan = v;
    } else if (code === AUX) {
      if (!last) fail(source, at, 'AUX before any annotation');
      const padded = dt + (dt & 1);
      if (pos + padded > bytes.length) fail(source, at, `AUX of ${dt} bytes runs past the end of the file`);
      let text = latin1.decode(bytes.subarray(pos, pos + dt));
      const nul = text.indexOf('\0');
      if (nul >= 0) text = text.slice(0, nul); // WFDB writers NUL-terminate some aux strings
      last.aux = text;
      pos += padded;
    } else if (code >= 1 && code <= ACMAX) {
      time += dt;
      last = { sample: time, code, symbol: symbolOf(code), subtype: 0, chan, num, aux: '' };
      out.push(last);
    } else {
      fail(source, at, `annotation code ${code} is not valid (word 0x${w.toString(16).padStart(4, '0')})`);
    }
  }
  if (pos !== bytes.length) fail(source, pos, `${bytes.length - pos} bytes after the end-of-file word`);
  return out;
}
