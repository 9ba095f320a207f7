/**
 * The device's ECG beat chain for one stream: the model's preprocessing (pipeline.ts) -> QRS
 * detection (qrs.ts) on the preprocessed signal -> beat windows with RR features (beats.ts).
 *
 * Detecting on the preprocessed signal keeps every index in one time base (the model's rate,
 * after any resampling or baseline delay), so the window around a detected R is cut from exactly
 * the samples the model was trained on. The detector does not care about the scale the `normalize`
 * stage applies (its thresholds adapt). Beats come out `latency` (3 s) after their R peak plus
 * the time until the next R peak is known (post-RR).
 */
import { WavegateError } from '../errors.js';
import type { InputSpec } from '../model/schema.js';
import { BeatStream, type Beat } from './beats.js';
import { buildPipeline, type Pipeline } from './pipeline.js';
import { QrsDetector, type QrsOptions } from './qrs.js';

export interface BeatPipelineOptions {
  /** Beat window length in samples at the model's rate. Default: the model's `input.window`. */
  window?: number;
  /** Samples before the R peak. Default floor(window / 2). */
  before?: number;
  /** Detector options other than fs. */
  qrs?: Omit<QrsOptions, 'fs'>;
}

export class BeatPipeline {
  readonly pipeline: Pipeline;
  readonly detector: QrsDetector;
  private readonly beats: BeatStream;

  /**
   * @param input the model's input spec (preprocessing, sampleRate, window)
   * @param streamRate the sensor stream's sample rate, checked against the model's chain
   */
  constructor(input: InputSpec, streamRate: number, options: BeatPipelineOptions = {}) {
    if (input.channels !== 1) throw new WavegateError('E_MODEL_UNSUPPORTED', `beat pipeline: ECG beat models take 1 channel, this one ${input.channels}`);
    this.pipeline = buildPipeline(input, streamRate, 1);
    const fs = this.pipeline.info.outputRate;
    const window = options.window ?? input.window;
    if (window === undefined) throw new WavegateError('E_MODEL_FORMAT', 'beat pipeline: the model names no input.window and none was given');
    this.detector = new QrsDetector({ ...options.qrs, fs });
    this.beats = new BeatStream({ window, before: options.before, fs, maxPeakDelay: this.detector.latencySamples + Math.ceil(fs) });
  }

  /** Pushes raw samples at the stream rate; returns the beats they complete. */
  push(samples: Float32Array): Beat[] {
    const y = this.pipeline.process(samples);
    const out = this.beats.pushSamples(y);
    out.push(...this.beats.pushPeaks(this.detector.process(y)));
    return out;
  }
}
