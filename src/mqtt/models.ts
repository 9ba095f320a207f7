/**
 * A model the host serves: the loaded .wgm, its kernel session, labels and detector settings,
 * and its bounded queue of ready windows. Every tick, {@link ServedModel.score} gathers the
 * queued windows of all its streams into one `session.run` (window models) or one `session.push`
 * per chunk length (streaming models, state kept per stream slot in the kernel).
 */
import { resolveDetectorConfig, type DetectorConfig } from '../detect/config.js';
import { WavegateError } from '../errors.js';
import type { WgmMetadata } from '../model/schema.js';
import { loadModel, type Model } from '../runtime/model.js';
import type { Session } from '../runtime/session.js';
import { streamChannels } from '../signal/pipeline.js';
import type { BackendChoice } from '../runtime/options.js';
import { modelName, type ModelConfig } from './options.js';
import { windowingOf, type ChainMode } from './stream-chain.js';
import type { ReadyWindow, StreamState } from './streams.js';
import { topicMatches } from './topics.js';
import { BoundedQueue } from './window-queue.js';

export interface ServeSettings {
  maxBatch: number;
  maxQueuedWindows: number;
  /** Kernel state slots for streaming models (the most streams one model can hold). */
  streamSlots: number;
  backend: BackendChoice;
}

/** One scored window and its output row. */
export interface Scored {
  window: ReadyWindow;
  scores: Float32Array;
}

export class ServedModel {
  readonly queue: BoundedQueue<ReadyWindow>;
  private readonly freeSlots: number[] = [];
  private batch = new Float32Array(0);
  private streamChannelCount: number | undefined;

  private constructor(
    readonly name: string,
    readonly path: string,
    private readonly model: Model,
    readonly session: Session,
    readonly labels: string[],
    readonly detector: DetectorConfig,
    readonly mode: ChainMode,
    readonly match: string[] | undefined,
    settings: ServeSettings,
    /** The config it was loaded with (a model update keeps it: name, match, labels, detector). */
    readonly config: ModelConfig,
  ) {
    this.queue = new BoundedQueue(settings.maxQueuedWindows);
    if (mode === 'stream') for (let s = settings.streamSlots - 1; s >= 0; s--) this.freeSlots.push(s);
  }

  /**
   * Loads and checks a model for serving; `loaded`: a model already loaded (a verified model
   * update), served under `cfg` instead of reading `cfg.path`.
   * @throws E_NOT_FOUND / E_MODEL_* from the loader; E_MODEL_UNSUPPORTED for what the host cannot run; E_ARGUMENT for bad config
   */
  static async load(cfg: ModelConfig, settings: ServeSettings, loaded?: Model): Promise<ServedModel> {
    const model = loaded ?? (await loadModel(cfg.path));
    const meta = model.metadata;
    const name = cfg.name ?? modelName(cfg.path);
    const where = `model ${name} (${cfg.path})`;
    if (meta.input.features?.kind === 'external') {
      // A sample frame carries samples only; nothing could supply caller-side features.
      throw new WavegateError('E_MODEL_UNSUPPORTED', `${where}: side features of kind "external" (input.features) cannot come over MQTT; the host serves RR features (kind "rr") and models without side features`);
    }
    const labels = cfg.labels ?? meta.labels ?? Array.from({ length: meta.output.size }, (_, i) => `class${i}`);
    if (labels.length !== meta.output.size) throw new WavegateError('E_ARGUMENT', `${where}: ${labels.length} labels for ${meta.output.size} outputs`);
    let detector: DetectorConfig;
    try {
      detector = resolveDetectorConfig(labels, meta.detector, cfg.detector);
    } catch (e) {
      throw new WavegateError('E_ARGUMENT', `${where}: ${(e as Error).message}`);
    }
    const windowing = windowingOf(meta.input);
    if (windowing.mode === 'stream' && model.plan.notStreamable) throw new WavegateError('E_MODEL_UNSUPPORTED', `${where}: streaming windowing, but ${model.plan.notStreamable}`);
    const window = windowing.mode === 'fixed' ? windowing.window : windowing.mode === 'beat' ? windowing.before + windowing.after : undefined;
    const session = await model.createSession({
      maxBatch: settings.maxBatch,
      backend: settings.backend,
      ...(window !== undefined ? { maxWindow: window } : {}),
      ...(windowing.mode === 'stream' ? { streams: settings.streamSlots } : {}),
    });
    return new ServedModel(name, cfg.path, model, session, labels, detector, windowing.mode, cfg.match, settings, cfg);
  }

  get metadata(): WgmMetadata {
    return this.model.metadata;
  }

