/**
 * Beat windows centred on R peaks, and the RR-interval features an arrhythmia model needs.
 *
 * A beat window is the `window` samples [r - before, r - before + window) around R peak r
 * (default before = floor(window / 2), so the R peak sits at index `before`).
 *
 * RR features of beat b, in seconds (the de Chazal 2004 set, made causal so that the device
 * computes exactly what the dataset builder computed):
 *   [0] pre-RR   r[b] - r[b-1]
 *   [1] post-RR  r[b+1] - r[b]           (so a beat is complete only once the next R is known)
 *   [2] local    mean of the pre-RRs of the last `localBeats` beats (b included)
 *   [3] average  mean of all pre-RRs of the record so far (beats 1..b): a running mean, not the
 *                whole-record mean, because a device cannot see the future
 * The first beat (no pre-RR) and the last beat (no post-RR) get no features and no window.
 *
 * {@link beatWindows} is the plain offline reference; {@link BeatStream} produces the same
 * beats from samples and peaks arriving in chunks of any size.
 */
import { WavegateError } from '../errors.js';

export interface BeatWindowOptions {
  /** Window length in samples. Required. */
  window: number;
  /** Samples before the R peak. Default floor(window / 2). */
  before?: number;
  /** Sample rate in Hz, for RR features in seconds. Required. */
  fs: number;
  /** Channels interleaved in the signal. Default 1. */
  channels?: number;
  /** Beats in the local RR average. Default 10. */
  localBeats?: number;
  /**
   * Streaming only: the latest a peak may be pushed, in samples after the sample it marks has
   * been pushed (a QRS detector's latency). Older samples are dropped, so a later peak loses its
   * window. Default 4 s of samples: the QRS detector's 3 s latency plus a 1 s chunk.
   */
  maxPeakDelay?: number;
}

export interface Beat {
  /** Index of this beat in the peak list (the beat's ordinal in the stream). */
  index: number;
  /** R peak sample index. */
  r: number;
  /** [window, channels] row-major. */
  data: Float32Array;
  /** pre-RR, post-RR, local RR, average RR in seconds. */
  rr: Float32Array;
}

interface Resolved {
  window: number;
  before: number;
  fs: number;
  channels: number;
  localBeats: number;
  maxPeakDelay: number;
}

function resolve(o: BeatWindowOptions): Resolved {
  const r = { window: o.window, before: o.before ?? Math.floor(o.window / 2), fs: o.fs, channels: o.channels ?? 1, localBeats: o.localBeats ?? 10, maxPeakDelay: o.maxPeakDelay ?? Math.ceil(4 * o.fs) };
  if (!Number.isInteger(r.window) || r.window < 1) throw new WavegateError('E_ARGUMENT', `beat windows: window must be an integer >= 1, got ${r.window}`);
  if (!Number.isInteger(r.before) || r.before < 0 || r.before >= r.window) throw new WavegateError('E_ARGUMENT', `beat windows: before must be an integer in [0, window), got ${r.before}`);
  if (!(r.fs > 0)) throw new WavegateError('E_ARGUMENT', `beat windows: fs must be > 0, got ${r.fs}`);
  if (!Number.isInteger(r.channels) || r.channels < 1) throw new WavegateError('E_ARGUMENT', `beat windows: channels must be an integer >= 1, got ${r.channels}`);
  if (!Number.isInteger(r.localBeats) || r.localBeats < 1) throw new WavegateError('E_ARGUMENT', `beat windows: localBeats must be an integer >= 1, got ${r.localBeats}`);
  return r;
}

function checkPeaks(peaks: ArrayLike<number>, from = 0, last = -Infinity): void {
  for (let i = from; i < peaks.length; i++) {
    const p = peaks[i];
    if (!Number.isInteger(p) || p <= (i > from ? peaks[i - 1] : last)) {
      throw new WavegateError('E_INPUT', `beat windows: R peak ${i} (${p}) is not an integer greater than the previous one`);
    }
  }
}

/** RR features for every beat that has both neighbours: rows for beats 1..n-2, as {index, rr}. */
export function rrFeatures(peaks: ArrayLike<number>, fs: number, localBeats = 10): Array<{ index: number; rr: Float32Array }> {
  checkPeaks(peaks);
  const out: Array<{ index: number; rr: Float32Array }> = [];
  let sum = 0;
  for (let b = 1; b + 1 < peaks.length; b++) {
    const pre = (peaks[b] - peaks[b - 1]) / fs;
    sum += pre;
    let local = 0, k = 0;
    for (let j = b; j >= 1 && k < localBeats; j--, k++) local += (peaks[j] - peaks[j - 1]) / fs;
    out.push({ index: b, rr: Float32Array.of(pre, (peaks[b + 1] - peaks[b]) / fs, local / k, sum / b) });
  }
  return out;
}

