/**
 * `npm run pipeline -- --task ecg|bearing|bearing-anomaly`: from the staged data to a default
 * model in models/, each step resumable (tools/pipeline/steps.ts):
 *
 *   datasets -> teacher -> distilled student -> ONNX -> INT8 .wgm (+ f32 twin) -> verify -> evaluate -> publish
 *   (bearing-anomaly adds outlier exposure before the teacher and threshold calibration after INT8;
 *   --synthetic starts by writing synthetic records in the staged data's formats)
 *
 * docs/training.md#the-pipeline describes it; docs/models.md the models it makes.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, Option } from 'commander';
import { WavegateError } from '../../src/errors.js';
import { formatSeconds, listSteps, runSteps, type Step } from './steps.js';
import { taskSpec, TASKS, type DatasetSpec, type TaskName, type TaskSpec } from './tasks.js';
import { writeSyntheticCwru, writeSyntheticEcgRecord } from '../synth/records.js';
import { evaluate, importFloat, quantize, ROOT, tool, trainer, verify, wavegate } from './toolchain.js';
import { SYNTHETIC_ECG_RECORDS } from './tasks.js';

export interface PipelineOptions {
  task: TaskName;
  /** Folder holding mitdb/ and cwru/. */
  data: string;
  /** Work folder (datasets, checkpoints, intermediate models). */
  work: string;
  /** Where the finished model, its evaluation and training summary go. */
  models: string;
  synthetic: boolean;
  threads: number;
  force: Set<string>;
  until?: string;
}

const recipeFile = (name: string) => join(ROOT, 'tools', 'trainer', 'recipes', `${name}.json`);

