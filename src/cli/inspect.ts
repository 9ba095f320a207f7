/**
 * `wavegate inspect <model.wgm> [--json]`: metadata, layers and shapes, parameter count,
 * bytes of weights and the kernel memory a session reserves.
 */
import type { Command } from 'commander';
import { loadModel, type InspectReport } from '../runtime/model.js';
import type { BackendChoice } from '../runtime/options.js';
import { runAction } from './run-action.js';

export interface InspectCliOptions {
  json?: boolean;
  maxBatch?: number;
  maxChunk?: number;
  backend?: BackendChoice;
}

/** Human-readable report. */
export function formatInspectReport(path: string, r: InspectReport, provenance?: Record<string, unknown>): string {
  const lines = [
    `model      ${r.name ?? '(unnamed)'}  (${path})`,
    `digest     sha256:${r.digest ?? '-'}`,
    `input      ${r.channels} channel(s)${r.window ? `, window ${r.window}` : ''}`,
    `output     ${r.outputSize}${r.labels ? ` [${r.labels.join(', ')}]` : ''}`,
    `streaming  ${r.streamable ? 'yes' : `no (${r.notStreamable})`}`,
    `parameters ${r.parameterCount}`,
    `weights    ${r.weightFileBytes} bytes in file`,
    'layers:',
  ];
  for (const l of r.layers) {
    lines.push(`  ${l.name.padEnd(12)} ${l.summary}  (${l.parameters} params, ${l.fileBytes} bytes)`);
    for (const t of l.tensors) lines.push(`    ${t.name.padEnd(24)} ${t.dtype.padEnd(4)} [${t.shape.join(', ')}]`);
  }
  const relaxed =
    r.kernel.build === 'relaxed' || r.memory.options.backend !== 'auto'
      ? ''
      : r.kernel.relaxed.usable
        ? '; relaxed not used: 8-bit INT8 layers (format version < 4) run faster on the SIMD build on this CPU (no AVX-VNNI)'
        : `; relaxed not used: ${r.kernel.relaxed.reason}`;
  lines.push(`kernel     ${r.kernel.build} (${r.kernel.file}${relaxed})`);
  lines.push(`kernel memory (backend ${r.memory.backend}):`);
  lines.push(...r.memory.text.split('\n').map((s) => `  ${s}`));
  if (provenance && Object.keys(provenance).length > 0) lines.push(`provenance ${JSON.stringify(provenance)}`);
  return `${lines.join('\n')}\n`;
}

export function registerInspect(program: Command): Command {
  return program
    .command('inspect')
    .description('print a model file\'s metadata, layers, parameter count, weight bytes and kernel memory')
    .argument('<model.wgm>', 'model file')
    .option('--json', 'print one JSON object instead of text')
    .option('--max-batch <n>', 'streams per kernel call the memory figure assumes', (v) => Number.parseInt(v, 10))
    .option('--max-chunk <n>', 'time steps per kernel call the memory figure assumes', (v) => Number.parseInt(v, 10))
    .option('--backend <name>', 'kernel build: auto, relaxed, simd or ref', 'auto')
    .action(
      runAction(async (path: string, o: InspectCliOptions) => {
        const model = await loadModel(path);
        const report = await model.inspect({ maxBatch: o.maxBatch, maxChunk: o.maxChunk, backend: o.backend });
        const provenance = model.metadata.provenance;
        if (o.json) process.stdout.write(`${JSON.stringify({ ...report, metadata: model.metadata }, null, 2)}\n`);
        else process.stdout.write(formatInspectReport(path, report, provenance));
        model.dispose();
      }),
    );
}
