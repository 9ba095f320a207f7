/**
 * The MQTT streaming host behind `wavegate serve`: subscribes to sample frames, keeps each
 * stream's chain and detector, scores every tick's ready windows in one kernel call per model,
 * and publishes alerts (QoS 1), refusals (errors topic) and its own status (retained, with a
 * last will). docs/mqtt-topics.md is the wire contract; src/mqtt/options.ts the settings.
 *
 *   const host = await WavegateHost.start({ models: [{ path: 'ecg.wgm' }] });
 *   host.on('alert', (a) => console.log(a));
 *   ...
 *   await host.stop();
 */
import { EventEmitter } from 'node:events';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import type { EpisodeEnd, EpisodeEvent, EpisodeStart } from '../detect/episodes.js';
import { sha256Hex } from '../model/digest.js';
import { WavegateError, type WavegateErrorCode } from '../errors.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker.js';
import type { RejectError } from './errors.js';
import { dispatch, type HandlerContext } from './handlers/index.js';
import { createLogger, type Logger } from './log.js';
import { ModelUpdater, readUpdateKeys, type UpdateKey } from './model-update.js';
import { ServedModel, type Scored, type ServeSettings } from './models.js';
import { resolveHostOptions, type HostOptions, type ResolvedHostOptions } from './options.js';
import { connectFailure, readCredentials, sendsCredentialsInClear } from './security.js';
import { LatencyReservoir, type HostStats } from './stats.js';
import { StreamTable } from './stream-table.js';
import type { ReadyWindow, StreamState } from './streams.js';
import { alertsTopic, errorsTopic, modelsTopic, modelTopic, SAMPLES_FILTER, scoresTopic, statusTopic } from './topics.js';

/** The alert payload on `wavegate/v1/<device>/alerts` (docs/mqtt-topics.md). */
export interface Alert {
  /** Stable id of the episode (hex): the same episode of the same data always gets the same id. */
  id: string;
  device: string;
  stream: string;
  class: string;
  score: number;
  /** ms since the epoch: start of the episode's first positive window, end of the window that raised it. */
  start: number;
  end: number;
  model: string;
  /** First 16 hex digits of the model file's verified digest. */
  modelVersion: string;
  /** seq of the frame that completed the raising window. */
  seq: number;
}

/** The errors-topic payload. */
export interface ErrorReport {
  device: string;
  stream: string;
  code: string;
  message: string;
  /** E_MODEL_UPDATE only: the library's code for why (E_MODEL_DIGEST, E_MODEL_FORMAT, ...). */
  reason?: string;
  /** E_MODEL_UPDATE only: the served model the update was for. */
  model?: string;
}

/** The `wavegate/v1/_node/<node-id>/models` payload (retained): what the host serves now. */
export interface ModelsReport {
  models: Array<{ name: string; version: string; source: 'file' | 'update'; since: number }>;
}

export interface HostEvents {
  alert: [Alert];
  /** An episode ended (logged; not published). */
  episodeEnd: [EpisodeEnd & { device: string; stream: string; model: string }];
  /** Every refusal and drop, whether or not the rate limit let it onto the errors topic. */
  reject: [ErrorReport];
  /** A window scored (only built when someone listens). */
  scored: [{ device: string; stream: string; model: string; start: number; end: number; seq: number; scores: Float32Array; latencyMs: number }];
  /** The host cannot go on (a kernel failure); it keeps its connection but scores nothing more. */
  fatal: [Error];
  /** A model update was verified and swapped in. */
  modelUpdated: [{ model: string; version: string; previous: string; streamsKept: number; streamsRestarted: number }];
}

/** Longest wait for the broker while stopping (the offline status, then the disconnect), ms. */
const STOP_WAIT_MS = 5000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from the broker for ${what} within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

/** Bound on the error-report rate limiter's keys per interval (garbage topics must not grow it). */
const MAX_REPORT_KEYS = 10_000;

