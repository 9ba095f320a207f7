import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_THRESHOLD, resolveDetectorConfig, StreamDetector, type DetectorConfig, type EpisodeEvent } from '../../../src/detect/index.js';
import { expectWavegateError } from '../../helpers/expect-error.js';

/** Runs per property: each run feeds up to 200 windows through 1-3 classes. */
const PROPERTY_RUNS = 400;
const SEED = 909;
const LABELS = ['N', 'S', 'V'];

/** Windows of 1 s every 1 s from t = 0 (ms). */
const win = (i: number) => ({ start: i * 1000, end: i * 1000 + 999, seq: i });

function feed(cfg: DetectorConfig, rows: number[][]): EpisodeEvent[] {
  const d = new StreamDetector(cfg);
  return rows.flatMap((r, i) => d.observe(r, win(i)));
}

describe('resolveDetectorConfig', () => {
  it('defaults: every non-normal class at 0.5, k = n = h = 1, no cooldown, N is normal', () => {
    const c = resolveDetectorConfig(LABELS);
    expect(c.classes.map((r) => [r.label, r.threshold, r.clearThreshold])).toEqual([['S', DEFAULT_THRESHOLD, 0.5], ['V', 0.5, 0.5]]);
    expect(c).toMatchObject({ minDuration: 1, window: 1, hysteresis: 1, cooldownMs: 0 });
    expect(resolveDetectorConfig(['ok', 'fault']).classes.map((r) => r.label)).toEqual(['fault']);
  });

  it('takes the model defaults, and the config over them', () => {
    const model = { thresholds: { V: 0.7 }, minDuration: 2, window: 3, hysteresis: 2, cooldown: 5 };
    const m = resolveDetectorConfig(LABELS, model);
    // A threshold map without a fallback threshold: unlisted classes never alert (format v3).
    expect(m.classes.map((r) => [r.label, r.threshold])).toEqual([['V', 0.7]]);
    expect(m).toMatchObject({ minDuration: 2, window: 3, hysteresis: 2, cooldownMs: 5000 });
    const o = resolveDetectorConfig(LABELS, model, { thresholds: { S: 0.9 }, threshold: 0.6, cooldown: 0, clearThresholds: { V: 0.4 } });
    expect(o.classes.map((r) => [r.label, r.threshold, r.clearThreshold])).toEqual([['S', 0.9, 0.9], ['V', 0.7, 0.4]]);
    expect(o.cooldownMs).toBe(0);
    expect(resolveDetectorConfig(LABELS, { threshold: 0.3, normalLabels: ['N', 'S'] }).classes.map((r) => r.label)).toEqual(['V']);
  });

  it('names the field at fault', () => {
    expectWavegateError(() => resolveDetectorConfig(LABELS, {}, { thresholds: { Q: 0.5 } }), 'E_ARGUMENT', /thresholds.Q: "Q" names no class of labels \[N, S, V\]/);
    expectWavegateError(() => resolveDetectorConfig(LABELS, {}, { threshold: 1.5 }), 'E_ARGUMENT', /threshold: expected a number in \[0, 1\]/);
    expectWavegateError(() => resolveDetectorConfig(LABELS, {}, { minDuration: 3, window: 2 }), 'E_ARGUMENT', /window: 2 is less than minDuration 3/);
    expectWavegateError(() => resolveDetectorConfig(LABELS, {}, { clearThresholds: { V: 0.8 } }), 'E_ARGUMENT', /clearThresholds.V: 0.8 is above the raise threshold 0.5/);
    expectWavegateError(() => resolveDetectorConfig(LABELS, {}, { cooldown: -1 }), 'E_ARGUMENT', /cooldown/);
  });
});

