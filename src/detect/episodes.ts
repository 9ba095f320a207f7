/**
 * One class's episode state machine over a stream's scored windows:
 *
 *   idle ──(k of the last n windows positive)──> open: one alert, start = the first positive of those n
 *   open ──(h consecutive windows below the clear threshold)──> ended, end = the last window not below it
 *   ended ──(windows starting before end + cooldown are ignored)──> idle
 *
 * Times are the windows' own sample times (ms since the epoch), never the wall clock, so the
 * same stream gives the same alerts however fast it is replayed.
 */
import type { ClassRule, DetectorConfig } from './config.js';

/** A scored window as the detector sees it. */
export interface ScoredWindow {
  /** ms since the epoch of the window's first and last sample. */
  start: number;
  end: number;
  /** Sequence number of the frame that completed the window. */
  seq: number;
}

export interface EpisodeStart {
  kind: 'alert';
  class: string;
  classIndex: number;
  /** Highest score among the positive windows that raised the episode. */
  score: number;
  /** Start of the first positive window counted; end of the window that raised the episode. */
  start: number;
  end: number;
  /** Sequence number of the frame that completed the raising window. */
  seq: number;
}

export interface EpisodeEnd {
  kind: 'end';
  class: string;
  classIndex: number;
  start: number;
  /** End of the last window at or above the clear threshold. */
  end: number;
  /** Why it ended: enough negative windows, or a reset (a gap in the stream, the stream going away). */
  reason: 'clear' | 'reset';
}

export type EpisodeEvent = EpisodeStart | EpisodeEnd;

interface Recent {
  positive: boolean;
  score: number;
  start: number;
}

export class ClassEpisodes {
  /** The last `n` windows' verdicts, oldest first. */
  private recent: Recent[] = [];
  private positives = 0;
  private open: { start: number; lastEnd: number } | null = null;
  private negatives = 0;
  private quietUntil = -Infinity;

  constructor(
    readonly rule: ClassRule,
    private readonly cfg: Pick<DetectorConfig, 'minDuration' | 'window' | 'hysteresis' | 'cooldownMs'>,
  ) {}

  get isOpen(): boolean {
    return this.open !== null;
  }

  /** Feeds one window's score for this class; returns the event it causes, if any. */
  observe(score: number, w: ScoredWindow): EpisodeEvent | undefined {
    const { rule, cfg } = this;
    if (this.open) {
      if (score >= rule.clearThreshold) {
        this.negatives = 0;
        this.open.lastEnd = w.end;
        return undefined;
      }
      if (++this.negatives < cfg.hysteresis) return undefined;
      return this.close('clear');
    }
    if (w.start < this.quietUntil) return undefined;
    const positive = score >= rule.threshold;
    this.recent.push({ positive, score, start: w.start });
    if (positive) this.positives++;
    if (this.recent.length > cfg.window && this.recent.shift()!.positive) this.positives--;
    if (this.positives < cfg.minDuration) return undefined;
    let first = Infinity, best = -Infinity;
    for (const r of this.recent) {
      if (!r.positive) continue;
      first = Math.min(first, r.start);
      best = Math.max(best, r.score);
    }
    this.open = { start: first, lastEnd: w.end };
    this.negatives = 0;
    this.recent = [];
    this.positives = 0;
    return { kind: 'alert', class: rule.label, classIndex: rule.index, score: best, start: first, end: w.end, seq: w.seq };
  }

  /** Ends an open episode (reason `reset`) and forgets the k-of-n history; the cooldown stays. */
  reset(): EpisodeEnd | undefined {
    this.recent = [];
    this.positives = 0;
    return this.open ? this.close('reset') : undefined;
  }

  private close(reason: EpisodeEnd['reason']): EpisodeEnd {
    const { start, lastEnd } = this.open!;
    this.open = null;
    this.negatives = 0;
    this.quietUntil = lastEnd + this.cfg.cooldownMs;
    return { kind: 'end', class: this.rule.label, classIndex: this.rule.index, start, end: lastEnd, reason };
  }
}
