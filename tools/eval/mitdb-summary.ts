/**
 * What `wavegate eval --mitdb` prints: the JSON object other tools script (`--json`, shape fixed in
 * docs/evaluation.md) and the text tables for people.
 *
 *   {"records": [...], "classes": {"N": {"se", "ppv", "f1", "n"}, "S", "V", "F"}, "accuracy": x,
 *    "qrs": {"se", "ppv"}}
 *
 * Top-level figures are gross (the records' matrices summed). Each records entry carries the
 * record's own figures, its counts and its matrix, from which any other aggregate follows.
 */
import { beatAccuracy, classFigures, EC57_MATRIX_LABELS, EC57_SCORED_CLASSES, meanDefined, qrsFigures, type ClassFigures } from '../../src/eval/beat-classes.js';
import type { MitdbEval, MitdbRecordEval } from './mitdb.js';

export interface MitdbRecordJson {
  record: string;
  /** Reference beats scored (missed ones included). */
  beats: number;
  /** Beats the model classified. */
  detected: number;
  excludedBeats: number;
  accuracy: number | null;
  qrs: { se: number | null; ppv: number | null; tp: number; fn: number; fp: number };
  classes: Record<string, ClassFigures>;
  confusion: { labels: string[]; matrix: number[][] };
}

export interface MitdbJson {
  records: MitdbRecordJson[];
  classes: Record<string, { se: number | null; ppv: number | null; f1: number | null; n: number }>;
  accuracy: number | null;
  qrs: { se: number | null; ppv: number | null };
}

function recordJson(r: MitdbRecordEval): MitdbRecordJson {
  const q = qrsFigures(r.matrix);
  return {
    record: r.record,
    beats: q.tp + q.fn,
    detected: r.detected,
    excludedBeats: r.excludedBeats,
    accuracy: beatAccuracy(r.matrix),
    qrs: { se: q.se, ppv: q.ppv, tp: q.tp, fn: q.fn, fp: q.fp },
    classes: Object.fromEntries(EC57_SCORED_CLASSES.map((c) => {
      const f = classFigures(r.matrix, c);
      return [c, { se: f.se, ppv: f.ppv, f1: f.f1, n: f.n, tp: f.tp, fn: f.fn, fp: f.fp }];
    })),
    confusion: { labels: [...EC57_MATRIX_LABELS], matrix: r.matrix.map((row) => [...row]) },
  };
}

/** The `--json` object. */
export function mitdbJson(ev: MitdbEval): MitdbJson {
  const q = qrsFigures(ev.matrix);
  return {
    records: ev.records.map(recordJson),
    classes: Object.fromEntries(EC57_SCORED_CLASSES.map((c) => {
      const f = classFigures(ev.matrix, c);
      return [c, { se: f.se, ppv: f.ppv, f1: f.f1, n: f.n }];
    })),
    accuracy: beatAccuracy(ev.matrix),
    qrs: { se: q.se, ppv: q.ppv },
  };
}

/** A fraction as a percentage with two decimals, '-' when undefined. */
export function pct(v: number | null | undefined, width = 7): string {
  return (v === null || v === undefined ? '-' : (100 * v).toFixed(2)).padStart(width);
}

/** One table row's figures: QRS Se/+P, Se/+P of N S V F, accuracy. */
function rowFigures(matrix: number[][]): string {
  const q = qrsFigures(matrix);
  const cls = EC57_SCORED_CLASSES.map((c) => {
    const f = classFigures(matrix, c);
    return `${pct(f.se)}${pct(f.ppv)}`;
  });
  return `${String(q.tp + q.fn).padStart(6)}${String(q.tp + q.fp).padStart(6)}${pct(q.se)}${pct(q.ppv)}${cls.join('')}${pct(beatAccuracy(matrix))}`;
}

/** Average statistics: the mean over records of each record's figure (where defined). */
function averageRow(ev: MitdbEval): string {
  const rec = ev.records.map((r) => r.matrix);
  const q = rec.map(qrsFigures);
  const cls = EC57_SCORED_CLASSES.map((c) => {
    const f = rec.map((m) => classFigures(m, c));
    return `${pct(meanDefined(f.map((x) => x.se)))}${pct(meanDefined(f.map((x) => x.ppv)))}`;
  });
  return `${''.padStart(12)}${pct(meanDefined(q.map((x) => x.se)))}${pct(meanDefined(q.map((x) => x.ppv)))}${cls.join('')}${pct(meanDefined(rec.map(beatAccuracy)))}`;
}

/** A confusion matrix as text; rows reference, columns predicted. */
export function formatMatrix(labels: readonly string[], matrix: readonly number[][], corner = 'ref\\pred'): string {
  const w = Math.max(6, ...matrix.flat().map((v) => String(v).length + 1), ...labels.map((l) => l.length + 1));
  const head = corner.padEnd(9) + labels.map((l) => l.padStart(w)).join('');
  return [head, ...matrix.map((row, i) => labels[i].padEnd(9) + row.map((v) => String(v).padStart(w)).join(''))].join('\n');
}

/** The text report: per-record table, gross and average lines, gross confusion matrix. */
export function formatMitdbText(ev: MitdbEval, title: string): string {
  const cls = EC57_SCORED_CLASSES.map((c) => `${`${c} Se`.padStart(7)}${`${c} +P`.padStart(7)}`).join('');
  const lines = [
    title,
    `EC57 beat-by-beat: ${Math.round(ev.tolerance * 1000)} ms match window, VF/VFL episodes left out, whole records; figures in %, '-' where undefined`,
    '',
    `record${'beats'.padStart(6)}${'det'.padStart(6)}${'QRS Se'.padStart(7)}${'QRS +P'.padStart(7)}${cls}${'Acc'.padStart(7)}`,
    ...ev.records.map((r) => `${r.record.padEnd(6)}${rowFigures(r.matrix)}`),
  ];
  if (ev.records.length > 1) {
    lines.push(`${'gross'.padEnd(6)}${rowFigures(ev.matrix)}`);
    lines.push(`${'avg'.padEnd(6)}${averageRow(ev)}`);
  }
  lines.push('', 'confusion (gross), rows reference, columns predicted; O = no beat (missed / extra detection):');
  lines.push(formatMatrix(EC57_MATRIX_LABELS, ev.matrix));
  return lines.join('\n');
}
