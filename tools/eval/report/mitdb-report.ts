/**
 * The MIT-BIH sections of the evaluation report: gross EC57 figures (beside a second model's when
 * compared), confusion heatmaps, per-record table and bars, and an ECG strip per record with each
 * beat's reference and predicted class.
 */
import { beatAccuracy, classFigures, EC57_MATRIX_LABELS, EC57_SCORED_CLASSES, meanDefined, qrsFigures } from '../../../src/eval/beat-classes.js';
import type { MitdbEval, MitdbRecordEval } from '../mitdb.js';
import { STRIP_SECONDS } from '../mitdb.js';
import { confusionSpec, ecgStripSpec, groupedBarsSpec, renderSvg, type StripBeat } from './charts.js';
import { esc, figure, pctCell, table, type Section } from './html.js';

/** Records with a strip in the report (the first ones, in evaluation order). */
export const MAX_STRIPS = 12;

function grossRows(ev: MitdbEval): Array<Array<string | number>> {
  const rows: Array<Array<string | number>> = EC57_SCORED_CLASSES.map((c) => {
    const f = classFigures(ev.matrix, c);
    const avg = ev.records.map((r) => classFigures(r.matrix, c));
    return [c, f.n, f.tp, f.fn, f.fp, pctCell(f.se), pctCell(f.ppv), pctCell(f.f1), pctCell(meanDefined(avg.map((a) => a.se))), pctCell(meanDefined(avg.map((a) => a.ppv)))];
  });
  const q = qrsFigures(ev.matrix);
  const qa = ev.records.map((r) => qrsFigures(r.matrix));
  rows.push(['QRS', q.tp + q.fn, q.tp, q.fn, q.fp, pctCell(q.se), pctCell(q.ppv), '', pctCell(meanDefined(qa.map((a) => a.se))), pctCell(meanDefined(qa.map((a) => a.ppv)))]);
  rows.push(['accuracy', '', '', '', '', '', '', pctCell(beatAccuracy(ev.matrix)), pctCell(meanDefined(ev.records.map((r) => beatAccuracy(r.matrix)))), '']);
  return rows;
}

async function summarySection(evs: readonly MitdbEval[], names: readonly string[]): Promise<Section> {
  const parts: string[] = [];
  evs.forEach((ev, i) => {
    parts.push(`<h3>${esc(names[i])}</h3>`);
    parts.push(table(['class', 'beats', 'TP', 'FN', 'FP', 'Se %', '+P %', 'F1 %', 'avg Se %', 'avg +P %'], grossRows(ev), { emphasize: new Set([EC57_SCORED_CLASSES.length + 1]) }));
  });
  parts.push(`<p class="meta">${esc(`${evs[0].records.length} record(s): ${evs[0].records.map((r) => r.record).join(', ')}. Gross figures sum the counts of all records; average figures are the mean of the per-record figures where defined. FN includes beats never detected, FP detections that match no reference beat (EC57: a reference F beat called V is not a V false positive; reference Q beats count against no class).`)}</p>`);
  if (evs.length > 1) {
    const rows: Array<{ group: string; series: string; value: number }> = [];
    const head = ['figure', ...names, 'difference (points)'];
    const tableRows: Array<Array<string | number>> = [];
    for (const c of EC57_SCORED_CLASSES) {
      for (const [key, label] of [['se', 'Se'], ['ppv', '+P']] as const) {
        const v = evs.map((ev) => classFigures(ev.matrix, c)[key]);
        v.forEach((x, i) => { if (x !== null) rows.push({ group: `${c} ${label}`, series: names[i], value: x }); });
        tableRows.push([`${c} ${label} %`, ...v.map(pctCell), v[0] !== null && v[1] !== null ? (100 * (v[1] - v[0])).toFixed(2) : '–']);
      }
    }
    const acc = evs.map((ev) => beatAccuracy(ev.matrix));
    tableRows.push(['accuracy %', ...acc.map(pctCell), acc[0] !== null && acc[1] !== null ? (100 * (acc[1] - acc[0])).toFixed(2) : '–']);
    parts.push('<h3>Side by side</h3>', table(head, tableRows));
    parts.push(figure('compare-classes', await renderSvg(groupedBarsSpec(rows, 'Sensitivity and positive predictivity per class', 'class and figure')), `${names[0]} beside ${names[1]}, gross over the same records`));
  }
  return { id: 'summary', title: 'EC57 figures', html: parts.join('\n') };
}

