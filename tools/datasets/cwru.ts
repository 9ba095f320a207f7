/**
 * CWRU bearing dataset: the fixed windows a device cuts (src/signal/chain.ts, through
 * chain-windows.ts) from each recording, those wholly inside the chosen time region (train / val
 * / test), labelled by file for the 10-class or 4-class task.
 *
 * Every recording goes through the same stage list, in list order. The default list is
 * `decimate {to: 12000}`: the 48 kHz normal baseline is decimated by 4 (anti-alias built in), the
 * 12 kHz fault files pass unchanged (factor 1). The regions are cut by time on the chain's output
 * (src/labels/cwru.ts), so no window straddles two sets.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { WavegateError } from '../../src/errors.js';
import { readMat5, requireMatVariable } from '../../src/io/mat5.js';
import { CWRU_LABELS_10, CWRU_LABELS_4, cwruFileInfo, timeSplitRegions, windowStarts, TIME_SPLITS, type TimeSplitName } from '../../src/labels/cwru.js';
import type { InputSpec } from '../../src/model/schema.js';
import { channelsPerInputChannel, parseStages, type Stage } from '../../src/model/stages.js';
import { buildPipeline } from '../../src/signal/pipeline.js';
import { chainWindows } from './chain-windows.js';
import { sha256Hex } from '../../src/model/digest.js';
import { classCounts, DATASET_FORMAT, DATASET_FORMAT_VERSION, WindowSink, type DatasetArrays } from './dataset-file.js';
import { interleave } from './interleave.js';
import { outputRate } from './mitdb.js';

export type CwruTask = '10class' | '4class';

/** The default CWRU stage list: every recording to 12 kHz (a no-op for the 12 kHz files). */
export const CWRU_DEFAULT_STAGES: Stage[] = [{ kind: 'decimate', to: 12000 }];

export interface CwruBuildOptions {
  /** Folder holding the .mat files (every CWRU-named .mat in it is used, sorted by name). */
  dir: string;
  split: TimeSplitName;
  /** Default '10class'. */
  task?: CwruTask;
  /** Sensor channels, in channel order: DE, FE, BA. Default ["DE"]. */
  leads?: string[];
  /** Window length in samples at the model rate. Default 1024. */
  window?: number;
  /** Hop in samples. Default window / 2. */
  hop?: number;
  /** Train/val/test fractions of each recording, in time order. Default [0.6, 0.2, 0.2]. */
  fractions?: [number, number, number];
  /** Canonical stages from each recording's own rate. Default {@link CWRU_DEFAULT_STAGES}. */
  preprocessing?: Stage[];
  onRecord?: (record: string, done: number, total: number) => void;
  createdBy?: string;
}

/** The most common rate among the files (the lower on a tie): the sensor rate a model is for. */
function commonRate(rates: number[]): number {
  const counts = new Map<number, number>();
  for (const r of rates) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
}

export function buildCwruDataset(options: CwruBuildOptions): DatasetArrays {
  if (!TIME_SPLITS.includes(options.split)) throw new WavegateError('E_ARGUMENT', `CWRU split must be one of ${TIME_SPLITS.join(', ')}, got ${JSON.stringify(options.split)}`);
  const task = options.task ?? '10class';
  if (task !== '10class' && task !== '4class') throw new WavegateError('E_ARGUMENT', `--task must be 10class or 4class, got ${JSON.stringify(task)}`);
  const leads = options.leads ?? ['DE'];
  const window = options.window ?? 1024;
  const hop = options.hop ?? Math.max(1, Math.floor(window / 2));
  const stages = options.preprocessing ?? CWRU_DEFAULT_STAGES;
  let files: string[];
  try {
    files = readdirSync(options.dir).filter((f) => f.toLowerCase().endsWith('.mat')).sort();
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `${options.dir}: cannot list CWRU folder: ${(e as Error).message}`, { cause: e });
  }
  if (files.length === 0) throw new WavegateError('E_NOT_FOUND', `${options.dir}: no .mat files`);
  const infos = files.map((f) => cwruFileInfo(f));
  const rawRate = commonRate(infos.map((i) => i.fs));
  // A spectrum stage makes `bands` channels of each lead: the windows' channels.
  const width = leads.length * channelsPerInputChannel(parseStages(stages));
  const input: InputSpec = {
    channels: width,
    sampleRate: outputRate(stages, rawRate),
    window,
    hop,
    channelNames: [...leads],
    raw: { sampleRate: rawRate, units: 'g', channels: [...leads] },
    preprocessing: stages,
    windowing: { mode: 'fixed', window, hop },
  };
  const labels = task === '10class' ? [...CWRU_LABELS_10] : [...CWRU_LABELS_4];
  const sink = new WindowSink(window * width);
  const digests: Record<string, string> = {};
  const regions: Record<string, [number, number]> = {};

  files.forEach((file, recIndex) => {
    const info = infos[recIndex];
    const bytes = readFileSync(join(options.dir, file));
    digests[file] = sha256Hex(bytes);
    const vars = readMat5(bytes, file);
    const channels = leads.map((lead) => {
      const v = requireMatVariable(vars, `${info.varPrefix}_${lead}_time`, file);
      const sig = Float32Array.from(v.data);
      for (let i = 0; i < sig.length; i++) if (!Number.isFinite(sig[i])) throw new WavegateError('E_FILE_FORMAT', `${file}: ${lead} sample ${i} is ${sig[i]}`);
      return sig;
    });
    // The regions follow from the chain's output length, known before running it (windows go straight to the sink).
    let length: number;
    try {
      length = buildPipeline(input, info.fs).outputLength(channels[0].length);
    } catch (e) {
      if (e instanceof WavegateError) throw new WavegateError(e.code, `${file}: ${e.message}`, { cause: e });
      throw e;
    }
    const region = timeSplitRegions(length, { fractions: options.fractions })[options.split];
    regions[basename(file)] = region;
    const inside = new Set(windowStarts(region, window, hop));
    const y = task === '10class' ? info.class10 : info.class4;
    chainWindows(input, info.fs, interleave(channels), (w) => {
      if (inside.has(w.at)) sink.push(w.data, y, recIndex, w.sample);
    });
    options.onRecord?.(file, recIndex + 1, files.length);
  });

  const { x, y, record, sample } = sink.arrays();
  return {
    x, n: sink.count, t: window, c: width, y, record, sample,
    meta: {
      format: DATASET_FORMAT,
      formatVersion: DATASET_FORMAT_VERSION,
      labels,
      input,
      source: 'cwru',
      sampleMarks: 'window-start',
      split: options.split,
      records: files,
      recordRates: infos.map((i) => i.fs),
      sourceDigests: digests,
      createdBy: options.createdBy ?? 'wavegate dataset build',
      classCounts: classCounts(y, labels),
      task,
      timeSplit: { fractions: options.fractions ?? [0.6, 0.2, 0.2], order: TIME_SPLITS, regions },
    },
  };
}
