/**
 * Per-(device, stream) state: the model's chain, sequence and time tracking, the detector, and
 * (streaming models) a kernel state slot. docs/mqtt-topics.md, "Gaps", states the rules:
 *
 * - seq is the expected one (previous + 1 mod 2^32) and t is where the previous frame's samples
 *   end, within timeToleranceMs + one sample period: contiguous, the samples join the segment.
 * - seq is ahead (a gap of d frames), or seq is contiguous but t is off: a discontinuity. Policy
 *   `reset` (default): a new segment (filters re-primed, partial windows dropped, open episodes
 *   ended before the new segment's first window). Policy `zero-fill`: when t says the gap holds
 *   at most maxFillMs of samples, that many zero samples are pushed first and the segment goes on;
 *   otherwise reset. Both are counted; no samples are ever silently spliced.
 * - seq is behind: if t is after the previous frame's and not before the next expected sample
 *   time (within the tolerance), the device restarted its counter (counted, new segment);
 *   otherwise the frame is refused, E_SEQ_DUPLICATE when it repeats the previous seq,
 *   E_SEQ_ORDER when older.
 */
import { StreamDetector } from '../detect/detector.js';
import type { EpisodeEvent } from '../detect/episodes.js';
import { isWavegateError } from '../errors.js';
import { RejectError } from './errors.js';
import { SEQ_MODULUS, type SampleFrame } from './frame.js';
import type { ServedModel } from './models.js';
import type { GapPolicy } from './options.js';
import { createStreamChain, type StreamChain } from './stream-chain.js';

/** A window (or, for streaming models, a chunk) ready to score. */
export interface ReadyWindow {
  stream: StreamState;
  data: Float32Array;
  /** ms since the epoch of its first and last sample. */
  start: number;
  end: number;
  /** seq of the frame that completed it. */
  seq: number;
  /** The stream's segment it belongs to (a new one after every reset). */
  segment: number;
  /** performance.now() when the completing frame arrived (latency is measured from here). */
  receivedAt: number;
  /** Side features for the model's head (beat models with RR features). */
  features?: Float32Array;
}

export interface StreamPolicy {
  gapPolicy: GapPolicy;
  maxFillMs: number;
  timeToleranceMs: number;
}

export interface StreamCounters {
  frames: number;
  /** Discontinuities: sequence gaps and timestamp jumps. */
  gaps: number;
  /** Frames missing according to sequence numbers. */
  missingFrames: number;
  /** Sequence counters that started over (device restarts). */
  restarts: number;
  /** Zero samples inserted by the zero-fill policy. */
  zeroFilled: number;
  /** Windows dropped by the queue's drop policy. */
  dropped: number;
  /** Windows scored. */
  scored: number;
}

export class StreamState {
  readonly key: string;
  chain: StreamChain | undefined;
  fs: number | undefined;
  segment = 0;
  private segmentT0 = 0;
  private expectedSeq: number | undefined;
  private expectedT = 0;
  /** t of the last accepted frame. */
  private previousT = 0;
  lastSeen: number;
  /** Replaced by a model update whose detector differs ({@link rebind}). */
  detector: StreamDetector;
  /** A model update changed the input spec: the next frame starts a new segment on a fresh chain. */
  private restartPending = false;
  private detectorSegment = 0;
  /** Streaming models: the kernel state slot, and the segment whose state it holds. */
  slot = -1;
  slotSegment = -1;
  closed = false;
  readonly counters: StreamCounters = { frames: 0, gaps: 0, missingFrames: 0, restarts: 0, zeroFilled: 0, dropped: 0, scored: 0 };

  /** The model serving the stream; a model update moves the stream to its replacement ({@link rebind}). */
  model: ServedModel;

  constructor(readonly device: string, readonly stream: string, model: ServedModel, now: number) {
    this.model = model;
    this.key = `${device}/${stream}`;
    this.lastSeen = now;
    this.detector = new StreamDetector(model.detector);
  }

