/**
 * The evaluation report (`wavegate eval ... --report out.html`): one self-contained HTML file with
 * the tables and the charts of an evaluation, for MIT-BIH (mitdb-report.ts) or CWRU
 * (cwru-report.ts), optionally beside the same evaluation of a second model (`--compare`, e.g. the
 * float twin of an INT8 model), and the training curves the model's provenance points to.
 */
import { packageVersion } from '../../../src/package-version.js';
import type { WgmMetadata } from '../../../src/model/schema.js';
import type { CwruEval } from '../cwru.js';
import type { MitdbEval } from '../mitdb.js';
import { runNames, type EvalRun } from './runs.js';
import type { TrainingCurves } from '../training-curves.js';
import { curvesSpec, renderSvg } from './charts.js';
import { esc, figure, page, type Section } from './html.js';
import { cwruSections } from './cwru-report.js';
import { mitdbSections } from './mitdb-report.js';

export interface ReportInput {
  runs: readonly EvalRun[];
  training: TrainingCurves;
  /** The data folder evaluated. */
  data: string;
  /** The command line, for the footer. */
  command?: string;
  /** ISO time of the evaluation (SOURCE_DATE_EPOCH-able by the caller). */
  createdAt: string;
}

function describeInput(meta: WgmMetadata): string {
  const i = meta.input;
  const w = i.windowing;
  const win = !w ? 'windows not described' : w.mode === 'beat' ? `beat windows ${w.before}+${w.after} samples around detected R peaks` : w.mode === 'fixed' ? `fixed windows of ${w.window}, hop ${w.hop}` : 'stream';
  const raw = i.raw ? `${i.raw.channels.join(', ')} at ${i.raw.sampleRate} Hz in ${i.raw.units}` : `${i.channels} channel(s)`;
  const stages = (i.preprocessing ?? []).map((s) => s.kind).join(' → ') || 'no preprocessing';
  const feats = i.features ? `; ${i.features.names.length} ${i.features.kind} features` : '';
  return `${raw}; ${stages}; ${win}${i.sampleRate ? ` at ${i.sampleRate} Hz` : ''}${feats}`;
}

function modelFacts(run: EvalRun, name: string): string {
  const m = run.meta;
  const facts: Array<[string, string]> = [
    ['model', name],
    ['file', `${run.path}${run.bytes !== undefined ? ` (${run.bytes.toLocaleString('en-US')} bytes)` : ''}`],
    ['labels', (m.labels ?? []).join(', ') || `${m.output.size} output(s), no labels`],
    ['input', describeInput(m)],
  ];
  if (run.digest) facts.push(['digest', run.digest]);
  if (m.description) facts.push(['description', m.description]);
  const ds = m.provenance?.dataset;
  if (ds) facts.push(['trained on', `${ds.source ?? 'dataset'} ${ds.split}${ds.file ? ` (${ds.file})` : ''}`]);
  return `<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

async function trainingSection(training: TrainingCurves, modelName: string): Promise<Section> {
  if ('note' in training) return { id: 'training', title: 'Training curves', html: `<p class="note">${esc(training.note)}</p>` };
  const parts = [`<p class="meta">from ${esc(training.source)} (model ${esc(modelName)})</p>`];
  if (training.epochs.length > 0) parts.push(figure('training-epochs', await renderSvg(curvesSpec(training.epochs, 'Validation by epoch', 'epoch')), 'validation loss, macro F1 and accuracy per epoch, one line per training run'));
  if (training.steps.length > 0) parts.push(figure('training-steps', await renderSvg(curvesSpec(training.steps, 'Training loss by step', 'step')), 'training loss as logged every few steps'));
  return { id: 'training', title: 'Training curves', html: parts.join('\n') };
}

/** Builds the report HTML. */
export async function buildReport(input: ReportInput): Promise<string> {
  const { runs } = input;
  const names = runNames(runs);
  const kind = runs[0].ev.kind;
  const title = kind === 'mitdb' ? `ECG evaluation: ${names[0]} on MIT-BIH` : `Bearing evaluation: ${names[0]} on CWRU`;
  const intro = [
    `<p class="meta">${esc(kind === 'mitdb' ? 'ANSI/AAMI EC57 beat-by-beat comparison of the full device pipeline (the model\'s own preprocessing, QRS detection and windows) against the reference annotations.' : 'Window-by-window comparison of the full device pipeline (the model\'s own preprocessing and windows) against the class of each CWRU file.')}</p>`,
    `<p class="meta">data: ${esc(input.data)}; evaluated ${esc(input.createdAt)}</p>`,
    `<div class="row">${runs.map((r, i) => `<div>${modelFacts(r, names[i])}</div>`).join('')}</div>`,
  ].join('\n');
  const sections = kind === 'mitdb'
    ? await mitdbSections(runs.map((r) => r.ev as MitdbEval), names)
    : await cwruSections(runs.map((r) => r.ev as CwruEval), names);
  sections.push(await trainingSection(input.training, names[0]));
  const footer = `wavegate ${esc(packageVersion())} eval${input.command ? `: <code>${esc(input.command)}</code>` : ''}. Charts: Vega-Lite rendered to SVG.`;
  return page(title, intro, sections, footer);
}
