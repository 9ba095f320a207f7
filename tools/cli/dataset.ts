/**
 * `wavegate dataset ...`: dataset building for the trainer.
 *
 *   wavegate dataset build --source mitdb:<dir> --split DS1 --out ds1.npz
 *   wavegate dataset build --source cwru:<dir> --split train --task 10class --out cwru-train.npz
 *
 * registerDataset returns the `dataset` command so that other subcommands (e.g. `synth`) can be
 * added under it. Output format: docs/datasets.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { WavegateError } from '../../src/errors.js';
import { readWfdbHeader } from '../../src/io/wfdb-record.js';
import { mitdbSplitRecords } from '../../src/labels/splits.js';
import { runAction } from '../../src/cli/run-action.js';
import { buildMitdbDataset, type PeakDetector } from '../datasets/mitdb.js';
import { buildCwruDataset } from '../datasets/cwru.js';
import { encodeDataset, type DatasetArrays } from '../datasets/dataset-file.js';
import { parsePreprocessing } from '../datasets/preprocess.js';
import { progressBar } from '../datasets/progress.js';
import { packageVersion } from '../../src/package-version.js';

export interface DatasetBuildCliOptions {
  source: string;
  split: string;
  out: string;
  lead?: string;
  window?: string;
  before?: string;
  after?: string;
  fs?: string;
  hop?: string;
  task?: string;
  preprocess?: string;
  peaks?: string;
  fractions?: string;
  compress?: boolean;
  quiet?: boolean;
}

/** Default band-pass for ECG: removes baseline wander below 0.5 Hz and EMG/mains above 40 Hz. */
export const MITDB_DEFAULT_PREPROCESS = 'bandpass:0.5-40:2';
/** Default MIT-BIH beat window at 360 Hz: 90 samples (0.25 s) before the R peak, 166 from it on. */
export const MITDB_DEFAULT_BEFORE = 90;
export const MITDB_DEFAULT_WINDOW = 256;

function int(text: string | undefined, name: string, min = 0): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw new WavegateError('E_ARGUMENT', `--${name} must be an integer >= ${min}, got ${JSON.stringify(text)}`);
  return v;
}

/** before/after from any of --window/--before/--after; --window alone keeps the R peak at 35 %. */
export function beatWindowArgs(o: Pick<DatasetBuildCliOptions, 'window' | 'before' | 'after'>): { before: number; after: number } {
  const w = int(o.window, 'window', 2);
  let before = int(o.before, 'before', 0);
  let after = int(o.after, 'after', 1);
  if (w !== undefined) {
    if (before !== undefined && after !== undefined && before + after !== w) {
      throw new WavegateError('E_ARGUMENT', `--before ${before} + --after ${after} must equal --window ${w}`);
    }
    before ??= after !== undefined ? w - after : Math.round(w * (MITDB_DEFAULT_BEFORE / MITDB_DEFAULT_WINDOW));
    after ??= w - before;
    if (after < 1) throw new WavegateError('E_ARGUMENT', `--before ${before} leaves no room in --window ${w}`);
  }
  before ??= MITDB_DEFAULT_BEFORE;
  after ??= MITDB_DEFAULT_WINDOW - MITDB_DEFAULT_BEFORE;
  return { before, after };
}

/** The QRS detector from src/signal/qrs.ts when that module exists (loaded lazily, by name). */
async function loadDetector(): Promise<PeakDetector> {
  const path = '../../src/signal/qrs.js';
  let mod: Record<string, unknown>;
  try {
    mod = (await import(path)) as Record<string, unknown>;
  } catch (e) {
    throw new WavegateError('E_ARGUMENT', `--peaks detector: the QRS detector (src/signal/qrs.ts) is not available: ${(e as Error).message}`);
  }
  // The streaming detector class: feed the whole signal, then flush the peaks still pending.
  const Detector = mod.QrsDetector as (new (o: { fs: number }) => { process(x: Float32Array): number[]; flush(): number[] }) | undefined;
  if (typeof Detector === 'function') {
    return (signal, fs) => {
      const d = new Detector({ fs });
      return [...d.process(signal), ...d.flush()];
    };
  }
  for (const name of ['detectQrs', 'detectPeaks', 'detectRPeaks']) {
    const fn = mod[name];
    if (typeof fn === 'function') return (signal, fs) => (fn as (s: Float32Array, f: number) => ArrayLike<number>)(signal, fs);
  }
  throw new WavegateError('E_ARGUMENT', '--peaks detector: src/signal/qrs.ts exports neither QrsDetector nor detectQrs/detectPeaks/detectRPeaks');
}

function parseSource(source: string): { kind: 'mitdb' | 'cwru'; dir: string } {
  const m = /^(mitdb|cwru):(.+)$/.exec(source);
  if (!m) throw new WavegateError('E_ARGUMENT', `--source must be mitdb:<dir> or cwru:<dir>, got ${JSON.stringify(source)}`);
  return { kind: m[1] as 'mitdb' | 'cwru', dir: m[2] };
}

