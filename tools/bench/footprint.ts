/**
 * `npm run bench:footprint`: what a device must hold to run a model, and how long a fresh
 * process takes to produce its first answer.
 *
 * - wavegate: the esbuild device bundle of src/index.ts (minified, built into a temp dir here),
 *   plus build/kernel-relaxed.wasm, build/kernel-simd.wasm and build/kernel-ref.wasm (a device ships
 *   all three; the runtime loads one). No native binary, no toolchain.
 * - onnxruntime-node / onnxruntime-web: the installed size of the package and of every package it
 *   depends on (apparent bytes of the files under node_modules), what `npm install` puts on a device.
 * - Time to first inference: a fresh `node` child process loads the runtime, loads a model (a
 *   one-input INT8 LSTM, H = 64, wavegate .wgm or DynamicQuantizeLSTM .onnx) and runs one
 *   360-step window; it prints `performance.now()` (ms since its process started). Median of N.
 * - Model bytes: INT8 .wgm size / f32 .wgm size, for the benchmark layer sizes with H >= 64.
 */
import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WavegateError } from '../../src/errors.js';
import { FORMAT_VERSION } from '../../src/model/schema.js';
import { DEFAULT_SIZES } from './cases.js';
import { DEFAULT_SEED, defaultModelDir } from './jobs.js';
import { formatMachine, machineInfo } from './machine.js';
import { median } from './measure.js';
import { ensureOnnxModel } from './models.js';
import { markdownTable } from './table.js';
import { makeRnnWeights, type Cell } from './weights.js';
import { buildRnnWgm } from './wgm-build.js';
import { firstInferenceScript, type FirstInferenceRuntime } from './first-inference.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Sum of the sizes of all files under `dir` (apparent bytes; links not followed). */
export function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(p);
    else if (entry.isFile()) total += statSync(p).size;
  }
  return total;
}

/**
 * The installed packages `name` pulls in (itself included), resolved as Node would from the repo
 * root: nested node_modules first, then hoisted ones.
 */
export function dependencyClosure(name: string, root = REPO_ROOT): string[] {
  const seen = new Map<string, string>();
  const visit = (pkg: string, fromDir: string): void => {
    for (let dir = fromDir; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', pkg);
      if (existsSync(join(candidate, 'package.json'))) {
        if (seen.has(candidate)) return;
        seen.set(candidate, pkg);
        const meta = JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
        for (const dep of Object.keys(meta.dependencies ?? {})) visit(dep, candidate);
        return;
      }
      if (dirname(dir) === dir) throw new WavegateError('E_NOT_FOUND', `footprint: package ${pkg} is not installed (needed by ${name})`);
    }
  };
  visit(name, root);
  return [...seen.keys()];
}

export interface PackageFootprint {
  name: string;
  /** The package's own files. */
  ownBytes: number;
  /** With everything it depends on. */
  installedBytes: number;
  packages: number;
}

export function packageFootprint(name: string, root = REPO_ROOT): PackageFootprint {
  const dirs = dependencyClosure(name, root);
  return {
    name,
    ownBytes: treeBytes(dirs[0]),
    installedBytes: dirs.reduce((s, d) => s + treeBytes(d), 0),
    packages: dirs.length,
  };
}

/**
 * Bytes of onnxruntime-node's native binaries for this OS and CPU only (bin/napi-v6/<os>/<arch>):
 * the floor an installer that pruned the other platforms would still ship.
 */
export function ortNodeNativeBytes(root = REPO_ROOT): { dir: string; bytes: number } | undefined {
  const dir = join(root, 'node_modules/onnxruntime-node/bin/napi-v6', process.platform, process.arch);
  return existsSync(dir) ? { dir: `${process.platform}/${process.arch}`, bytes: treeBytes(dir) } : undefined;
}

export interface DeviceBundle {
  bundleFile: string;
  bundleBytes: number;
  wasmBytes: { file: string; bytes: number }[];
  totalBytes: number;
}

