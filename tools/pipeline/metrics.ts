/**
 * Figures the pipeline reports: per-class sensitivity (Se), positive predictivity (+P) and F1 as
 * EC57 writes them, accuracy, the confusion matrix, AUROC, and alerts of a k-of-n detector with
 * a cooldown. Fractions in [0, 1]; a ratio with a zero denominator is null.
 */

export interface ClassFigures {
  se: number | null;
  ppv: number | null;
  f1: number | null;
  /** Windows (beats) of this class in the reference. */
  n: number;
}

export interface Classification {
  classes: Record<string, ClassFigures>;
  accuracy: number | null;
  /** confusion[true][predicted], in `labels` order. */
  confusion: { labels: string[]; matrix: number[][] };
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

export function classify(truth: ArrayLike<number>, predicted: ArrayLike<number>, labels: readonly string[]): Classification {
  const k = labels.length;
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < truth.length; i++) matrix[truth[i]][predicted[i]]++;
  const classes: Record<string, ClassFigures> = {};
  let correct = 0;
  for (let c = 0; c < k; c++) {
    const tp = matrix[c][c];
    correct += tp;
    const n = matrix[c].reduce((a, b) => a + b, 0);
    const called = matrix.reduce((a, row) => a + row[c], 0);
    const se = ratio(tp, n);
    const ppv = ratio(tp, called);
    const f1 = se !== null && ppv !== null && se + ppv > 0 ? (2 * se * ppv) / (se + ppv) : se === null ? null : 0;
    classes[labels[c]] = { se, ppv, f1, n };
  }
  return { classes, accuracy: ratio(correct, truth.length), confusion: { labels: [...labels], matrix } };
}

/** Area under the ROC curve: the probability that a random positive scores above a random negative (ties count half). */
export function auroc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number | null {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let neg = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const rank = (i + j) / 2 + 1; // mid-rank of a tie group, 1-based
    for (let m = i; m <= j; m++) if (positive[idx[m]]) ((rankSum += rank), pos++);
    i = j + 1;
  }
  neg = idx.length - pos;
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export interface AlertRule {
  threshold: number;
  /** k: windows above the threshold among the last `window`. */
  minDuration: number;
  /** n of k-of-n. */
  window: number;
  /** Windows after an alert before the next may be raised. */
  cooldownWindows: number;
}

/** Alerts a k-of-n detector raises on a stream of window scores in time order. */
export function countAlerts(scores: ArrayLike<number>, rule: AlertRule): number {
  let alerts = 0;
  let quietUntil = -1;
  const recent: boolean[] = [];
  for (let i = 0; i < scores.length; i++) {
    recent.push(scores[i] >= rule.threshold);
    if (recent.length > rule.window) recent.shift();
    if (i < quietUntil) continue;
    if (recent.filter(Boolean).length >= rule.minDuration) {
      alerts++;
      quietUntil = i + 1 + rule.cooldownWindows;
      recent.length = 0;
    }
  }
  return alerts;
}
