/**
 * The per-stream signal chain of a model: everything between raw sensor samples and the model's
 * input, built from the model's InputSpec alone. The MQTT host (one chain per stream),
 * `wavegate score --record` and the dataset builders (tools/datasets, tools/synth) all run this,
 * so a training window is cut exactly as the device cuts it (docs/signals.md, "The signal
 * contract").
 *
 *   raw frames --buildPipeline(input.preprocessing)--> model-rate frames
 *     fixed:  windows of `window` frames every `hop` frames, from the first frame on
 *     beat:   QRS detector (input.windowing.qrs) on the preprocessed first channel
 *             -> windows [r - before, r + after) around each R peak, with the RR side features
 *                (rr-features.ts) that input.features names, normalised as it says
 *     stream: each push hands on the preprocessed frames it produced (no windows)
 *
 *   const chain = createSignalChain(model.metadata.input, 360);
 *   for (const chunk of chunks) for (const w of chain.push(chunk)) session.run(w.data, 1, ...);
 *   chain.flush(); // end of a recording: decides the detector's last beats
 *
 * Time base of `sample`: the index of a raw input frame, counted from the first frame pushed into
 * this chain, at the stream's rate (for a record: its sample index). Output-rate indices are
 * mapped back with the pipeline's rate ratio and delay (Pipeline.inputIndex).
 *
 * Latency of a beat window: its R peak plus max(`after`, the detector's 3 s decision latency),
 * plus one beat when a feature uses postRR (the next R must be detected). Chunking does not
 * change what comes out: the same windows and features, bit for bit, whatever the chunk sizes.
 */
import { WavegateError } from '../errors.js';
import type { InputSpec, WindowingSpec } from '../model/schema.js';
import { BeatStream, type Beat } from './beats.js';
import { buildPipeline, type Pipeline } from './pipeline.js';
import { QRS_OPTION_NAMES, QrsDetector, type QrsOptions } from './qrs.js';
import { DEFAULT_LOCAL_BEATS, type RrFeatureSpec } from './rr-features.js';
import { WindowAssembler } from './window-assembler.js';

export type ChainMode = 'fixed' | 'beat' | 'stream';

/** One window of model input (or, in stream mode, one chunk of preprocessed frames). */
export interface ChainWindow {
  /** Ordinal among the windows this chain has emitted (0 = the first). */
  index: number;
  /**
   * Raw-stream frame index (from the first frame pushed, at the stream's rate): the R peak (beat),
   * the window's first frame (fixed), the chunk's first frame (stream). With given peaks, the
   * raw index that was given.
   */
  sample: number;
  /** The same point as an index of the preprocessed stream, at the model's rate. */
  at: number;
  /** [T, C] row-major at the model's rate: exactly what the model takes for this window. */
  data: Float32Array;
  /** Side features in input.features.names order (normalised); only for `rr` features. */
  features?: Float32Array;
  /** Beat mode: ordinal of the R peak among all peaks detected or given (0 = the first). */
  beat?: number;
}

export interface SignalChainOptions {
  /**
   * Beat mode: where R peaks come from. `detector` (default): the model's QRS detector on the
   * preprocessed first channel, as on the device. `given`: the caller passes them to
   * {@link SignalChain.pushPeaks} as raw-stream frame indices (datasets built from reference
   * annotations, whose windows and features then come out of the same code).
   */
  peaks?: 'detector' | 'given';
}

/** What the chain computes per window: RR features (`rr`), features the caller supplies (`external`), or none. */
export type FeatureSource = 'rr' | 'external' | 'none';

/** The first channel of a multi-channel chunk, for the detector; shared (consumed within push). */
let channel0 = new Float32Array(0);

export class SignalChain {
  readonly pipeline: Pipeline;
  readonly mode: ChainMode;
  /** Frames per window at the model rate (0 in stream mode). */
  readonly window: number;
  /** Channels of each frame at the model rate (the network's input channels). */
  readonly channels: number;
  readonly featureSource: FeatureSource;
  /** input.features.names ([] without features). */
  readonly featureNames: readonly string[];
  /** Beat mode with the detector: frames (model rate) between an R peak and its detection. */
  readonly detectorLatency: number | undefined;
  private readonly fixed: WindowAssembler | undefined;
  private readonly beats: BeatStream | undefined;
  private readonly detector: QrsDetector | undefined;
  private readonly givenRaw: Map<number, number> | undefined;
  private givenCount = 0;
  private lastGivenAt = Number.NEGATIVE_INFINITY;
  private seq = 0;
  private produced = 0;
  private emitted = 0;
  private ended = false;

