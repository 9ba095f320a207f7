/**
 * Synthetic datasets in the trainer's .npz format (the one `wavegate dataset build` writes):
 *   x      float32 [N, T, C]   windows
 *   y      int64   [N]         class index into meta.labels
 *   record int32   [N]         synthetic subject / recording id: the trainer splits by it
 *   rr     float32 [N, 4]      ECG only: pre-RR, post-RR, local RR, average RR in seconds
 *   meta   uint8               UTF-8 JSON, see {@link SynthDatasetMeta}
 *
 * ECG: each record is one synthetic subject (own heart rate, morphology, noise), band-passed
 * with the same src/signal filter a model's `bandpass` stage runs on the device, then cut into
 * beat windows centred on the generator's true R peaks (src/signal/beats.ts), labelled N/S/V.
 * Bearing: each record is one recording of one condition (normal, inner, ball, outer) at its
 * own speed and resonance, cut into windows of `window` samples every `hop` samples.
 */
import { WavegateError } from '../../src/errors.js';
import { beatWindows } from '../../src/signal/beats.js';
import { BiquadCascade, designBandpass } from '../../src/signal/filters.js';
import type { PreprocessingStage } from '../../src/model/schema.js';
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

export interface SynthDatasetMeta {
  kind: SynthKind;
  labels: string[];
  fs: number;
  window: number;
  before?: number;
  after?: number;
  hop?: number;
  lead: string;
  channels: number;
  preprocessing: PreprocessingStage[];
  /** Mean and std of x over the whole set, for a model's `normalize` stage. */
  normalize: { mean: number; std: number };
  split: 'synthetic';
  records: number[];
  classCounts: Record<string, number>;
  seed: number;
  generator: string;
  sourceDigests: Record<string, string>;
  createdBy: string;
}

export interface SynthDataset {
  x: Float32Array;
  shape: [number, number, number];
  y: BigInt64Array;
  record: Int32Array;
  rr?: Float32Array;
  meta: SynthDatasetMeta;
}

export const ECG_LABELS: EcgBeatClass[] = ['N', 'S', 'V'];
export const BEARING_LABELS: BearingFault[] = ['normal', 'inner', 'ball', 'outer'];
/** The band-pass every ECG dataset and ECG model of this project uses (see docs/signals.md). */
export const ECG_BANDPASS = { kind: 'bandpass', low: 0.5, high: 40, order: 2 } as const;

function int(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new WavegateError('E_ARGUMENT', `dataset synth: --${name} must be an integer in [${lo}, ${hi}], got ${v}`);
  return v;
}

