/**
 * `wavegate quantize`: float student (ONNX) + calibration set -> whole-model INT8 .wgm
 * (tools/quantize/quantize.ts; docs/quantization.md).
 *
 *   wavegate quantize <student.onnx> --calib <dataset.npz> --out <model.wgm> [--val <dataset.npz>]
 *       [--meta <meta.json>] [--calib-windows 256] [--select <dataset.npz>] [--select-windows 1000] [--all-int8] [--seed 1]
 *
 * Prints the comparison of calibration methods per quantized input, the float-vs-INT8 report
 * (top-1 agreement, output differences, per-class sensitivity of both models where the windows
 * have labels) and a summary line; progress goes to stderr on a terminal. Errors, before any work: the ONNX
 * refusals of `wavegate import` (E_ONNX_*), a calibration or validation set from another task,
 * rate or pipeline than the model (E_INPUT naming both files and the field), unreadable files.
 */
import type { Command } from 'commander';
import { numberArg } from '../../src/cli/option-parsers.js';
import { prepareOutput } from '../../src/cli/output.js';
import { runAction } from '../../src/cli/run-action.js';
import { describeModel } from '../onnx/import.js';
import { siteKey } from '../quantize/collect.js';
import { quantize, type QuantizeOptions, type QuantizeResult } from '../quantize/quantize.js';
import { creationTime } from './import.js';

/** The library's options (tools/quantize/quantize.ts) less what the command sets itself, plus the output path. */
export type QuantizeCliOptions = Omit<QuantizeOptions, 'createdAt' | 'log'> & { out: string };

const pct = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? '-' : `${(100 * v).toFixed(digits)} %`);

/** The report the command prints: methods compared, float vs INT8, the summary line. */
export function formatQuantizeReport(r: QuantizeResult, out: string): string {
  const { report } = r;
  const lines: string[] = [];
  const methods = [...new Set(report.selection.sites.flatMap((s) => s.candidates.map((c) => c.choice.method)))];
  lines.push(`calibration: ${report.statsWindows} statistics windows, ${report.heldOutWindows} ${report.selectionSource ? 'selection' : 'held-out'} windows${report.selectionSource ? ` (${report.selectionSource})` : ''}, ${report.activationBits}-bit activations; agreement with the float model on the ${report.selectionSource ? 'selection' : 'held-out'} windows (top-1 %, mean |diff|):`);
  const w = Math.max(8, ...report.selection.sites.map((s) => siteKey(s.site).length + 2));
  lines.push(`  ${'input'.padEnd(w)}${methods.map((m) => m.padStart(18)).join('')}   chosen`);
  for (const s of report.selection.sites) {
    const cells = methods.map((m) => {
      const c = s.candidates.find((x) => x.choice.method === m);
      return (c ? `${(100 * c.agreement.top1).toFixed(2)} ${c.agreement.meanAbsDiff.toExponential(2)}` : '-').padStart(18);
    });
    const chosen = s.chosen.mode === 'static' ? `${s.chosen.method} (scale ${s.chosen.scale.toPrecision(4)})` : s.chosen.mode === 'float' ? 'f32 (layer kept float)' : 'dynamic';
    lines.push(`  ${siteKey(s.site).padEnd(w)}${cells.join('')}   ${chosen}`);
  }
  const v = report.validation;
  lines.push(`float vs INT8 on ${v.source}, ${v.agreement.windows} windows: top-1 agreement ${pct(v.agreement.top1)}, mean |diff| ${v.agreement.meanAbsDiff.toExponential(2)}, max |diff| ${v.agreement.maxAbsDiff.toFixed(4)}`);
  if (v.classes) {
    lines.push(`  ${'class'.padEnd(10)}${'windows'.padStart(9)}${'float Se'.padStart(11)}${'INT8 Se'.padStart(11)}${'points'.padStart(9)}`);
    for (const c of v.classes) {
      const d = c.floatSe === null || c.int8Se === null ? '-' : (100 * (c.int8Se - c.floatSe)).toFixed(2);
      lines.push(`  ${c.label.padEnd(10)}${String(c.n).padStart(9)}${pct(c.floatSe).padStart(11)}${pct(c.int8Se).padStart(11)}${d.padStart(9)}`);
    }
    lines.push(`  ${'accuracy'.padEnd(10)}${''.padStart(9)}${pct(v.floatAccuracy).padStart(11)}${pct(v.int8Accuracy).padStart(11)}${(100 * ((v.int8Accuracy ?? 0) - (v.floatAccuracy ?? 0))).toFixed(2).padStart(9)}`);
  }
  const { params, summary } = describeModel(r.model);
  lines.push(`${out}: ${r.model.metadata.layers.length} layers [${summary}], ${params} params, ${report.int8Bytes} bytes = ${pct(report.int8Bytes / report.floatBytes, 1)} of the f32 file (${report.floatBytes} bytes)`);
  return lines.join('\n');
}

export async function runQuantize(onnxPath: string, opts: QuantizeCliOptions): Promise<string> {
  const output = prepareOutput(opts.out);
  const { out: _out, ...options } = opts;
  const result = await quantize(onnxPath, {
    ...options,
    createdAt: creationTime(),
    // Progress on a terminal only (as dataset build): logs and pipes get the report alone.
    log: process.stderr.isTTY ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
  const sink = output.open();
  try {
    await sink.write(result.bytes);
    await sink.commit();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  return formatQuantizeReport(result, opts.out);
}

export function registerQuantize(program: Command): Command {
  return program
    .command('quantize')
    .description('quantize a float student (ONNX) into a whole-model INT8 .wgm: static activation scales calibrated on real windows, the method chosen by measured agreement')
    .argument('<student.onnx>', 'the float model, exported from PyTorch or tf2onnx')
    .requiredOption('--calib <dataset.npz>', 'calibration windows (a dataset file made with the model\'s pipeline); its metadata describes the model')
    .requiredOption('--out <model.wgm>', 'output model file')
    .option('--val <dataset.npz>', 'validation windows for the float-vs-INT8 report (default: the held-out calibration windows)')
    .option('--meta <meta.json>', 'JSON description as for `wavegate import --meta`; must agree with the calibration set')
    .option('--calib-windows <n>', 'windows whose activations give the statistics (default 256)', numberArg({ integer: true, min: 1 }))
    .option('--select <dataset.npz>', 'compare the calibration methods on these windows (e.g. the validation split) instead of held-out calibration windows')
    .option('--all-int8', 'every dense layer INT8 (default: a dense layer stays f32 where INT8 changes the top-1 of more than 0.5 % of one class\'s selection windows and f32 changes fewer)')
    .option('--select-windows <n>', 'held-out windows on which the calibration methods are compared (default 1000)', numberArg({ integer: true, min: 1 }))
    .option('--seed <n>', 'seed of the window split (default 1)', numberArg({ integer: true, min: 1 }))
    .action(runAction(async (onnxPath: string, opts: QuantizeCliOptions) => {
      process.stdout.write(`${await runQuantize(onnxPath, opts)}\n`);
    }));
}
