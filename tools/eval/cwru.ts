/**
 * `wavegate eval --cwru`: a bearing model run over CWRU recordings through the device chain (the
 * model's own preprocessing and fixed windows, src/signal/chain.ts), scored per window against the
 * class that CWRU's file name gives (src/labels/cwru.ts).
 *
 * Only the windows of one time region of each recording are scored (default `test`: the last 20 %,
 * the region the dataset builder keeps for testing; the same cut, on the chain's output, as
 * tools/datasets/cwru.ts), so a model is not evaluated on the stretch it was trained on. The chain
 * still runs over the whole recording, so its filters are primed as on a device.
 *
 * Models (docs/evaluation.md, "Bearing models"):
 * - a fault classifier: labels all from the 10-class task (normal, IR007 ... OR021) or all from
 *   the 4-class task (normal, inner, ball, outer); each file's class is its label in that task;
 * - an anomaly model: one output (its score), or labels exactly "normal" and "anomaly" (the score
 *   is the "anomaly" output). Truth: normal files are negatives, fault files positives. A window
 *   is called an anomaly when its score is >= the detector threshold (`detector.thresholds.anomaly`
 *   or the single label's entry, else `detector.threshold`, else 0.5).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WavegateError } from '../../src/errors.js';
import { readRecord, recordFrames } from '../../src/io/record.js';
import { CWRU_LABELS_10, CWRU_LABELS_4, cwruFileInfo, TIME_SPLITS, timeSplitRegions, windowStarts, type CwruFileInfo, type TimeSplitName } from '../../src/labels/cwru.js';
import type { Model } from '../../src/runtime/model.js';
import type { BackendChoice } from '../../src/runtime/options.js';
import { runWindows } from '../../src/scoring/run-windows.js';
import { modelChannels } from '../../src/scoring/score-record.js';
import { createRecordChain } from '../../src/scoring/signal-chain.js';
import { createSignalChain } from '../../src/signal/chain.js';
import { alertConfig, replayAlerts, type AlertConfig } from './alerts.js';

export type CwruRegion = TimeSplitName | 'all';
export const CWRU_REGIONS: readonly CwruRegion[] = [...TIME_SPLITS, 'all'];

export interface CwruEvalOptions {
  /** Folder of CWRU .mat files (every .mat in it, sorted by name). */
  dir: string;
  /** Time region of each recording to score. Default `test`. */
  region?: CwruRegion;
  /** Train/val/test fractions of each recording, in time order. Default [0.6, 0.2, 0.2] (the dataset builder's). */
  fractions?: [number, number, number];
  /** Every recording multiplied by this first (a sensor of another sensitivity). Default 1. */
  gain?: number;
  backend?: BackendChoice;
  onFile?: (file: string, done: number, total: number) => void;
}

/** How the eval reads a bearing model's outputs. */
export type BearingTask =
  | { kind: 'classifier'; task: '10class' | '4class'; labels: string[] }
  | { kind: 'anomaly'; scoreIndex: number; threshold: number; labels: string[] };

export interface CwruFileEval {
  file: string;
  info: CwruFileInfo;
  /** The file's class in the model's task ("anomaly" for every fault file of an anomaly model). */
  truth: string;
  /** [start, end) of the scored region, in samples at the model rate. */
  region: [number, number];
  /** Seconds of recording in the region. */
  seconds: number;
  /** Window start, raw samples of the recording, per scored window. */
  starts: number[];
  /** Predicted class index (into the task's labels), per window. */
  predicted: number[];
  /** Anomaly score per window (anomaly models), else undefined. */
  scores?: number[];
  /** Alerts the model's detector raises over the region. */
  alerts: number;
}

export interface CwruEval {
  kind: 'cwru';
  task: BearingTask;
  region: CwruRegion;
  files: CwruFileEval[];
  /** The model's rate after preprocessing (Hz), the time base of the regions. */
  outputRate: number;
}