function stats(x: Float32Array): { mean: number; std: number } {
  let s = 0, s2 = 0;
  for (const v of x) { s += v; s2 += v * v; }
  const mean = s / Math.max(1, x.length);
  return { mean, std: Math.sqrt(Math.max(0, s2 / Math.max(1, x.length) - mean * mean)) };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function counts(labels: string[], y: number[]): Record<string, number> {
  const c: Record<string, number> = Object.fromEntries(labels.map((l) => [l, 0]));
  for (const v of y) c[labels[v]]++;
  return c;
}

/** Builds a synthetic dataset in memory. Deterministic for given options. */
export function buildSynthDataset(options: SynthDatasetOptions): SynthDataset {
  if (options.kind !== 'ecg' && options.kind !== 'bearing') throw new WavegateError('E_ARGUMENT', `dataset synth: --kind must be ecg or bearing, got ${JSON.stringify(options.kind)}`);
  return options.kind === 'ecg' ? buildEcg(options) : buildBearing(options);
}

function buildEcg(o: SynthDatasetOptions): SynthDataset {
  const seed = int('seed', o.seed ?? 1, 0, 2 ** 31), count = int('count', o.count ?? 12, 1, 10000);
  const fs = o.fs ?? 360, window = int('window', o.window ?? 128, 8, 1 << 16), before = int('before', o.before ?? Math.floor(window / 2), 0, window - 1);
  const seconds = o.seconds ?? 120;
  const rng = new Rng(seed);
  const xs: Float32Array[] = [], rrs: Float32Array[] = [], ys: number[] = [], recs: number[] = [];
  for (let rec = 0; rec < count; rec++) {
    const ecg = synthEcg({
      fs, seconds, seed: seed * 7919 + rec,
      heartRate: rng.uniform(55, 95), hrvStd: rng.uniform(0.01, 0.05), noise: rng.uniform(0.005, 0.04),
      baselineWander: rng.uniform(0.05, 0.25), amplitude: rng.uniform(0.7, 1.5),
      premature: { S: o.prematureS ?? 0.15, V: o.prematureV ?? 0.15 },
    });
    const filtered = new BiquadCascade(designBandpass(ECG_BANDPASS.low, ECG_BANDPASS.high, fs, ECG_BANDPASS.order)).process(ecg.signal);
    for (const beat of beatWindows(filtered, ecg.rPeaks, { window, before, fs })) {
      xs.push(beat.data);
      rrs.push(beat.rr);
      ys.push(ECG_LABELS.indexOf(ecg.labels[beat.index]));
      recs.push(rec);
    }
  }
  const x = concat(xs);
  return {
    x, shape: [ys.length, window, 1], y: BigInt64Array.from(ys, BigInt), record: Int32Array.from(recs), rr: concat(rrs),
    meta: {
      kind: 'ecg', labels: ECG_LABELS, fs, window, before, after: window - before, lead: 'synthetic', channels: 1,
      preprocessing: [{ ...ECG_BANDPASS }], normalize: stats(x), split: 'synthetic', records: [...Array(count).keys()],
      classCounts: counts(ECG_LABELS, ys), seed, generator: 'tools/synth/ecg.ts (McSharry-style, true R peaks)', sourceDigests: {},
      createdBy: 'wavegate dataset synth',
    },
  };
}

function buildBearing(o: SynthDatasetOptions): SynthDataset {
  const seed = int('seed', o.seed ?? 1, 0, 2 ** 31), count = int('count', o.count ?? 8, 1, 10000);
  const fs = o.fs ?? 12000, window = int('window', o.window ?? 1024, 8, 1 << 20), hop = int('hop', o.hop ?? window, 1, 1 << 20);
  const seconds = o.seconds ?? 2;
  const rng = new Rng(seed);
  const xs: Float32Array[] = [], ys: number[] = [], recs: number[] = [];
  for (let rec = 0; rec < count; rec++) {
    const cls = rec % BEARING_LABELS.length; // every class gets records in turn, so any count >= 4 has them all
    const b = synthBearing({
      fs, seconds, seed: seed * 7919 + rec, fault: BEARING_LABELS[cls],
      rpm: rng.uniform(1720, 1800), resonanceHz: rng.uniform(2600, 3600), impulseAmplitude: rng.uniform(0.3, 1.5),
      noise: rng.uniform(0.03, 0.12), slip: rng.uniform(0.005, 0.02),
    });
    for (let s = 0; s + window <= b.signal.length; s += hop) {
      xs.push(b.signal.slice(s, s + window));
      ys.push(cls);
      recs.push(rec);
    }
  }
  const x = concat(xs);
  return {
    x, shape: [ys.length, window, 1], y: BigInt64Array.from(ys, BigInt), record: Int32Array.from(recs),
    meta: {
      kind: 'bearing', labels: BEARING_LABELS, fs, window, hop, lead: 'synthetic DE accelerometer', channels: 1, preprocessing: [],
      normalize: stats(x), split: 'synthetic', records: [...Array(count).keys()], classCounts: counts(BEARING_LABELS, ys), seed,
      generator: 'tools/synth/bearing.ts (SKF 6205 kinematics, resonance, slip)', sourceDigests: {}, createdBy: 'wavegate dataset synth',
    },
  };
}
