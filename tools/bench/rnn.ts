/**
 * `npm run bench`: ns per time step and GMAC/s of one LSTM layer, wavegate (f32 scalar, f32 SIMD,
 * INT8 SIMD, INT8 on the relaxed build where this Node runs it) against onnxruntime-web (WASM,
 * 1 thread) and onnxruntime-node (native, 1 thread),
 * each with its float LSTM and its INT8 DynamicQuantizeLSTM, on the same weights and inputs.
 *
 *   npm run bench                      # every size at batch 1 and 32, tables + bars
 *   npm run bench -- --json            # rows as a JSON array: impl, I, H, T, batch, nsPerStep, gmacs
 *   npm run bench -- --sizes 1x64x360 --batches 1 --impls wavegate-int8-simd,ort-node-int8
 *   npm run bench -- --quick           # one timed call per point: a smoke test, not a measurement
 *
 * Each runtime runs in its own child process (worker-io.ts), one after the other, never at the
 * same time; by default one worker per runtime per point, back to back, so that the two sides of
 * a ratio are timed seconds apart (see `interleave`). The 128-bit SIMD peak (simd-peak.ts) is
 * measured in this process at the start of every round.
 */
import { Command } from 'commander';
import { pathToFileURL } from 'node:url';
import { WavegateError } from '../../src/errors.js';
import {
  DEFAULT_BATCHES,
  DEFAULT_SIZES,
  IMPLS,
  isInt8,
  kernelBuildLine,
  makeRow,
  parseBatches,
  parseImpls,
  parseSizes,
  runnableImpls,
  runtimeOf,
  type BenchCase,
  type BenchRow,
  type ImplName,
  type LayerSize,
  type Runtime,
} from './cases.js';
import { DEFAULT_SEED, defaultModelDir, type RnnJob } from './jobs.js';
import { formatMachine, machineInfo } from './machine.js';
import { DEFAULT_MEASURE, QUICK_MEASURE, median, parseClock, parseSeconds, type MeasureOptions } from './measure.js';
import { ensureOnnxModel } from './models.js';
import { formatPeak, measureSimdPeak, type SimdPeak } from './simd-peak.js';
import { evaluateBars, formatBars, formatGmacsTable, formatNsTable, formatSpeedupTable, int8Impl } from './table.js';
import { runWorkerProcess, workerPath } from './worker-io.js';

export interface RnnBenchOptions {
  /** Layer sizes; default DEFAULT_SIZES (the issue's four). */
  sizes: LayerSize[];
  /** Default [1, 32]. */
  batches: number[];
  /** Default: every implementation this Node runs (runnableImpls: all eight on Node >= 22). */
  impls: ImplName[];
  /** Timing parameters; QUICK_MEASURE for smoke tests. */
  measure: MeasureOptions;
  /** Measure the SIMD peak too (skipped in quick runs unless asked). Default true. */
  peak: boolean;
  /** Repetitions of the whole sequence of workers; each row is the median over rounds. Default 1. */
  rounds: number;
  /**
   * `point` (default): for each point, one worker per runtime, back to back, so the rows a ratio
   * compares are timed seconds apart. `round`: each worker times every point in one process (fewer
   * process starts, but on a machine whose speed drifts over minutes the runtimes see different
   * machines: ratios moved by 1.3x between such runs here).
   */
  interleave: 'point' | 'round';
  /** Where generated ONNX models are cached. Default defaultModelDir(). */
  modelDir: string;
  seed: number;
  /** Progress and worker log text. Default: stderr. */
  log: (text: string) => void;
}

export interface RnnBenchResult {
  rows: BenchRow[];
  /** Lane-wise median of `peaks`. */
  peak?: SimdPeak;
  /** One peak measurement at the start of each round (the machine's speed drifts; see interleave). */
  peaks: SimdPeak[];
  /** One message per runtime whose worker failed (its rows are missing). */
  failures: string[];
}

const RUNTIME_ORDER: Runtime[] = ['wavegate', 'ort-web', 'ort-node'];

