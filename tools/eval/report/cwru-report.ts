/**
 * The CWRU sections of the evaluation report: per-class figures (beside a second model's when
 * compared), confusion heatmaps, per-file table and bars, and for anomaly models the ROC curve,
 * the score distribution and the alert rate on normal data.
 */
import { rocCurve } from '../../../src/eval/roc.js';
import { labelFigures, matrixAccuracy } from '../../../src/eval/classification.js';
import type { CwruEval } from '../cwru.js';
import { cwruJson, cwruMatrix, normalAlertRate } from '../cwru-summary.js';
import { confusionSpec, groupedBarsSpec, renderSvg, rocSpec, scoreHistogramSpec } from './charts.js';
import { esc, figure, pctCell, table, type Section } from './html.js';

async function summarySection(evs: readonly CwruEval[], names: readonly string[]): Promise<Section> {
  const parts: string[] = [];
  for (const [i, ev] of evs.entries()) {
    const m = cwruMatrix(ev);
    const rows: Array<Array<string | number>> = ev.task.labels.map((l, c) => {
      const f = labelFigures(m, c);
      return [l, f.n, f.tp, f.fn, f.fp, pctCell(f.se), pctCell(f.ppv), pctCell(f.f1)];
    });
    rows.push(['accuracy', m.flat().reduce((s, v) => s + v, 0), '', '', '', '', '', pctCell(matrixAccuracy(m))]);
    parts.push(`<h3>${esc(names[i])}</h3>`, table(['class', 'windows', 'TP', 'FN', 'FP', 'Se %', '+P %', 'F1 %'], rows, { emphasize: new Set([rows.length - 1]) }));
    if (ev.task.kind === 'anomaly') {
      const j = cwruJson(ev);
      const rate = normalAlertRate(ev);
      parts.push(`<p class="meta">${esc(`anomaly model: AUROC ${j.auroc === null ? '–' : j.auroc.toFixed(4)} (fault windows against normal windows); threshold ${ev.task.threshold}; ${rate.alerts} alert(s) in ${(rate.hours * 3600).toFixed(1)} s of normal data (${rate.perHour === null ? '–' : rate.perHour.toFixed(1)} per hour)`)}</p>`);
    }
  }
  parts.push(`<p class="meta">${esc(`region "${evs[0].region}" of each recording (time split of src/labels/cwru.ts, as the dataset builder cuts it); figures per window.`)}</p>`);
  if (evs.length > 1 && evs[0].task.labels.join() === evs[1].task.labels.join()) {
    const labels = evs[0].task.labels;
    const ms = evs.map(cwruMatrix);
    const bars: Array<{ group: string; series: string; value: number }> = [];
    const rows: Array<Array<string | number>> = [];
    labels.forEach((l, c) => {
      const f = ms.map((m) => labelFigures(m, c).f1);
      f.forEach((v, i) => { if (v !== null) bars.push({ group: l, series: names[i], value: v }); });
      rows.push([`${l} F1 %`, ...f.map(pctCell), f[0] !== null && f[1] !== null ? (100 * (f[1] - f[0])).toFixed(2) : '–']);
    });
    const acc = ms.map(matrixAccuracy);
    rows.push(['accuracy %', ...acc.map(pctCell), acc[0] !== null && acc[1] !== null ? (100 * (acc[1] - acc[0])).toFixed(2) : '–']);
    parts.push('<h3>Side by side</h3>', table(['figure', ...names, 'difference (points)'], rows));
    parts.push(figure('compare-classes', await renderSvg(groupedBarsSpec(bars, 'F1 per class', 'class', labels)), `${names[0]} beside ${names[1]} on the same windows`));
  }
  return { id: 'summary', title: 'Per-class figures', html: parts.join('\n') };
}

async function confusionSection(evs: readonly CwruEval[], names: readonly string[]): Promise<Section> {
  const figs = await Promise.all(evs.map(async (ev, i) => figure(`confusion-${i}`, await renderSvg(confusionSpec(ev.task.labels, ev.task.labels, cwruMatrix(ev), names[i], 'file class', 'predicted')), 'rows: the class of the file; columns: the model\'s class; colour: share of the row')));
  return { id: 'confusion', title: 'Confusion matrix', html: `<div class="row">${figs.join('')}</div>` };
}

/** A CWRU file name without the rate/end prefix and suffix, for chart axes: `IR007_0_105`. */
function shortName(file: string): string {
  return file.replace(/^\d+k_(?:Drive|Fan)_End_/i, '').replace(/\.mat$/i, '');
}

async function filesSection(ev: CwruEval, name: string): Promise<Section> {
  const j = cwruJson(ev);
  const rows = j.files.map((f) => [f.file, f.label, f.load, f.fs, f.windows, pctCell(f.accuracy), f.alerts, f.alertsPerHour === null ? '–' : f.alertsPerHour.toFixed(0), ...(ev.task.kind === 'anomaly' ? [f.meanScore?.toFixed(3) ?? '–'] : [])]);
  const head = ['file', 'class', 'load hp', 'Hz', 'windows', 'accuracy %', 'alerts', 'alerts/h', ...(ev.task.kind === 'anomaly' ? ['mean score'] : [])];
  const bars = j.files.filter((f) => f.accuracy !== null).map((f) => ({ group: shortName(f.file), series: 'accuracy', value: f.accuracy! }));
  return {
    id: 'files',
    title: 'Per file',
    html: [`<p class="meta">${esc(name)}</p>`, table(head, rows), figure('files', await renderSvg(groupedBarsSpec(bars, 'Window accuracy per file', 'file')), 'share of each file\'s windows given the file\'s class')].join('\n'),
  };
}

async function anomalySection(ev: CwruEval, name: string): Promise<Section> {
  const scores = ev.files.flatMap((f) => f.scores ?? []);
  const positive = ev.files.flatMap((f) => f.predicted.map(() => f.truth === 'anomaly'));
  const roc = rocCurve(scores, positive);
  const figs: string[] = [];
  if (roc.length > 0) figs.push(figure('roc', await renderSvg(rocSpec(roc, `ROC, faults against normal (AUROC ${cwruJson(ev).auroc!.toFixed(4)})`)), 'every window of the region; one point per distinct score'));
  figs.push(figure('scores', await renderSvg(scoreHistogramSpec(ev.files.flatMap((f) => (f.scores ?? []).map((score) => ({ score, truth: f.truth }))), ev.task.kind === 'anomaly' ? ev.task.threshold : 0.5, 'Anomaly scores')), 'windows of normal and of fault files; dashed: the detector threshold'));
  const note = roc.length === 0 ? '<p class="note">no ROC curve: the region holds only normal or only fault windows</p>' : '';
  return { id: 'anomaly', title: 'Anomaly score', html: `<p class="meta">${esc(name)}</p>${note}<div class="row">${figs.join('')}</div>` };
}

/** The CWRU sections; `evs[1]`, when present, is the compared model. */
export async function cwruSections(evs: readonly CwruEval[], names: readonly string[]): Promise<Section[]> {
  const sections = [await summarySection(evs, names), await confusionSection(evs, names), await filesSection(evs[0], names[0])];
  if (evs[0].task.kind === 'anomaly') sections.push(await anomalySection(evs[0], names[0]));
  return sections;
}
