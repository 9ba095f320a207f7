/**
 * The commands the pipeline runs: the wavegate CLI (from its TypeScript sources through tsx, as the
 * tests run it), the Python trainer, and the three toolchain steps: `wavegate quantize`,
 * `wavegate verify` and `wavegate eval`.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WavegateError } from '../../src/errors.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Debian's Python with torch, as the trainer's tests use it. */
export const PYTHON = process.env.WAVEGATE_PYTHON ?? '/usr/bin/python3';

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/**
 * Runs a command with the terminal attached (progress bars, epoch lines); rejects on failure.
 * `stdout`: a file that receives the command's standard output instead (the JSON of `--json`).
 */
export function exec(argv: string[], opts: { env?: Record<string, string>; quiet?: boolean; stdout?: string } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = opts.stdout !== undefined ? openSync(opts.stdout, 'w') : undefined;
    const child = spawn(argv[0], argv.slice(1), {
      cwd: ROOT,
      stdio: [opts.quiet ? 'ignore' : 'inherit', out ?? (opts.quiet ? 'ignore' : 'inherit'), opts.quiet ? 'pipe' : 'inherit'],
      env: { ...process.env, ...opts.env },
    });
    if (out !== undefined) closeSync(out);
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on('error', (e) => reject(new WavegateError('E_NOT_FOUND', `${argv[0]}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new WavegateError('E_INPUT', `command failed (${signal ?? `exit ${code}`}): ${argv.join(' ')}${err ? `\n${err.trim()}` : ''}`));
    });
  });
}

/** `wavegate <args>` from the sources; `stdout`: a file for its standard output. */
export function wavegate(args: string[], opts?: { quiet?: boolean; stdout?: string }): Promise<void> {
  if (!existsSync(TSX)) throw new WavegateError('E_NOT_FOUND', `${TSX} is missing (npm ci)`);
  return exec([TSX, join(ROOT, 'tools', 'cli', 'main.ts'), ...args], opts);
}

/** A TypeScript tool of this folder (calibrate-anomaly.ts). */
export function tool(file: string, args: string[]): Promise<void> {
  return exec([TSX, join(ROOT, 'tools', 'pipeline', file), ...args]);
}

/** `python3 -m tools.trainer <args>`; threads: torch CPU threads. */
export function trainer(args: string[], threads: number): Promise<void> {
  return exec([PYTHON, '-m', 'tools.trainer', '--threads', String(threads), ...args], {
    env: { PYTHONUNBUFFERED: '1' },
  });
}

export interface QuantizeJob {
  onnx: string;
  /** The training dataset: its metadata describes the model; its windows calibrate. */
  dataset: string;
  /** A --meta JSON (name, description, labels, detector). */
  meta: string;
  out: string;
  /** Windows on which the calibration methods are compared (`--select`): the validation split, where the task has one. */
  select?: string;
}

/**
 * student.onnx -> INT8 .wgm (`wavegate quantize`: static activation scales calibrated on the
 * dataset's windows, INT8 head), self-describing from the dataset; its float-vs-INT8 report goes
 * to `report`.
 */
export function quantize(job: QuantizeJob & { report: string }): Promise<void> {
  return wavegate(['quantize', job.onnx, '--calib', job.dataset, ...(job.select ? ['--select', job.select] : []), '--meta', job.meta, '--out', job.out], { stdout: job.report });
}

/** The same ONNX as an f32 .wgm: the float reference the INT8 file is compared with. */
export function importFloat(job: QuantizeJob): Promise<void> {
  return wavegate(['import', job.onnx, '--dataset', job.dataset, '--meta', job.meta, '--out', job.out]);
}

export interface VerifyJob {
  model: string;
  onnx: string;
  /** Dataset whose windows (and side features) both run. */
  dataset: string;
  /** JSON report written here. */
  out: string;
  minAgreement: number;
}

/** `wavegate verify --json`: the .wgm against onnxruntime-node; fails below the agreement. */
export function verify(job: VerifyJob): Promise<void> {
  return wavegate(['verify', '--model', job.model, '--reference', job.onnx, '--input', job.dataset, '--min-agreement', String(job.minAgreement), '--json'], { stdout: job.out });
}

export interface EvalJob {
  model: string;
  /** `--mitdb <dir> --records ...` or `--cwru <dir> --region test`. */
  evalArgs: string[];
  out: string;
}

/** `wavegate eval --json`: the full device pipeline on the held-out data. */
export function evaluate(job: EvalJob): Promise<void> {
  return wavegate(['eval', '--model', job.model, ...job.evalArgs, '--json'], { stdout: job.out });
}
