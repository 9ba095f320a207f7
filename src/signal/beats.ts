/**
 * Beat windows around R peaks, with their RR side features (rr-features.ts).
 *
 * A beat window is the `before + after` frames [r - before, r + after) around R peak r: the R peak
 * sits at index `before`. {@link BeatStream} takes samples (interleaved frames) and R peaks
 * (absolute frame indices, increasing) in any interleaving and emits each beat once its window
 * has been received and, with RR features, once its feature row is complete (the first beat of a
 * stream has none; with postRR a beat waits for the next R). Beats whose window starts before
 * the stream did are skipped; beats whose window never completes are never emitted.
 * {@link beatWindows} feeds a whole signal to a BeatStream: offline and streaming are one code path.
 */
import { WavegateError } from '../errors.js';
import { BeatShapeTemplate, normalizeFeatures, RrFeatureStream, type RrFeatureSpec } from './rr-features.js';

export interface BeatStreamOptions {
  /** Frames before the R peak (>= 0). */
  before: number;
  /** Frames from the R peak to the window's end (>= 1). */
  after: number;
  /** Channels interleaved in the samples. Default 1. */
  channels?: number;
  /** RR side features, computed on the peaks at `fs` Hz (the rate of the samples). */
  features?: { spec: RrFeatureSpec; fs: number };
  /**
   * The latest a peak may arrive, in frames after the frame it marks was pushed (a QRS detector's
   * latency). Frames older than that, with no pending peak needing them, are dropped, so a later
   * peak loses its window. Default: unbounded (frames after the last peak are kept until the next).
   */
  maxPeakDelay?: number;
}

export interface Beat {
  /** Ordinal of the beat among the peaks pushed (0 = the first). */
  beat: number;
  /** R peak frame index. */
  r: number;
  /** [before + after, channels] row-major. */
  data: Float32Array;
  /** Side features in the spec's name order, when the stream computes them. */
  features?: Float32Array;
}

interface Pending {
  beat: number;
  r: number;
  /** Undefined while the feature row is outstanding (features on). */
  features: Float32Array | undefined;
  /** Beat-shape features: whether the beat may enter the template (its RR row says). */
  templateOk?: boolean;
  ready: boolean;
}

/** Room beyond the frames kept, so that the kept ones move to the front only every few chunks. */
const SLACK_FRAMES = 256;

export class BeatStream {
  readonly before: number;
  readonly after: number;
  readonly window: number;
  readonly channels: number;
  private readonly maxPeakDelay: number;
  private readonly rr: RrFeatureStream | undefined;
  /** Beat-shape features: the running template, and the normalisation applied once they are in. */
  private readonly shape: { template: BeatShapeTemplate; normalize: RrFeatureSpec['normalize'] } | undefined;
  /**
   * Kept frames: `bufLen` frames from absolute frame `bufStart`, stored from frame `bufOff` of
   * `buf`. Dropping frames only moves bufOff; the kept frames move to the front only when a push
   * would run past the end (not on every push).
   */
  private buf: Float32Array;
  private bufOff = 0;
  private bufStart = 0;
  private bufLen = 0;
  private pending: Pending[] = [];
  private peakCount = 0;
  private lastPeak = Number.NEGATIVE_INFINITY;

  constructor(options: BeatStreamOptions) {
    const { before, after, channels = 1, maxPeakDelay = Number.POSITIVE_INFINITY } = options;
    if (!Number.isInteger(before) || before < 0) throw new WavegateError('E_ARGUMENT', `beat windows: before must be an integer >= 0, got ${before}`);
    if (!Number.isInteger(after) || after < 1) throw new WavegateError('E_ARGUMENT', `beat windows: after must be an integer >= 1, got ${after}`);
    if (!Number.isInteger(channels) || channels < 1) throw new WavegateError('E_ARGUMENT', `beat windows: channels must be an integer >= 1, got ${channels}`);
    if (!(maxPeakDelay >= 0)) throw new WavegateError('E_ARGUMENT', `beat windows: maxPeakDelay must be >= 0, got ${maxPeakDelay}`);
    this.before = before;
    this.after = after;
    this.window = before + after;
    this.channels = channels;
    this.maxPeakDelay = maxPeakDelay;
    this.rr = options.features ? new RrFeatureStream(options.features.spec, options.features.fs) : undefined;
    this.shape = this.rr && this.rr.shapeSlots.length > 0 ? { template: new BeatShapeTemplate(this.window, channels), normalize: options.features!.spec.normalize } : undefined;
    // With a bounded peak delay the stream keeps about maxPeakDelay + before frames (more while a
    // beat waits for the next R's features): start there, with room for a few chunks.
    const frames = Number.isFinite(maxPeakDelay) ? maxPeakDelay + this.window + SLACK_FRAMES : 4 * this.window;
    this.buf = new Float32Array(frames * channels);
  }

