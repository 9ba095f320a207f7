/**
 * The models of an evaluation as the text output and the report name them. Kept apart from the
 * report (and so from Vega) because every `wavegate eval` needs it.
 */
import type { WgmMetadata } from '../../../src/model/schema.js';
import type { CwruEval } from '../cwru.js';
import type { MitdbEval } from '../mitdb.js';

/** One model's evaluation as the report shows it. */
export interface EvalRun {
  /** The model file given on the command line. */
  path: string;
  meta: WgmMetadata;
  /** The model's integrity digest (hex SHA-256, as the loader verified it). */
  digest?: string;
  /** File size in bytes. */
  bytes?: number;
  ev: MitdbEval | CwruEval;
}

/** "INT8" when any layer is int8, else "f32". */
export function precisionOf(meta: WgmMetadata): string {
  return meta.layers.some((l) => (l.type === 'lstm' || l.type === 'gru') && l.precision === 'int8') ? 'INT8' : 'f32';
}

/** A short name for a run: the model's name and precision, or the file name. */
export function runName(run: EvalRun): string {
  const base = run.meta.name ?? run.path.split(/[\\/]/).pop() ?? run.path;
  return `${base} (${precisionOf(run.meta)})`;
}

/** Distinct names for the runs (the file name added where two names are the same). */
export function runNames(runs: readonly EvalRun[]): string[] {
  const names = runs.map(runName);
  const fileName = (run: EvalRun): string => run.path.split(/[\\/]/).pop() ?? run.path;
  return names.map((n, i) => (names.filter((m) => m === n).length > 1 ? `${n} ${fileName(runs[i])}` : n));
}