/** The steps of one task, in order. */
export function buildSteps(o: PipelineOptions): Step[] {
  const w = (...p: string[]) => join(o.work, ...p);
  // --synthetic: records in the staged data's formats, read by the same commands.
  const data = o.synthetic ? w('synthetic-data') : o.data;
  const spec: TaskSpec = taskSpec(o.task, data, o.synthetic);
  const train = w('train');
  const datasets = spec.datasets;
  const file = (d: DatasetSpec) => w(d.file);
  const steps: Step[] = [];
  const dataDir = join(data, o.task === 'ecg' ? 'mitdb' : 'cwru');

  if (o.synthetic) {
    const records = o.task === 'ecg' ? [...SYNTHETIC_ECG_RECORDS.train, ...SYNTHETIC_ECG_RECORDS.test] : [];
    steps.push({
      name: 'records', title: `synthetic ${o.task === 'ecg' ? 'MIT-BIH-like records' : 'CWRU-like recordings'} -> ${dataDir}`,
      inputs: [join(ROOT, 'tools', 'synth', 'records.ts')], params: { records }, outputs: [dataDir],
      run: async () => {
        rmSync(dataDir, { recursive: true, force: true });
        if (o.task === 'ecg') records.forEach((r, i) => writeSyntheticEcgRecord(dataDir, r, { seconds: 60, seed: 100 + i }));
        else writeSyntheticCwru(dataDir, { seconds: 4, seed: 1 });
      },
    });
  }

  for (const [role, d] of Object.entries(datasets) as [string, DatasetSpec][]) {
    const args = d.args;
    const source = args.includes('--source') ? args[args.indexOf('--source') + 1].replace(/^\w+:/, '') : undefined;
    steps.push({
      name: `dataset-${role}`, title: `${role} dataset: wavegate ${args.slice(0, 2).join(' ')} -> ${d.file}`,
      inputs: source ? [source] : [], params: args, outputs: [file(d)],
      run: () => wavegate([...args, '--out', file(d)]),
    });
  }

  // The training set (and its validation set). An anomaly model trains on normal windows plus synthetic anomalies.
  let trainSet = file(datasets.train);
  let valSet = datasets.val ? file(datasets.val) : undefined;
  if (spec.anomaly) {
    const normalTrain = trainSet;
    const normalVal = valSet!;
    trainSet = w('anomaly-train.npz');
    valSet = w('anomaly-val.npz');
    const synth = file(datasets.synth!);
    const make = (src: string, out: string, seed: number, synthArgs: string[]): Step => ({
      name: `outliers-${out.includes('val') ? 'val' : 'train'}`, title: `normal windows + synthetic anomalies -> ${out.split('/').pop()}`,
      inputs: [src, synth, join(ROOT, 'tools', 'trainer', 'outliers.py')], params: { seed, synthArgs }, outputs: [out],
      run: () => trainer(['outliers', '--normal', src, ...synthArgs, '--seed', String(seed), '--out', out], o.threads),
    });
    // Validation anomalies come from other normal windows (the val region) and another seed.
    steps.push(make(normalTrain, trainSet, 1, ['--synth', synth, '--synth-max', '300', '--per-normal', '4']));
    steps.push(make(normalVal, valSet, 2, ['--per-normal', '2']));
  }

  const teacherRecipe = recipeFile(spec.teacherRecipe);
  const studentRecipe = recipeFile(spec.studentRecipe);
  const valArgs = valSet ? ['--val-data', valSet] : [];
  const teacherCkpt = join(train, 'teacher', 'best.pt');
  steps.push({
    name: 'teacher', title: `teacher (${spec.teacherRecipe}) on ${trainSet.split('/').pop()}`,
    inputs: [trainSet, ...(valSet ? [valSet] : []), teacherRecipe], params: spec.overrides,
    outputs: [teacherCkpt, join(train, 'teacher-summary.json')],
    run: (ctx) => {
      if (!ctx.resume) rmSync(join(train, 'teacher'), { recursive: true, force: true });
      return trainer(['teacher', '--recipe', teacherRecipe, '--data', trainSet, ...valArgs, '--out', train, ...spec.overrides, ...(ctx.resume ? ['--resume'] : [])], o.threads);
    },
  });
  const studentCkpt = join(train, 'student-kd', 'best.pt');
  steps.push({
    name: 'distill', title: `distilled student (${spec.studentRecipe})`,
    inputs: [trainSet, ...(valSet ? [valSet] : []), teacherCkpt, studentRecipe], params: spec.overrides,
    outputs: [studentCkpt, join(train, 'distill-summary.json')],
    run: () => trainer(['distill', '--recipe', studentRecipe, '--teacher', teacherCkpt, '--data', trainSet, '--out', train, ...spec.overrides], o.threads),
  });
  const onnx = w('student.onnx');
  steps.push({
    name: 'export', title: 'student -> ONNX, checked in onnxruntime', inputs: [studentCkpt], params: [], outputs: [onnx, w('export.json')],
    run: async () => {
      await trainer(['export', '--checkpoint', studentCkpt, '--out', onnx, '--data', valSet ?? trainSet, '--report', w('export.json')], o.threads);
    },
  });

  const meta = w('meta.json');
  const metaJson = { name: spec.name, description: spec.description, ...(spec.labels ? { labels: spec.labels } : {}), ...(spec.detector ? { detector: spec.detector } : {}) };
  const int8 = spec.anomaly ? w('model-uncalibrated.wgm') : w('model.wgm');
  const f32 = w('model-f32.wgm');
  steps.push({
    name: 'quantize', title: `INT8 model (wavegate quantize, calibrated on the training windows${valSet ? ', methods compared on the validation windows' : ''}) and its f32 twin`,
    inputs: [onnx, trainSet, ...(valSet ? [valSet] : [])], params: { metaJson, select: valSet !== undefined }, outputs: [int8, f32, w('quantize.txt')],
    run: async () => {
      writeFileSync(meta, JSON.stringify(metaJson, null, 2));
      await quantize({ onnx, dataset: trainSet, select: valSet, meta, out: int8, report: w('quantize.txt') });
      await importFloat({ onnx, dataset: trainSet, meta, out: f32 });
    },
  });
  const model = w('model.wgm');
  if (spec.anomaly) {
    steps.push({
      name: 'calibrate', title: 'alert threshold on normal validation windows -> detector defaults',
      inputs: [int8, file(datasets.val!)], params: [], outputs: [model, w('calibration.json')],
      run: () => tool('calibrate-anomaly.ts', ['--model', int8, '--dataset', file(datasets.val!), '--out', model, '--report', w('calibration.json')]),
    });
  }
  steps.push({
    name: 'verify', title: 'INT8 model vs onnxruntime (wavegate verify)',
    inputs: [model, onnx, valSet ?? trainSet], params: [], outputs: [w('verify.json')],
    run: () => verify({ model, onnx, dataset: valSet ?? trainSet, out: w('verify.json'), minAgreement: 0.98 }),
  });
  steps.push({
    name: 'evaluate', title: `wavegate eval ${spec.evalArgs.join(' ')} (INT8, and f32 for the difference)`,
    inputs: [model, f32, dataDir], params: { evalArgs: spec.evalArgs }, outputs: [w('eval.json'), w('eval-f32.json')],
    run: async () => {
      await evaluate({ model, evalArgs: spec.evalArgs, out: w('eval.json') });
      await evaluate({ model: f32, evalArgs: spec.evalArgs, out: w('eval-f32.json') });
    },
  });
  const published = [join(o.models, `${spec.name}.wgm`), join(o.models, `${spec.name}.eval.json`), join(o.models, `${spec.name}.training.json`)];
  steps.push({
    name: 'publish', title: `copy to ${o.models}/${spec.name}.{wgm,eval.json,training.json}`,
    inputs: [model, w('eval.json'), w('eval-f32.json'), w('verify.json'), w('quantize.txt'), join(train, 'teacher-summary.json'), join(train, 'distill-summary.json')],
    // Runs every time: its outputs live outside the work folder, where a checkout or another run
    // may replace them (three small copies).
    params: [], outputs: published, always: true,
    run: async () => {
      mkdirSync(o.models, { recursive: true });
      copyFileSync(model, published[0]);
      const evaluation = { int8: readJson(w('eval.json')), f32: readJson(w('eval-f32.json')), verify: readJson(w('verify.json')) };
      writeFileSync(published[1], JSON.stringify(evaluation, null, 2) + '\n');
      // Committed: this machine's folders become <work> and $WAVEGATE_DATA.
      const summary = JSON.stringify(trainingSummary(o, spec), null, 2).split(o.work).join('<work>').split(o.data).join('$WAVEGATE_DATA');
      writeFileSync(published[2], summary + '\n');
    },
  });
  return steps;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** What models/<name>.training.json keeps of the runs: the small, reviewable part (no paths into runs/). */
function trainingSummary(o: PipelineOptions, spec: TaskSpec) {
  const train = join(o.work, 'train');
  const teacher = readJson(join(train, 'teacher-summary.json')) as Record<string, unknown>;
  const d = readJson(join(train, 'distill-summary.json')) as Record<string, Record<string, unknown>>;
  const strip = (s: Record<string, unknown> | null | undefined) => {
    if (!s) return s;
    const { bestCheckpoint: _b, checkpoint: _c, ...rest } = s;
    return rest;
  };
  const stamps = Object.fromEntries(['teacher', 'distill'].map((s) => {
    const p = join(o.work, '.stamps', `${s}.json`);
    return [s, existsSync(p) ? (readJson(p) as { seconds?: number }).seconds ?? null : null];
  }));
  const extra = spec.anomaly ? { calibration: readJson(join(o.work, 'calibration.json')) } : {};
  return {
    task: spec.task, model: `${spec.name}.wgm`, synthetic: o.synthetic,
    recipes: { teacher: spec.teacherRecipe, student: spec.studentRecipe, overrides: spec.overrides },
    datasets: Object.fromEntries(Object.entries(spec.datasets).map(([k, v]) => [k, { file: v.file, command: `wavegate ${v.args.join(' ')}` }])),
    stepSeconds: stamps,
    teacher: strip(teacher), teacherOnValidation: strip(d.teacher), studentKd: strip(d.studentKd), studentPlain: strip(d.studentPlain),
    compressionRatio: d.compressionRatio, export: readJson(join(o.work, 'export.json')),
    /** `wavegate quantize`'s report: calibration methods compared, the one chosen per input, float vs INT8. */
    quantize: readFileSync(join(o.work, 'quantize.txt'), 'utf8').trimEnd().split('\n'),
    evaluation: `wavegate eval ${spec.evalArgs.join(' ')} --json`,
    ...extra,
  };
}

export async function runPipeline(o: PipelineOptions, say = (l: string) => process.stderr.write(`${l}\n`)) {
  mkdirSync(o.work, { recursive: true });
  const t0 = Date.now();
  const report = await runSteps(buildSteps(o), { work: o.work, force: o.force, until: o.until, say: (l) => say(`[pipeline ${o.task}] ${l}`) });
  say(`[pipeline ${o.task}] finished in ${formatSeconds((Date.now() - t0) / 1000)}`);
  return report;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('pipeline')
    .description('datasets -> teacher -> distilled student -> INT8 -> verify -> evaluate -> models/<name>.wgm, resumable')
    .addOption(new Option('--task <task>', 'which default model').choices(TASKS as string[]).makeOptionMandatory())
    .option('--data <dir>', 'folder with mitdb/ and cwru/', process.env.WAVEGATE_DATA ?? join(ROOT, '..', 'shared', 'data'))
    .option('--work <dir>', 'work folder (default runs/pipeline/<task>[-synthetic])')
    .option('--models <dir>', 'where the finished model goes', join(ROOT, 'models'))
    .option('--synthetic', 'small synthetic data and the tiny recipe (the test of the steps)', false)
    .option('--threads <n>', 'torch CPU threads', process.env.WAVEGATE_TORCH_THREADS ?? '2')
    .option('--force <steps>', 'run these steps (comma separated, or all) even when up to date', '')
    .option('--until <step>', 'stop after this step')
    .option('--list', 'print the steps and whether each is up to date, run nothing', false)
    .parse(argv, { from: 'user' });
  const a = program.opts<{ task: TaskName; data: string; work?: string; models: string; synthetic: boolean; threads: string; force: string; until?: string; list: boolean }>();
  const threads = Number(a.threads);
  if (!Number.isInteger(threads) || threads < 0) throw new WavegateError('E_ARGUMENT', `--threads: expected an integer >= 0, got ${a.threads}`);
  const o: PipelineOptions = {
    task: a.task, data: resolve(a.data), synthetic: a.synthetic, threads, until: a.until,
    work: resolve(a.work ?? join(ROOT, 'runs', 'pipeline', `${a.task}${a.synthetic ? '-synthetic' : ''}`)),
    models: resolve(a.models), force: new Set(a.force.split(',').filter(Boolean)),
  };
  if (!o.synthetic) {
    const need = join(o.data, o.task === 'ecg' ? 'mitdb' : 'cwru');
    if (!existsSync(need)) throw new WavegateError('E_NOT_FOUND', `${need}: the ${o.task} task needs the staged data (--data or WAVEGATE_DATA), or run with --synthetic`);
  }
  if (a.list) {
    process.stdout.write(await listSteps(buildSteps(o), o.work));
    return;
  }
  await runPipeline(o);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(e instanceof WavegateError ? `wavegate: ${e.code}: ${e.message}\n` : `${(e as Error).stack}\n`);
    process.exit(1);
  });
}
