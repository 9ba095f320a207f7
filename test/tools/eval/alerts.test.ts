/**
 * The detector replay behind the alert rate (tools/eval/alerts.ts, on src/detect): thresholds from
 * the model's detector defaults, k-of-n raising, hysteresis, cooldown; alerts counted by hand.
 */
import { describe, expect, it } from 'vitest';
import { alertConfig, replayAlerts } from '../../../tools/eval/alerts.js';

/** One-output rows from a list of scores, windows 1 s apart and 1 s long. */
const run = (cfg: ReturnType<typeof alertConfig>, scores: number[]) => replayAlerts(cfg, scores.map((s) => [s]), scores.map((_, i) => i), 1);

describe('alert replay', () => {
  it('resolves which classes alert and at what threshold', () => {
    expect(alertConfig(['N', 'S', 'V'], {}).classes.map(({ index, label, threshold }) => ({ index, label, threshold }))).toEqual([{ index: 1, label: 'S', threshold: 0.5 }, { index: 2, label: 'V', threshold: 0.5 }]);
    expect(alertConfig(['N', 'S', 'V'], { thresholds: { V: 0.8 } }).classes.map(({ index, label, threshold }) => ({ index, label, threshold }))).toEqual([{ index: 2, label: 'V', threshold: 0.8 }]);
    expect(alertConfig(['N', 'S', 'V'], { thresholds: { V: 0.8 }, threshold: 0.6 }).classes.map((r) => r.threshold)).toEqual([0.6, 0.8]);
    expect(alertConfig(['normal', 'anomaly'], {}).classes.map(({ index, label, threshold }) => ({ index, label, threshold }))).toEqual([{ index: 1, label: 'anomaly', threshold: 0.5 }]);
    expect(alertConfig(['anomaly'], { threshold: 0.3 }).classes.map(({ index, label, threshold }) => ({ index, label, threshold }))).toEqual([{ index: 0, label: 'anomaly', threshold: 0.3 }]);
  });

  it('raises one alert per episode, after k of the last n windows', () => {
    const cfg = alertConfig(['anomaly'], { minDuration: 2, window: 3 });
    // 1 0 1 raises at 2; the negative at 4 ends the episode; the positives at 6 and 9 are never 2 of
    // 3 windows apart; 9 and 11 are: the second alert at 11.
    const a = run(cfg, [0.9, 0.1, 0.9, 0.9, 0.1, 0.1, 0.9, 0.1, 0.1, 0.9, 0.1, 0.9]);
    expect(a.map((x) => x.time)).toEqual([2, 11]);
  });

  it('keeps an episode open through fewer than `hysteresis` negatives and honours the cooldown', () => {
    const scores = [0.9, 0.1, 0.9, 0.1, 0.1, 0.9, 0.9, 0.9];
    expect(run(alertConfig(['x'], { hysteresis: 2 }), scores).map((x) => x.time)).toEqual([0, 5]);
    expect(run(alertConfig(['x'], { hysteresis: 1 }), scores).map((x) => x.time)).toEqual([0, 2, 5]);
    // The first episode's last positive window ends at 1 s: a 2 s cooldown ignores windows starting before 3 s.
    expect(run(alertConfig(['x'], { hysteresis: 1, cooldown: 2 }), scores).map((x) => x.time)).toEqual([0, 5]);
  });
});