  /** Use {@link createSignalChain}. */
  constructor(input: InputSpec, streamRate: number, options: SignalChainOptions = {}) {
    this.pipeline = buildPipeline(input, streamRate);
    this.channels = this.pipeline.outputChannels;
    const w = resolveWindowing(input);
    if (w.mode === 'beat' && this.channels !== this.pipeline.channels) throw new WavegateError('E_MODEL_UNSUPPORTED', 'input.windowing: beat windows need a signal to detect R peaks in; a spectrum stage hands on band values');
    this.mode = w.mode;
    const f = input.features;
    this.featureSource = f ? f.kind : 'none';
    this.featureNames = f ? [...f.names] : [];
    if (f?.kind === 'rr' && w.mode !== 'beat') throw new WavegateError('E_MODEL_UNSUPPORTED', `input.features: RR features need beat windowing, the model's is "${w.mode}"`);
    const fs = this.pipeline.outputRate;
    if (w.mode === 'fixed') {
      this.window = w.window;
      this.fixed = new WindowAssembler({ length: w.window, hop: w.hop, channels: this.channels, checkFinite: false });
    } else if (w.mode === 'beat') {
      this.window = w.before + w.after;
      const spec: RrFeatureSpec | undefined = f?.kind === 'rr' ? { names: f.names, localBeats: f.localBeats ?? DEFAULT_LOCAL_BEATS, normalize: f.normalize } : undefined;
      const peaks = options.peaks ?? 'detector';
      if (peaks === 'detector') {
        this.detector = new QrsDetector({ ...qrsOptions(w.qrs), fs });
        this.detectorLatency = this.detector.latencySamples;
      } else if (peaks === 'given') this.givenRaw = new Map();
      else throw new WavegateError('E_ARGUMENT', `signal chain: peaks must be "detector" or "given", got ${JSON.stringify(peaks)}`);
      this.beats = new BeatStream({
        before: w.before,
        after: w.after,
        channels: this.channels,
        features: spec ? { spec, fs } : undefined,
        // A detection arrives at most `latency` frames after its R; given peaks may come any time.
        maxPeakDelay: this.detector ? this.detector.latencySamples : Number.POSITIVE_INFINITY,
      });
    } else this.window = 0;
    if (options.peaks !== undefined && w.mode !== 'beat') throw new WavegateError('E_ARGUMENT', `signal chain: the peaks option applies to beat windowing, the model's is "${w.mode}"`);
  }

  get inputRate(): number {
    return this.pipeline.inputRate;
  }

  get outputRate(): number {
    return this.pipeline.outputRate;
  }

  /** Frames the preprocessing has produced so far, at the model rate. */
  get framesOut(): number {
    return this.produced;
  }

  /** Channels of the raw stream the chain takes (fewer than {@link channels} after a spectrum stage). */
  get streamChannels(): number {
    return this.pipeline.channels;
  }

  /** Pushes raw interleaved frames [frames, streamChannels] at the stream's rate; returns the windows they complete. */
  push(frames: Float32Array): ChainWindow[] {
    if (this.ended) throw new WavegateError('E_STATE', 'signal chain: push after flush (create a new chain for a new stream)');
    const out: ChainWindow[] = [];
    if (this.mode === 'stream') {
      const y = this.pipeline.process(frames); // handed on as it is: a fresh array
      const at = this.produced;
      this.produced += y.length / this.channels;
      if (y.length > 0) out.push(this.emit(y, at));
      return out;
    }
    // Fixed and beat windows copy what they keep, so the preprocessed chunk may live in the
    // pipelines' shared buffer (no allocation per chunk); it is consumed before this returns.
    const y = this.pipeline.processTransient(frames);
    this.produced += y.length / this.channels;
    if (this.fixed) {
      for (const a of this.fixed.push(this.seq++, y)) out.push(this.emit(a.data, a.start));
      return out;
    }
    const beats = this.beats!;
    if (this.detector) for (const b of beats.pushPeaks(this.detectChannel0(y))) out.push(this.emitBeat(b));
    for (const b of beats.pushSamples(y)) out.push(this.emitBeat(b));
    return out;
  }

