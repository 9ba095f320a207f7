/**
 * WindowAssembler: cuts a stream of sequence-numbered chunks into fixed windows.
 *
 * Samples arrive interleaved ([frames, channels], time-major, as the model's [T, C] input) in
 * chunks, each with a sequence number. Consecutive chunks have consecutive numbers; a jump means
 * chunks were lost, so the samples on both sides are not contiguous and no window may straddle
 * them: the partial window is dropped and assembly restarts after the gap. A number that goes
 * backwards (duplicate or reordered delivery) is an error: the caller must deduplicate first,
 * because silently accepting it would splice old samples into a new window.
 */
import { WavegateError } from '../errors.js';
import { assertFiniteSamples } from './validate.js';

export interface WindowAssemblerOptions {
  /** Window length in frames (time steps). Required, >= 1. */
  length: number;
  /** Frames between the starts of consecutive windows. Default `length` (no overlap); may exceed `length` (skips frames). */
  hop?: number;
  /** Channels per frame. Default 1. */
  channels?: number;
  /** Reject NaN/Inf samples with E_INPUT. Default true. */
  checkFinite?: boolean;
}

export interface AssembledWindow {
  /** [length, channels] row-major, a fresh array the caller owns. */
  data: Float32Array;
  /** Index of the window's first frame among all frames received since construction (lost frames are not counted). */
  start: number;
  /** Sequence number of the chunk that holds the window's first frame. */
  seq: number;
  /** Number of the contiguous segment (0 at creation, +1 at every gap or reset). */
  segment: number;
}

export class WindowAssembler {
  readonly length: number;
  readonly hop: number;
  readonly channels: number;
  private readonly checkFinite: boolean;
  /** Frames of the window being filled, [length, channels]. */
  private readonly buf: Float32Array;
  /** Frames currently held in `buf`. */
  private filled = 0;
  /** Frames still to discard before the next window starts (hop > length). */
  private skip = 0;
  /** Received-frame index of buf[0]. */
  private bufStart = 0;
  private received = 0;
  private nextSeq: number | undefined;
  private segmentNo = 0;
  /** First received-frame index and seq of the recent chunks, to name the chunk a window starts in (two plain arrays: no object per chunk). */
  private readonly chunkFrames: number[] = [];
  private readonly chunkSeqs: number[] = [];
  /** Gaps seen so far (chunks missing between two received ones). */
  gaps = 0;
  /** Frames dropped because a gap cut their window short. */
  droppedFrames = 0;

  constructor(options: WindowAssemblerOptions) {
    const { length, hop = options.length, channels = 1, checkFinite = true } = options;
    for (const [name, v] of [['length', length], ['hop', hop], ['channels', channels]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new WavegateError('E_ARGUMENT', `WindowAssembler: ${name} must be an integer >= 1, got ${v}`);
    }
    this.length = length;
    this.hop = hop;
    this.channels = channels;
    this.checkFinite = checkFinite;
    this.buf = new Float32Array(length * channels);
  }

  /**
   * Adds one chunk and returns the windows it completes (possibly none).
   * @param seq the chunk's sequence number (integer, +1 per chunk)
   * @param samples interleaved frames; length must be a multiple of `channels`
   */
  push(seq: number, samples: Float32Array): AssembledWindow[] {
    if (!Number.isSafeInteger(seq)) throw new WavegateError('E_INPUT', `WindowAssembler: sequence number must be an integer, got ${seq}`);
    if (samples.length % this.channels !== 0) {
      throw new WavegateError('E_INPUT', `WindowAssembler: chunk ${seq} holds ${samples.length} values, not a multiple of ${this.channels} channels`);
    }
    if (this.checkFinite) assertFiniteSamples(samples, `WindowAssembler chunk ${seq}`);
    if (this.nextSeq !== undefined) {
      if (seq < this.nextSeq) {
        throw new WavegateError('E_INPUT', `WindowAssembler: sequence number ${seq} after ${this.nextSeq - 1} is not increasing (duplicate or reordered chunk)`);
      }
      if (seq > this.nextSeq) {
        this.gaps++;
        this.restart();
      }
    }
    this.nextSeq = seq + 1;
    this.chunkFrames.push(this.received);
    this.chunkSeqs.push(seq);

    const out: AssembledWindow[] = [];
    const c = this.channels;
    const frames = samples.length / c;
    let f = 0;
    while (f < frames) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, frames - f);
        this.skip -= n;
        f += n;
        this.received += n;
        continue;
      }
      if (this.filled === 0) this.bufStart = this.received;
      const n = Math.min(this.length - this.filled, frames - f);
      const buf = this.buf, to = this.filled * c, from = f * c;
      for (let i = 0; i < n * c; i++) buf[to + i] = samples[from + i];
      this.filled += n;
      f += n;
      this.received += n;
      if (this.filled === this.length) {
        out.push({ data: this.buf.slice(), start: this.bufStart, seq: this.seqOf(this.bufStart), segment: this.segmentNo });
        this.advance();
      }
    }
    return out;
  }

  /** Drops the partial window, as after a gap; the next chunk may carry any sequence number. */
  reset(): void {
    this.restart();
    this.nextSeq = undefined;
  }

  private restart(): void {
    this.droppedFrames += this.filled;
    this.filled = 0;
    this.skip = 0;
    this.segmentNo++;
  }

  /** Seq of the chunk holding received frame `frame`; forgets chunks before it. */
  private seqOf(frame: number): number {
    while (this.chunkFrames.length > 1 && this.chunkFrames[1] <= frame) {
      this.chunkFrames.shift();
      this.chunkSeqs.shift();
    }
    return this.chunkSeqs[0];
  }

  /** After emitting: keep the overlap (length - hop frames) or skip ahead (hop - length frames). */
  private advance(): void {
    if (this.hop >= this.length) {
      this.filled = 0;
      this.skip = this.hop - this.length;
      return;
    }
    const c = this.channels;
    this.buf.copyWithin(0, this.hop * c, this.length * c);
    this.filled = this.length - this.hop;
    this.bufStart += this.hop;
  }
}