/** Builds the dataset the options describe (without writing it). */
export async function buildFromCli(o: DatasetBuildCliOptions, argv: string[] = process.argv.slice(2)): Promise<DatasetArrays> {
  const { kind, dir } = parseSource(o.source);
  const createdBy = `wavegate ${packageVersion()}: wavegate ${argv.join(' ')}`;
  const leads = o.lead?.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const bar = o.quiet ? { update() {}, stop() {} } : progressBar(`dataset ${kind} ${o.split}`);
  try {
    if (kind === 'mitdb') {
      const records = mitdbSplitRecords(o.split);
      const recordFs = readWfdbHeader(join(dir, records[0])).fs;
      const peaks = o.peaks ?? 'reference';
      if (peaks !== 'reference' && peaks !== 'detector') throw new WavegateError('E_ARGUMENT', `--peaks must be reference or detector, got ${JSON.stringify(peaks)}`);
      return buildMitdbDataset({
        dir,
        split: o.split,
        leads,
        ...beatWindowArgs(o),
        fs: int(o.fs, 'fs', 1),
        preprocessing: parsePreprocessing(o.preprocess ?? MITDB_DEFAULT_PREPROCESS, recordFs),
        peaks,
        detector: peaks === 'detector' ? await loadDetector() : undefined,
        onRecord: (r, done, total) => bar.update(r, done, total),
        createdBy,
      });
    }
    const fs = int(o.fs, 'fs', 1) ?? 12000;
    let fractions: [number, number, number] | undefined;
    if (o.fractions !== undefined) {
      const f = o.fractions.split(',').map(Number);
      if (f.length !== 3 || f.some((v) => !Number.isFinite(v))) throw new WavegateError('E_ARGUMENT', `--fractions must be three numbers like 0.6,0.2,0.2, got ${JSON.stringify(o.fractions)}`);
      fractions = f as [number, number, number];
    }
    if (o.before !== undefined || o.after !== undefined) throw new WavegateError('E_ARGUMENT', '--before/--after apply to mitdb beat windows; use --window and --hop for cwru');
    return buildCwruDataset({
      dir,
      split: o.split as 'train' | 'val' | 'test',
      task: (o.task ?? '10class') as '10class' | '4class',
      leads,
      fs,
      window: int(o.window, 'window', 1),
      hop: int(o.hop, 'hop', 1),
      fractions,
      preprocessing: parsePreprocessing(o.preprocess ?? 'none', fs),
      onRecord: (r, done, total) => bar.update(r, done, total),
      createdBy,
    });
  } finally {
    bar.stop();
  }
}

/** A small class-count table for the terminal. */
export function formatClassCounts(d: DatasetArrays): string {
  const rows = Object.entries(d.meta.classCounts);
  const width = Math.max(5, ...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)} ${String(v).padStart(8)}  ${d.n ? ((100 * v) / d.n).toFixed(2).padStart(6) : '     -'} %`);
  return [`${d.n} windows x ${d.t} samples x ${d.c} channel(s) at ${d.meta.fs} Hz from ${d.meta.records.length} recording(s), split ${d.meta.split}`, ...lines].join('\n');
}

export function registerDataset(program: Command): Command {
  const dataset = program.command('dataset').description('build training and evaluation datasets (.npz) from WFDB and MAT files');
  dataset
    .command('build')
    .description('cut labelled windows from a data source into an .npz the trainer reads (format: docs/datasets.md)')
    .requiredOption('--source <kind:dir>', 'mitdb:<dir with NNN.hea/.dat/.atr> or cwru:<dir with .mat files>')
    .requiredOption('--split <name>', 'mitdb: DS1, DS2, DS2_STAGED or a record list like 100,101; cwru: train, val or test')
    .requiredOption('--out <file.npz>', 'output dataset file')
    .option('--lead <names>', 'comma-separated channels by name (default: MLII for mitdb, DE for cwru; also FE, BA)')
    .option('--window <samples>', 'window length (default: mitdb 256 = before + after, cwru 1024)')
    .option('--before <samples>', 'mitdb: samples before the R peak (default 90; with --window alone: 35 % of it)')
    .option('--after <samples>', 'mitdb: samples from the R peak to the window end (default 166)')
    .option('--fs <hz>', 'dataset sample rate; an integer divisor of the source rate (default: mitdb record rate, cwru 12000)')
    .option('--hop <samples>', 'cwru: hop between windows (default window/2)')
    .addOption(new Option('--task <task>', 'cwru: label set').choices(['10class', '4class']).default('10class'))
    .option('--preprocess <stages>', `filter stages: none | bandpass:<lo>-<hi>[:order] | highpass:<fc>[:order] | lowpass:<fc>[:order], comma separated (default: mitdb ${MITDB_DEFAULT_PREPROCESS}, cwru none)`)
    .addOption(new Option('--peaks <source>', 'mitdb: beat positions from reference annotations or the QRS detector').choices(['reference', 'detector']).default('reference'))
    .option('--fractions <a,b,c>', 'cwru: train,val,test fractions of each recording in time order (default 0.6,0.2,0.2)')
    .option('--compress', 'deflate the .npz entries (smaller, slower)', false)
    .option('--quiet', 'no progress bar and no class table', false)
    .action(
      runAction(async (o: DatasetBuildCliOptions) => {
        const d = await buildFromCli(o);
        const bytes = encodeDataset(d, { compress: o.compress });
        writeFileSync(o.out, bytes);
        if (!o.quiet) process.stdout.write(`${formatClassCounts(d)}\nwrote ${o.out} (${bytes.length} bytes)\n`);
      }),
    );
  return dataset;
}
