/**
 * `npm run bench:stream`: the real job. 1,000 sensor streams, a one-input LSTM and a GRU with
 * H = 64, every stream delivering chunks of 90 samples (a quarter second at 360 Hz), state carried
 * from chunk to chunk; total stream-steps per second on one core.
 *
 * - wavegate: all ready streams advanced by one push() call, state kept in the kernel (f32 SIMD,
 *   INT8 SIMD and, where this Node runs it, INT8 on the relaxed build).
 * - onnxruntime-node and onnxruntime-web, used as well as they can be: the ready streams batched
 *   into one run (batch = 1,000), h and c passed in as inputs and taken back from Y_h / Y_c; float
 *   LSTM/GRU and INT8 DynamicQuantizeLSTM. ONNX Runtime has no DynamicQuantizeGRU, so its GRU runs
 *   float only.
 *
 *   npm run bench:stream [-- --json] [--quick] [--streams 1000] [--chunk 90] [--cells lstm,gru]
 */
import { Command } from 'commander';
import { pathToFileURL } from 'node:url';
import { WavegateError } from '../../src/errors.js';
import { IMPLS, isInt8, kernelBuildLine, parseImpls, runnableImpls, runtimeOf, type ImplName, type Runtime } from './cases.js';
import { DEFAULT_SEED, defaultModelDir, type StreamJob, type StreamRow } from './jobs.js';
import { formatMachine, machineInfo } from './machine.js';
import { DEFAULT_MEASURE, QUICK_MEASURE, median, parseClock, parseSeconds, type MeasureOptions } from './measure.js';
import { ensureOnnxModel } from './models.js';
import { markdownTable } from './table.js';
import type { Cell } from './weights.js';
import { runWorkerProcess, workerPath } from './worker-io.js';

/** Every implementation but the scalar f32 kernel (too slow for 1,000 streams). */
export const STREAM_IMPLS: ImplName[] = IMPLS.filter((impl) => impl !== 'wavegate-f32-scalar');

/** True when ONNX Runtime has an implementation of this (impl, cell): no INT8 GRU operator exists. */
export function streamImplSupports(impl: ImplName, cell: Cell): boolean {
  return !(cell === 'gru' && isInt8(impl) && runtimeOf(impl) !== 'wavegate');
}

export interface StreamBenchOptions {
  /** Default 1000. */
  streams: number;
  /** Samples per stream per call. Default 90. */
  chunk: number;
  /** Default 64. */
  hiddenSize: number;
  /** Default 1. */
  inputSize: number;
  /** Default ['lstm', 'gru']. */
  cells: Cell[];
  /** Default: the STREAM_IMPLS this Node runs (runnableImpls). */
  impls: ImplName[];
  measure: MeasureOptions;
  /** Repetitions of all workers (alternating order); each row is the median over rounds. Default 1. */
  rounds: number;
  modelDir: string;
  seed: number;
  log: (text: string) => void;
}

export interface StreamBenchResult {
  rows: StreamRow[];
  failures: string[];
}

const RUNTIME_ORDER: Runtime[] = ['wavegate', 'ort-web', 'ort-node'];