  /**
   * Given-peaks beat mode: R peaks as raw-stream frame indices, increasing across calls. Each is
   * placed at Pipeline.outputIndex (the model rate, the chain's delay added); a peak that would
   * land on the previous one's output index moves one frame later, keeping every beat.
   */
  pushPeaks(rawPeaks: ArrayLike<number>): ChainWindow[] {
    if (!this.givenRaw || !this.beats) throw new WavegateError('E_STATE', 'signal chain: pushPeaks needs beat windowing with peaks "given"');
    const at: number[] = [];
    for (let i = 0; i < rawPeaks.length; i++) {
      const s = rawPeaks[i];
      if (!Number.isInteger(s)) throw new WavegateError('E_INPUT', `signal chain: R peak ${s} is not an integer frame index`);
      const o = Math.max(this.pipeline.outputIndex(s), this.lastGivenAt + 1);
      this.lastGivenAt = o;
      this.givenRaw.set(this.givenCount++, s);
      at.push(o);
    }
    return this.beats.pushPeaks(at).map((b) => this.emitBeat(b));
  }

  /**
   * Ends the stream (a recording's last sample was pushed): the detector decides its pending
   * beats as if the last value went on, and their windows come out if they were received. A
   * partial fixed window is dropped. The chain takes no more samples afterwards.
   */
  flush(): ChainWindow[] {
    if (this.ended) return [];
    this.ended = true;
    if (!this.beats || !this.detector) return [];
    return this.beats.pushPeaks(this.detector.flush()).map((b) => this.emitBeat(b));
  }

  private detectChannel0(y: Float32Array): number[] {
    if (this.channels === 1) return this.detector!.process(y);
    const n = y.length / this.channels;
    if (channel0.length < n) channel0 = new Float32Array(Math.max(n, 2 * channel0.length, 1024));
    const ch0 = channel0.subarray(0, n);
    for (let i = 0; i < n; i++) ch0[i] = y[i * this.channels];
    return this.detector!.process(ch0);
  }

  private emit(data: Float32Array, at: number): ChainWindow {
    return { index: this.emitted++, sample: this.pipeline.inputIndex(at), at, data };
  }

  private emitBeat(b: Beat): ChainWindow {
    const w = this.emit(b.data, b.r);
    w.beat = b.beat;
    if (b.features) w.features = b.features;
    if (this.givenRaw) {
      w.sample = this.givenRaw.get(b.beat)!;
      for (const k of this.givenRaw.keys()) {
        if (k > b.beat) break;
        this.givenRaw.delete(k);
      }
    }
    return w;
  }
}

/**
 * The chain of a model's input spec for one stream at `streamRate` Hz (interleaved
 * `input.channels` channels). Windowing comes from `input.windowing`; a model of format 1/2
 * without it cuts fixed windows of `input.window` frames every `input.hop` (default window), or
 * streams when it names no window.
 * @throws E_INPUT when the stream's rate does not fit the model's stages (pipeline.ts), E_MODEL_FORMAT for bad detector options or feature names,
 *   E_MODEL_UNSUPPORTED for RR features without beat windowing
 */
export function createSignalChain(input: InputSpec, streamRate: number, options: SignalChainOptions = {}): SignalChain {
  return new SignalChain(input, streamRate, options);
}

type Resolved = { mode: 'fixed'; window: number; hop: number } | Extract<WindowingSpec, { mode: 'beat' }> | { mode: 'stream' };

function resolveWindowing(input: InputSpec): Resolved {
  const w = input.windowing;
  if (w) return w;
  if (input.window !== undefined) return { mode: 'fixed', window: input.window, hop: input.hop ?? input.window };
  return { mode: 'stream' };
}

function qrsOptions(q: Record<string, unknown>): Omit<QrsOptions, 'fs'> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(q)) {
    if (k === 'detector') continue;
    if (!(QRS_OPTION_NAMES as readonly string[]).includes(k)) {
      throw new WavegateError('E_MODEL_FORMAT', `input.windowing.qrs.${k}: unknown detector option (known: ${QRS_OPTION_NAMES.join(', ')})`);
    }
    out[k] = v;
  }
  return out as Omit<QrsOptions, 'fs'>;
}
