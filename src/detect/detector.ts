/**
 * A stream's detector: one {@link ClassEpisodes} per alerting class, fed each scored window's
 * output row in order. One alert per episode, with its start and end (src/detect/episodes.ts).
 */
import type { DetectorConfig } from './config.js';
import { ClassEpisodes, type EpisodeEvent, type ScoredWindow } from './episodes.js';

export class StreamDetector {
  private readonly classes: ClassEpisodes[];

  constructor(readonly config: DetectorConfig) {
    this.classes = config.classes.map((rule) => new ClassEpisodes(rule, config));
  }

  /** Feeds one window's scores (the model's output row, one entry per label); returns its events. */
  observe(scores: ArrayLike<number>, w: ScoredWindow): EpisodeEvent[] {
    const events: EpisodeEvent[] = [];
    for (const c of this.classes) {
      const e = c.observe(scores[c.rule.index], w);
      if (e) events.push(e);
    }
    return events;
  }

  /** After a gap or when the stream goes away: open episodes end (reason `reset`), histories clear. */
  reset(): EpisodeEvent[] {
    const events: EpisodeEvent[] = [];
    for (const c of this.classes) {
      const e = c.reset();
      if (e) events.push(e);
    }
    return events;
  }

  /** Labels with an open episode. */
  openClasses(): string[] {
    return this.classes.filter((c) => c.isOpen).map((c) => c.rule.label);
  }
}
