/**
 * Alerts a model's detector would raise over a recording's scored windows, for the alert rate on
 * normal data (`wavegate eval --cwru`). The rules are the model format's detector defaults
 * (src/model/schema.ts DetectorDefaults, docs/model-format.md), as the MQTT host applies them:
 *
 *   - a class alerts when its score is >= its threshold: `thresholds[label]`, else `threshold`,
 *     else (no map and no `threshold`) 0.5; with a map but no `threshold`, an unlisted class never
 *     alerts; classes in `normalLabels` (default: "N" or "normal", else the first label) never do;
 *   - an episode opens when `minDuration` of the last `window` windows are positive (one alert),
 *     and ends after `hysteresis` consecutive negative windows (at least 1);
 *   - after an episode ends, windows starting within `cooldown` seconds of the end of its last
 *     positive window are ignored.
 *
 * Windows are fed in time order with their start time in seconds. This is the offline replay of
 * the device's rule on one stream: a recording has no gaps, so nothing is ever reset.
 */
import { WavegateError } from '../../src/errors.js';
import type { DetectorDefaults } from '../../src/model/schema.js';

export interface AlertRule {
  /** Output index of the class. */
  index: number;
  label: string;
  threshold: number;
}

export interface AlertConfig {
  rules: AlertRule[];
  minDuration: number;
  window: number;
  hysteresis: number;
  cooldownS: number;
}

/** Score threshold of an alerting class when the model gives none. */
export const DEFAULT_ALERT_THRESHOLD = 0.5;

function defaultNormal(labels: readonly string[]): string[] {
  const named = labels.filter((l) => l === 'N' || l.toLowerCase() === 'normal');
  return named.length > 0 ? named : labels.slice(0, 1);
}

/** The alerting classes and k-of-n settings of a model's detector defaults. */
export function alertConfig(labels: readonly string[], d: DetectorDefaults = {}): AlertConfig {
  const normal = d.normalLabels ?? defaultNormal(labels);
  const fallback = d.threshold ?? (d.thresholds ? undefined : DEFAULT_ALERT_THRESHOLD);
  const rules: AlertRule[] = [];
  labels.forEach((label, index) => {
    if (normal.includes(label) && labels.length > 1) return;
    const threshold = d.thresholds?.[label] ?? fallback;
    if (threshold !== undefined) rules.push({ index, label, threshold });
  });
  const minDuration = d.minDuration ?? 1;
  const window = d.window ?? minDuration;
  if (!(Number.isInteger(minDuration) && minDuration >= 1 && Number.isInteger(window) && window >= minDuration)) {
    throw new WavegateError('E_MODEL_FORMAT', `detector: minDuration ${minDuration} of window ${window} is not a k-of-n rule (integers, 1 <= k <= n)`);
  }
  return { rules, minDuration, window, hysteresis: Math.max(1, d.hysteresis ?? 1), cooldownS: d.cooldown ?? 0 };
}

/** One raised alert. */
export interface Alert {
  label: string;
  /** Start time (s) of the window that raised it. */
  time: number;
}

/**
 * Replays the detector over windows in time order: `outputs[k]` is window k's output row,
 * `times[k]` its start time in seconds, every window `windowS` seconds long. Returns the alerts
 * raised (one per episode).
 */
export function replayAlerts(config: AlertConfig, outputs: ReadonlyArray<ArrayLike<number>>, times: ArrayLike<number>, windowS: number): Alert[] {
  const alerts: Alert[] = [];
  for (const rule of config.rules) {
    const recent: boolean[] = [];
    let positives = 0, open = false, negatives = 0, lastPositive = 0, quietUntil = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < outputs.length; k++) {
      const positive = outputs[k][rule.index] >= rule.threshold;
      if (open) {
        if (positive) lastPositive = times[k];
        negatives = positive ? 0 : negatives + 1;
        if (negatives >= config.hysteresis) {
          open = false;
          quietUntil = lastPositive + windowS + config.cooldownS;
        }
        continue;
      }
      if (times[k] < quietUntil) continue;
      recent.push(positive);
      if (positive) positives++;
      if (recent.length > config.window && recent.shift()) positives--;
      if (positives >= config.minDuration) {
        alerts.push({ label: rule.label, time: times[k] });
        lastPositive = times[k];
        open = true;
        negatives = 0;
        recent.length = 0;
        positives = 0;
      }
    }
  }
  return alerts.sort((a, b) => a.time - b.time);
}
