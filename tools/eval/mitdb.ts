/**
 * `wavegate eval --mitdb`: a beat model run over whole MIT-BIH records exactly as a device runs it
 * (src/scoring/score-record.ts: the model's own preprocessing, its QRS detector on the
 * preprocessed signal, its beat windows and RR features), each detected beat classified, and the
 * classified beats scored against the reference annotations the EC57 way
 * (src/eval/beat-classes.ts). The annotation positions are never used to place windows.
 *
 * Everything that can be checked is checked before the first record is run: the model (beat
 * windowing, labels that are AAMI classes), the folder, each record's header, signal file, channel
 * names and reference annotations, and the record list (paced records only with allowPaced).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { WavegateError } from '../../src/errors.js';
import { readRecord } from '../../src/io/record.js';
import { readWfdbAnnotations, readWfdbHeader } from '../../src/io/wfdb-record.js';
import { AAMI_CLASSES, type AamiClass } from '../../src/labels/aami.js';
import { DS1, DS2, DS2_STAGED, PACED } from '../../src/labels/splits.js';
import { compareBeats, sumMatrices, type BeatPair, type ClassifiedBeat } from '../../src/eval/beat-classes.js';
import type { Model } from '../../src/runtime/model.js';
import type { BackendChoice } from '../../src/runtime/options.js';
import { createRecordChain } from '../../src/scoring/signal-chain.js';
import { modelChannels, scoreRecord } from '../../src/scoring/score-record.js';

/** Seconds of ECG in the report's strip of each record. */
export const STRIP_SECONDS = 8;

export interface MitdbEvalOptions {
  /** Folder of NNN.hea / .dat / .atr. */
  dir: string;
  /** Record names; default: the DS2 records present in `dir`. */
  records?: readonly string[];
  /** Accept the paced records 102, 104, 107, 217 (refused by default, as the protocol excludes them). */
  allowPaced?: boolean;
  /** EC57 match window in seconds. Default 0.15. */
  tolerance?: number;
  backend?: BackendChoice;
  /** Called after each record. */
  onRecord?: (record: string, done: number, total: number) => void;
}

export interface EcgStrip {
  /** Channel shown (the model's first raw channel). */
  channel: string;
  units?: string;
  /** First sample of the strip, in record samples. */
  start: number;
  /** Raw samples from `start`, at the record rate. */
  samples: Float32Array;
}

export interface MitdbRecordEval {
  record: string;
  fs: number;
  /** Beats the model classified (detections with a window). */
  detected: number;
  /** Reference beats left out (VF/VFL episodes). */
  excludedBeats: number;
  /** EC57 matrix [reference][predicted] over EC57_MATRIX_LABELS. */
  matrix: number[][];
  pairs: BeatPair[];
  strip: EcgStrip;
}

export interface MitdbEval {
  kind: 'mitdb';
  /** The model's labels and the AAMI class each one stands for. */
  labels: string[];
  records: MitdbRecordEval[];
  /** Gross matrix: the sum over records. */
  matrix: number[][];
  tolerance: number;
}

/** The AAMI class of each model label; E_MODEL_UNSUPPORTED naming the labels when one is not an AAMI class. */
export function aamiLabelMap(model: Model, source: string): AamiClass[] {
  const labels = model.metadata.labels;
  if (!labels || labels.length === 0) {
    throw new WavegateError('E_MODEL_UNSUPPORTED', `${source}: the model has no labels; eval --mitdb needs labels that are AAMI classes (${AAMI_CLASSES.join(', ')})`);
  }
  const bad = labels.filter((l) => !(AAMI_CLASSES as readonly string[]).includes(l));
  if (bad.length > 0) {
    throw new WavegateError('E_MODEL_UNSUPPORTED', `${source}: labels [${labels.join(', ')}] do not map to AAMI classes: ${bad.map((b) => JSON.stringify(b)).join(', ')} is not one of ${AAMI_CLASSES.join(', ')}`);
  }
  if (labels.length !== model.metadata.output.size) {
    throw new WavegateError('E_MODEL_UNSUPPORTED', `${source}: ${labels.length} labels for ${model.metadata.output.size} outputs`);
  }
  return labels as AamiClass[];
}

/** The records to evaluate: the given list (paced refused unless allowed) or the DS2 records present. */
export function mitdbRecordList(dir: string, records: readonly string[] | undefined, allowPaced: boolean): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new WavegateError('E_NOT_FOUND', `--mitdb ${dir}: no such folder`);
  if (records === undefined) {
    const present = DS2.filter((r) => existsSync(join(dir, `${r}.hea`)));
    if (present.length === 0) throw new WavegateError('E_NOT_FOUND', `--mitdb ${dir}: none of the DS2 test records (${DS2.join(', ')}) is there; name records with --records`);
    return present;
  }
  if (records.length === 0) throw new WavegateError('E_ARGUMENT', '--records: no record named');
  const seen = new Set<string>();
  for (const r of records) {
    if (!/^[A-Za-z0-9_-]+$/.test(r)) throw new WavegateError('E_ARGUMENT', `--records: ${JSON.stringify(r)} is not a record name`);
    if (seen.has(r)) throw new WavegateError('E_ARGUMENT', `--records: record ${r} is named twice`);
    seen.add(r);
  }
  const paced = records.filter((r) => PACED.includes(r));
  if (paced.length > 0 && !allowPaced) {
    throw new WavegateError('E_ARGUMENT', `--records: ${paced.join(', ')} ${paced.length > 1 ? 'are paced records' : 'is a paced record'}, excluded by the EC57 inter-patient protocol; pass --allow-paced to evaluate ${paced.length > 1 ? 'them' : 'it'} anyway`);
  }
  return [...records];
}

