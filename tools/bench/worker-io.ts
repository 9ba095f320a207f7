/**
 * The protocol between a benchmark driver and its worker processes.
 *
 * Each runtime runs in its own Node process: onnxruntime-node and onnxruntime-web register
 * backends in one shared registry (onnxruntime-common) when both are loaded through CommonJS, and
 * a session created through one package can end up on the other's backend; JIT state, heap and
 * thread pools of one runtime must not disturb another's timings either.
 *
 * Driver -> worker: the job as JSON in argv[2]. Worker -> driver: one line per result on stdout,
 * `@@row <json>`; anything else on stdout or stderr is passed through as log text.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WavegateError } from '../../src/errors.js';

export const ROW_PREFIX = '@@row ';

/** Worker side: parses the job given by the driver. */
export function readJob<T>(): T {
  const text = process.argv[2];
  if (!text) throw new WavegateError('E_ARGUMENT', 'benchmark worker: expected the job as JSON in argv[2]');
  return JSON.parse(text) as T;
}

/** Worker side: sends one result row to the driver. */
export function emitRow(row: object): void {
  process.stdout.write(`${ROW_PREFIX}${JSON.stringify(row)}\n`);
}

/** Worker side: runs `main`, reports a failure on stderr and exits non-zero, so the driver can say which worker failed. */
export function runWorker<T>(main: (job: T) => Promise<void>): void {
  main(readJob<T>()).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}

export interface SpawnOptions {
  /** Where a worker's log text goes; default: this process's stderr. */
  log?: (text: string) => void;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Path of a worker file beside this module, e.g. workerPath('ort-node'). */
export function workerPath(name: string): string {
  return fileURLToPath(new URL(`./workers/${name}.ts`, import.meta.url));
}

/**
 * Driver side: runs a TypeScript worker file in a fresh `node --import tsx` process and returns
 * the rows it emitted. Rejects with an E_STATE error naming the worker and its stderr tail on failure.
 */
export function runWorkerProcess<R>(file: string, job: object, options: SpawnOptions = {}): Promise<R[]> {
  const log = options.log ?? ((t: string) => process.stderr.write(t));
  return new Promise((resolve, reject) => {
    // cwd = the repository root, where `--import tsx` resolves, whatever directory the driver ran from.
    const child = spawn(process.execPath, ['--import', 'tsx', file, JSON.stringify(job)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    const rows: R[] = [];
    let pending = '';
    let stderrTail = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.startsWith(ROW_PREFIX)) rows.push(JSON.parse(line.slice(ROW_PREFIX.length)) as R);
        else if (line.length > 0) log(`${line}\n`);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4000);
      log(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(rows);
      else {
        reject(
          new WavegateError('E_STATE', `benchmark worker ${file} exited with code ${code}: ${stderrTail.trim().slice(-1500)}`),
        );
      }
    });
  });
}
