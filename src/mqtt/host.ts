/**
 * The MQTT streaming host behind `wavegate serve`: subscribes to sample frames, keeps each
 * stream's chain and detector, scores every tick's ready windows in one kernel call per model,
 * and publishes alerts (QoS 1), refusals (errors topic) and its own status (retained, with a
 * last will). docs/mqtt-topics.md is the wire contract; src/mqtt/options.ts the settings.
 *
 * This class is the orchestrator (start, connect, tick, stop) and stays one file of about 500
 * lines for that: each concern it wires lives in a module of its own (frame handlers, stream
 * table, served models, detectors, outbox and alert sender, error reports, scale-out, model
 * updates, client options, security), and what remains here is their order and lifetime.
 *
 *   const host = await WavegateHost.start({ models: [{ path: 'ecg.wgm' }] });
 *   host.on('alert', (a) => console.log(a));
 *   ...
 *   await host.stop();
 */
import { EventEmitter } from 'node:events';
import { connect as mqttConnect, type MqttClient } from 'mqtt';
import type { EpisodeEvent, EpisodeStart } from '../detect/episodes.js';
import { WavegateError, type WavegateErrorCode } from '../errors.js';
import { AlertSender } from './alert-sender.js';
import { ErrorReporter } from './error-reports.js';
import { alertFor, type ErrorReport, type HostEvents, type HostHealth, type ModelsReport } from './host-events.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker.js';
import { hostClientOptions } from './client-options.js';
import type { RejectError } from './errors.js';
import { dispatch, type HandlerContext } from './handlers/index.js';
import { createLogger, ThrottledLog, type Logger } from './log.js';
import { ModelUpdater, readUpdateKeys, type UpdateKey } from './model-update.js';
import { ServedModel, type Scored, type ServeSettings } from './models.js';
import { OutboxError, type Outbox } from './outbox.js';
import { openOutbox } from './outbox-disk.js';
import { startOpsServer, type OpsServer } from '../ops/http.js';
import { resolveHostOptions, type HostOptions, type ResolvedHostOptions } from './options.js';
import { connectFailure, readCredentials, sendsCredentialsInClear } from './security.js';
import { LatencyReservoir, type HostStats } from './stats.js';
import { StreamTable } from './stream-table.js';
import type { ReadyWindow, StreamState } from './streams.js';
import { ShareMembership } from './share.js';
import { alertsTopic, errorsTopic, modelsTopic, modelTopic, parseTopic, SAMPLES_FILTER, scoresTopic, statusTopic } from './topics.js';

export type { Alert, ErrorReport, HostEvents, HostHealth, ModelsReport } from './host-events.js';

/** At most one 'mqtt client error' line per this many ms while the same outage lasts. */
const CLIENT_ERROR_LOG_MS = 60_000;

/** Longest wait for the broker while stopping (the offline status, then the disconnect), ms. */
const STOP_WAIT_MS = 5000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from the broker for ${what} within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

export class WavegateHost extends EventEmitter<HostEvents> {
  readonly nodeId: string;
  private client!: MqttClient;
  private broker: EmbeddedBroker | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private tickScheduled = false;
  private failed = false;
  private stopped = false;
  private readonly reports: ErrorReporter;
  private readonly latency = new LatencyReservoir();
  private readonly counters: Omit<HostStats, 'gaps' | 'missingFrames' | 'restarts' | 'zeroFilled' | 'streams' | 'devices' | 'streamsEvicted' | 'latencyMs'>;
  /** Per-stream counters of streams already closed, so totals survive eviction. */
  private readonly closedTotals = { gaps: 0, missingFrames: 0, restarts: 0, zeroFilled: 0 };
  private readonly ctx: HandlerContext;
  private updater: ModelUpdater | undefined;
  /** Where each served model came from and since when (the models topic). */
  private readonly modelSources = new Map<ServedModel, { source: 'file' | 'update'; since: number }>();
  private sender: AlertSender | undefined;
  /** Alerts appended since the last fsync of the outbox. */
  private unsynced = false;
  /** Set when stopping: frames are no longer taken (QoS 1 ones are left unacknowledged, for the next session). */
  private intakeStopped = false;
  private ops: OpsServer | undefined;
  private connectFailed = false;
  /** Scale-out membership (shareGroup), src/mqtt/share.ts. */
  private share: ShareMembership | undefined;
  /** Called with every scored window's latency (ms) when set (the metrics endpoint's histogram). */
  onScoredLatency: ((model: string, ms: number) => void) | undefined;