export class WavegateHost extends EventEmitter<HostEvents> {
  readonly nodeId: string;
  private client!: MqttClient;
  private broker: EmbeddedBroker | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private tickScheduled = false;
  private failed = false;
  private stopped = false;
  private readonly reported = new Map<string, true>();
  private readonly latency = new LatencyReservoir();
  private readonly counters: Omit<HostStats, 'gaps' | 'missingFrames' | 'restarts' | 'zeroFilled' | 'streams' | 'devices' | 'streamsEvicted' | 'latencyMs'>;
  /** Per-stream counters of streams already closed, so totals survive eviction. */
  private readonly closedTotals = { gaps: 0, missingFrames: 0, restarts: 0, zeroFilled: 0 };
  private readonly ctx: HandlerContext;
  private updater: ModelUpdater | undefined;
  /** Where each served model came from and since when (the models topic). */
  private readonly modelSources = new Map<ServedModel, { source: 'file' | 'update'; since: number }>();

  private constructor(
    readonly options: ResolvedHostOptions,
    readonly models: ServedModel[],
    readonly streams: StreamTable,
    readonly log: Logger,
    private readonly settings: ServeSettings,
  ) {
    super();
    const now = Date.now();
    for (const m of models) this.modelSources.set(m, { source: 'file', since: now });
    this.nodeId = options.nodeId;
    this.counters = { framesReceived: 0, framesAccepted: 0, rejected: {}, reportsSuppressed: 0, windowsQueued: 0, windowsScored: 0, windowsDropped: 0, windowsLost: 0, alerts: 0, episodesEnded: 0, kernelCalls: 0, decodeMs: 0, chainMs: 0, kernelMs: 0 };
    this.ctx = {
      frameLimits: { maxPayloadBytes: options.maxPayloadBytes, maxChannels: options.maxChannels },
      policy: { gapPolicy: options.gapPolicy, maxFillMs: options.maxFillMs, timeToleranceMs: options.timeToleranceMs },
      streams,
      stats: this.counters as HostStats,
      reject: (device, stream, error) => this.reject(device, stream, error.reason, error.message),
      enqueue: (windows) => this.enqueue(windows),
    };
  }

  /** Turns model updates on (option modelUpdates): subscribed to in connect(). */
  private enableModelUpdates(keys: UpdateKey[]): void {
    this.updater = new ModelUpdater(this.options.modelUpdates!, keys, {
      models: this.models,
      streams: this.streams,
      settings: this.settings,
      log: this.log,
      drain: (m) => {
        while (!this.failed && m.queue.length > 0) this.tickModel(m);
      },
      ended: (stream, events) => events.forEach((e) => this.episode(stream, e)),
      refuse: (model, reason, message) => this.refuseUpdate(model, reason, message),
      swapped: (next, previous, counts) => {
        this.modelSources.set(next, { source: 'update', since: Date.now() });
        this.log.info({ model: next.name, version: next.version, previous: previous.version, streamsKept: counts.kept, streamsRestarted: counts.restarted }, 'model updated');
        this.publishModels();
        this.emit('modelUpdated', { model: next.name, version: next.version, previous: previous.version, streamsKept: counts.kept, streamsRestarted: counts.restarted });
      },
    });
    this.ctx.modelUpdate = (node, name, payload) => {
      if (node === this.nodeId && !this.stopped) this.updater!.receive(name, payload);
    };
  }

  /** Resolves when no model update is being verified or applied. */
  async modelUpdatesSettled(): Promise<void> {
    await this.updater?.settled();
  }

  /**
   * Loads the models, starts the embedded broker when no broker is named, connects, subscribes
   * and publishes "online".
   * @throws E_ARGUMENT (options, port in use, broker unreachable), E_NOT_FOUND / E_MODEL_* (models)
   */
  static async start(options: HostOptions): Promise<WavegateHost> {
    const o = resolveHostOptions(options);
    const log = o.log ?? createLogger(o.logLevel);
    const settings = { maxBatch: o.maxBatch, maxQueuedWindows: o.maxQueuedWindows, streamSlots: Math.min(o.maxDevices * o.maxStreamsPerDevice, 65536), backend: o.backend };
    const models: ServedModel[] = [];
    try {
      for (const m of o.models) models.push(await ServedModel.load(m, settings));
    } catch (e) {
      models.forEach((m) => m.dispose());
      throw e;
    }
    const host = new WavegateHost(o, models, new StreamTable(models, o), log, settings);
    try {
      if (o.modelUpdates) host.enableModelUpdates(await readUpdateKeys(o.modelUpdates.keys));
      await host.connect();
    } catch (e) {
      await host.stop().catch(() => undefined);
      throw e;
    }
    return host;
  }

