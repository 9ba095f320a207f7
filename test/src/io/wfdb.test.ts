import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWfdbHeader, findLead } from '../../../src/io/wfdb-header.js';
import { bytesForSamples, checksum16, decode212, decodeWfdbSignals, toPhysical } from '../../../src/io/wfdb-signal.js';
import { parseMitAnnotations } from '../../../src/io/wfdb-annotations.js';
import { encode212, encodeMitAnnotations } from '../../../src/io/wfdb-write.js';
import { leadSignal, readWfdbAnnotations, readWfdbRecord } from '../../../src/io/wfdb-record.js';
import { countAami } from '../../../src/labels/aami.js';
import { DS1, DS2_STAGED } from '../../../src/labels/splits.js';
import { isWavegateError } from '../../../src/errors.js';
import { MITDB, needs } from '../../helpers/needs.js';
import { DATA_DIR, MITDB_DIR } from '../../helpers/shared-data.js';
import { expectFormatError } from '../../helpers/expect-error.js';

const encodeAnnotations = (anns: Array<{ sample: number; code: number; aux?: string; num?: number; sub?: number; chan?: number }>) =>
  encodeMitAnnotations(anns.map((a) => ({ ...a, subtype: a.sub })));

describe('WFDB header', () => {
  const text = '100 2 360 650000\r\n100.dat 212 200 11 1024 995 -22131 0 MLII\r\n100.dat 212 200(5)/uV 11 1024 1011 20052 0 V5 lead\r\n# 69 M\r\n';
  it('parses record and signal lines with CRLF, baseline, units and names', () => {
    const h = parseWfdbHeader(text, '100.hea');
    expect(h).toMatchObject({ record: '100', fs: 360, nSamples: 650000, info: ['69 M'] });
    expect(h.signals[0]).toMatchObject({ file: '100.dat', format: 212, gain: 200, baseline: 1024, units: 'mV', adcResolution: 11, adcZero: 1024, initialValue: 995, checksum: -22131, description: 'MLII' });
    expect(h.signals[1]).toMatchObject({ baseline: 5, units: 'uV', description: 'V5 lead' });
    expect(findLead(h, 'V5 lead')).toBe(1);
  });
  it('applies WFDB defaults (fs 250, gain 200, baseline = ADC zero)', () => {
    const h = parseWfdbHeader('r 1\nr.dat 16\n');
    expect(h.fs).toBe(250);
    expect(h.nSamples).toBeUndefined();
    expect(h.signals[0]).toMatchObject({ gain: 200, baseline: 0, format: 16 });
  });
  it('names malformed headers', () => {
    expectFormatError(() => parseWfdbHeader('', 'e.hea'), /e\.hea: no record line/);
    expectFormatError(() => parseWfdbHeader('r 2 360 10\nr.dat 212\n', 'e.hea'), /announces 2 signals, header has 1/);
    expectFormatError(() => parseWfdbHeader('r x 360\n', 'e.hea'), /line 1: signal count "x"/);
    expectFormatError(() => parseWfdbHeader('r 1 360 10\nr.dat 212 abc\n', 'e.hea'), /line 2: gain "abc"/);
    expectFormatError(() => parseWfdbHeader('r/2 1 360\n', 'e.hea'), /multi-segment/);
    expectFormatError(() => parseWfdbHeader('r 1 360 10\nr.dat 212x2\n', 'e.hea'), /multi-sample frames/);
    expectFormatError(() => parseWfdbHeader('r 1 -5 10\nr.dat 212\n', 'e.hea'), /must be positive/);
  });
});