/** Recognises the bearing task of a model from its output size and labels (file comment). */
export function bearingTask(model: Model, source: string): BearingTask {
  const meta = model.metadata;
  const labels = meta.labels ?? [];
  const thresholdOf = (label: string | undefined): number => {
    const d = meta.detector ?? {};
    return (label !== undefined ? d.thresholds?.[label] : undefined) ?? d.threshold ?? 0.5;
  };
  if (meta.output.size === 1) {
    return { kind: 'anomaly', scoreIndex: 0, threshold: thresholdOf(labels[0]), labels: ['normal', 'anomaly'] };
  }
  if (labels.length === 2 && labels.includes('normal') && labels.includes('anomaly')) {
    return { kind: 'anomaly', scoreIndex: labels.indexOf('anomaly'), threshold: thresholdOf('anomaly'), labels: ['normal', 'anomaly'] };
  }
  if (labels.length === 0) throw new WavegateError('E_MODEL_UNSUPPORTED', `${source}: the model has ${meta.output.size} outputs and no labels; eval --cwru needs CWRU class labels, or one output / labels ["normal", "anomaly"] for an anomaly model`);
  if (labels.every((l) => CWRU_LABELS_10.includes(l))) return { kind: 'classifier', task: '10class', labels: [...labels] };
  if (labels.every((l) => (CWRU_LABELS_4 as readonly string[]).includes(l))) return { kind: 'classifier', task: '4class', labels: [...labels] };
  throw new WavegateError(
    'E_MODEL_UNSUPPORTED',
    `${source}: labels [${labels.join(', ')}] do not map to CWRU classes (10-class: ${CWRU_LABELS_10.join(', ')}; 4-class: ${CWRU_LABELS_4.join(', ')}; anomaly: one output, or "normal" and "anomaly")`,
  );
}

/** The class a file has in the model's task. */
function truthOf(task: BearingTask, info: CwruFileInfo): string {
  if (task.kind === 'anomaly') return info.fault === 'normal' ? 'normal' : 'anomaly';
  return task.task === '10class' ? CWRU_LABELS_10[info.class10] : CWRU_LABELS_4[info.class4];
}

interface PlannedFile {
  file: string;
  path: string;
  info: CwruFileInfo;
  truth: string;
}

/** Checks the model, the folder and every file name before any work; returns the plan. */
export function checkCwruEval(model: Model, source: string, options: CwruEvalOptions): { task: BearingTask; files: PlannedFile[] } {
  const region = options.region ?? 'test';
  if (!CWRU_REGIONS.includes(region)) throw new WavegateError('E_ARGUMENT', `--region must be one of ${CWRU_REGIONS.join(', ')}, got ${JSON.stringify(region)}`);
  const input = model.metadata.input;
  if (input.windowing?.mode !== 'fixed') {
    throw new WavegateError('E_MODEL_UNSUPPORTED', `${source}: eval --cwru needs a fixed-window model (input.windowing.mode "fixed"); this one's windowing is ${input.windowing ? `"${input.windowing.mode}"` : 'not described'}`);
  }
  const task = bearingTask(model, source);
  let names: string[];
  try {
    if (!statSync(options.dir).isDirectory()) throw new Error('not a folder');
    names = readdirSync(options.dir).filter((f) => f.toLowerCase().endsWith('.mat')).sort();
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `--cwru ${options.dir}: cannot list the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  if (names.length === 0) throw new WavegateError('E_NOT_FOUND', `--cwru ${options.dir}: no .mat files`);
  const channels = modelChannels(model);
  const rates = new Set<number>();
  const files = names.map((file) => {
    const path = join(options.dir, file);
    let info: CwruFileInfo;
    try {
      info = cwruFileInfo(file);
    } catch (e) {
      throw new WavegateError('E_INPUT', `${path}: ${(e as Error).message}`, { cause: e });
    }
    const truth = truthOf(task, info);
    if (task.kind === 'classifier' && !task.labels.includes(truth)) {
      throw new WavegateError('E_INPUT', `${path}: class ${truth} is not among the model's labels [${task.labels.join(', ')}]`);
    }
    rates.add(info.fs);
    return { file, path, info, truth };
  });
  if (channels.some((c) => !['DE', 'FE', 'BA'].includes(c))) {
    throw new WavegateError('E_INPUT', `${source}: the model reads channel(s) ${channels.join(', ')}; CWRU files hold DE, FE and BA`);
  }
  for (const rate of rates) createRecordChain(input, rate, `${source} at ${rate} Hz`);
  return { task, files };
}