  /** The broker the host is connected to. */
  get brokerUrl(): string {
    return this.options.broker ?? this.broker!.url;
  }

  private async connect(): Promise<void> {
    const o = this.options;
    if (o.broker === undefined) this.broker = await startEmbeddedBroker(o.host, o.port);
    const status = statusTopic(this.nodeId);
    // Files read now: an unreadable or mismatched certificate or key is an error before any connection.
    const credentials = readCredentials(o);
    if (sendsCredentialsInClear(o)) this.log.warn({ broker: this.brokerUrl }, 'the MQTT password crosses the network in clear: use mqtts:// (or requireTls)');
    const opts: IClientOptions = {
      ...credentials,
      clientId: o.clientId,
      // aedes speaks 3.1.1 only; external brokers get MQTT 5 unless told otherwise.
      protocolVersion: this.broker ? 4 : o.protocolVersion,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      // Refusal reports are QoS 0: while disconnected they are counted and logged, not queued.
      queueQoSZero: false,
      will: { topic: status, payload: Buffer.from('offline'), qos: 1, retain: true },
    };
    try {
      this.client = await connectAsync(this.brokerUrl, opts, false);
    } catch (e) {
      throw connectFailure(e, o, this.brokerUrl);
    }
    const online = () => {
      this.client.publish(status, 'online', { qos: 1, retain: true });
      this.publishModels();
      this.log.info({ broker: this.brokerUrl, node: this.nodeId, models: this.models.map((m) => m.name) }, 'connected');
    };
    this.client.on('connect', online);
    this.client.on('offline', () => this.log.warn({ broker: this.brokerUrl }, 'broker connection lost; reconnecting'));
    this.client.on('error', (e) => this.log.error({ err: connectFailure(e, o, this.brokerUrl).message }, 'mqtt client error'));
    this.client.on('message', (topic, payload) => dispatch(this.ctx, topic, payload));
    await this.client.subscribeAsync(SAMPLES_FILTER, { qos: o.samplesQos });
    if (this.updater) await this.client.subscribeAsync([modelTopic(this.nodeId), `${modelTopic(this.nodeId)}/+`], { qos: 1 });
    online();
    this.timers.push(setInterval(() => this.tick(), o.tickMs));
    this.timers.push(setInterval(() => this.evictIdle(), Math.min(5000, Math.max(50, o.idleTimeoutMs / 4))));
    if (o.errorReportIntervalMs > 0) this.timers.push(setInterval(() => this.reported.clear(), o.errorReportIntervalMs));
    this.timers.forEach((t) => t.unref());
  }

  /** Counters since start. */
  stats(): HostStats {
    const g = { ...this.closedTotals };
    for (const s of this.streams.values()) {
      g.gaps += s.counters.gaps;
      g.missingFrames += s.counters.missingFrames;
      g.restarts += s.counters.restarts;
      g.zeroFilled += s.counters.zeroFilled;
    }
    const l = this.latency;
    return {
      ...this.counters,
      rejected: { ...this.counters.rejected },
      ...g,
      streams: this.streams.size,
      devices: this.streams.deviceCount,
      streamsEvicted: this.streams.evicted,
      latencyMs: { p50: l.percentile(50), p99: l.percentile(99), max: l.max, count: l.count },
    };
  }

