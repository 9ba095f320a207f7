/**
 * Ground truth of a simulated fleet in wall-clock terms, and the matching of alerts against it.
 * A truth row is one known anomaly: {"device", "stream", "class", "start", "end"} with start/end
 * in ms since the epoch (the frames' time base). An anomaly is detected when an alert of the same
 * device, stream and class overlaps it, allowing `toleranceMs` either side.
 */
import { devicePhaseMs, type DeviceSignal } from './sources.js';

export interface TruthRow {
  device: string;
  stream: string;
  class: string;
  start: number;
  end: number;
}

export interface AlertLike {
  device: string;
  stream: string;
  class: string;
  start: number;
  end: number;
}

/** The fleet's anomalies in ms since the epoch, as publishFleet times them (fleet t0, device phases for `frameMs` frames). */
export function truthRows(signals: DeviceSignal[], t0: number, frameMs = 100): TruthRow[] {
  return signals.flatMap((s, d) => {
    const base = t0 + devicePhaseMs(d, signals.length, frameMs);
    return s.anomalies.map((a) => ({ device: s.device, stream: s.stream, class: a.class, start: Math.round(base + (a.start * 1000) / s.fs), end: Math.round(base + (a.end * 1000) / s.fs) }));
  });
}

export interface TruthMatch {
  /** Anomalies counted (those `expected` selects). */
  expected: number;
  /** Of those, the ones with a matching alert. */
  detected: number;
  /** Alerts matching no anomaly at all (false alarms, or a true anomaly's wrong class). */
  unmatchedAlerts: number;
}

export function matchAlerts(truth: TruthRow[], alerts: AlertLike[], options: { toleranceMs?: number; expected?: (t: TruthRow) => boolean } = {}): TruthMatch {
  const tol = options.toleranceMs ?? 250;
  const hit = (t: TruthRow, a: AlertLike) => a.device === t.device && a.stream === t.stream && a.class === t.class && a.start <= t.end + tol && a.end >= t.start - tol;
  const counted = truth.filter(options.expected ?? (() => true));
  const byDevice = new Map<string, AlertLike[]>();
  for (const a of alerts) {
    const list = byDevice.get(a.device) ?? [];
    list.push(a);
    byDevice.set(a.device, list);
  }
  const detected = counted.filter((t) => (byDevice.get(t.device) ?? []).some((a) => hit(t, a))).length;
  const unmatchedAlerts = alerts.filter((a) => !truth.some((t) => hit(t, a))).length;
  return { expected: counted.length, detected, unmatchedAlerts };
}