export async function runRnnBench(options: Partial<RnnBenchOptions> = {}): Promise<RnnBenchResult> {
  const o: RnnBenchOptions = {
    sizes: DEFAULT_SIZES,
    batches: DEFAULT_BATCHES,
    impls: await runnableImpls(IMPLS),
    measure: DEFAULT_MEASURE,
    peak: true,
    rounds: 1,
    interleave: 'point',
    modelDir: defaultModelDir(),
    seed: DEFAULT_SEED,
    log: (t) => process.stderr.write(t),
    ...options,
  };
  const cases: BenchCase[] = o.sizes.flatMap((s) => o.batches.map((batch) => ({ ...s, cell: 'lstm' as const, batch })));
  const rows: BenchRow[] = [];
  const failures: string[] = [];

  for (const runtime of RUNTIME_ORDER) {
    if (runtime === 'wavegate') continue;
    const impls = o.impls.filter((i) => runtimeOf(i) === runtime);
    for (const s of o.sizes) {
      for (const precision of new Set(impls.map((i) => (isInt8(i) ? ('int8' as const) : ('f32' as const))))) {
        ensureOnnxModel(o.modelDir, { cell: 'lstm', inputSize: s.I, hiddenSize: s.H, precision, io: 'final', seed: o.seed });
      }
    }
  }
  const peaks: SimdPeak[] = [];
  const runWorker = async (runtime: Runtime, points: BenchCase[], label: string): Promise<void> => {
    const impls = o.impls.filter((i) => runtimeOf(i) === runtime);
    if (impls.length === 0) return;
    o.log(`bench: ${label}: ${runtime} worker: ${impls.join(', ')} on ${points.length === 1 ? caseKey(points[0]) : `${points.length} points`}\n`);
    const job: RnnJob = { mode: 'rnn', impls, cases: points, modelDir: o.modelDir, seed: o.seed, measure: o.measure };
    try {
      rows.push(...(await runWorkerProcess<BenchRow>(workerPath(runtime), job, { log: o.log })));
    } catch (e) {
      failures.push(`${runtime}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  for (let round = 0; round < o.rounds; round++) {
    if (o.peak) peaks.push(await measureSimdPeak());
    const label = `round ${round + 1}/${o.rounds}`;
    if (o.interleave === 'round') {
      // Odd rounds run the runtimes in reverse order, so slow drifts of the machine's load hit all alike.
      for (const runtime of round % 2 === 0 ? RUNTIME_ORDER : [...RUNTIME_ORDER].reverse()) await runWorker(runtime, cases, label);
      continue;
    }
    for (const [ci, c] of cases.entries()) {
      // Who goes first alternates from point to point and round to round.
      const order = (round + ci) % 2 === 0 ? RUNTIME_ORDER : [...RUNTIME_ORDER].reverse();
      for (const runtime of order) await runWorker(runtime, [c], label);
    }
  }
  return { rows: medianOverRounds(rows, cases), peak: peaks.length > 0 ? medianPeak(peaks) : undefined, peaks, failures };
}

function caseKey(c: BenchCase): string {
  return `${c.I}x${c.H}x${c.T} batch ${c.batch}`;
}

/** Lane-wise median of several peak measurements; the configs are those of the first. */
export function medianPeak(peaks: SimdPeak[]): SimdPeak {
  return {
    intDotGmacs: median(peaks.map((p) => p.intDotGmacs)),
    f32Gmacs: median(peaks.map((p) => p.f32Gmacs)),
    intConfig: peaks[0].intConfig,
    f32Config: peaks[0].f32Config,
    ...(peaks[0].relaxedDotGmacs ? { relaxedDotGmacs: median(peaks.map((p) => p.relaxedDotGmacs ?? 0)), relaxedConfig: peaks[0].relaxedConfig } : {}),
  };
}

/** One row per (impl, size, batch): the median nsPerStep over the rounds that produced one. */
export function medianOverRounds(rows: BenchRow[], cases: BenchCase[]): BenchRow[] {
  const groups = new Map<string, BenchRow[]>();
  for (const r of rows) {
    const key = `${r.impl}/${r.I}x${r.H}x${r.T}/${r.batch}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const c = cases.find((x) => x.I === g[0].I && x.H === g[0].H && x.T === g[0].T && x.batch === g[0].batch)!;
    return makeRow(g[0].impl, c, median(g.map((r) => r.nsPerStep)) * c.T);
  });
}

/** The whole human report: machine, peak, the three tables and the bars. */
export function formatRnnReport(result: RnnBenchResult, command: string, clock: 'wall' | 'cpu' = 'wall', kernel?: string): string {
  const { rows, peak, peaks } = result;
  const spread = (f: (p: SimdPeak) => number): string => `${Math.min(...peaks.map(f)).toFixed(1)}-${Math.max(...peaks.map(f)).toFixed(1)}`;
  const parts = [
    `Command: \`${command}\``,
    '',
    formatMachine(machineInfo()),
    ...(kernel ? [kernel] : []),
    ...(peak ? [formatPeak(peak)] : []),
    ...(peak && peaks.length > 1
      ? [`(median of ${peaks.length} peak measurements, one per round; integer ${spread((p) => p.intDotGmacs)}, f32 ${spread((p) => p.f32Gmacs)} GMAC/s)`]
      : []),
    '',
    clock === 'wall'
      ? 'ns per time step (median wall time of one call over the whole sequence / T; at batch 32 the same per call, not per stream):'
      : 'ns per time step (--clock cpu: mean process CPU time of one call over the whole sequence / T; at batch 32 the same per call):',
    '',
    formatNsTable(rows),
    '',
    `${int8Impl(rows)} speed-up (peer ns / int8 ns; > 1 means wavegate INT8 is faster):`,
    '',
    formatSpeedupTable(rows),
    '',
    'GMAC/s (4H(I+H) MACs per step per stream x batch / ns per step):',
    '',
    formatGmacsTable(rows, peak),
    '',
    'Bars of the issue (batch 1):',
    '',
    formatBars(evaluateBars(rows, peak)),
  ];
  if (result.failures.length > 0) parts.push('', 'FAILED workers:', ...result.failures.map((f) => `- ${f}`));
  return parts.join('\n');
}

function parseRounds(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new WavegateError('E_ARGUMENT', `--rounds: "${v}" is not an integer in 1..20`);
  return n;
}

function parseInterleave(v: string): 'point' | 'round' {
  if (v !== 'point' && v !== 'round') throw new WavegateError('E_ARGUMENT', `--interleave: "${v}" is neither point nor round`);
  return v;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('bench')
    .description('LSTM ns/step and GMAC/s: wavegate vs onnxruntime-web and onnxruntime-node')
    .option('--json', 'print the rows as a JSON array (impl, I, H, T, batch, nsPerStep, gmacs)')
    .option('--quick', 'one warm-up and one timed call per point (smoke test; numbers meaningless)')
    .option('--sizes <list>', 'IxHxT list, e.g. 1x64x360,64x256x200 (default: the four of the issue)')
    .option('--batches <list>', 'batch sizes, e.g. 1,32', '1,32')
    .option('--impls <list>', `subset of ${IMPLS.join(',')}`)
    .option('--seconds <s>', 'timed seconds per point', String(DEFAULT_MEASURE.targetSeconds))
    .option('--clock <wall|cpu>', 'wall time (default) or process CPU time per call (for a shared machine)', 'wall')
    .option('--rounds <n>', 'repeat all workers n times (alternating order), median per row', '1')
    .option('--interleave <point|round>', 'point: one worker per runtime per point, back to back (ratios timed seconds apart); round: each worker times all points', 'point')
    .option('--no-peak', 'skip the SIMD peak measurement')
    .option('--model-dir <dir>', 'cache of generated ONNX models', defaultModelDir())
    .parse(argv);
  const opts = program.opts<{
    json?: boolean;
    quick?: boolean;
    sizes?: string;
    batches: string;
    impls?: string;
    seconds: string;
    clock: string;
    rounds: string;
    interleave: string;
    peak: boolean;
    modelDir: string;
  }>();
  const measure = { ...(opts.quick ? QUICK_MEASURE : { ...DEFAULT_MEASURE, targetSeconds: parseSeconds(opts.seconds) }), clock: parseClock(opts.clock) };
  const result = await runRnnBench({
    sizes: opts.sizes ? parseSizes(opts.sizes) : DEFAULT_SIZES,
    batches: parseBatches(opts.batches),
    impls: opts.impls ? parseImpls(opts.impls) : await runnableImpls(IMPLS),
    measure,
    peak: opts.peak && !opts.quick,
    rounds: parseRounds(opts.rounds),
    interleave: parseInterleave(opts.interleave),
    modelDir: opts.modelDir,
  });
  if (opts.json) console.log(JSON.stringify(result.rows, null, 1));
  else console.log(formatRnnReport(result, `npm run bench -- ${argv.slice(2).join(' ')}`.trim().replace(/ --$/, ''), measure.clock, await kernelBuildLine()));
  for (const f of result.failures) process.stderr.write(`bench: FAILED ${f}\n`);
  process.exitCode = result.failures.length > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv).catch((e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
