/**
 * What each simulated device streams: a signal and its known anomalies (the ground truth).
 *
 * - ECG, synthetic (tools/synth/ecg.ts): 360 Hz, a heart rate and morphology per device, S and V
 *   premature beats at random; each premature beat is an anomaly [R - 0.1 s, R + 0.1 s].
 * - ECG, recorded: an MIT-BIH record's MLII lead; the reference annotations' S, V and F beats
 *   are the anomalies. Device d starts d x 37 s into the record (so devices differ), looping.
 * - Vibration, synthetic (tools/synth/bearing.ts): 12 kHz; odd devices develop a fault (inner,
 *   ball, outer in turn) over the middle third of the run: one anomaly spanning it.
 * - Vibration, recorded: a CWRU .mat file's drive-end signal; a fault file is one anomaly over
 *   the whole run, a normal file none.
 * - Level (the chaos run's signal, for the level model of tools/synth/level-model.ts): 100 Hz,
 *   0 everywhere except single blocks of {@link LEVEL_BLOCK} samples at 1, every 6 to 14 blocks
 *   at random; each such block is one anomaly of class `anomaly`, and with frames and windows
 *   of one block each, one window.
 */
import { readFileSync } from 'node:fs';
import { WavegateError } from '../../src/errors.js';
import { readMat5, requireMatVariable } from '../../src/io/mat5.js';
import { leadSignal, readWfdbAnnotations, readWfdbRecord } from '../../src/io/wfdb-record.js';
import { aamiClassOf } from '../../src/labels/aami.js';
import { cwruFileInfo } from '../../src/labels/cwru.js';
import { synthBearing, type BearingFault } from '../synth/bearing.js';
import { synthEcg } from '../synth/ecg.js';
import { Rng } from '../synth/rng.js';

export type SignalKind = 'ecg' | 'vibration' | 'level';

/** Level signal: samples per block (one frame and one window in the chaos run: 500 ms at 100 Hz). */
export const LEVEL_BLOCK = 50;
export const LEVEL_FS = 100;

/** A known anomaly, in sample indices of the device's signal [start, end). */
export interface SampleAnomaly {
  class: string;
  start: number;
  end: number;
}

export interface DeviceSignal {
  device: string;
  stream: string;
  fs: number;
  samples: Float32Array;
  anomalies: SampleAnomaly[];
}

export interface SourceOptions {
  signal: SignalKind;
  devices: number;
  /** Seconds of signal per device. */
  duration: number;
  /** A recording to replay instead of synthetic data: an MIT-BIH record path (with or without .hea) or a CWRU .mat file. */
  record?: string;
  /** Seed of the synthetic generators. Default 1. */
  seed?: number;
  /** Probability of an S and of a V beat (synthetic ECG). Default 0.05 each. */
  premature?: { S?: number; V?: number };
  /** Device names: prefix + zero-padded index. Default `ecg-` or `vib-`. */
  prefix?: string;
}

/** Premature beats are marked from 0.1 s before to 0.1 s after their R peak. */
export const BEAT_HALF_WIDTH_S = 0.1;

/** Device d of n starts its clock d/n of a frame after the fleet's t0 (the publisher staggers the fleet so). */
export function devicePhaseMs(d: number, n: number, frameMs: number): number {
  return (d / n) * frameMs;
}

export function deviceName(prefix: string, d: number, n: number): string {
  return `${prefix}${String(d).padStart(Math.max(4, String(n - 1).length), '0')}`;
}

/** The signals of a simulated fleet. Deterministic for given options. */
export function deviceSignals(o: SourceOptions): DeviceSignal[] {
  if (!Number.isInteger(o.devices) || o.devices < 1) throw new WavegateError('E_ARGUMENT', `simulate: --devices must be an integer >= 1, got ${o.devices}`);
  if (!(o.duration > 0)) throw new WavegateError('E_ARGUMENT', `simulate: --duration must be > 0 seconds, got ${o.duration}`);
  if (o.signal !== 'ecg' && o.signal !== 'vibration' && o.signal !== 'level') throw new WavegateError('E_ARGUMENT', `simulate: --signal must be ecg, vibration or level, got ${JSON.stringify(o.signal)}`);
  const prefix = o.prefix ?? { ecg: 'ecg-', vibration: 'vib-', level: 'lvl-' }[o.signal];
  const name = (d: number) => deviceName(prefix, d, o.devices);
  if (o.signal === 'level') return levelFleet(o, name);
  if (o.signal === 'ecg') return o.record ? recordedEcg(o, name) : synthEcgFleet(o, name);
  return o.record ? recordedVibration(o, name) : synthVibrationFleet(o, name);
}