  /**
   * Takes a decoded frame: checks it against the stream, handles gaps, runs the chain.
   * @param now wall-clock ms (idle tracking); `received` performance.now() (latency)
   * @throws RejectError (E_FRAME_CHANNELS, E_FRAME_RATE, E_SEQ_DUPLICATE, E_SEQ_ORDER, E_STREAM)
   */
  accept(frame: SampleFrame, policy: StreamPolicy, now: number, received: number): ReadyWindow[] {
    const m = this.model;
    if (frame.channels !== m.streamChannels) throw new RejectError('E_FRAME_CHANNELS', `${this.key}: frame has ${frame.channels} channel(s), model ${m.name} takes ${m.streamChannels}`);
    if (this.fs !== undefined && frame.fs !== this.fs) throw new RejectError('E_FRAME_RATE', `${this.key}: frame rate ${frame.fs} Hz differs from the stream's ${this.fs} Hz`);
    if (this.chain === undefined) {
      try {
        this.chain = createStreamChain(m.metadata.input, frame.fs);
      } catch (e) {
        if (isWavegateError(e, 'E_SAMPLE_RATE') || isWavegateError(e, 'E_INPUT')) throw new RejectError('E_FRAME_RATE', `${this.key}: model ${m.name}: ${e.message}`);
        throw new RejectError('E_STREAM', `${this.key}: model ${m.name} cannot run this stream: ${(e as Error).message}`);
      }
      this.fs = frame.fs;
    }
    let fill = 0;
    if (this.expectedSeq === undefined) this.startSegment(frame.t, false);
    else {
      const ahead = (frame.seq - this.expectedSeq + SEQ_MODULUS) % SEQ_MODULUS;
      const dt = frame.t - this.expectedT;
      const tolerance = policy.timeToleranceMs + 1000 / frame.fs;
      if (ahead >= SEQ_MODULUS / 2) {
        // Behind the expected number: a repeat, a reordered frame, or a counter that started over.
        if (dt < -tolerance || frame.t <= this.previousT) {
          const previous = (this.expectedSeq - 1 + SEQ_MODULUS) % SEQ_MODULUS;
          if (frame.seq === previous) throw new RejectError('E_SEQ_DUPLICATE', `${this.key}: seq ${frame.seq} again (duplicate delivery)`);
          throw new RejectError('E_SEQ_ORDER', `${this.key}: seq ${frame.seq} is older than ${previous}, the last accepted (reordered delivery)`);
        }
        this.counters.restarts++;
        this.startSegment(frame.t, true);
      } else if (ahead > 0 || Math.abs(dt) > tolerance) {
        this.counters.gaps++;
        this.counters.missingFrames += ahead;
        const missing = Math.round((dt * frame.fs) / 1000);
        if (policy.gapPolicy === 'zero-fill' && dt > 0 && dt <= policy.maxFillMs && missing > 0) fill = missing;
        else this.startSegment(frame.t, true);
      }
    }
    if (this.restartPending) {
      // The first frame after a model update that changed the input spec: a new segment on the new chain.
      this.restartPending = false;
      fill = 0;
      this.segment++;
      this.segmentT0 = frame.t;
    }
    this.counters.frames++;
    this.lastSeen = now;
    this.expectedSeq = (frame.seq + 1) % SEQ_MODULUS;
    this.expectedT = frame.t + (frame.frames * 1000) / frame.fs;
    this.previousT = frame.t;
    const out: ReadyWindow[] = [];
    try {
      if (fill > 0) {
        this.counters.zeroFilled += fill;
        this.collect(this.chain.push(new Float32Array(fill * m.streamChannels)), frame.seq, received, out);
      }
      this.collect(this.chain.push(frame.samples), frame.seq, received, out);
    } catch (e) {
      // The chain state may be half-updated: a new segment starts with the next frame.
      this.expectedSeq = undefined;
      this.chain.reset();
      this.segment++;
      throw new RejectError('E_STREAM', `${this.key}: model ${m.name}'s chain refused the frame: ${(e as Error).message}`);
    }
    return out;
  }

  /** ms since the epoch where the last accepted frame's samples end (0 before any): the stream's lag is now minus this. */
  get lastSampleEnd(): number {
    return this.expectedT;
  }

  /** Feeds one scored window's output row to the detector, resetting it first when a new segment began. */
  observe(w: ReadyWindow, scores: ArrayLike<number>): EpisodeEvent[] {
    const events = w.segment !== this.detectorSegment ? this.detector.reset() : [];
    this.detectorSegment = w.segment;
    events.push(...this.detector.observe(scores, w));
    this.counters.scored++;
    return events;
  }

  /**
   * A model update moves the stream to `model` (its windows queued on the old model were scored
   * first). `keepChain`: the input spec is identical, so the chain (filter state, the partial
   * window) goes on; otherwise the next frame starts a new segment on a chain built for the new
   * model. `keepDetector`: the detector settings are identical, so open episodes go on; otherwise
   * they end here (returned) and a fresh detector starts. `slot`: the stream's kernel state slot
   * in the new model (-1 for window models); its state starts from zero either way.
   */
  rebind(model: ServedModel, keepChain: boolean, keepDetector: boolean, slot: number): EpisodeEvent[] {
    const events = keepDetector ? [] : this.detector.reset();
    if (!keepDetector) this.detector = new StreamDetector(model.detector);
    this.model = model;
    this.slot = slot;
    this.slotSegment = -1;
    if (!keepChain && this.chain !== undefined) {
      this.chain = undefined;
      this.restartPending = true;
    }
    return events;
  }

  /** The stream goes away: ends its open episodes. */
  close(): EpisodeEvent[] {
    this.closed = true;
    return this.detector.reset();
  }

  private startSegment(t: number, reset: boolean): void {
    if (reset) {
      this.chain?.reset();
      this.segment++;
    }
    this.segmentT0 = t;
  }

  private collect(windows: ReturnType<StreamChain['push']>, seq: number, receivedAt: number, out: ReadyWindow[]): void {
    const chain = this.chain!;
    for (const w of windows) {
      const r: ReadyWindow = { stream: this, data: w.data, start: this.segmentT0 + chain.msAfterStart(w.first), end: this.segmentT0 + chain.msAfterStart(w.last), seq, segment: this.segment, receivedAt };
      if (w.features) r.features = w.features;
      out.push(r);
    }
  }
}