  /**
   * Stops intake (frames still arriving are ignored), scores what is queued, ends open episodes,
   * publishes "offline" (retained), disconnects and stops the embedded broker. Each broker round
   * trip is bounded by STOP_WAIT_MS, so a congested or vanished broker cannot hold the host.
   * Safe to call twice.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timers.forEach((t) => clearInterval(t));
    if (this.client) {
      this.client.removeAllListeners('message');
      this.client.unsubscribe(SAMPLES_FILTER);
      this.updater?.stop();
      while (!this.failed && this.models.some((m) => m.queue.length > 0)) this.tick();
      for (const { stream, events } of this.streams.closeAll()) this.closed(stream, events);
      try {
        if (this.client.connected) await withTimeout(this.client.publishAsync(statusTopic(this.nodeId), 'offline', { qos: 1, retain: true }), STOP_WAIT_MS, 'the offline status');
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'could not publish offline status');
      }
      // Alerts published just before wait for their PUBACKs here, up to the bound; then the connection is dropped.
      await withTimeout(this.client.endAsync(), STOP_WAIT_MS, 'a clean disconnect').catch(async (e: Error) => {
        this.log.warn({ err: e.message }, 'disconnecting without waiting');
        await this.client.endAsync(true);
      });
    }
    await this.broker?.close();
    this.models.forEach((m) => m.dispose());
    this.log.info({ stats: this.stats() }, 'stopped');
  }

  private enqueue(windows: ReadyWindow[]): void {
    for (const w of windows) {
      this.counters.windowsQueued++;
      const q = w.stream.model.queue;
      const dropped = q.push(w);
      if (dropped) {
        dropped.stream.counters.dropped++;
        this.counters.windowsDropped++;
        this.counters.windowsLost++;
        const m = dropped.stream.model;
        this.reject(dropped.stream.device, dropped.stream.stream, 'E_DROPPED', `${dropped.stream.key}: window ending ${new Date(dropped.end).toISOString()} dropped unscored: inference is behind and model ${m.name}'s queue is full (maxQueuedWindows ${q.capacity}); ${dropped.stream.counters.dropped} dropped on this stream so far`);
      }
      if (q.length >= this.options.maxBatch) this.scheduleTick();
    }
  }

  private scheduleTick(): void {
    if (this.tickScheduled) return;
    this.tickScheduled = true;
    setImmediate(() => {
      this.tickScheduled = false;
      this.tick();
    });
  }

  /** One scoring round: every model's queued windows, one kernel call per model. */
  private tick(): void {
    for (const m of this.models) if (!this.failed) this.tickModel(m);
  }

  /** Scores up to maxWindowsPerTick of one model's queued windows in one kernel call. */
  private tickModel(m: ServedModel): void {
    if (this.failed || m.queue.length === 0) return;
    const before = m.queue.length;
    const t0 = performance.now();
    let scored: Scored[];
    try {
      scored = m.score(this.options.maxWindowsPerTick);
    } catch (e) {
      this.failed = true;
      this.log.error({ model: m.name, err: (e as Error).message }, 'kernel failure: scoring stopped');
      this.emit('fatal', e as Error);
      return;
    }
    const t1 = performance.now();
    this.counters.kernelCalls++;
    this.counters.kernelMs += t1 - t0;
    // Windows of streams closed while queued were taken but not scored.
    const taken = before - m.queue.length;
    if (m.mode !== 'stream') this.counters.windowsLost += taken - scored.length;
    for (const s of scored) this.scoredWindow(m, s, t1);
  }

  private scoredWindow(m: ServedModel, s: Scored, now: number): void {
    const w = s.window;
    const latencyMs = now - w.receivedAt;
    this.latency.add(latencyMs);
    this.counters.windowsScored++;
    const st = w.stream;
    if (this.listenerCount('scored') > 0) this.emit('scored', { device: st.device, stream: st.stream, model: m.name, start: w.start, end: w.end, seq: w.seq, scores: s.scores.slice(), latencyMs });
    if (this.options.publishScores && this.client.connected) {
      // Float32 outputs as JSON numbers: each prints the shortest decimal that reads back to the same float32 bits.
      const payload = { device: st.device, stream: st.stream, model: m.name, modelVersion: m.version, start: Math.round(w.start), end: Math.round(w.end), seq: w.seq, scores: Array.from(s.scores) };
      this.client.publish(scoresTopic(st.device), JSON.stringify(payload), { qos: 0 });
    }
    for (const e of st.observe(w, s.scores)) this.episode(st, e);
  }