/** Offline reference: every complete beat of a whole signal. Beats whose window leaves the signal are skipped. */
export function beatWindows(signal: Float32Array, peaks: ArrayLike<number>, options: BeatWindowOptions): Beat[] {
  const o = resolve(options);
  const frames = Math.floor(signal.length / o.channels);
  const out: Beat[] = [];
  for (const { index, rr } of rrFeatures(peaks, o.fs, o.localBeats)) {
    const start = peaks[index] - o.before;
    if (start < 0 || start + o.window > frames) continue;
    out.push({ index, r: peaks[index], data: signal.slice(start * o.channels, (start + o.window) * o.channels), rr });
  }
  return out;
}

/**
 * Streaming beats: push samples (interleaved frames) and R peaks (absolute sample indices, as a
 * QRS detector emits them, in any interleaving); each push returns the beats that became complete.
 * Memory is bounded: only samples a pending beat can still need are kept.
 */
export class BeatStream {
  private readonly o: Resolved;
  /** Kept frames, starting at absolute frame `bufStart`. */
  private buf: Float32Array;
  private bufStart = 0;
  private bufLen = 0;
  /** Peaks not yet emitted as beats, plus the one before them (for pre-RR). */
  private peaks: number[] = [];
  private peakCount = 0;
  private lastPeak = -Infinity;
  private rrSum = 0;
  private recentPre: number[] = [];

  constructor(options: BeatWindowOptions) {
    this.o = resolve(options);
    this.buf = new Float32Array(4 * this.o.window * this.o.channels);
  }

  /** Absolute index of the next frame to be pushed. */
  get received(): number {
    return this.bufStart + this.bufLen;
  }

  pushSamples(samples: Float32Array): Beat[] {
    const c = this.o.channels;
    if (samples.length % c !== 0) throw new WavegateError('E_INPUT', `BeatStream: ${samples.length} values is not a multiple of ${c} channels`);
    const frames = samples.length / c;
    this.reserve(this.bufLen + frames);
    this.buf.set(samples, this.bufLen * c);
    this.bufLen += frames;
    return this.drain();
  }

  pushPeaks(peaks: ArrayLike<number>): Beat[] {
    checkPeaks(peaks, 0, this.lastPeak);
    for (let i = 0; i < peaks.length; i++) this.peaks.push(peaks[i]);
    if (peaks.length > 0) this.lastPeak = peaks[peaks.length - 1];
    return this.drain();
  }

  /** Emits beats whose next peak is known and whose window is fully received; trims the buffer. */
  private drain(): Beat[] {
    const { window, before, fs, channels: c, localBeats } = this.o;
    const out: Beat[] = [];
    // peaks[0] is the previous beat (stream index peakCount), peaks[1] the candidate, peaks[2] its successor.
    while (this.peaks.length >= 3) {
      const prev = this.peaks[0], r = this.peaks[1];
      const start = r - before;
      if (start + window > this.received) break;
      const index = this.peakCount + 1;
      const pre = (r - prev) / fs;
      this.rrSum += pre;
      this.recentPre.push(pre);
      if (this.recentPre.length > localBeats) this.recentPre.shift();
      const local = this.recentPre.reduce((s, v) => s + v, 0) / this.recentPre.length;
      const rr = Float32Array.of(pre, (this.peaks[2] - r) / fs, local, this.rrSum / index);
      if (start >= this.bufStart) {
        const off = (start - this.bufStart) * c;
        out.push({ index, r, data: this.buf.slice(off, off + window * c), rr });
      } // else: the window starts before the stream did (or the peak came later than maxPeakDelay): skipped, as offline
      this.peaks.shift();
      this.peakCount++;
    }
    this.trim();
    return out;
  }

  /** Drops frames no pending beat can need: everything before the earliest pending window start. */
  private trim(): void {
    const c = this.o.channels;
    // The next window needed starts at the pending candidate's R, or at the earliest R a late peak may still name.
    const earliestFuturePeak = Math.max(this.lastPeak + 1, this.received - this.o.maxPeakDelay);
    const keepFrom = (this.peaks.length >= 2 ? this.peaks[1] : earliestFuturePeak) - this.o.before;
    const drop = Math.min(this.bufLen, Math.max(0, keepFrom - this.bufStart));
    if (drop === 0) return;
    this.buf.copyWithin(0, drop * c, this.bufLen * c);
    this.bufStart += drop;
    this.bufLen -= drop;
  }

  private reserve(frames: number): void {
    const need = frames * this.o.channels;
    if (need <= this.buf.length) return;
    const grown = new Float32Array(Math.max(need, 2 * this.buf.length));
    grown.set(this.buf.subarray(0, this.bufLen * this.o.channels));
    this.buf = grown;
  }
}