export async function runStreamBench(options: Partial<StreamBenchOptions> = {}): Promise<StreamBenchResult> {
  const o: StreamBenchOptions = {
    streams: 1000,
    chunk: 90,
    hiddenSize: 64,
    inputSize: 1,
    cells: ['lstm', 'gru'],
    impls: await runnableImpls(STREAM_IMPLS),
    measure: DEFAULT_MEASURE,
    rounds: 1,
    modelDir: defaultModelDir(),
    seed: DEFAULT_SEED,
    log: (t) => process.stderr.write(t),
    ...options,
  };
  const rows: StreamRow[] = [];
  const failures: string[] = [];
  for (let round = 0; round < o.rounds; round++) {
    // Odd rounds run the runtimes in reverse order, so slow drifts of the machine's load hit all alike.
    const order = round % 2 === 0 ? RUNTIME_ORDER : [...RUNTIME_ORDER].reverse();
    for (const cell of o.cells) {
      for (const runtime of order) {
        try {
          rows.push(...(await runStreamWorker(o, cell, runtime)));
        } catch (e) {
          failures.push(`${runtime} (${cell}): ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
  }
  return { rows: medianStreamRows(rows), failures };
}

/** One worker process: the runtime's implementations that support `cell` (none: no process). */
async function runStreamWorker(o: StreamBenchOptions, cell: Cell, runtime: Runtime): Promise<StreamRow[]> {
  const impls = o.impls.filter((i) => runtimeOf(i) === runtime && streamImplSupports(i, cell));
  if (impls.length === 0) return [];
  if (runtime !== 'wavegate') {
    for (const precision of new Set(impls.map((i) => (isInt8(i) ? ('int8' as const) : ('f32' as const))))) {
      ensureOnnxModel(o.modelDir, { cell, inputSize: o.inputSize, hiddenSize: o.hiddenSize, precision, io: 'stream', seed: o.seed });
    }
  }
  o.log(`bench:stream: ${runtime} worker: ${impls.join(', ')} (${cell})\n`);
  const job: StreamJob = {
    mode: 'stream',
    impls,
    cell,
    inputSize: o.inputSize,
    hiddenSize: o.hiddenSize,
    streams: o.streams,
    chunk: o.chunk,
    modelDir: o.modelDir,
    seed: o.seed,
    measure: o.measure,
  };
  return runWorkerProcess<StreamRow>(workerPath(runtime), job, { log: o.log });
}

/** One row per (impl, cell): the median stream-steps/s over rounds, in first-seen order. */
export function medianStreamRows(rows: StreamRow[]): StreamRow[] {
  const groups = new Map<string, StreamRow[]>();
  for (const r of rows) groups.set(`${r.impl}/${r.cell}`, [...(groups.get(`${r.impl}/${r.cell}`) ?? []), r]);
  return [...groups.values()].map((g) => ({ ...g[0], streamStepsPerSec: median(g.map((r) => r.streamStepsPerSec)) }));
}

function best(rows: StreamRow[], cell: Cell, runtime: Runtime): StreamRow | undefined {
  return rows
    .filter((r) => r.cell === cell && runtimeOf(r.impl) === runtime)
    .sort((a, b) => b.streamStepsPerSec - a.streamStepsPerSec)[0];
}

export function formatStreamReport(result: StreamBenchResult, o: { streams: number; chunk: number; command: string; clock?: 'wall' | 'cpu'; kernel?: string }): string {
  const { rows } = result;
  const cells = [...new Set(rows.map((r) => r.cell))];
  const table = markdownTable(
    ['cell', 'impl', 'stream-steps/s', 'M stream-steps/s'],
    rows.map((r) => [r.cell, r.impl, r.streamStepsPerSec.toFixed(0), (r.streamStepsPerSec / 1e6).toFixed(2)]),
  );
  const ratios = markdownTable(
    ['cell', 'wavegate best', 'vs ort-web best (bar >= 3x)', 'vs ort-node best (bar >= 1.0x)'],
    cells.map((cell) => {
      const w = best(rows, cell, 'wavegate');
      const web = best(rows, cell, 'ort-web');
      const node = best(rows, cell, 'ort-node');
      const ratio = (p?: StreamRow): string =>
        w && p ? `${(w.streamStepsPerSec / p.streamStepsPerSec).toFixed(2)}x (${p.impl})` : '—';
      return [cell, w ? w.impl : '—', ratio(web), ratio(node)];
    }),
  );
  const parts = [
    `Command: \`${o.command}\``,
    '',
    formatMachine(machineInfo()),
    ...(o.kernel ? [o.kernel] : []),
    '',
    `${o.streams} streams, chunks of ${o.chunk} samples, state carried between calls; ${o.clock === 'cpu' ? 'mean process CPU time' : 'median wall time'} per call:`,
    '',
    table,
    '',
    'Ratios (wavegate best / peer best):',
    '',
    ratios,
    '',
    'ONNX Runtime has no INT8 GRU operator (no DynamicQuantizeGRU): its GRU runs float only.',
  ];
  if (result.failures.length > 0) parts.push('', 'FAILED workers:', ...result.failures.map((f) => `- ${f}`));
  return parts.join('\n');
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new WavegateError('E_ARGUMENT', `${name}: "${v}" is not an integer in 1..100000`);
  return n;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('bench:stream')
    .description('stream-steps/s of many streams in small chunks: wavegate push() vs batched onnxruntime')
    .option('--json', 'print [{"impl", "cell", "streamStepsPerSec"}]')
    .option('--quick', 'one warm-up and one timed call (smoke test)')
    .option('--streams <n>', 'independent streams', '1000')
    .option('--chunk <n>', 'samples per stream per call', '90')
    .option('--hidden <n>', 'hidden size', '64')
    .option('--cells <list>', 'lstm,gru', 'lstm,gru')
    .option('--impls <list>', `subset of ${STREAM_IMPLS.join(',')}`)
    .option('--seconds <s>', 'timed seconds per implementation', String(DEFAULT_MEASURE.targetSeconds))
    .option('--clock <wall|cpu>', 'wall time (default) or process CPU time per call (for a shared machine)', 'wall')
    .option('--rounds <n>', 'repeat all workers n times (alternating order), median per row', '1')
    .option('--model-dir <dir>', 'cache of generated ONNX models', defaultModelDir())
    .parse(argv);
  const opts = program.opts<{
    json?: boolean;
    quick?: boolean;
    streams: string;
    chunk: string;
    hidden: string;
    cells: string;
    impls?: string;
    seconds: string;
    clock: string;
    rounds: string;
    modelDir: string;
  }>();
  const cells = opts.cells.split(',').map((c) => {
    if (c !== 'lstm' && c !== 'gru') throw new WavegateError('E_ARGUMENT', `--cells: "${c}" is neither lstm nor gru`);
    return c as Cell;
  });
  const streams = positive('--streams', opts.streams);
  const chunk = positive('--chunk', opts.chunk);
  const result = await runStreamBench({
    streams,
    chunk,
    hiddenSize: positive('--hidden', opts.hidden),
    cells,
    impls: opts.impls ? parseImpls(opts.impls).filter((i) => STREAM_IMPLS.includes(i)) : await runnableImpls(STREAM_IMPLS),
    measure: { ...(opts.quick ? QUICK_MEASURE : { ...DEFAULT_MEASURE, targetSeconds: parseSeconds(opts.seconds) }), clock: parseClock(opts.clock) },
    rounds: positive('--rounds', opts.rounds),
    modelDir: opts.modelDir,
  });
  if (opts.json) console.log(JSON.stringify(result.rows, null, 1));
  else {
    const command = `npm run bench:stream -- ${argv.slice(2).join(' ')}`.trim().replace(/ --$/, '');
    console.log(formatStreamReport(result, { streams, chunk, command, clock: parseClock(opts.clock), kernel: await kernelBuildLine() }));
  }
  for (const f of result.failures) process.stderr.write(`bench:stream: FAILED ${f}\n`);
  process.exitCode = result.failures.length > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv).catch((e: unknown) => {
    process.stderr.write(`bench:stream: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