  private episode(st: StreamState, e: EpisodeEvent): void {
    if (e.kind === 'end') {
      this.counters.episodesEnded++;
      this.log.info({ device: st.device, stream: st.stream, class: e.class, start: Math.round(e.start), end: Math.round(e.end), reason: e.reason }, 'episode ended');
      this.emit('episodeEnd', { ...e, device: st.device, stream: st.stream, model: st.model.name });
      return;
    }
    this.publishAlert(st, e);
  }

  private publishAlert(st: StreamState, e: EpisodeStart): void {
    const m = st.model;
    const start = Math.round(e.start);
    const alert: Alert = {
      id: sha256Hex(new TextEncoder().encode(`${st.device}\n${st.stream}\n${e.class}\n${start}\n${m.name}`)).slice(0, 32),
      device: st.device,
      stream: st.stream,
      class: e.class,
      score: Math.round(e.score * 1e6) / 1e6,
      start,
      end: Math.round(e.end),
      model: m.name,
      modelVersion: m.version,
      seq: e.seq,
    };
    this.counters.alerts++;
    this.client.publish(alertsTopic(st.device), JSON.stringify(alert), { qos: 1 }, (err) => {
      if (err) this.log.error({ alert: alert.id, err: err.message }, 'alert publish failed');
    });
    this.log.info({ alert }, 'alert');
    this.emit('alert', alert);
  }

  private reject(device: string, stream: string, code: RejectError['reason'], message: string): void {
    const rejected = this.counters.rejected;
    rejected[code] = (rejected[code] ?? 0) + 1;
    const report: ErrorReport = { device: device.slice(0, 128), stream: stream.slice(0, 128), code, message: message.slice(0, 1000) };
    this.emit('reject', report);
    const key = `${code}\n${report.device}\n${report.stream}`;
    if (this.options.errorReportIntervalMs > 0 && (this.reported.has(key) || this.reported.size >= MAX_REPORT_KEYS)) {
      this.counters.reportsSuppressed++;
      return;
    }
    this.reported.set(key, true);
    this.log.warn(report, 'frame refused');
    if (this.client?.connected) this.client.publish(errorsTopic(this.nodeId), JSON.stringify(report), { qos: 0 });
  }

  /** A refused model update: counted, logged and reported (rate limited as frame refusals are). */
  private refuseUpdate(model: string, reason: WavegateErrorCode, message: string): void {
    const rejected = this.counters.rejected;
    rejected.E_MODEL_UPDATE = (rejected.E_MODEL_UPDATE ?? 0) + 1;
    const report: ErrorReport = { device: '_node', stream: 'model', code: 'E_MODEL_UPDATE', message: message.slice(0, 1000), reason, model: model.slice(0, 64) };
    this.log.error({ model: report.model, reason, err: report.message }, 'model update refused; the served model stays');
    this.emit('reject', report);
    const key = `E_MODEL_UPDATE\n${report.model}\n${reason}`;
    if (this.options.errorReportIntervalMs > 0 && this.reported.has(key)) {
      this.counters.reportsSuppressed++;
      return;
    }
    this.reported.set(key, true);
    if (this.client?.connected) this.client.publish(errorsTopic(this.nodeId), JSON.stringify(report), { qos: 0 });
  }

  /** The served models and their versions, retained on wavegate/v1/_node/<node-id>/models. */
  private publishModels(): void {
    if (!this.client?.connected) return;
    const report: ModelsReport = { models: this.models.map((m) => ({ name: m.name, version: m.version, ...(this.modelSources.get(m) ?? { source: 'file' as const, since: 0 }) })) };
    this.client.publish(modelsTopic(this.nodeId), JSON.stringify(report), { qos: 1, retain: true });
  }

  private evictIdle(): void {
    for (const { stream, events } of this.streams.evictIdle(Date.now(), this.options.idleTimeoutMs)) this.closed(stream, events);
  }

  private closed(stream: StreamState, events: EpisodeEvent[]): void {
    const c = stream.counters;
    this.closedTotals.gaps += c.gaps;
    this.closedTotals.missingFrames += c.missingFrames;
    this.closedTotals.restarts += c.restarts;
    this.closedTotals.zeroFilled += c.zeroFilled;
    this.log.debug({ device: stream.device, stream: stream.stream, counters: c }, 'stream closed');
    for (const e of events) this.episode(stream, e);
  }
}