  /** Absolute index of the next frame to be pushed. */
  get received(): number {
    return this.bufStart + this.bufLen;
  }

  pushSamples(samples: Float32Array): Beat[] {
    const c = this.channels;
    if (samples.length % c !== 0) throw new WavegateError('E_INPUT', `beat windows: ${samples.length} values is not a multiple of ${c} channels`);
    const frames = samples.length / c;
    this.reserve(frames);
    this.buf.set(samples, (this.bufOff + this.bufLen) * c);
    this.bufLen += frames;
    return this.drain();
  }

  pushPeaks(peaks: ArrayLike<number>): Beat[] {
    for (let i = 0; i < peaks.length; i++) {
      const r = peaks[i];
      if (!Number.isInteger(r) || r <= this.lastPeak) {
        throw new WavegateError('E_INPUT', `beat windows: R peak ${r} is not an integer greater than the previous one (${this.lastPeak})`);
      }
      this.lastPeak = r;
      const beat = this.peakCount++;
      if (this.rr) {
        const row = this.rr.push(r);
        if (beat > 0) this.pending.push({ beat, r, features: undefined, ready: false }); // beat 0 never gets a row
        if (row) {
          const p = this.pending.find((q) => q.beat === row.beat)!;
          p.features = row.values;
          p.templateOk = row.templateOk;
          p.ready = true;
        }
      } else this.pending.push({ beat, r, features: undefined, ready: true });
    }
    return this.drain();
  }

  /** Emits, in order, the beats that are ready and whose window is fully received; trims the buffer. */
  private drain(): Beat[] {
    const c = this.channels;
    const out: Beat[] = [];
    while (this.pending.length > 0 && this.pending[0].ready) {
      const p = this.pending[0];
      const start = p.r - this.before;
      if (start + this.window > this.received) break;
      if (start >= this.bufStart) {
        const off = (this.bufOff + start - this.bufStart) * c;
        const beat: Beat = { beat: p.beat, r: p.r, data: this.buf.slice(off, off + this.window * c) };
        if (p.features && this.shape) {
          // Beat-shape slots: this beat against the template of the beats emitted before it.
          const values = this.shape.template.take(beat.data, p.templateOk === true);
          for (const slot of this.rr!.shapeSlots) p.features[slot.index] = values[slot.feature];
          beat.features = this.shape.normalize ? normalizeFeatures(p.features, this.shape.normalize) : p.features;
        } else if (p.features) beat.features = p.features;
        out.push(beat);
      } // else: the window starts before the stream did (or the peak came later than maxPeakDelay): skipped
      this.pending.shift();
    }
    this.trim();
    return out;
  }

  /** Drops frames no pending or future beat can need. */
  private trim(): void {
    const c = this.channels;
    const earliestFuturePeak = Math.max(this.lastPeak + 1, this.received - this.maxPeakDelay);
    const keepFrom = (this.pending.length > 0 ? this.pending[0].r : earliestFuturePeak) - this.before;
    const drop = Math.min(this.bufLen, Math.max(0, keepFrom - this.bufStart));
    if (!(drop > 0)) return;
    this.bufStart += drop;
    this.bufLen -= drop;
    this.bufOff = this.bufLen === 0 ? 0 : this.bufOff + drop;
  }

  /** Makes room for `frames` more frames after the kept ones: moves them to the front, or grows the buffer (by a quarter and some room, at least) when they and the new ones do not fit. */
  private reserve(frames: number): void {
    const c = this.channels;
    if ((this.bufOff + this.bufLen + frames) * c <= this.buf.length) return;
    const from = this.bufOff * c, to = (this.bufOff + this.bufLen) * c;
    // Moving to the front must leave room for a few more pushes, or it would happen on every one.
    if ((this.bufLen + frames + SLACK_FRAMES / 4) * c <= this.buf.length) this.buf.copyWithin(0, from, to);
    else {
      const grown = new Float32Array(Math.max(this.bufLen + frames + SLACK_FRAMES, Math.ceil((1.25 * this.buf.length) / c)) * c);
      grown.set(this.buf.subarray(from, to));
      this.buf = grown;
    }
    this.bufOff = 0;
  }
}

/** Every beat of a whole signal, as a {@link BeatStream} emits them (the same code). */
export function beatWindows(signal: Float32Array, peaks: ArrayLike<number>, options: BeatStreamOptions): Beat[] {
  const s = new BeatStream({ ...options, maxPeakDelay: Number.POSITIVE_INFINITY });
  return [...s.pushPeaks(peaks), ...s.pushSamples(signal)];
}
