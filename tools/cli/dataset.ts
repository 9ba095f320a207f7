/**
 * `wavegate dataset ...`: dataset building for the trainer.
 *
 *   wavegate dataset build --source mitdb:<dir> --split DS1 --out ds1.npz
 *   wavegate dataset build --source cwru:<dir> --split train --task 10class --out cwru-train.npz
 *
 * registerDataset returns the `dataset` command so that other subcommands (e.g. `synth`) can be
 * added under it. Output format: docs/datasets.md.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { WavegateError } from '../../src/errors.js';
import { runAction } from '../../src/cli/run-action.js';
import { DEFAULT_RR_FEATURES } from '../../src/signal/rr-features.js';
import { buildMitdbDataset } from '../datasets/mitdb.js';
import { buildCwruDataset, CWRU_DEFAULT_STAGES } from '../datasets/cwru.js';
import { decodeDataset, encodeDataset, type DatasetArrays } from '../datasets/dataset-file.js';
import { parsePreprocessSpec } from '../datasets/preprocess.js';
import { progressBar } from '../datasets/progress.js';
import { packageVersion } from '../../src/package-version.js';
import { checkOutputPath, writeOutputFile } from '../datasets/write-output.js';

export interface DatasetBuildCliOptions {
  source: string;
  split: string;
  out: string;
  lead?: string;
  window?: string;
  before?: string;
  after?: string;
  hop?: string;
  task?: string;
  preprocess?: string;
  peaks?: string;
  features?: string;
  localBeats?: string;
  featuresFrom?: string;
  fractions?: string;
  compress?: boolean;
  quiet?: boolean;
}

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

function parseSource(source: string): { kind: 'mitdb' | 'cwru'; dir: string } {
  const m = /^(mitdb|cwru):(.+)$/.exec(source);
  if (!m) throw new WavegateError('E_ARGUMENT', `--source must be mitdb:<dir> or cwru:<dir>, got ${JSON.stringify(source)}`);
  return { kind: m[1] as 'mitdb' | 'cwru', dir: m[2] };
}

/** --features: names (comma separated) or none. */
function featureNames(text: string | undefined): string[] {
  if (text === undefined) return [...DEFAULT_RR_FEATURES];
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return names.length === 1 && names[0] === 'none' ? [] : names;
}

/** --features-from: the feature normalisation of another dataset (the training set's, for a test set). */
function featureNormalizeFrom(path: string, names: readonly string[]): { mean: number[]; std: number[] } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `--features-from ${path}: cannot read: ${(e as Error).message}`);
  }
  const f = decodeDataset(bytes, path).meta.input.features;
  if (!f?.normalize) throw new WavegateError('E_INPUT', `--features-from ${path}: the dataset has no normalised side features`);
  if (f.names.join() !== names.join()) throw new WavegateError('E_INPUT', `--features-from ${path}: its features [${f.names.join(', ')}] differ from --features [${names.join(', ')}]`);
  return { mean: [...f.normalize.mean], std: [...f.normalize.std] };
}

