/**
 * Refusals before any work: a calibration (or validation) set must come from the same task,
 * signal and pipeline as the model. The model's description is what `wavegate import` would
 * write from the same sources (tools/describe: the calibration set's meta through the one
 * dataset mapping, a --meta file over it), checked against the graph there (channels, window,
 * side features, labels, a chain the device can run). Here, in addition:
 *   - where a --meta file and the calibration set both say something about the input or the
 *     labels, they must say the same (a model described for 250 Hz cannot be calibrated on
 *     360 Hz windows, nor a band-pass 1-40 model on 0.5-40 windows);
 *   - a validation set must have been made exactly as the model's input is described (raw input,
 *     stages, windowing, side features and their normalisation when the model takes them,
 *     labels) and have the calibration set's window shape.
 */
import { WavegateError } from '../../src/errors.js';
import type { WgmMetadata } from '../../src/model/schema.js';
import type { ModelDescription } from '../describe/description.js';

/** The description fields that define the task and the pipeline, compared field by field. */
const PIPELINE_FIELDS: readonly [string, (d: ModelDescription) => unknown][] = [
  ['input.raw.sampleRate', (d) => d.input?.raw?.sampleRate],
  ['input.raw.units', (d) => d.input?.raw?.units],
  ['input.raw.channels', (d) => d.input?.raw?.channels],
  ['input.sampleRate', (d) => d.input?.sampleRate],
  ['input.preprocessing', (d) => d.input?.preprocessing],
  ['input.windowing', (d) => d.input?.windowing],
  ['input.features.kind', (d) => d.input?.features?.kind],
  ['input.features.names', (d) => d.input?.features?.names],
  ['input.features.localBeats', (d) => d.input?.features?.localBeats],
  ['input.features.normalize', (d) => d.input?.features?.normalize],
  ['labels', (d) => d.labels],
];

/** JSON with sorted keys: equal values give equal text whatever their key order. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : val,
  );
}

/** Short text of a value for messages (long arrays cut). */
function show(v: unknown): string {
  const s = canonicalJson(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** The pipeline fields of a model's metadata, as a description (to hold a dataset against the model). */
export function descriptionOf(meta: WgmMetadata): ModelDescription {
  const i = meta.input;
  return {
    input: {
      ...(i.raw ? { raw: i.raw } : {}),
      ...(i.sampleRate !== undefined ? { sampleRate: i.sampleRate } : {}),
      ...(i.preprocessing ? { preprocessing: i.preprocessing } : {}),
      ...(i.windowing ? { windowing: i.windowing } : {}),
      ...(i.features ? { features: i.features } : {}),
    },
    ...(meta.labels ? { labels: meta.labels } : {}),
  };
}

/**
 * Refuses (E_INPUT) when `a` and `b` disagree on a pipeline field. With `both` (the default) a
 * field is compared only where both say something; with `all` every field `a` has must be in `b`
 * with the same value (a validation set held against the model it validates: what the model does
 * not take, such as side features of a model without them, is not compared).
 */
export function checkSamePipeline(a: { name: string; description: ModelDescription }, b: { name: string; description: ModelDescription }, what: string, mode: 'both' | 'all' = 'both'): void {
  for (const [field, get] of PIPELINE_FIELDS) {
    const va = get(a.description);
    const vb = get(b.description);
    if (va === undefined) continue;
    if (mode === 'both' && vb === undefined) continue;
    if (canonicalJson(va) !== canonicalJson(vb)) {
      throw new WavegateError('E_INPUT', `${b.name}: ${field} is ${vb === undefined ? 'absent' : show(vb)}, but ${a.name} has ${va === undefined ? 'none' : show(va)}: ${what}`);
    }
  }
}
