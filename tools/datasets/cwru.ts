/**
 * CWRU bearing dataset: sliding windows from the time region (train / val / test) of every
 * recording, labelled by file for the 10-class or 4-class task.
 *
 * Each recording is brought to `fs` (the normal baseline is 48 kHz: decimated by 4 with an
 * anti-alias filter), filtered by the preprocessing stages, then cut by time into disjoint
 * regions (src/labels/cwru.ts); windows lie wholly inside the chosen region.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { WavegateError } from '../../src/errors.js';
import { readMat5, requireMatVariable } from '../../src/io/mat5.js';
import { CWRU_LABELS_10, CWRU_LABELS_4, cwruFileInfo, timeSplitRegions, windowStarts, TIME_SPLITS, type TimeSplitName } from '../../src/labels/cwru.js';
import type { PreprocessingStage } from '../../src/model/schema.js';
import { applyStages, stagesForMeta, type FilterStage } from './preprocess.js';
import { decimate, decimateStage } from '../../src/signal/decimate.js';
import { sha256Hex } from '../../src/model/digest.js';
import { classCounts, WindowSink, type DatasetArrays } from './dataset-file.js';
import { interleave } from './interleave.js';

export type CwruTask = '10class' | '4class';

export interface CwruBuildOptions {
  /** Folder holding the .mat files (every CWRU-named .mat in it is used, sorted by name). */
  dir: string;
  split: TimeSplitName;
  /** Default '10class'. */
  task?: CwruTask;
  /** Sensor channels, in channel order: DE, FE, BA. Default ["DE"]. */
  leads?: string[];
  /** Target sample rate in Hz. Default 12000. */
  fs?: number;
  /** Window length in samples at `fs`. Default 1024. */
  window?: number;
  /** Hop in samples. Default window / 2. */
  hop?: number;
  /** Train/val/test fractions of each recording, in time order. Default [0.6, 0.2, 0.2]. */
  fractions?: [number, number, number];
  /** Filter stages at `fs`. Default none. */
  preprocessing?: FilterStage[];
  onRecord?: (record: string, done: number, total: number) => void;
  createdBy?: string;
}

export function buildCwruDataset(options: CwruBuildOptions): DatasetArrays {
  if (!TIME_SPLITS.includes(options.split)) throw new WavegateError('E_ARGUMENT', `CWRU split must be one of ${TIME_SPLITS.join(', ')}, got ${JSON.stringify(options.split)}`);
  const task = options.task ?? '10class';
  if (task !== '10class' && task !== '4class') throw new WavegateError('E_ARGUMENT', `--task must be 10class or 4class, got ${JSON.stringify(task)}`);
  const leads = options.leads ?? ['DE'];
  const fs = options.fs ?? 12000;
  const window = options.window ?? 1024;
  const hop = options.hop ?? Math.max(1, Math.floor(window / 2));
  const stages = options.preprocessing ?? [];
  for (const s of stages) if (s.fs !== fs) throw new WavegateError('E_SAMPLE_RATE', `preprocessing designed for ${s.fs} Hz, dataset rate is ${fs} Hz`);
  let files: string[];
  try {
    files = readdirSync(options.dir).filter((f) => f.toLowerCase().endsWith('.mat')).sort();
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `${options.dir}: cannot list CWRU folder: ${(e as Error).message}`, { cause: e });
  }
  if (files.length === 0) throw new WavegateError('E_NOT_FOUND', `${options.dir}: no .mat files`);
  const labels = task === '10class' ? [...CWRU_LABELS_10] : [...CWRU_LABELS_4];
  const sink = new WindowSink(window * leads.length);
  const digests: Record<string, string> = {};
  const resampling: Record<string, PreprocessingStage> = {};
  const regions: Record<string, [number, number]> = {};

  files.forEach((file, recIndex) => {
    const info = cwruFileInfo(file);
    const bytes = readFileSync(join(options.dir, file));
    digests[file] = sha256Hex(bytes);
    const vars = readMat5(bytes, file);
    const channels = leads.map((lead) => {
      const v = requireMatVariable(vars, `${info.varPrefix}_${lead}_time`, file);
      let sig: Float32Array = Float32Array.from(v.data);
      for (let i = 0; i < sig.length; i++) if (!Number.isFinite(sig[i])) throw new WavegateError('E_FILE_FORMAT', `${file}: ${lead} sample ${i} is ${sig[i]}`);
      if (info.fs !== fs) {
        const stage = decimateStage(info.fs, fs);
        resampling[file] = stage;
        sig = decimate(sig, stage);
      }
      return applyStages(sig, stages);
    });
    const length = channels[0].length;
    const region = timeSplitRegions(length, { fractions: options.fractions })[options.split];
    regions[basename(file)] = region;
    const frames = interleave(channels);
    const c = leads.length;
    const y = task === '10class' ? info.class10 : info.class4;
    for (const s of windowStarts(region, window, hop)) sink.push(frames.subarray(s * c, (s + window) * c), y, recIndex);
    options.onRecord?.(file, recIndex + 1, files.length);
  });

  const { x, y, record } = sink.arrays();
  return {
    x,
    n: sink.count,
    t: window,
    c: leads.length,
    y,
    record,
    meta: {
      labels,
      fs,
      window,
      before: 0,
      after: window,
      hop,
      lead: leads,
      channels: leads.length,
      preprocessing: stagesForMeta(stages),
      split: options.split,
      records: files,
      sourceDigests: digests,
      createdBy: options.createdBy ?? 'wavegate dataset build',
      source: 'cwru',
      windows: 'sliding',
      classCounts: classCounts(y, labels),
      task,
      timeSplit: { fractions: options.fractions ?? [0.6, 0.2, 0.2], order: TIME_SPLITS, regions },
      resampling,
      units: 'g',
    },
  };
}
