/**
 * Training curves for the evaluation report, found through the model's provenance
 * (docs/evaluation.md, "Training curves"; the trainer writes them):
 *
 *   "provenance": { "training": {
 *       "metrics": "runs/ecg/metrics.jsonl",       the trainer's telemetry (docs/training.md),
 *                                                   relative to the model file's folder, or absolute
 *       "curves": [ {"run": "student-kd", "epoch": 1, "valLoss": 0.41, "valMacroF1": 0.77,
 *                    "valAccuracy": 0.90}, ... ]    epoch lines embedded in the model (small)
 *   } }
 *
 * `wavegate eval --training <metrics.jsonl>` names the file directly. A metrics file that exists
 * wins over embedded curves (it also has the per-step loss). Anything missing or malformed gives
 * a note in the report instead of curves: curves illustrate an evaluation, they never fail it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { WgmMetadata } from '../../src/model/schema.js';

/** Epoch-line metrics drawn, in panel order. */
export const EPOCH_METRICS = ['valLoss', 'valMacroF1', 'valAccuracy'] as const;
/** Step points kept per run (evenly thinned). */
const MAX_STEP_POINTS = 400;

export interface CurveRow {
  run: string;
  x: number;
  metric: string;
  value: number;
}

export type TrainingCurves =
  | { source: string; epochs: CurveRow[]; steps: CurveRow[] }
  | { note: string };

function epochRows(lines: ReadonlyArray<Record<string, unknown>>): CurveRow[] {
  const rows: CurveRow[] = [];
  for (const l of lines) {
    const run = typeof l.run === 'string' ? l.run : 'run';
    if (typeof l.epoch !== 'number') continue;
    for (const m of EPOCH_METRICS) {
      const v = l[m];
      if (typeof v === 'number' && Number.isFinite(v)) rows.push({ run, x: l.epoch, metric: m, value: v });
    }
  }
  return rows;
}

function stepRows(lines: ReadonlyArray<Record<string, unknown>>): CurveRow[] {
  const byRun = new Map<string, CurveRow[]>();
  for (const l of lines) {
    if (typeof l.step !== 'number' || typeof l.loss !== 'number' || !Number.isFinite(l.loss)) continue;
    const run = typeof l.run === 'string' ? l.run : 'run';
    const list = byRun.get(run) ?? [];
    list.push({ run, x: l.step, metric: 'training loss', value: l.loss });
    byRun.set(run, list);
  }
  return [...byRun.values()].flatMap((list) => {
    const k = Math.max(1, Math.ceil(list.length / MAX_STEP_POINTS));
    return list.filter((_, i) => i % k === 0 || i === list.length - 1);
  });
}

/** Reads a trainer metrics.jsonl (event lines `step` and `epoch`). */
export function readMetricsJsonl(path: string): TrainingCurves {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { note: `training curves: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  const lines: Array<Record<string, unknown>> = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) lines.push(v as Record<string, unknown>);
    } catch {
      return { note: `training curves: ${path} line ${i + 1} is not JSON` };
    }
  }
  const epochs = epochRows(lines.filter((l) => l.event === 'epoch'));
  const steps = stepRows(lines.filter((l) => l.event === 'step'));
  if (epochs.length === 0 && steps.length === 0) return { note: `training curves: ${path} has no epoch or step lines` };
  return { source: path, epochs, steps };
}

/** The curves the model's provenance points to (or `override`), or a note saying why there are none. */
export function trainingCurves(meta: WgmMetadata, modelPath: string, override?: string): TrainingCurves {
  if (override !== undefined) return readMetricsJsonl(override);
  const t = meta.provenance?.training;
  if (t === undefined) return { note: 'training curves: the model\'s provenance names none (provenance.training; docs/evaluation.md)' };
  if (!t || typeof t !== 'object' || Array.isArray(t)) return { note: 'training curves: provenance.training is not an object' };
  const { metrics, curves } = t as { metrics?: unknown; curves?: unknown };
  if (typeof metrics === 'string') {
    const path = isAbsolute(metrics) ? metrics : resolve(dirname(modelPath), metrics);
    if (existsSync(path) || !Array.isArray(curves)) return readMetricsJsonl(path);
  }
  if (Array.isArray(curves)) {
    const lines = curves.filter((c): c is Record<string, unknown> => !!c && typeof c === 'object' && !Array.isArray(c));
    const epochs = epochRows(lines);
    if (epochs.length > 0) return { source: 'provenance.training.curves (embedded in the model)', epochs, steps: [] };
    return { note: 'training curves: provenance.training.curves has no epoch lines with valLoss, valMacroF1 or valAccuracy' };
  }
  return { note: 'training curves: provenance.training names neither "metrics" nor "curves"' };
}
