/**
 * Test helpers for record scoring: the committed synthetic ECG record (fixtures/signals, 60 s of
 * MLII-like ECG at 360 Hz with known R peaks and classes) written out as the raw formats
 * `wavegate score --record` reads.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy } from '../../../src/io/npy.js';
import { encode212, formatWfdbHeader } from '../../../src/io/wfdb-write.js';
import { checksum16 } from '../../../src/io/wfdb-signal.js';

const FIX = fileURLToPath(new URL('../../../fixtures/signals/', import.meta.url));

export interface SyntheticEcg {
  fs: number;
  /** Raw samples in mV. */
  signal: Float32Array;
  rPeaks: number[];
  labels: string[];
}

export function syntheticEcg(): SyntheticEcg {
  const meta = JSON.parse(readFileSync(join(FIX, 'ecg-record.json'), 'utf8')) as { fs: number; rPeaks: number[]; labels: string[] };
  return { fs: meta.fs, signal: readNpy(readFileSync(join(FIX, 'ecg-record.npy'))).data as Float32Array, rPeaks: meta.rPeaks, labels: meta.labels };
}

/** Writes `<dir>/<name>.hea` + `.dat` (format 212, gain 200 ADC/mV) with the given leads, in this order. */
export function writeWfdb(dir: string, name: string, fs: number, leads: Array<{ name: string; mv: Float32Array }>): string {
  const n = leads[0].mv.length;
  const adc = leads.map((l) => Int16Array.from(l.mv, (v) => Math.max(-2048, Math.min(2047, Math.round(v * 200)))));
  const inter = new Int16Array(n * leads.length);
  for (let i = 0; i < n; i++) adc.forEach((a, k) => { inter[i * leads.length + k] = a[i]; });
  writeFileSync(join(dir, `${name}.dat`), encode212(inter));
  const header = formatWfdbHeader(name, fs, n, leads.map((l, k) => ({
    file: `${name}.dat`, format: 212, gain: 200, adcResolution: 12, adcZero: 0, initialValue: adc[k][0], checksum: checksum16(adc[k]), description: l.name,
  })));
  writeFileSync(join(dir, `${name}.hea`), header);
  return join(dir, name);
}

/** Writes a CSV record: header `time,<names>`, one row per sample (time in s, 6 decimals). */
export function writeCsv(path: string, fs: number, columns: Array<{ name: string; values: ArrayLike<number> }>, withTime = true): string {
  const n = columns[0].values.length;
  const rows = [[...(withTime ? ['time'] : []), ...columns.map((c) => c.name)].join(',')];
  for (let i = 0; i < n; i++) rows.push([...(withTime ? [(i / fs).toFixed(6)] : []), ...columns.map((c) => String(c.values[i]))].join(','));
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}