async function confusionSection(evs: readonly MitdbEval[], names: readonly string[]): Promise<Section> {
  const figs = await Promise.all(evs.map(async (ev, i) => figure(`confusion-${i}`, await renderSvg(confusionSpec(EC57_MATRIX_LABELS, EC57_MATRIX_LABELS, ev.matrix, names[i])), 'rows: reference class; columns: the model\'s class; O: no beat (a missed reference beat, or a detection matching none); colour: share of the row')));
  return { id: 'confusion', title: 'Confusion matrix', html: `<div class="row">${figs.join('')}</div>` };
}

function recordRow(r: MitdbRecordEval): Array<string | number> {
  const q = qrsFigures(r.matrix);
  return [r.record, q.tp + q.fn, r.detected, pctCell(q.se), pctCell(q.ppv), ...EC57_SCORED_CLASSES.flatMap((c) => {
    const f = classFigures(r.matrix, c);
    return [pctCell(f.se), pctCell(f.ppv)];
  }), pctCell(beatAccuracy(r.matrix))];
}

async function recordsSection(ev: MitdbEval, name: string): Promise<Section> {
  const head = ['record', 'beats', 'detected', 'QRS Se', 'QRS +P', ...EC57_SCORED_CLASSES.flatMap((c) => [`${c} Se`, `${c} +P`]), 'accuracy'];
  const bars: Array<{ group: string; series: string; value: number }> = [];
  for (const r of ev.records) {
    const v = classFigures(r.matrix, 'V'), s = classFigures(r.matrix, 'S');
    const add = (series: string, value: number | null) => { if (value !== null) bars.push({ group: r.record, series, value }); };
    add('accuracy', beatAccuracy(r.matrix));
    add('V Se', v.se);
    add('V +P', v.ppv);
    add('S Se', s.se);
    add('S +P', s.ppv);
  }
  const html = [
    `<p class="meta">${esc(name)}; figures in %, – where undefined (no such beats, or none called so)</p>`,
    table(head, ev.records.map(recordRow)),
    figure('records', await renderSvg(groupedBarsSpec(bars, 'Per record', 'record', ev.records.map((r) => r.record), ['accuracy', 'V Se', 'V +P', 'S Se', 'S +P'])), 'accuracy, and V and S sensitivity and positive predictivity, per record (a bar is missing where the figure is undefined)'),
  ].join('\n');
  return { id: 'records', title: 'Per record', html };
}

/** The beats inside a record's strip, as reference and predicted marks. */
export function stripBeats(r: MitdbRecordEval): StripBeat[] {
  const { start } = r.strip;
  const end = start + r.strip.samples.length;
  const out: StripBeat[] = [];
  for (const p of r.pairs) {
    const at = p.refSample ?? p.detSample!;
    if (at < start || at >= end) continue;
    out.push({ t: (at - start) / r.fs, cls: p.ref, row: 'reference' });
    out.push({ t: ((p.detSample ?? at) - start) / r.fs, cls: p.pred, row: 'predicted' });
  }
  return out;
}

/** Seconds as m:ss.s. */
function clock(seconds: number): string {
  const tenths = Math.round(seconds * 10);
  const m = Math.floor(tenths / 600);
  return `${m}:${((tenths - m * 600) / 10).toFixed(1).padStart(4, '0')}`;
}

async function stripsSection(ev: MitdbEval, name: string): Promise<Section> {
  const shown = ev.records.slice(0, MAX_STRIPS);
  const figs: string[] = [];
  for (const r of shown) {
    const t0 = r.strip.start / r.fs;
    const title = `Record ${r.record}, ${r.strip.channel}, from ${clock(t0)}`;
    figs.push(figure(`strip-${r.record}`, await renderSvg(ecgStripSpec(r.strip.samples, r.fs, stripBeats(r), title, r.strip.units ?? 'mV')), 'upper letters: reference class (O: a detection with no reference beat); lower letters: the model\'s class (O: a reference beat never detected)'));
  }
  const more = ev.records.length > shown.length ? ` Strips of the first ${MAX_STRIPS} records.` : '';
  return {
    id: 'strips',
    title: 'ECG strips',
    html: `<p class="meta">${esc(`${name}: for each record the ${STRIP_SECONDS} s with the most non-N or misclassified beats, raw signal before preprocessing.${more}`)}</p>\n${figs.join('\n')}`,
  };
}

/** The MIT-BIH sections; `evs[1]`, when present, is the compared model. */
export async function mitdbSections(evs: readonly MitdbEval[], names: readonly string[]): Promise<Section[]> {
  return [
    await summarySection(evs, names),
    await confusionSection(evs, names),
    await recordsSection(evs[0], names[0]),
    await stripsSection(evs[0], names[0]),
  ];
}