/** Builds the dataset the options describe (without writing it). */
export async function buildFromCli(o: DatasetBuildCliOptions, argv: string[] = process.argv.slice(2)): Promise<DatasetArrays> {
  const { kind, dir } = parseSource(o.source);
  const createdBy = `wavegate ${packageVersion()}: wavegate ${argv.join(' ')}`;
  const leads = o.lead?.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const bar = o.quiet ? { update() {}, stop() {} } : progressBar(`dataset ${kind} ${o.split}`);
  try {
    if (kind === 'mitdb') {
      if (o.hop !== undefined) throw new WavegateError('E_ARGUMENT', '--hop applies to cwru fixed windows; mitdb windows sit on beats');
      const peaks = o.peaks ?? 'reference';
      if (peaks !== 'reference' && peaks !== 'detector') throw new WavegateError('E_ARGUMENT', `--peaks must be reference or detector, got ${JSON.stringify(peaks)}`);
      const features = featureNames(o.features);
      return buildMitdbDataset({
        dir,
        split: o.split,
        leads,
        ...beatWindowArgs(o),
        preprocessing: o.preprocess !== undefined ? parsePreprocessSpec(o.preprocess) : undefined,
        peaks,
        features,
        localBeats: int(o.localBeats, 'local-beats', 1),
        featureNormalize: o.featuresFrom !== undefined ? featureNormalizeFrom(o.featuresFrom, features) : undefined,
        onRecord: (r, done, total) => bar.update(r, done, total),
        createdBy,
      });
    }
    let fractions: [number, number, number] | undefined;
    if (o.fractions !== undefined) {
      const f = o.fractions.split(',').map(Number);
      if (f.length !== 3 || f.some((v) => !Number.isFinite(v))) throw new WavegateError('E_ARGUMENT', `--fractions must be three numbers like 0.6,0.2,0.2, got ${JSON.stringify(o.fractions)}`);
      fractions = f as [number, number, number];
    }
    if (o.before !== undefined || o.after !== undefined) throw new WavegateError('E_ARGUMENT', '--before/--after apply to mitdb beat windows; use --window and --hop for cwru');
    if (o.features !== undefined || o.localBeats !== undefined || o.featuresFrom !== undefined || o.peaks !== undefined) {
      throw new WavegateError('E_ARGUMENT', '--peaks, --features, --local-beats and --features-from apply to mitdb beat windows; cwru windows are fixed and have no RR features');
    }
    return buildCwruDataset({
      dir,
      split: o.split as 'train' | 'val' | 'test',
      task: (o.task ?? '10class') as '10class' | '4class',
      leads,
      window: int(o.window, 'window', 1),
      hop: int(o.hop, 'hop', 1),
      fractions,
      preprocessing: o.preprocess !== undefined ? parsePreprocessSpec(o.preprocess) : CWRU_DEFAULT_STAGES,
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
  const f = d.meta.input.features ? `, ${d.meta.input.features.names.length} side features` : '';
  // After a spectrum stage a window's steps are frames of band values, not samples.
  const steps = d.meta.input.preprocessing?.at(-1)?.kind === 'spectrum' ? 'frames' : 'samples';
  return [`${d.n} windows x ${d.t} ${steps} x ${d.c} channel(s) at ${d.meta.input.sampleRate} Hz${f} from ${d.meta.records.length} recording(s), split ${d.meta.split}`, ...lines].join('\n');
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
    .option('--hop <samples>', 'cwru: hop between windows (default window/2)')
    .addOption(new Option('--task <task>', 'cwru: label set').choices(['10class', '4class']).default('10class'))
    .option('--preprocess <stages>', `stages in order, comma separated: none | bandpass:<lo>-<hi>[:order] | highpass:<hz>[:order] | lowpass:<hz>[:order] | baseline[:<s>-<s>] | decimate:<hz> | resample:<hz> | normalize:<mean>:<std> (default: mitdb bandpass:0.5-40:2, cwru decimate:12000); see docs/signals.md`)
    .addOption(new Option('--peaks <source>', 'mitdb: beat positions from reference annotations or the device QRS detector (default reference)').choices(['reference', 'detector']))
    .option('--features <names>', `mitdb: RR side features, comma separated, or none (default ${DEFAULT_RR_FEATURES.join(',')})`)
    .option('--local-beats <n>', 'mitdb: beats in the local RR mean (default 10)')
    .option('--features-from <dataset.npz>', 'mitdb: normalise the side features with this (training) dataset\'s statistics instead of this one\'s')
    .option('--fractions <a,b,c>', 'cwru: train,val,test fractions of each recording in time order (default 0.6,0.2,0.2)')
    .option('--compress', 'deflate the .npz entries (smaller, slower)', false)
    .option('--quiet', 'no progress bar and no class table', false)
    .action(
      runAction(async (o: DatasetBuildCliOptions) => {
        checkOutputPath(o.out);
        const d = await buildFromCli(o);
        if (d.n === 0) throw new WavegateError('E_INPUT', `no windows: split ${o.split} of ${o.source} gave none (windows longer than the recordings?); nothing written`);
        const bytes = encodeDataset(d, { compress: o.compress });
        writeOutputFile(o.out, bytes);
        if (!o.quiet) process.stdout.write(`${formatClassCounts(d)}\nwrote ${o.out} (${bytes.length} bytes)\n`);
      }),
    );
  return dataset;
}
