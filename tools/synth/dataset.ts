/**
 * Synthetic datasets in the dataset file format of `wavegate dataset build`
 * (tools/datasets/dataset-file.ts, docs/datasets.md), cut by the device's signal chain from the
 * stage list they record (tools/datasets/chain-windows.ts), like the MIT-BIH and CWRU builders.
 *
 * ECG: each record is one synthetic subject (own heart rate, morphology, noise) in mV; the chain
 * band-passes it (0.5-40 Hz, the stage every ECG dataset of this project records) and cuts beat
 * windows on the generator's true R peaks (given peaks), with the default RR features, labelled
 * N/S/V. Bearing: each record is one recording of one condition (normal, inner, ball, outer) at
 * its own speed and resonance, in g, cut into fixed windows of `window` samples every `hop`.
 */
import { WavegateError } from '../../src/errors.js';
import type { InputSpec } from '../../src/model/schema.js';
import { DEFAULT_LOCAL_BEATS, DEFAULT_RR_FEATURES } from '../../src/signal/rr-features.js';
import { chainWindows, normalizeDatasetFeatures, rawFeaturesInput } from '../datasets/chain-windows.js';
import { ECG_DEFAULT_STAGES } from '../datasets/mitdb.js';
import { classCounts, DATASET_FORMAT, DATASET_FORMAT_VERSION, WindowSink, type DatasetArrays } from '../datasets/dataset-file.js';
import { synthBearing, type BearingFault } from './bearing.js';
import { synthEcg, type EcgBeatClass } from './ecg.js';
import { Rng } from './rng.js';

export type SynthKind = 'ecg' | 'bearing';

export interface SynthDatasetOptions {
  kind: SynthKind;
  /** Base seed; record i uses a seed derived from (seed, i). Default 1. */
  seed?: number;
  /** Number of synthetic records (subjects / recordings). Default 12 (ecg), 8 (bearing). */
  count?: number;
  /** Seconds per record. Default 120 (ecg), 2 (bearing). */
  seconds?: number;
  /** Window length in samples. Default 128 (ecg, 356 ms at 360 Hz), 1024 (bearing). */
  window?: number;
  /** ECG: samples before the R peak. Default window / 2. */
  before?: number;
  /** Bearing: hop between windows. Default window (no overlap). */
  hop?: number;
  /** Sample rate. Default 360 (ecg), 12000 (bearing). */
  fs?: number;
  /** ECG: probability of an S and of a V beat after each N beat. Default 0.15 each (so the 3-class set is not all N). */
  prematureS?: number;
  prematureV?: number;
}

export const ECG_LABELS: EcgBeatClass[] = ['N', 'S', 'V'];
export const BEARING_LABELS: BearingFault[] = ['normal', 'inner', 'ball', 'outer'];
/** Longest window a synthetic dataset may ask for, samples (the longest beat or vibration window worth training on is a few thousand). */
export const SYNTH_MAX_WINDOW = 65536;
/** Most samples one synthetic record may hold (2^27: 512 MiB of float32, 6 h of ECG at 360 Hz, 3 h of vibration at 12 kHz). */
export const SYNTH_MAX_RECORD_SAMPLES = 2 ** 27;

function int(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new WavegateError('E_ARGUMENT', `dataset synth: --${name} must be an integer in [${lo}, ${hi}], got ${v}`);
  return v;
}

function seconds(v: number, fs: number): number {
  if (!(Number.isFinite(v) && v > 0) || v * fs > SYNTH_MAX_RECORD_SAMPLES) {
    throw new WavegateError('E_ARGUMENT', `dataset synth: --seconds must be > 0 and at most ${Math.floor(SYNTH_MAX_RECORD_SAMPLES / fs)} at ${fs} Hz (${SYNTH_MAX_RECORD_SAMPLES} samples per record), got ${v}`);
  }
  return v;
}

/** Builds a synthetic dataset in memory. Deterministic for given options. */
export function buildSynthDataset(options: SynthDatasetOptions): DatasetArrays {
  if (options.kind !== 'ecg' && options.kind !== 'bearing') throw new WavegateError('E_ARGUMENT', `dataset synth: --kind must be ecg or bearing, got ${JSON.stringify(options.kind)}`);
  const d = options.kind === 'ecg' ? buildEcg(options) : buildBearing(options);
  if (d.n === 0) {
    throw new WavegateError('E_ARGUMENT', `dataset synth: no windows: ${d.meta.records.length} record(s) of ${options.seconds ?? (options.kind === 'ecg' ? 120 : 2)} s hold no complete ${options.kind === 'ecg' ? 'beat window with RR features (it needs a beat before and after it)' : 'window'} of ${d.t} samples; use longer --seconds or a shorter --window`);
  }
  return d;
}