/** Runs the model over each file's region and collects window predictions, scores and alerts. */
export async function evalCwru(model: Model, source: string, options: CwruEvalOptions): Promise<CwruEval> {
  const { task, files } = checkCwruEval(model, source, options);
  const region = options.region ?? 'test';
  const input = model.metadata.input;
  const w = input.windowing as { mode: 'fixed'; window: number; hop: number };
  const C = input.channels;
  const names = modelChannels(model);
  const R = names.length; // channels of the recording's frames (C after a spectrum stage is R x bands)
  const batch = 64;
  const session = await model.createSession({ maxBatch: batch, backend: options.backend });
  const labels = task.labels;
  const alertCfg: AlertConfig = task.kind === 'anomaly'
    ? alertConfig(model.metadata.output.size === 1 ? [model.metadata.labels?.[0] ?? 'anomaly'] : model.metadata.labels!, model.metadata.detector)
    : alertConfig(labels, model.metadata.detector);
  const out: CwruFileEval[] = [];
  let outputRate = 0;
  try {
    for (const [k, f] of files.entries()) {
      const record = readRecord(f.path);
      const chain = createSignalChain(input, record.sampleRate);
      outputRate = chain.outputRate;
      const length = chain.pipeline.outputLength(record.length);
      const bounds: [number, number] = region === 'all' ? [0, length] : timeSplitRegions(length, { fractions: options.fractions })[region];
      const inside = new Set(windowStarts(bounds, w.window, w.hop));
      const frames = recordFrames(record, names);
      if (options.gain !== undefined && options.gain !== 1) for (let i = 0; i < frames.length; i++) frames[i] *= options.gain;
      const data: Float32Array[] = [], starts: number[] = [], times: number[] = [];
      const take = (ws: ReturnType<typeof chain.push>) => {
        for (const win of ws) {
          if (!inside.has(win.at)) continue;
          data.push(win.data);
          starts.push(win.sample);
          times.push(win.at / chain.outputRate);
        }
      };
      const step = 1 << 16;
      for (let s = 0; s < record.length; s += step) take(chain.push(frames.subarray(s * R, Math.min(record.length, s + step) * R)));
      take(chain.flush());
      const outputs: Float32Array[] = [];
      for (let s = 0; s < data.length; s += batch) {
        const n = Math.min(batch, data.length - s);
        const x = new Float32Array(n * w.window * C);
        for (let i = 0; i < n; i++) x.set(data[s + i], i * w.window * C);
        const y = runWindows(session, x, n, w.window);
        const S = session.outputSize;
        for (let i = 0; i < n; i++) outputs.push(y.slice(i * S, (i + 1) * S));
      }
      let predicted: number[], scores: number[] | undefined;
      if (task.kind === 'anomaly') {
        scores = outputs.map((o) => o[task.scoreIndex]);
        predicted = scores.map((s) => (s >= task.threshold ? 1 : 0));
      } else {
        predicted = outputs.map((o) => {
          let best = 0;
          for (let i = 1; i < o.length; i++) if (o[i] > o[best]) best = i;
          return best;
        });
      }
      const alerts = replayAlerts(alertCfg, outputs, times, w.window / chain.outputRate).length;
      out.push({ file: f.file, info: f.info, truth: f.truth, region: bounds, seconds: (bounds[1] - bounds[0]) / chain.outputRate, starts, predicted, ...(scores ? { scores } : {}), alerts });
      options.onFile?.(f.file, k + 1, files.length);
    }
  } finally {
    session.dispose();
  }
  return { kind: 'cwru', task, region, files: out, outputRate };
}