/** Parses a --records value: record names, comma separated, or DS1 / DS2 / DS2_STAGED. */
export function parseRecordList(value: string): string[] {
  const key = value.trim().toUpperCase().replace('-', '_');
  if (key === 'DS1') return [...DS1];
  if (key === 'DS2') return [...DS2];
  if (key === 'DS2_STAGED') return [...DS2_STAGED];
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Checks one record before any work: header, signal file, the model's channels and rate, reference annotations. */
function checkRecord(model: Model, dir: string, record: string): void {
  const path = join(dir, record);
  if (!existsSync(`${path}.hea`)) throw new WavegateError('E_NOT_FOUND', `${path}.hea: no such record header`);
  const header = readWfdbHeader(path);
  for (const s of new Set(header.signals.map((x) => x.file))) {
    if (!existsSync(join(dir, s))) throw new WavegateError('E_NOT_FOUND', `${join(dir, s)}: signal file of record ${record} is missing`);
  }
  if (!existsSync(`${path}.atr`)) throw new WavegateError('E_NOT_FOUND', `${path}.atr: record ${record} has no reference annotations (eval scores against them)`);
  const have = header.signals.map((s) => s.description);
  for (const name of modelChannels(model)) {
    if (!have.includes(name)) throw new WavegateError('E_INPUT', `${path}: no channel ${JSON.stringify(name)} for the model (the record has ${have.join(', ')})`);
  }
  createRecordChain(model.metadata.input, header.fs, path);
}

/** Checks the model and every record; returns the record list. Runs nothing. */
export function checkMitdbEval(model: Model, modelSource: string, options: MitdbEvalOptions): string[] {
  const w = model.metadata.input.windowing;
  if (w?.mode !== 'beat') {
    throw new WavegateError('E_MODEL_UNSUPPORTED', `${modelSource}: eval --mitdb needs a beat model (input.windowing.mode "beat", windows around detected R peaks); this one's windowing is ${w ? `"${w.mode}"` : 'not described'}`);
  }
  aamiLabelMap(model, modelSource);
  const records = mitdbRecordList(options.dir, options.records, options.allowPaced === true);
  for (const r of records) checkRecord(model, options.dir, r);
  return records;
}

/** The STRIP_SECONDS stretch with the most non-N or misclassified beats (the earliest on ties). */
function stripStart(pairs: readonly BeatPair[], fs: number, length: number): number {
  const span = Math.min(length, Math.round(STRIP_SECONDS * fs));
  const interesting = pairs.filter((p) => p.ref !== 'N' || p.pred !== p.ref).map((p) => p.refSample ?? p.detSample!);
  let best = 0, bestCount = -1, j = 0;
  for (let i = 0; i < interesting.length; i++) {
    while (j < interesting.length && interesting[j] < interesting[i] + span) j++;
    if (j - i > bestCount) {
      bestCount = j - i;
      best = interesting[i];
    }
  }
  // Half a second of context before the first beat of interest.
  return Math.max(0, Math.min(length - span, best - Math.round(0.5 * fs)));
}

/** Runs the model over each record through the device chain and scores the beats. */
export async function evalMitdb(model: Model, modelSource: string, options: MitdbEvalOptions): Promise<MitdbEval> {
  const records = checkMitdbEval(model, modelSource, options);
  const classes = aamiLabelMap(model, modelSource);
  const tolerance = options.tolerance ?? 0.15;
  const out: MitdbRecordEval[] = [];
  for (const [k, name] of records.entries()) {
    const path = join(options.dir, name);
    const record = readRecord(path);
    const detections: ClassifiedBeat[] = [];
    for await (const batch of scoreRecord(model, record, { backend: options.backend })) {
      for (const s of batch) {
        let best = 0;
        for (let i = 1; i < s.output.length; i++) if (s.output[i] > s.output[best]) best = i;
        detections.push({ sample: s.sample, cls: classes[best] });
      }
    }
    const cmp = compareBeats(readWfdbAnnotations(path), detections, { fs: record.sampleRate, tolerance });
    const channel = modelChannels(model)[0];
    const ch = record.channels.find((c) => c.name === channel)!;
    const start = stripStart(cmp.pairs, record.sampleRate, record.length);
    out.push({
      record: basename(name),
      fs: record.sampleRate,
      detected: detections.length,
      excludedBeats: cmp.excludedBeats,
      matrix: cmp.matrix,
      pairs: cmp.pairs,
      strip: { channel, units: ch.units, start, samples: ch.samples.slice(start, start + Math.round(STRIP_SECONDS * record.sampleRate)) },
    });
    options.onRecord?.(name, k + 1, records.length);
  }
  return { kind: 'mitdb', labels: [...classes], records: out, matrix: sumMatrices(out.map((r) => r.matrix)), tolerance };
}