describe('StreamDetector', () => {
  const V = (s: number) => [1 - s, 0, s];

  it('raises one alert per episode, with the start of its first positive window', () => {
    const cfg = resolveDetectorConfig(LABELS, { thresholds: { V: 0.5 }, minDuration: 2, window: 3, hysteresis: 2 });
    const ev = feed(cfg, [0.1, 0.8, 0.2, 0.9, 0.95, 0.9, 0.1, 0.7, 0.2, 0.1, 0.1].map(V));
    expect(ev).toEqual([
      // windows 1 and 3 are two positives among the last three: raised at window 3, starting at window 1
      { kind: 'alert', class: 'V', classIndex: 2, score: 0.9, start: 1000, end: 3999, seq: 3 },
      // window 6 is below, 7 is above (resets the count), 8 and 9 are the two negatives
      { kind: 'end', class: 'V', classIndex: 2, start: 1000, end: 7999, reason: 'clear' },
    ]);
  });

  it('needs k of n: isolated positives never alert', () => {
    const cfg = resolveDetectorConfig(LABELS, { thresholds: { V: 0.5 }, minDuration: 2, window: 3 });
    expect(feed(cfg, [0.9, 0.1, 0.1, 0.9, 0.1, 0.1, 0.9].map(V))).toEqual([]);
  });

  it('keeps an episode open above the clear threshold (score hysteresis)', () => {
    const cfg = resolveDetectorConfig(LABELS, { thresholds: { V: 0.8 } }, { clearThresholds: { V: 0.4 } });
    const ev = feed(cfg, [0.9, 0.5, 0.45, 0.3, 0.6].map(V));
    expect(ev.map((e) => [e.kind, e.start, e.end])).toEqual([['alert', 0, 999], ['end', 0, 2999]]);
  });

  it('stays quiet during the cooldown after an episode, then raises again', () => {
    const cfg = resolveDetectorConfig(LABELS, { thresholds: { V: 0.5 }, cooldown: 3 });
    // episode 0 ends with window 0 (end 999); windows starting before 3999 are ignored
    const ev = feed(cfg, [0.9, 0.1, 0.9, 0.9, 0.9, 0.1].map(V));
    expect(ev.map((e) => [e.kind, e.start])).toEqual([['alert', 0], ['end', 0], ['alert', 4000], ['end', 4000]]);
  });

  it('ends open episodes on reset and forgets partial evidence', () => {
    const cfg = resolveDetectorConfig(LABELS, { thresholds: { S: 0.5, V: 0.5 }, minDuration: 2, window: 2 });
    const d = new StreamDetector(cfg);
    expect(d.observe([0, 0.9, 0.9], win(0))).toEqual([]);
    expect(d.observe([0, 0.1, 0.9], win(1)).map((e) => e.class)).toEqual(['V']);
    expect(d.openClasses()).toEqual(['V']);
    expect(d.reset()).toEqual([{ kind: 'end', class: 'V', classIndex: 2, start: 0, end: 1999, reason: 'reset' }]);
    // S had one positive before the reset; one more after it is not two in a row
    expect(d.observe([0, 0.9, 0], win(5))).toEqual([]);
  });

  /** A plain re-statement of the rules over arrays, to hold the ring-buffer bookkeeping to. */
  function reference(cfg: DetectorConfig, rows: number[][]): EpisodeEvent[] {
    const out: EpisodeEvent[] = [];
    for (const rule of cfg.classes) {
      let eligible: number[] = [];
      let open: { start: number; lastEnd: number } | null = null;
      let neg = 0;
      let quiet = -Infinity;
      rows.forEach((r, i) => {
        const s = r[rule.index];
        const w = win(i);
        if (open) {
          if (s >= rule.clearThreshold) { open.lastEnd = w.end; neg = 0; return; }
          if (++neg < cfg.hysteresis) return;
          out.push({ kind: 'end', class: rule.label, classIndex: rule.index, start: open.start, end: open.lastEnd, reason: 'clear' });
          quiet = open.lastEnd + cfg.cooldownMs;
          open = null;
          eligible = [];
          return;
        }
        if (w.start < quiet) return;
        eligible.push(i);
        const pos = eligible.slice(-cfg.window).filter((j) => rows[j][rule.index] >= rule.threshold);
        if (pos.length < cfg.minDuration) return;
        const start = win(pos[0]).start;
        out.push({ kind: 'alert', class: rule.label, classIndex: rule.index, score: Math.max(...pos.map((j) => rows[j][rule.index])), start, end: w.end, seq: w.seq });
        open = { start, lastEnd: w.end };
        neg = 0;
        eligible = [];
      });
    }
    return out;
  }

  it('agrees with the reference statement of the rules, and alerts alternate with ends (property)', () => {
    const params = fc.record({ k: fc.integer({ min: 1, max: 4 }), extra: fc.integer({ min: 0, max: 3 }), h: fc.integer({ min: 1, max: 3 }), cd: fc.constantFrom(0, 1.5, 4), sThr: fc.double({ min: 0.2, max: 0.9, noNaN: true }), clearGap: fc.double({ min: 0, max: 0.2, noNaN: true }) });
    const rows = fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })).map(([s, v]) => [0, s, v]), { maxLength: 200 });
    fc.assert(
      fc.property(params, rows, (p, rs) => {
        const cfg = resolveDetectorConfig(LABELS, { thresholds: { S: p.sThr, V: 0.5 }, minDuration: p.k, window: p.k + p.extra, hysteresis: p.h, cooldown: p.cd }, { clearThresholds: { S: Math.max(0, p.sThr - p.clearGap) } });
        const got = feed(cfg, rs);
        const byClass = (evs: EpisodeEvent[], c: string) => evs.filter((e) => e.class === c);
        for (const c of ['S', 'V']) {
          const mine = byClass(got, c);
          expect(mine).toEqual(byClass(reference(cfg, rs), c));
          mine.forEach((e, i) => expect(e.kind).toBe(i % 2 === 0 ? 'alert' : 'end'));
          for (let i = 2; i < mine.length; i += 2) expect(mine[i].start).toBeGreaterThanOrEqual(mine[i - 1].end + cfg.cooldownMs);
        }
      }),
      { seed: SEED, numRuns: PROPERTY_RUNS },
    );
  });

  it('with k = n = h = 1 and no cooldown, alerts exactly once per run of positive windows (property)', () => {
    const cfg = resolveDetectorConfig(LABELS, { thresholds: { V: 0.5 } });
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 300 }), (bits) => {
        const ev = feed(cfg, bits.map((b) => V(b ? 0.9 : 0.1)));
        const runs: Array<[number, number]> = [];
        bits.forEach((b, i) => {
          if (!b) return;
          if (i > 0 && bits[i - 1]) runs[runs.length - 1][1] = i;
          else runs.push([i, i]);
        });
        expect(ev.filter((e) => e.kind === 'alert').map((e) => e.start)).toEqual(runs.map(([a]) => a * 1000));
        // a run still open at the end of the input has no end event yet
        const closed = runs.filter(([, b]) => b < bits.length - 1);
        expect(ev.filter((e) => e.kind === 'end').map((e) => [e.start, e.end])).toEqual(closed.map(([a, b]) => [a * 1000, b * 1000 + 999]));
      }),
      { seed: SEED, numRuns: PROPERTY_RUNS },
    );
  });
});