  private constructor(
    readonly options: ResolvedHostOptions,
    readonly models: ServedModel[],
    readonly streams: StreamTable,
    readonly log: Logger,
    private readonly settings: ServeSettings,
    /** Where alerts wait for the broker's acknowledgement (src/mqtt/outbox.ts). */
    readonly outbox: Outbox,
  ) {
    super();
    const now = Date.now();
    for (const m of models) this.modelSources.set(m, { source: 'file', since: now });
    this.nodeId = options.nodeId;
    this.counters = { framesReceived: 0, framesAccepted: 0, rejected: {}, reportsSuppressed: 0, windowsQueued: 0, windowsScored: 0, windowsDropped: 0, windowsLost: 0, alerts: 0, alertsDelivered: 0, alertsRefused: 0, episodesEnded: 0, kernelCalls: 0, decodeMs: 0, chainMs: 0, kernelMs: 0 };
    this.reports = new ErrorReporter({
      intervalMs: options.errorReportIntervalMs,
      counters: this.counters,
      emit: (r) => this.emit('reject', r),
      publish: (payload) => {
        if (this.client?.connected) this.client.publish(errorsTopic(this.nodeId), payload, { qos: 0 });
      },
    });
    this.ctx = {
      frameLimits: { maxPayloadBytes: options.maxPayloadBytes, maxChannels: options.maxChannels },
      policy: { gapPolicy: options.gapPolicy, maxFillMs: options.maxFillMs, timeToleranceMs: options.timeToleranceMs },
      streams,
      stats: this.counters as HostStats,
      reject: (device, stream, error) => this.reject(device, stream, error.reason, error.message),
      enqueue: (windows, now) => {
        this.enqueue(windows);
        // A QoS 1 frame is acknowledged when its handler returns: score what it completed first,
        // so that an acknowledged frame's alerts are in the outbox (src/mqtt/handlers/samples.ts).
        if (now) this.tick();
      },
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
        this.syncOutbox();
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
    let outbox: Outbox;
    try {
      outbox = openOutbox(o.outboxDir, { maxAlerts: o.outboxMaxAlerts, maxBytes: o.outboxMaxBytes }, log);
    } catch (e) {
      models.forEach((m) => m.dispose());
      throw e;
    }
    const host = new WavegateHost(o, models, new StreamTable(models, o), log, settings, outbox);
    try {
      if (o.modelUpdates) host.enableModelUpdates(await readUpdateKeys(o.modelUpdates.keys));
      await host.connect();
      if (o.httpPort !== undefined) {
        host.ops = await startOpsServer(host, o.httpHost, o.httpPort);
        log.info({ url: host.ops.url }, 'metrics on /metrics, health on /healthz');
      }
    } catch (e) {
      await host.stop().catch(() => undefined);
      throw e;
    }
    return host;
  }

  /** http://host:port of /metrics and /healthz, when the endpoint is on (httpPort). */
  get httpUrl(): string | undefined {
    return this.ops?.url;
  }

  /** Broker connection, models, outbox: what /healthz reports. */
  health(): HostHealth {
    const ob = this.outbox;
    const connected = this.client?.connected === true;
    const loaded = this.models.length > 0 && !this.failed;
    return {
      ok: connected && loaded && !ob.full && !this.stopped,
      broker: { connected, url: this.brokerUrl },
      model: { loaded, names: this.models.map((m) => m.name), failed: this.failed },
      outbox: { kind: ob.kind, alerts: ob.size, bytes: ob.bytes, maxAlerts: ob.limits.maxAlerts, maxBytes: ob.limits.maxBytes, full: ob.full },
      stopping: this.stopped,
      ...(this.share ? { share: this.share.info() } : {}),
    };
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
    const opts = hostClientOptions(o, this.broker !== undefined, credentials);
    // Every handler is in place before the connection opens: a resumed session's queued frames
    // arrive right after CONNACK, and one handled by nobody would still be acknowledged.
    this.client = mqttConnect(this.brokerUrl, opts);
    const connected = new Promise<void>((resolve, reject) => {
      const fail = (e: Error) => {
        this.client.off('connect', ok);
        reject(connectFailure(e, o, this.brokerUrl));
      };
      const ok = () => {
        this.client.off('error', fail);
        resolve();
      };
      this.client.once('connect', ok);
      this.client.once('error', fail);
    });
    const online = () => {
      this.client.publish(status, 'online', { qos: 1, retain: true });
      this.publishModels();
      this.log.info({ broker: this.brokerUrl, node: this.nodeId, models: this.models.map((m) => m.name) }, 'connected');
    };
    this.sender = new AlertSender(this.client, this.outbox, o.maxInflightAlerts, {
      delivered: () => this.counters.alertsDelivered++,
      refused: (e, code, message) => {
        this.counters.alertsRefused++;
        this.log.error({ topic: e.topic, alert: e.payload, reasonCode: code, err: message }, 'the broker refused an alert; it is dropped from the outbox (logged here whole)');
        this.reject(this.nodeId, '-', 'E_ALERT_REFUSED', `the broker refused alert ${e.payload.slice(7, 39)} on ${e.topic}: reason code 0x${code.toString(16)} (${message})`);
      },
      failed: (e, message) => this.log.warn({ topic: e.topic, err: message }, 'alert publish failed; it stays in the outbox'),
      stalled: (inFlight, ms) => this.log.error({ inFlight, stalledMs: ms, outbox: this.outbox.size }, 'alert delivery stalled: no acknowledgement from the broker; reconnecting'),
    });
    // Frames are handled synchronously in the 'message' event; once intake has stopped, QoS 1
    // frames are not acknowledged (a callback with an error sends no PUBACK), so the broker
    // delivers them again to this node's next session instead of losing them.
    this.client.handleMessage = (packet, callback) => (this.intakeStopped && packet.qos > 0 ? callback(new Error('intake stopped')) : callback());
    if (o.shareGroup !== undefined) this.share = new ShareMembership(this.client, o.shareGroup, this.nodeId, o.samplesQos, o.maxDevices, (what, err) => this.log.error({ err: err.message, group: o.shareGroup }, `scale-out: ${what} failed`));
    let reconnect = false;
    this.client.on('connect', () => {
      const failed = clientErrors.reset();
      if (failed > 0) this.log.info({ failedAttempts: failed }, 'broker reachable again');
      online();
      this.sender?.pump();
      if (reconnect && this.share) this.share.join().catch((e: Error) => this.log.error({ err: e.message }, 'scale-out: joining the group again failed'));
      reconnect = true;
    });
    this.client.on('offline', () => this.log.warn({ broker: this.brokerUrl }, 'broker connection lost; reconnecting'));
    // While the broker is away mqtt.js fails a reconnect every second: one line a minute says so.
    const clientErrors = new ThrottledLog(CLIENT_ERROR_LOG_MS);
    this.client.on('error', (e) => clientErrors.log((extra) => this.log.error({ err: connectFailure(e, o, this.brokerUrl).message, ...extra }, 'mqtt client error')));
    this.client.on('message', (topic, payload, packet) => {
      if (this.intakeStopped) return;
      if (this.share) {
        if (this.share.control(topic, payload)) return;
        const t = parseTopic(topic);
        if (t.kind === 'samples' && !this.share.accept(t.device, packet.properties?.subscriptionIdentifier)) return;
      }
      dispatch(this.ctx, topic, payload, packet.qos);
    });
    try {
      await connected;
    } catch (e) {
      this.client.end(true);
      this.connectFailed = true; // stop() has no connection to close
      throw e;
    }
    if (this.share) await this.share.join();
    else await this.client.subscribeAsync(SAMPLES_FILTER, { qos: o.samplesQos });
    if (this.updater) await this.client.subscribeAsync([modelTopic(this.nodeId), `${modelTopic(this.nodeId)}/+`], { qos: 1 });
    this.timers.push(setInterval(() => this.tick(), o.tickMs));
    this.timers.push(setInterval(() => this.evictIdle(), Math.min(5000, Math.max(50, o.idleTimeoutMs / 4))));
    this.timers.push(setInterval(() => this.sender?.checkStall(), 5000));
    if (o.errorReportIntervalMs > 0) this.timers.push(setInterval(() => this.reports.newInterval(), o.errorReportIntervalMs));
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
   * Stops intake (frames still arriving are ignored; QoS 1 ones are not acknowledged, so the
   * broker keeps them for the next session), scores what is queued, ends open episodes, waits up
   * to shutdownTimeoutMs for the broker to acknowledge every alert in the outbox, publishes
   * "offline" (retained), disconnects and stops the embedded broker. A broker that did not
   * acknowledge the alerts in time gets no further waiting: the connection is dropped (its last
   * will says "offline") and the alerts stay in the outbox. Safe to call twice.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timers.forEach((t) => clearInterval(t));
    if (this.client && !this.connectFailed) {
      const started = Date.now();
      this.intakeStopped = true;
      this.client.removeAllListeners('message');
      // A persistent session keeps the subscription, so frames sent while the host is away wait for it.
      if (this.options.sessionExpirySeconds === 0) this.client.unsubscribe(SAMPLES_FILTER);
      this.updater?.stop();
      while (!this.failed && this.models.some((m) => m.queue.length > 0)) this.tick();
      for (const { stream, events } of this.streams.closeAll()) this.closed(stream, events);
      this.syncOutbox();
      // Flush: wait for the broker to acknowledge every alert, within the bound (on disk they are kept anyway).
      let answering = this.client.connected;
      if (answering && this.outbox.size > 0) {
        this.sender?.pump();
        const left = Math.max(0, this.options.shutdownTimeoutMs - (Date.now() - started));
        answering = await this.sender!.idle(left);
        if (!answering) this.log.warn({ pending: this.outbox.size, outbox: this.outbox.kind }, `stopping with alerts not yet acknowledged: ${this.outbox.kind === 'disk' ? 'they stay in the outbox for the next start' : 'they are lost (memory outbox; set outboxDir)'}`);
      } else if (this.outbox.size > 0) {
        this.log.warn({ pending: this.outbox.size, outbox: this.outbox.kind }, `broker not connected: ${this.outbox.size} alert(s) ${this.outbox.kind === 'disk' ? 'stay in the outbox for the next start' : 'are lost (memory outbox; set outboxDir)'}`);
      }
      if (answering) {
        // "offline" ourselves, then a clean disconnect, each bounded
        try {
          if (this.share) await withTimeout(this.share.leave(), STOP_WAIT_MS, 'leaving the group');
          await withTimeout(this.client.publishAsync(statusTopic(this.nodeId), 'offline', { qos: 1, retain: true }), STOP_WAIT_MS, 'the offline status');
        } catch (e) {
          this.log.warn({ err: (e as Error).message }, 'could not publish offline status');
        }
        await withTimeout(this.client.endAsync(), STOP_WAIT_MS, 'a clean disconnect').catch(async (e: Error) => {
          this.log.warn({ err: e.message }, 'disconnecting without waiting');
          await this.client.endAsync(true);
        });
      } else {
        // A broker that does not answer gets no more waiting: the connection is dropped without
        // DISCONNECT, so the broker publishes the last will ("offline") when it notices.
        await this.client.endAsync(true);
      }
    }
    await this.broker?.close();
    await this.ops?.close();
    this.outbox.close();
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
    this.syncOutbox();
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

  /** One fsync per tick that stored alerts (outboxFsync). */
  private syncOutbox(): void {
    if (!this.unsynced || !this.options.outboxFsync) return;
    this.unsynced = false;
    try {
      this.outbox.sync();
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'outbox fsync failed');
    }
  }

  private scoredWindow(m: ServedModel, s: Scored, now: number): void {
    const w = s.window;
    const latencyMs = now - w.receivedAt;
    this.latency.add(latencyMs);
    this.onScoredLatency?.(m.name, latencyMs);
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
    const alert = alertFor(st, e);
    this.counters.alerts++;
    const topic = alertsTopic(st.device);
    try {
      this.outbox.append(topic, JSON.stringify(alert));
      this.unsynced = true;
      this.log.info({ alert }, 'alert');
    } catch (e) {
      if (!(e instanceof OutboxError)) throw e;
      // Refused at the outbox's bound or by its disk: counted, logged whole, reported; stored alerts untouched.
      this.counters.alertsRefused++;
      this.log.error({ alert, err: e.message }, 'alert refused by the outbox');
      this.reject(st.device, st.stream, e.reason === 'full' ? 'E_OUTBOX_FULL' : 'E_OUTBOX_IO', `alert ${alert.id} (${alert.class}, ${new Date(alert.start).toISOString()}): ${e.message}`);
    }
    this.sender?.pump();
    this.emit('alert', alert);
  }

  private reject(device: string, stream: string, code: RejectError['reason'], message: string): void {
    const report: ErrorReport = { device: device.slice(0, 128), stream: stream.slice(0, 128), code, message: message.slice(0, 1000) };
    if (this.reports.report(report, `${code}\n${report.device}\n${report.stream}`)) this.log.warn(report, 'frame refused');
  }

  /** A refused model update: counted, logged and reported (rate limited as frame refusals are). */
  private refuseUpdate(model: string, reason: WavegateErrorCode, message: string): void {
    const report: ErrorReport = { device: '_node', stream: 'model', code: 'E_MODEL_UPDATE', message: message.slice(0, 1000), reason, model: model.slice(0, 64) };
    this.log.error({ model: report.model, reason, err: report.message }, 'model update refused; the served model stays');
    this.reports.report(report, `E_MODEL_UPDATE\n${report.model}\n${reason}`);
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
    if (this.share && !this.stopped && !this.streams.hasDevice(stream.device)) this.share.forget(stream.device);
    for (const e of events) this.episode(stream, e);
  }
}