  /** Channels of each window (the network's input channels). */
  get channels(): number {
    return this.model.metadata.input.channels;
  }

  /** Channels of the sample frames a stream sends (fewer than {@link channels} after a spectrum stage); checked on every frame, so computed once. */
  get streamChannels(): number {
    this.streamChannelCount ??= streamChannels(this.model.metadata.input);
    return this.streamChannelCount;
  }

  /** The verified SHA-256 digest of the model file (hex). */
  get digest(): string | undefined {
    return this.model.digest;
  }

  /** The model's identity in alerts: the first 16 hex digits of its verified digest. */
  get version(): string {
    return (this.model.digest ?? '').slice(0, 16);
  }

  /** True when one of this model's `match` filters takes "<device>/<stream>". */
  matches(device: string, stream: string): boolean {
    return this.match !== undefined && this.match.some((f) => topicMatches(f, `${device}/${stream}`));
  }

  /** A kernel state slot for a new stream of a streaming model; undefined when all are taken. */
  acquireSlot(): number | undefined {
    return this.freeSlots.pop();
  }

  releaseSlot(slot: number): void {
    if (slot >= 0) this.freeSlots.push(slot);
  }

  /** A model update: the streams moving here keep their slot numbers, which are no longer free. */
  adoptSlots(taken: ReadonlySet<number>): void {
    if (taken.size === 0) return;
    const free = this.freeSlots.filter((s) => !taken.has(s));
    this.freeSlots.length = 0;
    for (const s of free) this.freeSlots.push(s);
  }

  /** Scores up to `limit` queued windows in one kernel call (per chunk length for streaming models). */
  score(limit: number): Scored[] {
    const windows = this.queue.take(limit).filter((w) => !w.stream.closed);
    if (windows.length === 0) return [];
    return this.mode === 'stream' ? this.pushChunks(windows) : this.runWindows(windows);
  }

  private runWindows(windows: ReadyWindow[]): Scored[] {
    const size = windows[0].data.length;
    const T = size / this.channels;
    // One input buffer per model, grown to the largest tick seen (bounded by maxWindowsPerTick).
    if (this.batch.length < windows.length * size) this.batch = new Float32Array(windows.length * size);
    const batch = this.batch.subarray(0, windows.length * size);
    windows.forEach((w, i) => batch.set(w.data, i * size));
    const F = this.metadata.input.features?.names.length ?? 0;
    let features: Float32Array | undefined;
    if (F > 0) {
      features = new Float32Array(windows.length * F);
      windows.forEach((w, i) => features!.set(w.features!, i * F));
    }
    const out = this.session.run(batch, windows.length, features ? { T, features } : T);
    const S = this.session.outputSize;
    return windows.map((w, i) => ({ window: w, scores: out.subarray(i * S, (i + 1) * S) }));
  }

  /**
   * Streaming models: each stream's chunks of this tick joined in order, then one push per
   * distinct length. A stream's chunks from two segments go in two rounds, its slot reset between.
   */
  private pushChunks(windows: ReadyWindow[]): Scored[] {
    const byStream = new Map<StreamState, ReadyWindow[]>();
    for (const w of windows) {
      const list = byStream.get(w.stream);
      if (list) list.push(w);
      else byStream.set(w.stream, [w]);
    }
    const scored: Scored[] = [];
    const S = this.session.outputSize;
    while (byStream.size > 0) {
      // One round: for each stream, its chunks up to the first segment change.
      const byLength = new Map<number, Array<{ stream: StreamState; data: Float32Array; last: ReadyWindow; first: ReadyWindow }>>();
      for (const [stream, list] of byStream) {
        let n = 1;
        while (n < list.length && list[n].segment === list[0].segment) n++;
        const part = list.splice(0, n);
        if (list.length === 0) byStream.delete(stream);
        if (stream.slotSegment !== part[0].segment) {
          this.session.reset([stream.slot]);
          stream.slotSegment = part[0].segment;
        }
        const total = part.reduce((k, w) => k + w.data.length, 0);
        const data = new Float32Array(total);
        let at = 0;
        for (const w of part) { data.set(w.data, at); at += w.data.length; }
        const entry = { stream, data, first: part[0], last: part[part.length - 1] };
        const group = byLength.get(total);
        if (group) group.push(entry);
        else byLength.set(total, [entry]);
      }
      for (const group of byLength.values()) {
        const out = this.session.push(group.map((g) => g.stream.slot), group.map((g) => g.data));
        group.forEach((g, b) => scored.push({ window: { ...g.last, start: g.first.start }, scores: out.subarray(b * S, (b + 1) * S) }));
      }
    }
    return scored;
  }

  dispose(): void {
    this.model.dispose();
  }
}