function synthEcgFleet(o: SourceOptions, name: (d: number) => string): DeviceSignal[] {
  const seed = o.seed ?? 1;
  const rng = new Rng(seed);
  return Array.from({ length: o.devices }, (_, d) => {
    const ecg = synthEcg({ fs: 360, seconds: o.duration, seed: seed * 7919 + d, heartRate: rng.uniform(60, 90), premature: { S: o.premature?.S ?? 0.05, V: o.premature?.V ?? 0.05 } });
    const half = Math.round(BEAT_HALF_WIDTH_S * ecg.fs);
    const anomalies: SampleAnomaly[] = [];
    ecg.labels.forEach((c, i) => {
      if (c !== 'N') anomalies.push({ class: c, start: ecg.rPeaks[i] - half, end: ecg.rPeaks[i] + half });
    });
    return { device: name(d), stream: 'ecg', fs: ecg.fs, samples: ecg.signal, anomalies };
  });
}

function recordedEcg(o: SourceOptions, name: (d: number) => string): DeviceSignal[] {
  const path = o.record!.replace(/\.(hea|dat|atr)$/, '');
  const rec = readWfdbRecord(path);
  const fs = rec.header.fs;
  const lead = leadSignal(rec, 'MLII').physical;
  const beats = readWfdbAnnotations(path).map((a) => ({ sample: a.sample, cls: aamiClassOf(a.symbol) })).filter((b) => b.cls === 'S' || b.cls === 'V' || b.cls === 'F');
  const n = Math.round(o.duration * fs);
  const half = Math.round(BEAT_HALF_WIDTH_S * fs);
  return Array.from({ length: o.devices }, (_, d) => {
    const offset = Math.round(d * 37 * fs) % lead.length;
    const samples = new Float32Array(n);
    for (let i = 0; i < n; i++) samples[i] = lead[(offset + i) % lead.length];
    const anomalies: SampleAnomaly[] = [];
    // annotations of every pass over the record that this device's window covers
    for (let base = -offset; base < n; base += lead.length) {
      for (const b of beats) {
        const at = base + b.sample;
        if (at - half >= 0 && at + half < n) anomalies.push({ class: b.cls!, start: at - half, end: at + half });
      }
    }
    anomalies.sort((a, b) => a.start - b.start);
    return { device: name(d), stream: 'ecg', fs, samples, anomalies };
  });
}

function levelFleet(o: SourceOptions, name: (d: number) => string): DeviceSignal[] {
  const seed = o.seed ?? 1;
  const blocks = Math.floor((o.duration * LEVEL_FS) / LEVEL_BLOCK);
  return Array.from({ length: o.devices }, (_, d) => {
    const rng = new Rng(seed * 7919 + d);
    const samples = new Float32Array(blocks * LEVEL_BLOCK);
    const anomalies: SampleAnomaly[] = [];
    for (let b = 2 + Math.floor(rng.uniform(0, 8)); b < blocks; b += 6 + Math.floor(rng.uniform(0, 9))) {
      samples.fill(1, b * LEVEL_BLOCK, (b + 1) * LEVEL_BLOCK);
      anomalies.push({ class: 'anomaly', start: b * LEVEL_BLOCK, end: (b + 1) * LEVEL_BLOCK });
    }
    return { device: name(d), stream: 'lvl', fs: LEVEL_FS, samples, anomalies };
  });
}

const FAULTS: BearingFault[] = ['inner', 'ball', 'outer'];

function synthVibrationFleet(o: SourceOptions, name: (d: number) => string): DeviceSignal[] {
  const seed = o.seed ?? 1;
  const fs = 12000;
  return Array.from({ length: o.devices }, (_, d) => {
    const normal = synthBearing({ fs, seconds: o.duration, seed: seed * 7919 + d, fault: 'normal' }).signal;
    const anomalies: SampleAnomaly[] = [];
    if (d % 2 === 1) {
      const fault = FAULTS[((d - 1) / 2) % FAULTS.length];
      const faulty = synthBearing({ fs, seconds: o.duration, seed: seed * 7919 + d, fault }).signal;
      const start = Math.floor(normal.length / 3), end = Math.floor((2 * normal.length) / 3);
      normal.set(faulty.subarray(start, end), start);
      anomalies.push({ class: fault, start, end });
    }
    return { device: name(d), stream: 'vib', fs, samples: normal, anomalies };
  });
}

function recordedVibration(o: SourceOptions, name: (d: number) => string): DeviceSignal[] {
  const file = o.record!;
  const info = cwruFileInfo(file);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `${file}: ${(e as Error).message}`);
  }
  const de = requireMatVariable(readMat5(bytes, file), `${info.varPrefix}_DE_time`, file);
  const x = Float32Array.from(de.data as ArrayLike<number>);
  const n = Math.round(o.duration * info.fs);
  return Array.from({ length: o.devices }, (_, d) => {
    const offset = Math.round(d * 0.37 * info.fs) % x.length;
    const samples = new Float32Array(n);
    for (let i = 0; i < n; i++) samples[i] = x[(offset + i) % x.length];
    return { device: name(d), stream: 'vib', fs: info.fs, samples, anomalies: info.fault === 'normal' ? [] : [{ class: info.fault, start: 0, end: n }] };
  });
}
