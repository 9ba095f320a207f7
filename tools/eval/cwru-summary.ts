/**
 * What `wavegate eval --cwru` prints: the `--json` object (shape fixed in docs/evaluation.md)
 *
 *   {"files": [...], "accuracy": x|null, "classes": {"<label>": {"se", "ppv", "f1", "n"}}, "auroc": x|null}
 *
 * and the text tables. Figures are per window over the scored regions of all files; `auroc` only
 * for anomaly models (faults positive, normal negative), else null. Each files entry carries the
 * file's class, its windows, its row of the confusion matrix (`predicted`) and its alerts.
 */
import { auroc } from '../../src/eval/roc.js';
import { confusionMatrix, labelFigures, matrixAccuracy } from '../../src/eval/classification.js';
import type { CwruEval, CwruFileEval } from './cwru.js';
import { formatMatrix, pct } from './mitdb-summary.js';

export interface CwruFileJson {
  file: string;
  /** The file's class in the model's task. */
  label: string;
  /** Motor load, hp. */
  load: number;
  /** Sample rate of the file, Hz. */
  fs: number;
  region: string;
  /** Seconds of recording in the scored region. */
  seconds: number;
  windows: number;
  accuracy: number | null;
  /** Windows per predicted class (this file's row of the confusion matrix). */
  predicted: Record<string, number>;
  /** Alerts the model's detector raises over the region, and per hour of it. */
  alerts: number;
  alertsPerHour: number | null;
  /** Anomaly models: mean anomaly score of the file's windows. */
  meanScore?: number;
}

export interface CwruJson {
  files: CwruFileJson[];
  accuracy: number | null;
  classes: Record<string, { se: number | null; ppv: number | null; f1: number | null; n: number }>;
  auroc: number | null;
  /**
   * Anomaly models: the alert threshold, and the alerts the model's detector (k of n, cooldown)
   * raises over the normal files' scored regions: how much normal data that is (windows,
   * seconds) and the rate per hour. Null for a classifier.
   */
  normalAlerts: { threshold: number; windows: number; seconds: number; alerts: number; perHour: number | null } | null;
}

/** The confusion matrix [truth][predicted] over the task's labels. */
export function cwruMatrix(ev: CwruEval): number[][] {
  const labels = ev.task.labels;
  const truth: number[] = [], pred: number[] = [];
  for (const f of ev.files) {
    const t = labels.indexOf(f.truth);
    for (const p of f.predicted) {
      truth.push(t);
      pred.push(p);
    }
  }
  return confusionMatrix(truth, pred, labels.length);
}

/** AUROC over every scored window (anomaly models), else null. */
export function cwruAuroc(ev: CwruEval): number | null {
  if (ev.task.kind !== 'anomaly') return null;
  const scores = ev.files.flatMap((f) => f.scores ?? []);
  const positive = ev.files.flatMap((f) => f.predicted.map(() => f.truth === 'anomaly'));
  return auroc(scores, positive);
}

/** Alerts per hour over the normal files' regions (null without normal data). */
export function normalAlertRate(ev: CwruEval): { alerts: number; hours: number; perHour: number | null } {
  const normal = ev.files.filter((f) => f.info.fault === 'normal');
  const alerts = normal.reduce((s, f) => s + f.alerts, 0);
  const hours = normal.reduce((s, f) => s + f.seconds, 0) / 3600;
  return { alerts, hours, perHour: hours > 0 ? alerts / hours : null };
}

function fileJson(ev: CwruEval, f: CwruFileEval): CwruFileJson {
  const labels = ev.task.labels;
  const t = labels.indexOf(f.truth);
  const predicted: Record<string, number> = Object.fromEntries(labels.map((l) => [l, 0]));
  for (const p of f.predicted) predicted[labels[p]]++;
  const hours = f.seconds / 3600;
  return {
    file: f.file,
    label: f.truth,
    load: f.info.load,
    fs: f.info.fs,
    region: ev.region,
    seconds: f.seconds,
    windows: f.predicted.length,
    accuracy: f.predicted.length > 0 ? f.predicted.filter((p) => p === t).length / f.predicted.length : null,
    predicted,
    alerts: f.alerts,
    alertsPerHour: hours > 0 ? f.alerts / hours : null,
    ...(f.scores ? { meanScore: f.scores.length > 0 ? f.scores.reduce((s, x) => s + x, 0) / f.scores.length : 0 } : {}),
  };
}

/** The `--json` object. */
export function cwruJson(ev: CwruEval): CwruJson {
  const m = cwruMatrix(ev);
  return {
    files: ev.files.map((f) => fileJson(ev, f)),
    accuracy: matrixAccuracy(m),
    classes: Object.fromEntries(ev.task.labels.map((l, i) => {
      const f = labelFigures(m, i);
      return [l, { se: f.se, ppv: f.ppv, f1: f.f1, n: f.n }];
    })),
    auroc: cwruAuroc(ev),
    normalAlerts: normalAlertsJson(ev),
  };
}

function normalAlertsJson(ev: CwruEval): CwruJson['normalAlerts'] {
  if (ev.task.kind !== 'anomaly') return null;
  const rate = normalAlertRate(ev);
  const windows = ev.files.filter((f) => f.info.fault === 'normal').reduce((s, f) => s + f.predicted.length, 0);
  return { threshold: ev.task.threshold, windows, seconds: rate.hours * 3600, alerts: rate.alerts, perHour: rate.perHour };
}

/** The text report: per-file table, per-class table, confusion matrix, AUROC and alert rate. */
export function formatCwruText(ev: CwruEval, title: string): string {
  const j = cwruJson(ev);
  const labels = ev.task.labels;
  const w = Math.max(32, ...j.files.map((f) => f.file.length + 1));
  const lines = [
    title,
    `region: ${ev.region} of each recording; figures per window, in %, '-' where undefined`,
    '',
    `${'file'.padEnd(w)}${'class'.padStart(8)}${'windows'.padStart(8)}${'acc'.padStart(8)}${'alerts'.padStart(7)}${'per h'.padStart(9)}`,
    ...j.files.map((f) => `${f.file.padEnd(w)}${f.label.padStart(8)}${String(f.windows).padStart(8)}${pct(f.accuracy, 8)}${String(f.alerts).padStart(7)}${(f.alertsPerHour === null ? '-' : f.alertsPerHour.toFixed(0)).padStart(9)}`),
    '',
    `${'class'.padEnd(10)}${'n'.padStart(7)}${'Se'.padStart(8)}${'+P'.padStart(8)}${'F1'.padStart(8)}`,
    ...labels.map((l) => {
      const c = j.classes[l];
      return `${l.padEnd(10)}${String(c.n).padStart(7)}${pct(c.se, 8)}${pct(c.ppv, 8)}${pct(c.f1, 8)}`;
    }),
    `${'accuracy'.padEnd(17)}${pct(j.accuracy, 8)}`,
  ];
  if (ev.task.kind === 'anomaly') {
    const rate = normalAlertRate(ev);
    lines.push(`AUROC (faults vs normal): ${j.auroc === null ? '-' : j.auroc.toFixed(4)}; threshold ${ev.task.threshold}`);
    lines.push(`alerts on normal data: ${rate.alerts} in ${(rate.hours * 3600).toFixed(1)} s (${rate.perHour === null ? '-' : rate.perHour.toFixed(1)} per hour)`);
  }
  lines.push('', 'confusion, rows true class, columns predicted:', formatMatrix(labels, cwruMatrix(ev), 'true\\pred'));
  return lines.join('\n');
}
