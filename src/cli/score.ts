/**
 * `wavegate score`: offline scoring, one JSON line per window or beat, in order.
 *
 *   wavegate score --model m.wgm --input <windows file> --out scores.jsonl
 *     {"index": i, "label": "V", "output": [...]}            label when the model has labels
 *   wavegate score --model m.wgm --record <WFDB record | .csv | CWRU .mat> --out scores.jsonl
 *     {"index": i, "sample": s, "time": seconds, "label": "V", "output": [...]}
 *
 * `output` is the model's final output vector (after its softmax/sigmoid, if it has one). With
 * --record the model's own metadata decides the channels (by name), preprocessing, windowing and
 * side features (src/scoring/score-record.ts). `--out -` writes to standard output; a file is
 * written beside the target and renamed when complete (src/cli/output.ts).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { numberArg } from './option-parsers.js';
import cliProgress from 'cli-progress';
import { WavegateError } from '../errors.js';
import { readNpz } from '../io/npz.js';
import { readRecord } from '../io/record.js';
import { fromArray, readSamplesFile, sampleFormatOf, type SampleFormat, type SampleWindows } from '../io/samples.js';
import { loadModel, type Model } from '../runtime/model.js';
import type { BackendChoice } from '../runtime/options.js';
import { scoreRecord } from '../scoring/score-record.js';
import { checkWindows, featuresFor, scoreWindows } from '../scoring/score-windows.js';
import { isStandardOutput, prepareOutput } from './output.js';
import { runAction } from './run-action.js';

export interface ScoreOptions {
  model: string;
  /** Windows to score (.npy, .npz, .csv, .jsonl); exactly one of `input` and `record`. */
  input?: string;
  /** A raw recording: WFDB record path, .csv or CWRU .mat. */
  record?: string;
  /** Output path, or `-` for standard output. */
  out: string;
  /** Input format; default from the suffix. */
  format?: SampleFormat;
  /** Record sample rate in Hz, for a CSV record without a time column. */
  sampleRate?: number;
  /** Record channels that feed the model's channels, in order (default: the model's own names). */
  channels?: string[];
  /** Windows per kernel call. Default 64. */
  batch?: number;
  backend?: BackendChoice;
  /** Show a progress bar on stderr. Default: when stderr is a terminal and the input is long. */
  progress?: boolean;
}

/** Windows (or record samples) above which the progress bar is worth drawing. */
const PROGRESS_MIN_WINDOWS = 2000;
const PROGRESS_MIN_SAMPLES = 1_000_000;

/** Scores `input` or `record` and writes JSON lines to `out`. Returns the number of lines. */
export async function score(opts: ScoreOptions): Promise<number> {
  if ((opts.input === undefined) === (opts.record === undefined)) {
    throw new WavegateError('E_ARGUMENT', 'score: give exactly one of --input <windows file> and --record <recording>');
  }
  const output = prepareOutput(opts.out);
  const model = await loadModel(opts.model);
  try {
    let done = 0;
    const onProgress = (d: number) => { done = d; };
    const { batches, total, unit } = opts.record !== undefined ? recordBatches(model, opts, onProgress) : inputBatches(model, opts, onProgress);
    // Every check runs before the first batch, so bad input leaves no output file behind.
    let next = await batches.next();
    const sink = output.open();
    const showProgress = opts.progress ?? (process.stderr.isTTY === true && total >= (unit === 'samples' ? PROGRESS_MIN_SAMPLES : PROGRESS_MIN_WINDOWS));
    const bar = showProgress ? new cliProgress.SingleBar({ stream: process.stderr, etaBuffer: 50 }, cliProgress.Presets.shades_classic) : undefined;
    bar?.start(total, 0);
    let lines = 0;
    try {
      for (; !next.done; next = await batches.next()) {
        await sink.write(next.value.map((r) => `${JSON.stringify(r)}\n`).join(''));
        lines += next.value.length;
        bar?.update(done);
      }
      bar?.update(total);
      await sink.commit();
    } catch (e) {
      await sink.abort();
      throw e;
    } finally {
      bar?.stop();
    }
    return lines;
  } finally {
    model.dispose();
  }
}

function inputBatches(model: Model, opts: ScoreOptions, onProgress: (done: number) => void) {
  const path = opts.input!;
  const format = opts.format ?? sampleFormatOf(path);
  let samples: SampleWindows;
  let features: Float32Array | undefined;
  if (format === 'npz') {
    const arrays = readNpz(readBytes(path), path);
    const x = arrays.get('x');
    if (!x) throw new WavegateError('E_FILE_FORMAT', `${path}: no array "x" in the .npz`);
    samples = fromArray(x, `${path}:x.npy`);
    features = featuresFor(model, arrays.get('features'), samples.n, path);
  } else {
    samples = readSamplesFile(path, { format });
    featuresFor(model, undefined, samples.n, path); // refuses when the model needs features
  }
  checkWindows(model, samples, path);
  const batches = scoreWindows(model, samples, { features, batch: opts.batch, backend: opts.backend, onProgress });
  return { batches, total: samples.n, unit: 'windows' as const };
}

function recordBatches(model: Model, opts: ScoreOptions, onProgress: (done: number) => void) {
  const record = readRecord(opts.record!, { sampleRate: opts.sampleRate });
  const batches = scoreRecord(model, record, { channels: opts.channels, batch: opts.batch, backend: opts.backend, onProgress });
  return { batches, total: record.length, unit: 'samples' as const };
}

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `${path}: cannot read sample file: ${(e as Error).message}`, { cause: e });
  }
}

export function registerScore(program: Command): Command {
  return program
    .command('score')
    .description('score windows of a sample file, or a raw recording through the model\'s own pipeline; one JSON line per window or beat')
    .requiredOption('--model <model.wgm>', 'model file')
    .option('--input <file>', 'windows to score: .npy float32 [N,T,C] or [N,T], .npz (x, and features when the model takes them), .csv or .jsonl (see docs/datasets.md)')
    .option('--record <path>', 'a raw recording: WFDB record path without extension (mitdb/100), .csv with a header naming the channels, or a CWRU .mat')
    .requiredOption('--out <file.jsonl>', 'output, or - for standard output: {"index", ["sample", "time",] ["label",] "output"} per window, in order')
    .option('--sample-rate <hz>', 'sample rate of a CSV record without a time column', numberArg({ above: 0 }))
    .option('--channels <names>', 'record channels that feed the model, comma separated (default: the model\'s own channel names)', (v) => v.split(',').map((s) => s.trim()))
    .option('--batch <n>', 'windows per kernel call', numberArg({ integer: true, min: 1 }), 64)
    .option('--backend <name>', 'kernel build: auto, simd or ref', 'auto')
    .option('--no-progress', 'never draw the progress bar')
    .action(
      runAction(async (o: ScoreOptions & { progress: boolean }) => {
        const started = performance.now();
        const n = await score({ ...o, progress: o.progress === false ? false : undefined });
        const ms = performance.now() - started;
        const what = o.record !== undefined ? `${n} window(s) of record ${o.record}` : `${n} window(s)`;
        process.stderr.write(`scored ${what} in ${ms.toFixed(0)} ms -> ${isStandardOutput(o.out) ? 'standard output' : o.out}\n`);
      }),
    );
}
