/** Detectors: per-class thresholds, k-of-n minimum duration, hysteresis, cooldown; one alert per episode. */
export { DEFAULT_THRESHOLD, resolveDetectorConfig, type ClassRule, type DetectorConfig, type DetectorOverrides } from './config.js';
export { ClassEpisodes, type EpisodeEnd, type EpisodeEvent, type EpisodeStart, type ScoredWindow } from './episodes.js';
export { StreamDetector } from './detector.js';
