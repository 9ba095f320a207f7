/**
 * `wavegate import`: converts an ONNX model (PyTorch or tf2onnx export) to a .wgm file, and makes
 * it self-describing (format v3) from a dataset file or a small JSON file.
 *
 *   wavegate import <model.onnx> --out <model.wgm> [--int8] [--dataset <ds.npz>] [--meta <meta.json>]
 *
 * `--dataset` takes the input description (raw rate, units and channels, preprocessing, windowing,
 * side features), labels and dataset provenance from the dataset's metadata; `--meta` gives them
 * in a JSON file (tools/describe/description.ts, docs/onnx-import.md) and, with both, its fields
 * win. A description that does not fit the graph is refused before anything is written.
 *
 * Prints one summary line on success: layers, parameter count, file bytes. Errors: missing
 * input file -> E_NOT_FOUND; malformed ONNX -> E_ONNX_FORMAT; ops or attributes the kernel does
 * not compute -> E_ONNX_UNSUPPORTED naming the op and node (see docs/onnx-import.md); a bad --meta
 * or dataset meta -> E_FILE_FORMAT naming the file and field; a description that does not fit the
 * graph -> E_INPUT naming the file, the field and the graph's value.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { WavegateError } from '../../src/errors.js';
import { encodeWgm } from '../../src/model/write.js';
import { prepareOutput } from '../../src/cli/output.js';
import { runAction } from '../../src/cli/run-action.js';
import { describeModel, importOnnxFile } from '../onnx/import.js';
import { applyDescription, type DescriptionSources } from '../describe/apply.js';
import { parseDescriptionText } from '../describe/description.js';
import { describeDatasetFile } from '../describe/from-dataset.js';

export interface ImportCliOptions {
  out: string;
  int8?: boolean;
  /** Dataset file (.npz) whose metadata describes the model's input, labels and provenance. */
  dataset?: string;
  /** JSON description file; its fields win over the dataset's. */
  meta?: string;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `${path}: cannot read ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
}

/**
 * When the model file is made (provenance.createdAt, ISO 8601 UTC to the second): now, or
 * SOURCE_DATE_EPOCH (seconds, the reproducible-builds convention) so that a generator can make
 * byte-identical files.
 */
export function creationTime(env: NodeJS.ProcessEnv = process.env): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined) {
    if (!/^\d{1,12}$/.test(epoch)) throw new WavegateError('E_ARGUMENT', `SOURCE_DATE_EPOCH: expected whole seconds since 1970, got ${JSON.stringify(epoch)}`);
    return new Date(Number(epoch) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Runs the import; returns the summary line (also what the command prints). */
export async function runImport(onnxPath: string, opts: ImportCliOptions): Promise<string> {
  const output = prepareOutput(opts.out);
  const sources: DescriptionSources = { onnx: onnxPath };
  if (opts.meta !== undefined) sources.meta = { path: opts.meta, description: parseDescriptionText(readText(opts.meta, '--meta file'), opts.meta) };
  if (opts.dataset !== undefined) sources.dataset = { path: opts.dataset, facts: describeDatasetFile(opts.dataset) };
  const imported = importOnnxFile(onnxPath, { int8: opts.int8 === true }).model;
  const described = sources.meta || sources.dataset ? applyDescription(imported, sources) : imported;
  const model = { ...described, metadata: { ...described.metadata, provenance: { ...described.metadata.provenance, createdAt: creationTime() } } };
  const bytes = encodeWgm(model, { source: opts.out });
  const sink = output.open();
  try {
    await sink.write(bytes);
    await sink.commit();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  const { params, summary } = describeModel(model);
  const layers = model.metadata.layers.length;
  const labels = model.metadata.labels ? `, labels [${model.metadata.labels.join(', ')}]` : '';
  return `${opts.out}: ${layers} layers [${summary}], ${params} params, ${bytes.length} bytes${opts.int8 ? ' (int8 recurrent weights)' : ''}${labels}`;
}

export function registerImport(program: Command): Command {
  return program
    .command('import')
    .description('import an ONNX model (LSTM/GRU stack + dense head) into a self-describing .wgm model file')
    .argument('<model.onnx>', 'ONNX file exported from PyTorch or tf2onnx')
    .requiredOption('--out <model.wgm>', 'output model file')
    .option('--int8', 'quantize recurrent weights to int8 per row (dynamic input quantization); the head stays f32')
    .option('--dataset <file.npz>', 'dataset the model was trained on: its metadata gives the input description, labels and provenance')
    .option('--meta <file.json>', 'JSON description (raw input, preprocessing, windowing, features, labels, detector, provenance); see docs/onnx-import.md')
    .action(runAction(async (onnxPath: string, opts: ImportCliOptions) => {
      process.stdout.write(`${await runImport(onnxPath, opts)}\n`);
    }));
}
