/**
 * `wavegate score --model <model.wgm> --input <file> --out <file.jsonl>`: offline window scoring.
 * Output: one JSON object per input window, in input order: {"index": i, "output": [numbers]},
 * where output is the model's final output vector (after its softmax/sigmoid, if it has one).
 */
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { once } from 'node:events';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { WavegateError } from '../errors.js';
import { readSamplesFile, type SampleFormat } from '../io/samples.js';
import { loadModel } from '../runtime/model.js';
import type { BackendChoice } from '../runtime/options.js';
import { runAction } from './run-action.js';

export interface ScoreOptions {
  model: string;
  input: string;
  out: string;
  /** Input format; default from the suffix. */
  format?: SampleFormat;
  /** Windows per kernel call. Default 64. */
  batch?: number;
  backend?: BackendChoice;
  /** Show a progress bar on stderr. Default: when stderr is a terminal and the input is long. */
  progress?: boolean;
}

/** Windows above which the progress bar is worth drawing. */
const PROGRESS_MIN_WINDOWS = 2000;

/** Scores every window of `input` and writes JSON lines to `out`. Returns the window count. */
export async function score(opts: ScoreOptions): Promise<number> {
  const model = await loadModel(opts.model);
  const samples = readSamplesFile(opts.input, { format: opts.format });
  const { channels, window } = model.metadata.input;
  if (samples.c !== channels) {
    throw new WavegateError('E_INPUT', `${opts.input}: windows have ${samples.c} channel(s), model ${opts.model} expects ${channels}`);
  }
  if (window !== undefined && samples.t !== window) {
    throw new WavegateError('E_INPUT', `${opts.input}: windows are ${samples.t} steps long, model ${opts.model} expects ${window}`);
  }
  const batch = opts.batch ?? 64;
  const session = await model.createSession({ maxBatch: batch, maxWindow: samples.t, backend: opts.backend });
  mkdirSync(dirname(opts.out), { recursive: true });
  // Written beside the target and renamed at the end: a failed run never leaves a truncated
  // file under the requested name, nor clobbers the previous one.
  const partial = `${opts.out}.partial`;
  const out = createWriteStream(partial);
  let complete = false;
  const showProgress = opts.progress ?? (process.stderr.isTTY === true && samples.n >= PROGRESS_MIN_WINDOWS);
  const bar = showProgress ? new cliProgress.SingleBar({ stream: process.stderr, etaBuffer: 50 }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(samples.n, 0);
  const stride = samples.t * samples.c;
  const outSize = session.outputSize;
  try {
    for (let start = 0; start < samples.n; start += batch) {
      const n = Math.min(batch, samples.n - start);
      const y = session.run(samples.data.subarray(start * stride, (start + n) * stride), n, samples.t);
      let lines = '';
      for (let k = 0; k < n; k++) {
        lines += `${JSON.stringify({ index: start + k, output: Array.from(y.subarray(k * outSize, (k + 1) * outSize)) })}\n`;
      }
      if (!out.write(lines)) await once(out, 'drain');
      bar?.update(start + n);
    }
    complete = true;
  } finally {
    bar?.stop();
    out.end();
    await once(out, 'close');
    model.dispose();
    if (complete) renameSync(partial, opts.out);
    else rmSync(partial, { force: true });
  }
  return samples.n;
}

export function registerScore(program: Command): Command {
  return program
    .command('score')
    .description('score windows of a sample file (.npy [N,T,C] float32, .npz, .csv, .jsonl) and write one JSON line per window')
    .requiredOption('--model <model.wgm>', 'model file')
    .requiredOption('--input <file>', 'windows to score: .npy float32 [N,T,C] or [N,T], .npz, .csv or .jsonl (see docs/datasets.md)')
    .requiredOption('--out <file.jsonl>', 'output: {"index": i, "output": [...]} per window, in order')
    .option('--batch <n>', 'windows per kernel call', (v) => Number.parseInt(v, 10), 64)
    .option('--backend <name>', 'kernel build: auto, simd or ref', 'auto')
    .option('--no-progress', 'never draw the progress bar')
    .action(
      runAction(async (o: { model: string; input: string; out: string; batch: number; backend: BackendChoice; progress: boolean }) => {
        const started = performance.now();
        const n = await score({ ...o, progress: o.progress === false ? false : undefined });
        const ms = performance.now() - started;
        process.stderr.write(`scored ${n} window(s) in ${ms.toFixed(0)} ms -> ${o.out}\n`);
      }),
    );
}
