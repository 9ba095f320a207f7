/**
 * Synthetic recordings in the staged data's own file formats, so that the commands that read
 * MIT-BIH and CWRU (`wavegate dataset build`, `wavegate eval --mitdb / --cwru`) run unchanged on
 * them: the pipeline's --synthetic run and the tests use these.
 *
 *  - MIT-BIH-like: one WFDB record per name (format 212 at 200 ADC units per mV, MLII only, 360 Hz)
 *    from tools/synth/ecg.ts, its true beats as the reference annotations (N, A for S, V).
 *  - CWRU-like: normal_0_97.mat at 48 kHz and one 0.007 in fault of each kind at 12 kHz
 *    (IR007_0_105, B007_0_118, OR007@6_0_130), drive-end channel `X<nnn>_DE_time` in g, from
 *    tools/synth/bearing.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeMat5 } from '../../src/io/mat5-write.js';
import { checksum16 } from '../../src/io/wfdb-signal.js';
import { encode212, encodeMitAnnotations, formatWfdbHeader } from '../../src/io/wfdb-write.js';
import { synthBearing, type BearingFault } from './bearing.js';
import { synthEcg, type SyntheticEcg } from './ecg.js';

/** MIT annotation codes of the synthetic ECG classes: N (1), A (8, an S beat), V (5). */
export const ECG_ANNOTATION_CODES = { N: 1, S: 8, V: 5 } as const;

export interface SyntheticEcgRecordOptions {
  seconds?: number;
  seed?: number;
  /** Probability of an S and of a V beat after an N beat. Default 0.15 each. */
  premature?: { S?: number; V?: number };
  /** White noise, mV. Default 0.02. */
  noise?: number;
}

/** Writes `<name>.hea/.dat/.atr` into `dir`; returns the generator's output. */
export function writeSyntheticEcgRecord(dir: string, name: string, o: SyntheticEcgRecordOptions = {}): SyntheticEcg {
  mkdirSync(dir, { recursive: true });
  const ecg = synthEcg({ seconds: o.seconds ?? 60, seed: o.seed ?? 3, premature: { S: o.premature?.S ?? 0.15, V: o.premature?.V ?? 0.15 }, noise: o.noise ?? 0.02 });
  const adc = Int16Array.from(ecg.signal, (v) => Math.max(-1024, Math.min(1023, Math.round(v * 200))) + 1024);
  writeFileSync(join(dir, `${name}.dat`), encode212(adc));
  writeFileSync(join(dir, `${name}.hea`), formatWfdbHeader(name, ecg.fs, adc.length, [
    { file: `${name}.dat`, format: 212, gain: 200, adcResolution: 11, adcZero: 1024, initialValue: adc[0], checksum: checksum16(adc), description: 'MLII' },
  ]));
  writeFileSync(join(dir, `${name}.atr`), encodeMitAnnotations(Array.from(ecg.rPeaks, (sample, i) => ({ sample, code: ECG_ANNOTATION_CODES[ecg.labels[i]] }))));
  return ecg;
}

/** The CWRU-like files: name, fault, sample rate, file number. */
export const SYNTHETIC_CWRU_FILES: ReadonlyArray<{ file: string; fault: BearingFault; fs: number; number: number }> = [
  { file: 'normal_0_97.mat', fault: 'normal', fs: 48000, number: 97 },
  { file: '12k_Drive_End_IR007_0_105.mat', fault: 'inner', fs: 12000, number: 105 },
  { file: '12k_Drive_End_B007_0_118.mat', fault: 'ball', fs: 12000, number: 118 },
  { file: '12k_Drive_End_OR007@6_0_130.mat', fault: 'outer', fs: 12000, number: 130 },
];

/** Writes the CWRU-like .mat files into `dir`, `seconds` each (seeded: seed, seed + 1, ...); returns their names. */
export function writeSyntheticCwru(dir: string, o: { seconds?: number; seed?: number } = {}): string[] {
  mkdirSync(dir, { recursive: true });
  return SYNTHETIC_CWRU_FILES.map((f, i) => {
    const s = synthBearing({ fs: f.fs, seconds: o.seconds ?? 4, fault: f.fault, seed: (o.seed ?? 1) + i });
    writeFileSync(join(dir, f.file), encodeMat5([{ name: `X${String(f.number).padStart(3, '0')}_DE_time`, data: s.signal }], 'synthetic CWRU-like bearing recording (wavegate tools/synth/records.ts)'));
    return f.file;
  });
}
