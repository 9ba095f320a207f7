/**
 * `wavegate inspect <model.wgm> [--json]`: what the model says about itself (raw input, preprocessing,
 * windowing, side features, labels, detector defaults, provenance), layers and shapes, parameter
 * count, bytes of weights and the kernel memory a session reserves. `--json` prints the report with
 * the whole metadata object under `metadata`.
 */
import type { Command } from 'commander';
import { loadModel, type InspectReport } from '../runtime/model.js';
import type { BackendChoice } from '../runtime/options.js';
import type { PreprocessingStage, WgmMetadata } from '../model/schema.js';
import { runAction } from './run-action.js';

export interface InspectCliOptions {
  json?: boolean;
  maxBatch?: number;
  maxChunk?: number;
  backend?: BackendChoice;
}

/** One stage as text, e.g. `bandpass 0.5-40 Hz order 2`. */
function stageText(stage: PreprocessingStage): string {
  const p = stage as Record<string, unknown>;
  const order = p.order !== undefined ? ` order ${String(p.order)}` : '';
  switch (stage.kind) {
    case 'bandpass': return `bandpass ${String(p.low)}-${String(p.high)} Hz${order}`;
    case 'highpass': case 'lowpass': return `${stage.kind} ${String(p.cutoff)} Hz${order}`;
    case 'decimate': case 'resample': return `${stage.kind} to ${String(p.to)} Hz`;
    case 'baseline': return `baseline medians ${Array.isArray(p.windows) ? p.windows.join(' + ') : '0.2 + 0.6'} s`;
    case 'normalize': return `normalize mean ${String(p.mean)} std ${String(p.std)}`;
    default: {
      const { kind, ...params } = stage;
      return [kind, ...Object.entries(params).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join('/') : String(v)}`)].join(' ');
    }
  }
}

/** The self-description lines (format v3): raw input, chain, windowing, features, detector, provenance. */
export function describeSignalLines(meta: WgmMetadata): string[] {
  const input = meta.input;
  const lines: string[] = [];
  if (meta.description) lines.push(`about      ${meta.description}`);
  if (input.raw) lines.push(`raw input  ${input.raw.sampleRate} Hz, ${input.raw.units}, channels ${input.raw.channels.join(', ')}`);
  else if (input.channelNames) lines.push(`channels   ${input.channelNames.join(', ')}`);
  const stages = input.preprocessing;
  lines.push(`chain      ${!stages ? 'not described' : stages.length > 0 ? stages.map(stageText).join(' -> ') : 'no preprocessing'}${input.sampleRate !== undefined ? ` => ${input.sampleRate} Hz into the model` : ''}`);
  const w = input.windowing;
  // After a spectrum stage the chain hands on frames of band values, not samples.
  const unit = stages?.at(-1)?.kind === 'spectrum' ? 'frames' : 'samples';
  if (w?.mode === 'fixed') lines.push(`windowing  fixed: ${w.window} ${unit} every ${w.hop}`);
  else if (w?.mode === 'beat') {
    const { detector, ...qrs } = w.qrs;
    const settings = Object.entries(qrs).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join('-') : String(v)}`).join(', ');
    lines.push(`windowing  beat: ${w.before} samples before the R peak + ${w.after} from it (QRS ${detector}${settings ? `: ${settings}` : ''})`);
  } else if (w?.mode === 'stream') lines.push('windowing  stream (state carried across chunks)');
  else lines.push(`windowing  not described${input.window !== undefined ? ` (window ${input.window}${input.hop !== undefined ? `, hop ${input.hop}` : ''})` : ''}`);
  const f = input.features;
  if (f) {
    const extra = [f.kind === 'rr' ? `local mean over ${f.localBeats} beats` : 'supplied by the caller', f.normalize ? 'normalised' : undefined].filter(Boolean).join(', ');
    lines.push(`features   ${f.kind}: ${f.names.join(', ')} (${extra})`);
  }
  const d = meta.detector;
  if (d) {
    const parts = [
      d.thresholds ? `thresholds ${Object.entries(d.thresholds).map(([k, v]) => `${k} ${v}`).join(', ')}` : undefined,
      d.threshold !== undefined ? `threshold ${d.threshold}` : undefined,
      d.normalLabels ? `normal ${d.normalLabels.join(', ')}` : undefined,
      d.minDuration !== undefined ? `${d.minDuration} of ${d.window ?? d.minDuration} windows` : undefined,
      d.hysteresis !== undefined ? `hysteresis ${d.hysteresis}` : undefined,
      d.cooldown !== undefined ? `cooldown ${d.cooldown} s` : undefined,
    ].filter(Boolean);
    lines.push(`detector   ${parts.join('; ')}`);
  }
  const ds = meta.provenance?.dataset;
  if (ds) lines.push(`dataset    ${ds.file ?? '(file)'} split ${ds.split}${ds.source ? `, ${ds.source}` : ''}${ds.records ? `, ${ds.records.length} record(s)` : ''}, sha256:${ds.sha256}`);
  return lines;
}

/** Human-readable report. */
export function formatInspectReport(path: string, r: InspectReport, meta?: WgmMetadata): string {
  const lines = [
    `model      ${r.name ?? '(unnamed)'}  (${path})`,
    `digest     sha256:${r.digest ?? '-'}`,
    `input      ${r.channels} channel(s)${r.window ? `, window ${r.window}` : ''}`,
    ...(meta ? describeSignalLines(meta) : []),
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
  const { dataset, ...provenance } = meta?.provenance ?? {};
  void dataset; // shown on its own line above
  if (Object.keys(provenance).length > 0) lines.push(`provenance ${JSON.stringify(provenance)}`);
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
        if (o.json) process.stdout.write(`${JSON.stringify({ ...report, metadata: model.metadata }, null, 2)}\n`);
        else process.stdout.write(formatInspectReport(path, report, model.metadata));
        model.dispose();
      }),
    );
}