function meta(kind: SynthKind, labels: string[], input: InputSpec, count: number, y: BigInt64Array, seed: number, generator: string): DatasetArrays['meta'] {
  return {
    format: DATASET_FORMAT, formatVersion: DATASET_FORMAT_VERSION, labels, input, source: 'synthetic',
    sampleMarks: kind === 'ecg' ? 'r-peak' : 'window-start', ...(kind === 'ecg' ? { peaks: 'reference' as const } : {}),
    split: 'synthetic', records: Array.from({ length: count }, (_, i) => String(i)), recordRates: new Array<number>(count).fill(input.raw!.sampleRate),
    sourceDigests: {}, createdBy: 'wavegate dataset synth', classCounts: classCounts(y, labels), kind, seed, generator,
  };
}

function buildEcg(o: SynthDatasetOptions): DatasetArrays {
  const seed = int('seed', o.seed ?? 1, 0, 2 ** 31), count = int('count', o.count ?? 12, 1, 10000);
  const fs = int('fs', o.fs ?? 360, 100, 2000), window = int('window', o.window ?? 128, 8, SYNTH_MAX_WINDOW), before = int('before', o.before ?? Math.floor(window / 2), 0, window - 1);
  const secs = seconds(o.seconds ?? 120, fs);
  const names = [...DEFAULT_RR_FEATURES];
  const input: InputSpec = {
    channels: 1, sampleRate: fs, window, channelNames: ['ECG'],
    raw: { sampleRate: fs, units: 'mV', channels: ['ECG'] },
    preprocessing: ECG_DEFAULT_STAGES.map((st) => ({ ...st })),
    windowing: { mode: 'beat', before, after: window - before, qrs: { detector: 'pan-tompkins' } },
    features: { kind: 'rr', names, localBeats: DEFAULT_LOCAL_BEATS },
  };
  const rng = new Rng(seed);
  const sink = new WindowSink(window, names.length);
  for (let rec = 0; rec < count; rec++) {
    const ecg = synthEcg({
      fs, seconds: secs, seed: seed * 7919 + rec,
      heartRate: rng.uniform(55, 95), hrvStd: rng.uniform(0.01, 0.05), noise: rng.uniform(0.005, 0.04),
      baselineWander: rng.uniform(0.05, 0.25), amplitude: rng.uniform(0.7, 1.5),
      premature: { S: o.prematureS ?? 0.15, V: o.prematureV ?? 0.15 },
    });
    chainWindows(rawFeaturesInput(input), fs, ecg.signal, (w) => sink.push(w.data, ECG_LABELS.indexOf(ecg.labels[w.beat!]), rec, w.sample, w.features), ecg.rPeaks);
  }
  const { x, y, record, sample, features: raw } = sink.arrays();
  const done = normalizeDatasetFeatures(raw ?? new Float32Array(0), names.length);
  input.features = { ...input.features!, normalize: done.normalize };
  return {
    x, n: sink.count, t: window, c: 1, y, record, sample, features: done.features,
    meta: meta('ecg', ECG_LABELS, input, count, y, seed, 'tools/synth/ecg.ts (McSharry-style, true R peaks)'),
  };
}

function buildBearing(o: SynthDatasetOptions): DatasetArrays {
  const seed = int('seed', o.seed ?? 1, 0, 2 ** 31), count = int('count', o.count ?? 8, 1, 10000);
  const fs = int('fs', o.fs ?? 12000, 1000, 200000), window = int('window', o.window ?? 1024, 8, SYNTH_MAX_WINDOW), hop = int('hop', o.hop ?? window, 1, SYNTH_MAX_WINDOW);
  const secs = seconds(o.seconds ?? 2, fs);
  const input: InputSpec = {
    channels: 1, sampleRate: fs, window, hop, channelNames: ['DE'],
    raw: { sampleRate: fs, units: 'g', channels: ['DE'] },
    preprocessing: [],
    windowing: { mode: 'fixed', window, hop },
  };
  const rng = new Rng(seed);
  const sink = new WindowSink(window);
  for (let rec = 0; rec < count; rec++) {
    const cls = rec % BEARING_LABELS.length; // every class gets records in turn, so any count >= 4 has them all
    const b = synthBearing({
      fs, seconds: secs, seed: seed * 7919 + rec, fault: BEARING_LABELS[cls],
      rpm: rng.uniform(1720, 1800), resonanceHz: rng.uniform(2600, 3600), impulseAmplitude: rng.uniform(0.3, 1.5),
      noise: rng.uniform(0.03, 0.12), slip: rng.uniform(0.005, 0.02),
    });
    chainWindows(input, fs, b.signal, (w) => sink.push(w.data, cls, rec, w.sample));
  }
  const { x, y, record, sample } = sink.arrays();
  return {
    x, n: sink.count, t: window, c: 1, y, record, sample,
    meta: meta('bearing', BEARING_LABELS, input, count, y, seed, 'tools/synth/bearing.ts (SKF 6205 kinematics, resonance, slip)'),
  };
}
