/**
 * `wavegate import`: converts an ONNX model (PyTorch or tf2onnx export) to a .wgm file.
 *
 *   wavegate import <model.onnx> --out <model.wgm> [--int8]
 *
 * Prints one summary line on success: layers, parameter count, file bytes. Errors: missing
 * input file -> E_NOT_FOUND; malformed ONNX -> E_ONNX_FORMAT; ops or attributes the kernel does
 * not compute -> E_ONNX_UNSUPPORTED naming the op and node (see docs/onnx-import.md).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { WavegateError } from '../../src/errors.js';
import { encodeWgm } from '../../src/model/write.js';
import { runAction } from '../../src/cli/run-action.js';
import { describeModel, importOnnxFile } from '../onnx/import.js';

export interface ImportCliOptions {
  out: string;
  int8?: boolean;
}

/** Runs the import; returns the summary line (also what the command prints). */
export function runImport(onnxPath: string, opts: ImportCliOptions): string {
  const { model } = importOnnxFile(onnxPath, { int8: opts.int8 === true });
  const bytes = encodeWgm(model, { source: opts.out });
  try {
    writeFileSync(opts.out, bytes);
  } catch (e) {
    throw new WavegateError('E_ARGUMENT', `--out ${opts.out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  const { params, summary } = describeModel(model);
  const layers = model.metadata.layers.length;
  return `${opts.out}: ${layers} layers [${summary}], ${params} params, ${bytes.length} bytes${opts.int8 ? ' (int8 recurrent weights)' : ''}`;
}

export function registerImport(program: Command): Command {
  return program
    .command('import')
    .description('import an ONNX model (LSTM/GRU stack + dense head) into a .wgm model file')
    .argument('<model.onnx>', 'ONNX file exported from PyTorch or tf2onnx')
    .requiredOption('--out <model.wgm>', 'output model file')
    .option('--int8', 'quantize recurrent weights to int8 per row (dynamic input quantization); the head stays f32')
    .action(runAction((onnxPath: string, opts: ImportCliOptions) => {
      process.stdout.write(runImport(onnxPath, opts) + '\n');
    }));
}
