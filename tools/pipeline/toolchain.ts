/**
 * The commands the pipeline runs: the wavegate CLI (from its TypeScript sources through tsx, as the
 * tests run it), the Python trainer, and, isolated here, the three toolchain steps whose commands
 * are being built alongside: quantization, verification and evaluation. Each has a fallback
 * until its command is on main; switching is the one constant below.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WavegateError } from '../../src/errors.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * THE SWITCH. `wavegate quantize` (static calibration, INT8 dense head), `wavegate verify` and
 * `wavegate eval` replace the fallbacks once they are on main: set the entry to true.
 *  - quantize false: `wavegate import --int8 --dataset` (dynamic activation scales, f32 head);
 *  - verify false: tools/pipeline/verify-onnx.ts (the .wgm against onnxruntime-node on windows);
 *  - eval false: tools/pipeline/evaluate-dataset.ts (the .wgm on a dataset's windows).
 */
export const HAVE = { quantize: false, verify: false, eval: false } as const;

/** Debian's Python with torch, as the trainer's tests use it. */
export const PYTHON = process.env.WAVEGATE_PYTHON ?? '/usr/bin/python3';

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs a command with the terminal attached (progress bars, epoch lines); rejects on failure. */
export function exec(argv: string[], opts: { env?: Record<string, string>; quiet?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: ROOT,
      stdio: opts.quiet ? ['ignore', 'ignore', 'pipe'] : 'inherit',
      env: { ...process.env, ...opts.env },
    });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on('error', (e) => reject(new WavegateError('E_NOT_FOUND', `${argv[0]}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new WavegateError('E_INPUT', `command failed (${signal ?? `exit ${code}`}): ${argv.join(' ')}${err ? `\n${err.trim()}` : ''}`));
    });
  });
}

/** `wavegate <args>` from the sources. */
export function wavegate(args: string[], opts?: { quiet?: boolean }): Promise<void> {
  if (!existsSync(TSX)) throw new WavegateError('E_NOT_FOUND', `${TSX} is missing (npm ci)`);
  return exec([TSX, join(ROOT, 'tools', 'cli', 'main.ts'), ...args], opts);
}

/** A TypeScript tool of this folder (verify-onnx.ts, evaluate-dataset.ts, ...). */
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
}

/** student.onnx -> INT8 .wgm, self-describing from the dataset. */
export function quantize(job: QuantizeJob): Promise<void> {
  if (HAVE.quantize) return wavegate(['quantize', job.onnx, '--calib', job.dataset, '--meta', job.meta, '--out', job.out]);
  return wavegate(['import', job.onnx, '--int8', '--dataset', job.dataset, '--meta', job.meta, '--out', job.out]);
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

export function verify(job: VerifyJob): Promise<void> {
  if (HAVE.verify) {
    return wavegate(['verify', '--model', job.model, '--reference', job.onnx, '--input', job.dataset, '--min-agreement', String(job.minAgreement), '--json', '--out', job.out]);
  }
  return tool('verify-onnx.ts', ['--model', job.model, '--onnx', job.onnx, '--dataset', job.dataset, '--min-agreement', String(job.minAgreement), '--out', job.out]);
}

export interface EvalJob {
  model: string;
  /** The held-out test dataset (the fallback scores its windows). */
  dataset: string;
  /** For `wavegate eval`: `--mitdb <dir> --records ...` or `--cwru <dir>`. */
  evalArgs?: string[];
  out: string;
}

export function evaluate(job: EvalJob): Promise<void> {
  if (HAVE.eval && job.evalArgs) return wavegate(['eval', '--model', job.model, ...job.evalArgs, '--json', '--out', job.out]);
  return tool('evaluate-dataset.ts', ['--model', job.model, '--dataset', job.dataset, '--out', job.out]);
}
