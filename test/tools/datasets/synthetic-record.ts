/**
 * Writes a small synthetic MIT-BIH-like record (two leads, V1 first, MLII second) with known
 * beats to a temp folder, using the project's own WFDB writers.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode212, encodeMitAnnotations, formatWfdbHeader } from '../../../src/io/wfdb-write.js';
import { checksum16 } from '../../../src/io/wfdb-signal.js';
import type { synthEcg } from '../../../tools/synth/ecg.js';
import { writeSyntheticEcgRecord as writeEcgRecord } from '../../../tools/synth/records.js';

export const SYN_FS = 360;
export const SYN_SAMPLES = 360 * 30;

/** ADC value of MLII at sample k: unique-ish ramp so window positions can be checked. */
export const mliiAdc = (k: number) => 1024 + ((k * 7) % 1000) - 500;
const v1Adc = (k: number) => 1024 - ((k * 3) % 800) + 400;

/** [sample, code] of the annotations: beats of several classes plus non-beats. */
export const SYN_ANNOTATIONS: Array<{ sample: number; code: number; aux?: string }> = [
  { sample: 10, code: 28, aux: '(N' },
  ...Array.from({ length: 34 }, (_, i) => ({ sample: 40 + i * 310 + (i % 3) * 7, code: [1, 1, 5, 8, 1, 6, 12, 2, 1, 10][i % 10] })),
];
// Non-beats between beats: noise, flutter wave, non-conducted P.
SYN_ANNOTATIONS.push({ sample: 200, code: 14 }, { sample: 520, code: 31 }, { sample: 830, code: 37 });
SYN_ANNOTATIONS.sort((a, b) => a.sample - b.sample);

export function writeSyntheticRecord(name = '100'): string {
  const dir = mkdtempSync(join(tmpdir(), 'wg-syn-mitdb-'));
  const v1 = Int16Array.from({ length: SYN_SAMPLES }, (_, k) => v1Adc(k));
  const ml = Int16Array.from({ length: SYN_SAMPLES }, (_, k) => mliiAdc(k));
  const inter = new Int16Array(2 * SYN_SAMPLES);
  for (let k = 0; k < SYN_SAMPLES; k++) (inter[2 * k] = v1[k]), (inter[2 * k + 1] = ml[k]);
  writeFileSync(join(dir, `${name}.dat`), encode212(inter));
  const common = { file: `${name}.dat`, format: 212 as const, gain: 200, adcResolution: 11, adcZero: 1024 };
  writeFileSync(
    join(dir, `${name}.hea`),
    formatWfdbHeader(name, SYN_FS, SYN_SAMPLES, [
      { ...common, initialValue: v1[0], checksum: checksum16(v1), description: 'V1' },
      { ...common, initialValue: ml[0], checksum: checksum16(ml), description: 'MLII' },
    ]),
  );
  writeFileSync(join(dir, `${name}.atr`), encodeMitAnnotations(SYN_ANNOTATIONS));
  return dir;
}

/**
 * Writes a synthetic ECG (tools/synth/ecg.ts, MLII only, format 212 at 200 ADC units per mV) with
 * its true beats as the reference annotations: a record the QRS detector can run on. Returns the
 * folder and the generator's output.
 */
export function writeSyntheticEcgRecord(name = '100', options: { seconds?: number; seed?: number } = {}): { dir: string; ecg: ReturnType<typeof synthEcg> } {
  const dir = mkdtempSync(join(tmpdir(), 'wg-syn-ecg-'));
  return { dir, ecg: writeEcgRecord(dir, name, options) };
}