describe('WFDB signals', () => {
  it('format 212 decode inverts the packing for any 12-bit samples (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -2048, max: 2047 }), { maxLength: 41 }), (s) => {
        expect(Array.from(decode212(encode212(s), s.length))).toEqual(s);
      }),
    );
  });
  it('de-interleaves, converts to physical units and checks length, first value and checksum', () => {
    const a = [995, 1000, -3, 2047, -2048];
    const b = [1011, 1, 2, 3, 4];
    const inter = a.flatMap((v, i) => [v, b[i]]);
    const sum = (x: number[]) => checksum16(Int16Array.from(x));
    const hea = (ck: number) => parseWfdbHeader(`r 2 360 5\nr.dat 212 200 11 1024 995 ${ck} 0 MLII\nr.dat 212 100(1000) 11 1024 1011 ${sum(b)} 0 V1\n`, 'r.hea');
    const files = new Map([['r.dat', encode212(inter)]]);
    const rec = decodeWfdbSignals(hea(sum(a)), files);
    expect(rec.nSamples).toBe(5);
    expect(Array.from(rec.adc[0])).toEqual(a);
    expect(Array.from(rec.adc[1])).toEqual(b);
    expect(Array.from(toPhysical(rec.adc[1], { gain: 100, baseline: 1000 }))).toEqual(b.map((v) => Math.fround((v - 1000) / 100)));
    expectFormatError(() => decodeWfdbSignals(hea(sum(a) + 1), files), /signal 0 \(MLII\): checksum/);
    expectFormatError(() => decodeWfdbSignals(hea(sum(a)), new Map([['r.dat', encode212(inter).subarray(0, 14)]])), /r\.dat is truncated: 5 samples x 2 signals in format 212 need 15 bytes, file has 14/);
    expectFormatError(() => decodeWfdbSignals(hea(sum(a)), new Map([['r.dat', new Uint8Array([...encode212(inter), 0, 0, 0])]])), /3 bytes more/);
    const badFirst = parseWfdbHeader(`r 1 360 2\nr.dat 16 200 16 0 7\n`);
    expectFormatError(() => decodeWfdbSignals(badFirst, new Map([['r.dat', new Uint8Array([1, 0, 2, 0])]])), /first sample 1 differs from the header's initial value 7/);
    expectFormatError(() => decodeWfdbSignals(parseWfdbHeader('r 1 360 2\nr.dat 80\n'), new Map([['r.dat', new Uint8Array(2)]])), /format 80 is not supported/);
  });
  it('format 16 reads little-endian int16 and derives the length when the header omits it', () => {
    const rec = decodeWfdbSignals(parseWfdbHeader('r 1 100\nr.dat 16\n'), new Map([['r.dat', new Uint8Array([0x01, 0x00, 0xff, 0xff, 0x00, 0x80])]]));
    expect(Array.from(rec.adc[0])).toEqual([1, -1, -32768]);
  });
});

