/**
 * Detector settings per class: the model file's defaults (`detector` in the .wgm metadata),
 * overridden by the host's config. Resolved once per model; every stream of that model shares it.
 *
 * Thresholds: `thresholds` maps labels to a raise threshold in [0, 1]; the config's map is merged
 * over the model's. A non-normal class without an entry takes `threshold` (config first, then
 * model); when neither side gives `threshold` but a map exists, an unlisted class never alerts
 * (the format-v3 rule); when neither gives anything, every non-normal class uses
 * {@link DEFAULT_THRESHOLD}. Normal classes (`normalLabels`, default: a label "N" or "normal",
 * else the first label; none when the model has one output, which is then the alert score, e.g.
 * an anomaly model) never alert.
 */
import { WavegateError } from '../errors.js';
import type { DetectorDefaults } from '../model/schema.js';

/** What the host config may set over the model's defaults (docs/mqtt-topics.md, "Detector"). */
export interface DetectorOverrides extends DetectorDefaults {
  /**
   * Per-class clear thresholds for score hysteresis: while an episode is open a window counts as
   * negative only below this score. Default: the class's raise threshold.
   */
  clearThresholds?: Record<string, number>;
}

/** One alerting class. */
export interface ClassRule {
  index: number;
  label: string;
  /** A window is positive when its score is >= threshold. */
  threshold: number;
  /** While open, a window is negative when its score is < clearThreshold (<= threshold). */
  clearThreshold: number;
}

export interface DetectorConfig {
  labels: string[];
  /** The classes that may alert, in label order. */
  classes: ClassRule[];
  /** k of k-of-n: positive windows among the last `window` needed to raise an episode (>= 1). */
  minDuration: number;
  /** n of k-of-n (>= minDuration). */
  window: number;
  /** Consecutive negative windows that end an open episode (>= 1). */
  hysteresis: number;
  /** Milliseconds after an episode's end before the same class may raise again. */
  cooldownMs: number;
}

/** Raise threshold of a non-normal class when neither the model nor the config gives any. */
export const DEFAULT_THRESHOLD = 0.5;

function inUnit(v: unknown, where: string): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new WavegateError('E_ARGUMENT', `detector ${where}: expected a number in [0, 1], got ${JSON.stringify(v)}`);
  return v;
}

function count(v: unknown, where: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new WavegateError('E_ARGUMENT', `detector ${where}: expected an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

/** Default normal classes: a label "N" or "normal", else the first label; none for a one-output model (its output is the alert score). */
function defaultNormal(labels: string[]): string[] {
  if (labels.length === 1) return [];
  const named = labels.filter((l) => l === 'N' || l.toLowerCase() === 'normal');
  return named.length > 0 ? named : labels.slice(0, 1);
}

/**
 * Merges the config's overrides over the model's defaults and checks them.
 * @param labels the model's class labels, one per output
 * @throws E_ARGUMENT naming the field and the label at fault
 */
export function resolveDetectorConfig(labels: string[], model: DetectorDefaults = {}, overrides: DetectorOverrides = {}): DetectorConfig {
  const known = (label: string, where: string) => {
    if (!labels.includes(label)) throw new WavegateError('E_ARGUMENT', `detector ${where}: "${label}" names no class of labels [${labels.join(', ')}]`);
  };
  const thresholds: Record<string, number> = { ...model.thresholds, ...overrides.thresholds };
  for (const [label, v] of Object.entries(thresholds)) {
    known(label, `thresholds.${label}`);
    inUnit(v, `thresholds.${label}`);
  }
  const anyMap = model.thresholds !== undefined || overrides.thresholds !== undefined;
  const fallback = overrides.threshold ?? model.threshold ?? (anyMap ? undefined : DEFAULT_THRESHOLD);
  if (fallback !== undefined) inUnit(fallback, 'threshold');
  const normal = overrides.normalLabels ?? model.normalLabels ?? defaultNormal(labels);
  normal.forEach((l) => known(l, 'normalLabels'));
  const clear = overrides.clearThresholds ?? {};
  const classes: ClassRule[] = [];
  labels.forEach((label, index) => {
    if (normal.includes(label)) return;
    const threshold = thresholds[label] ?? fallback;
    if (threshold === undefined) return;
    const clearThreshold = clear[label] === undefined ? threshold : inUnit(clear[label], `clearThresholds.${label}`);
    if (clearThreshold > threshold) throw new WavegateError('E_ARGUMENT', `detector clearThresholds.${label}: ${clearThreshold} is above the raise threshold ${threshold}`);
    classes.push({ index, label, threshold, clearThreshold });
  });
  for (const label of Object.keys(clear)) known(label, `clearThresholds.${label}`);
  const minDuration = count(overrides.minDuration ?? model.minDuration ?? 1, 'minDuration', 1);
  const window = count(overrides.window ?? model.window ?? minDuration, 'window', 1);
  if (window < minDuration) throw new WavegateError('E_ARGUMENT', `detector window: ${window} is less than minDuration ${minDuration} (k of n needs n >= k)`);
  // The format allows hysteresis 0; an episode needs at least one negative window to end.
  const hysteresis = Math.max(1, count(overrides.hysteresis ?? model.hysteresis ?? 1, 'hysteresis', 0));
  const cooldown = overrides.cooldown ?? model.cooldown ?? 0;
  if (typeof cooldown !== 'number' || !(cooldown >= 0) || !Number.isFinite(cooldown)) throw new WavegateError('E_ARGUMENT', `detector cooldown: expected seconds >= 0, got ${JSON.stringify(cooldown)}`);
  return { labels, classes, minDuration, window, hysteresis, cooldownMs: cooldown * 1000 };
}
