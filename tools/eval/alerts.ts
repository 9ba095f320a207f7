/**
 * Alerts a model's detector would raise over a recording's scored windows, for the alert rate on
 * normal data (`wavegate eval --cwru`): the offline replay of the MQTT host's detector on one
 * stream, with the one detector implementation (src/detect: per-class thresholds, k of n,
 * hysteresis, cooldown; one alert per episode). A recording has no gaps, so nothing is reset.
 */
import type { DetectorDefaults } from '../../src/model/schema.js';
import { resolveDetectorConfig, StreamDetector, type DetectorConfig } from '../../src/detect/index.js';

export type AlertConfig = DetectorConfig;

/** The alerting classes and k-of-n settings of a model's detector defaults (no host overrides). */
export function alertConfig(labels: readonly string[], d: DetectorDefaults = {}): AlertConfig {
  return resolveDetectorConfig([...labels], d);
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
  const detector = new StreamDetector(config);
  const alerts: Alert[] = [];
  for (let k = 0; k < outputs.length; k++) {
    const start = times[k] * 1000;
    for (const e of detector.observe(outputs[k], { start, end: start + windowS * 1000, seq: k })) {
      if (e.kind === 'alert') alerts.push({ label: e.class, time: times[k] });
    }
  }
  return alerts;
}