describe('MIT annotations', () => {
  it('round-trips annotations with SKIP, NUM, SUB, CHN and odd/even AUX (property)', () => {
    const ann = fc.record({ gap: fc.integer({ min: 0, max: 200_000 }), code: fc.integer({ min: 1, max: 49 }), aux: fc.option(fc.stringMatching(/^[(A-Z]{0,7}$/), { nil: undefined }), sub: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(ann, { maxLength: 20 }), (list) => {
        let t = 0;
        const anns = list.map((a) => ({ sample: (t += a.gap), code: a.code, aux: a.aux, sub: a.sub }));
        const back = parseMitAnnotations(encodeAnnotations(anns));
        expect(back.map((a) => [a.sample, a.code, a.aux, a.subtype])).toEqual(anns.map((a) => [a.sample, a.code, a.aux ?? '', a.sub ?? 0]));
      }),
    );
  });
  it('keeps num and chan sticky and decodes rhythm aux text', () => {
    const back = parseMitAnnotations(encodeAnnotations([{ sample: 5, code: 28, aux: '(VFL', num: 3, chan: 1 }, { sample: 9, code: 1 }]));
    expect(back[0]).toMatchObject({ symbol: '+', aux: '(VFL', num: 3, chan: 1 });
    expect(back[1]).toMatchObject({ symbol: 'N', sample: 9, num: 3, chan: 1, aux: '' });
  });
  it('names truncation and bad codes', () => {
    const good = encodeAnnotations([{ sample: 5, code: 1 }, { sample: 2000, code: 5, aux: 'abc' }]);
    expectFormatError(() => parseMitAnnotations(good.subarray(0, good.length - 2), 'x.atr'), /x\.atr: byte \d+: missing end-of-file word/);
    expectFormatError(() => parseMitAnnotations(good.subarray(0, good.length - 1), 'x.atr'), /odd file length/);
    expectFormatError(() => parseMitAnnotations(new Uint8Array([0x00, 0xec, 0, 0]), 'x.atr'), /SKIP without/);
    expectFormatError(() => parseMitAnnotations(new Uint8Array([0x05, 0xfc, 0x41, 0, 0, 0]), 'x.atr'), /AUX before any annotation/);
    expectFormatError(() => parseMitAnnotations(new Uint8Array([0x05, 0x04, 0x09, 0xfc, 0x41, 0, 0, 0]), 'x.atr'), /AUX of 9 bytes runs past/);
    expectFormatError(() => parseMitAnnotations(new Uint8Array([0x05, 0xd0, 0, 0]), 'x.atr'), /annotation code 52 is not valid/);
    expectFormatError(() => parseMitAnnotations(new Uint8Array([0x05, 0x04, 0, 0, 0, 0]), 'x.atr'), /2 bytes after the end-of-file word/);
  });
});

/** Per-record AAMI counts transcribed by parsing the data README's table, so the two cannot drift. */
function readmeCounts(): Map<string, { split: string; leads: string[]; beats: number; counts: Record<string, number> }> {
  const text = readFileSync(join(DATA_DIR, 'README.md'), 'utf8');
  const out = new Map();
  for (const line of text.split('\n')) {
    const m = /^\| (\d{3}) \| (DS[12]) \| ([^|]+) \| ([\d ]+)\| ([\d ]+)\| ([\d ]+)\| ([\d ]+)\| ([\d ]+)\| ([\d ]+)\|/.exec(line);
    if (!m) continue;
    const [, rec, split, leads, beats, n, s, v, f, q] = m;
    out.set(rec, { split, leads: leads.split(',').map((x) => x.trim()), beats: Number(beats), counts: { N: +n, S: +s, V: +v, F: +f, Q: +q } });
  }
  return out;
}

needs(MITDB).describe(`MIT-BIH records in ${MITDB_DIR}`, () => {
  it('record 100: 650000 samples per lead at 360 Hz, MLII first sample 995 (-0.145 mV), 2273 AAMI beats', () => {
    const rec = readWfdbRecord(join(MITDB_DIR, '100'));
    expect(rec.header.fs).toBe(360);
    expect(rec.nSamples).toBe(650000);
    expect(rec.adc.map((a) => a.length)).toEqual([650000, 650000]);
    const mlii = leadSignal(rec, 'MLII');
    expect(mlii.adc[0]).toBe(995);
    expect(mlii.physical[0]).toBeCloseTo(-0.145, 6);
    const counts = countAami(readWfdbAnnotations(join(MITDB_DIR, '100')).map((a) => a.symbol));
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(2273);
  });

  it('record 114 lists V5 first and MLII second; lookup by name finds MLII', () => {
    const rec = readWfdbRecord(join(MITDB_DIR, '114'));
    expect(rec.header.signals.map((s) => s.description)).toEqual(['V5', 'MLII']);
    expect(leadSignal(rec, 'MLII').index).toBe(1);
    expect(() => leadSignal(rec, 'V1')).toThrow(/no lead "V1" \(has V5, MLII\)/);
  });

  it('all 32 records: AAMI class counts per record and DS1/DS2 totals match the data README', () => {
    const table = readmeCounts();
    expect(table.size).toBe(32);
    const totals: Record<string, Record<string, number>> = { DS1: { N: 0, S: 0, V: 0, F: 0, Q: 0 }, DS2: { N: 0, S: 0, V: 0, F: 0, Q: 0 } };
    for (const [rec, row] of table) {
      expect(row.split === 'DS1' ? DS1 : DS2_STAGED).toContain(rec);
      const counts = countAami(readWfdbAnnotations(join(MITDB_DIR, rec)).map((a) => a.symbol));
      expect(counts, `record ${rec}`).toEqual(row.counts);
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(row.beats);
      for (const k of Object.keys(counts) as Array<keyof typeof counts>) totals[row.split][k] += counts[k];
    }
    // DS1 and staged DS2 totals from the README's summary table.
    expect(totals.DS1).toEqual({ N: 45866, S: 944, V: 3788, F: 415, Q: 8 });
    expect(totals.DS2).toEqual({ N: 20682, S: 1761, V: 2728, F: 386, Q: 2 });
  });

  it('all 32 records: signals decode with header checksums and first values verified, leads as in the README', () => {
    const table = readmeCounts();
    for (const [rec, row] of table) {
      const r = readWfdbRecord(join(MITDB_DIR, rec)); // throws on checksum/first-value mismatch
      expect(r.nSamples, rec).toBe(650000);
      expect(r.header.signals.map((s) => s.description), rec).toEqual(row.leads);
    }
  });

  it('a corrupted copy of a real record is refused with the checksum named', () => {
    const rec = '100';
    const header = parseWfdbHeader(readFileSync(join(MITDB_DIR, `${rec}.hea`), 'latin1'), `${rec}.hea`);
    const dat = new Uint8Array(readFileSync(join(MITDB_DIR, `${rec}.dat`)));
    dat[300_000] ^= 0x01;
    expectFormatError(() => decodeWfdbSignals(header, new Map([[`${rec}.dat`, dat]])), /checksum/);
  });
});

describe('corrupted inputs fail only with typed errors (property)', () => {
  const typedOrOk = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(isWavegateError(e), String(e)).toBe(true);
    }
  };
  it('annotation files', () => {
    const good = encodeMitAnnotations([{ sample: 5, code: 1 }, { sample: 5000, code: 28, aux: '(AFIB' }, { sample: 5100, code: 5, num: 2 }]);
    fc.assert(fc.property(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), (pos, v) => {
      const b = good.slice();
      b[pos] = v;
      typedOrOk(() => parseMitAnnotations(b));
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => typedOrOk(() => parseMitAnnotations(b))), { numRuns: 300 });
  });
  it('headers and signal files', () => {
    const text = '100 2 360 4\r\n100.dat 212 200 11 1024 1 2 0 MLII\r\n100.dat 212 200 11 1024 3 4 0 V5\r\n';
    fc.assert(fc.property(fc.integer({ min: 0, max: text.length - 1 }), fc.constantFrom('x', ' ', '\n', '-', '9', '(', '/', '+'), fc.uint8Array({ maxLength: 16 }), (pos, ch, dat) => {
      typedOrOk(() => {
        const h = parseWfdbHeader(text.slice(0, pos) + ch + text.slice(pos + 1));
        decodeWfdbSignals(h, new Map([['100.dat', dat]]));
      });
    }), { numRuns: 300 });
  });
});