/** esbuild device bundle of src/index.ts; refuses a bundle that pulled in onnxruntime or tools/. */
export async function buildDeviceBundle(outDir: string, root = REPO_ROOT): Promise<DeviceBundle> {
  const esbuild = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  const bundleFile = join(outDir, 'wavegate.device.mjs');
  const result = await esbuild.build({
    entryPoints: [join(root, 'src/index.ts')],
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundleFile,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const leaked = inputs.filter((i) => i.includes('onnxruntime') || i.startsWith('tools/'));
  if (leaked.length > 0) {
    throw new WavegateError('E_STATE', `footprint: the device bundle pulls in workstation code: ${leaked.slice(0, 5).join(', ')}`);
  }
  // The device folder: the bundle with the two kernels beside it (the runtime finds them there).
  const wasmBytes = ['kernel-relaxed.wasm', 'kernel-simd.wasm', 'kernel-ref.wasm'].map((f) => {
    copyFileSync(join(root, 'build', f), join(outDir, f));
    return { file: `build/${f}`, bytes: statSync(join(root, 'build', f)).size };
  });
  const bundleBytes = statSync(bundleFile).size;
  return { bundleFile, bundleBytes, wasmBytes, totalBytes: bundleBytes + wasmBytes.reduce((s, w) => s + w.bytes, 0) };
}

export interface FirstInference {
  runtime: FirstInferenceRuntime;
  /** Median ms from the child's process start to its first inference's result (its performance.now()). */
  inProcessMs: number;
  /** Median ms from spawn() to the child's exit, as the parent sees it. */
  wallMs: number;
  runs: number;
}

/** Spawns `node --input-type=module -e <script>` `runs` times (after one untimed run to warm the disk cache). */
export function timeFirstInference(runtime: FirstInferenceRuntime, script: string, runs: number): FirstInference {
  const inProcess: number[] = [];
  const wall: number[] = [];
  for (let i = -1; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const reported = Number(/first-inference-ms=([\d.]+)/.exec(r.stdout)?.[1]);
    if (r.status !== 0 || !Number.isFinite(reported)) {
      throw new WavegateError('E_STATE', `footprint: first-inference child for ${runtime} failed: ${(r.stderr || r.stdout).slice(-1500)}`);
    }
    if (i >= 0) {
      inProcess.push(reported);
      wall.push(ms);
    }
  }
  return { runtime, inProcessMs: median(inProcess), wallMs: median(wall), runs };
}

export interface ModelSizeRow {
  cell: Cell;
  I: number;
  H: number;
  f32Bytes: number;
  int8Bytes: number;
  ratio: number;
}

/** INT8 / f32 .wgm file size for each benchmark layer size with H >= 64, LSTM and GRU. */
export function modelSizeRows(seed = DEFAULT_SEED): ModelSizeRow[] {
  const rows: ModelSizeRow[] = [];
  for (const cell of ['lstm', 'gru'] as const) {
    for (const { I, H } of DEFAULT_SIZES.filter((s) => s.H >= 64)) {
      const w = makeRnnWeights(cell, I, H, seed);
      const f32Bytes = buildRnnWgm(w, 'f32').length;
      const int8Bytes = buildRnnWgm(w, 'int8').length;
      rows.push({ cell, I, H, f32Bytes, int8Bytes, ratio: int8Bytes / f32Bytes });
    }
  }
  return rows;
}

const MB = 1e6;

async function main(argv: string[]): Promise<void> {
  const program = new Command('bench:footprint')
    .description('device footprint and time to first inference: wavegate vs onnxruntime-node / -web')
    .option('--json', 'print the results as one JSON object')
    .option('--runs <n>', 'child processes per runtime for the time to first inference', '10')
    .option('--out-dir <dir>', 'where the device bundle and models are written', join(defaultModelDir(), 'footprint'))
    .parse(argv);
  const opts = program.opts<{ json?: boolean; runs: string; outDir: string }>();
  const runs = Number(opts.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw new WavegateError('E_ARGUMENT', `--runs: "${opts.runs}" is not in 1..100`);

  const bundle = await buildDeviceBundle(opts.outDir);
  const packages = ['onnxruntime-node', 'onnxruntime-web'].map((p) => packageFootprint(p));
  const native = ortNodeNativeBytes();

  // The first-inference model: one-input INT8 LSTM, H = 64 (an ECG-sized model), both formats.
  const weights = makeRnnWeights('lstm', 1, 64, DEFAULT_SEED);
  const wgmFile = join(opts.outDir, 'lstm-int8-i1-h64.wgm');
  writeFileSync(wgmFile, buildRnnWgm(weights, 'int8'));
  const onnxFile = ensureOnnxModel(opts.outDir, { cell: 'lstm', inputSize: 1, hiddenSize: 64, precision: 'int8', io: 'final', seed: DEFAULT_SEED });
  const first = (['wavegate', 'ort-node', 'ort-web'] as const).map((rt) =>
    timeFirstInference(rt, firstInferenceScript(rt, { bundleFile: bundle.bundleFile, wgmFile, onnxFile, root: REPO_ROOT }), runs),
  );
  const sizes = modelSizeRows();

  if (opts.json) {
    console.log(JSON.stringify({ bundle, packages, ortNodeNative: native, firstInference: first, modelSizes: sizes }, null, 1));
    return;
  }
  const mb = (b: number): string => `${(b / MB).toFixed(2)} MB`;
  console.log(
    [
      `Command: \`npm run bench:footprint -- ${argv.slice(2).join(' ')}\``.replace(/ -- `$/, '`'),
      '',
      formatMachine(machineInfo()),
      '',
      'Bytes a device needs to run a model:',
      '',
      markdownTable(
        ['runtime', 'what', 'bytes', 'size'],
        [
          ['wavegate', `device bundle (esbuild, minified) ${bundle.bundleBytes} B + ${bundle.wasmBytes.map((w) => `${w.file} ${w.bytes} B`).join(' + ')}`, String(bundle.totalBytes), mb(bundle.totalBytes)],
          ...packages.map((p) => [p.name, `installed, ${p.packages} packages (own files ${mb(p.ownBytes)})`, String(p.installedBytes), mb(p.installedBytes)]),
          ...(native ? [['onnxruntime-node', `native binaries for ${native.dir} only (floor of a pruned install)`, String(native.bytes), mb(native.bytes)]] : []),
        ],
      ),
      '',
      `Time to first inference (fresh node process; INT8 LSTM I=1 H=64, one 360-step window; median of ${runs}):`,
      '',
      markdownTable(
        ['runtime', 'ms from process start (in child)', 'ms spawn to exit (parent)'],
        first.map((f) => [f.runtime, f.inProcessMs.toFixed(1), f.wallMs.toFixed(1)]),
      ),
      '',
      `Model file size, INT8 / f32 (.wgm format version ${FORMAT_VERSION}: i8 weights, f16 per-row scales, biases pre-summed in f16; one layer, no head, the JSON header of a bare layer):`,
      '',
      markdownTable(
        ['cell', 'I', 'H', 'f32 bytes', 'int8 bytes', 'int8 / f32'],
        sizes.map((s) => [s.cell, String(s.I), String(s.H), String(s.f32Bytes), String(s.int8Bytes), `${(100 * s.ratio).toFixed(1)}%`]),
      ),
    ].join('\n'),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv).catch((e: unknown) => {
    process.stderr.write(`bench:footprint: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
