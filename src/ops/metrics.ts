/**
 * Prometheus metrics of a WavegateHost (prom-client, its own Registry). Counters and gauges are
 * read from `host.stats()` and the live state at scrape time, so the host's hot path pays
 * nothing for them; the one exception is the inference latency histogram, observed per scored
 * window through `host.onScoredLatency`. docs/operations.md lists every metric.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WavegateHost } from '../mqtt/host.js';
import type { HostStats } from '../mqtt/stats.js';

/** Latency buckets, seconds: 1 ms to 5 s (a window's wait for its tick is up to tickMs, 20 ms by default). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Seconds over which `wavegate_windows_per_second` is averaged. */
const RATE_WINDOW_S = 10;

type Numeric = Exclude<{ [K in keyof HostStats]: HostStats[K] extends number ? K : never }[keyof HostStats], undefined>;

export interface HostMetrics {
  registry: Registry;
  /** The exposition text (Content-Type: registry.contentType). */
  text(): Promise<string>;
  close(): void;
}

export function createHostMetrics(host: WavegateHost): HostMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'wavegate_' });
  let stats = host.stats();
  const refresh = () => (stats = host.stats());

  /** A counter that follows a host total (it only ever grows; a restart of the process starts it again, as Prometheus expects). */
  const total = (name: string, help: string, key: Numeric) => {
    let seen = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const v = stats[key] as number;
        if (v > seen) this.inc(v - seen);
        seen = v;
      },
    });
  };

  // The first collector refreshes the snapshot the others read.
  new Gauge({
    name: 'wavegate_broker_connected',
    help: '1 while the MQTT connection is up',
    registers: [registry],
    collect() {
      refresh();
      this.set(host.health().broker.connected ? 1 : 0);
    },
  });
  total('wavegate_frames_received_total', 'Sample frames received', 'framesReceived');
  total('wavegate_frames_accepted_total', 'Sample frames accepted', 'framesAccepted');
  const seenByCode = new Map<string, number>();
  new Counter({
    name: 'wavegate_rejected_total',
    help: 'Refused frames and dropped windows by cause (the errors-topic code: E_FRAME_*, E_SEQ_*, E_DROPPED, E_OUTBOX_FULL, ...)',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      for (const [code, v] of Object.entries(stats.rejected)) {
        const before = seenByCode.get(code) ?? 0;
        if ((v ?? 0) > before) this.inc({ code }, (v ?? 0) - before);
        seenByCode.set(code, v ?? 0);
      }
    },
  });
  total('wavegate_windows_scored_total', 'Windows scored', 'windowsScored');
  total('wavegate_windows_dropped_total', 'Windows dropped unscored by the queue drop policy', 'windowsDropped');
  total('wavegate_windows_lost_total', 'Windows received whole but never scored (dropped, or their stream closed first)', 'windowsLost');
  total('wavegate_alerts_total', 'Alerts raised', 'alerts');
  total('wavegate_alerts_delivered_total', 'Alerts acknowledged by the broker', 'alertsDelivered');
  total('wavegate_alerts_refused_total', 'Alerts refused by the outbox (full, disk) or by the broker; each is logged whole', 'alertsRefused');
  total('wavegate_gaps_total', 'Stream discontinuities (sequence gaps, timestamp jumps)', 'gaps');
  total('wavegate_frames_missing_total', 'Frames missing according to sequence numbers', 'missingFrames');
  total('wavegate_kernel_calls_total', 'Kernel calls (one per model per tick)', 'kernelCalls');

  const rate: Array<{ t: number; n: number }> = [{ t: Date.now(), n: stats.windowsScored }];
  const sampler = setInterval(() => {
    rate.push({ t: Date.now(), n: host.stats().windowsScored });
    if (rate.length > RATE_WINDOW_S + 1) rate.shift();
  }, 1000);
  sampler.unref();
  new Gauge({
    name: 'wavegate_windows_per_second',
    help: `Windows scored per second over the last ${RATE_WINDOW_S} s (rate(wavegate_windows_scored_total[1m]) gives the same over any range)`,
    registers: [registry],
    collect() {
      const a = rate[0], b = { t: Date.now(), n: stats.windowsScored };
      this.set(b.t > a.t ? ((b.n - a.n) * 1000) / (b.t - a.t) : 0);
    },
  });

  const latency = new Histogram({ name: 'wavegate_inference_latency_seconds', help: "From the arrival of the frame completing a window to the window's scores", labelNames: ['model'], buckets: LATENCY_BUCKETS, registers: [registry] });
  host.onScoredLatency = (model, ms) => latency.observe({ model }, ms / 1000);

  new Gauge({
    name: 'wavegate_queue_windows',
    help: "Windows waiting in a model's queue",
    labelNames: ['model'],
    registers: [registry],
    collect() {
      for (const m of host.models) this.set({ model: m.name }, m.queue.length);
    },
  });
  new Gauge({ name: 'wavegate_queue_capacity_windows', help: "A model queue's bound (maxQueuedWindows)", registers: [registry], collect() { this.set(host.options.maxQueuedWindows); } });
  new Gauge({ name: 'wavegate_streams', help: 'Live streams', registers: [registry], collect() { this.set(stats.streams); } });
  new Gauge({ name: 'wavegate_devices', help: 'Devices with live streams', registers: [registry], collect() { this.set(stats.devices); } });
  new Gauge({
    name: 'wavegate_stream_lag_seconds',
    help: "Per stream: now minus the time of its last received sample (the frames' clock against the host's)",
    labelNames: ['device', 'stream'],
    registers: [registry],
    collect() {
      this.reset();
      const now = Date.now();
      // a stream whose first frame was refused has no samples yet: no lag to report
      for (const s of host.streams.values()) if (s.lastSampleEnd > 0) this.set({ device: s.device, stream: s.stream }, (now - s.lastSampleEnd) / 1000);
    },
  });
  new Gauge({
    name: 'wavegate_outbox_alerts',
    help: 'Alerts in the outbox waiting for the broker',
    registers: [registry],
    collect() {
      this.set(host.outbox.size);
    },
  });
  new Gauge({ name: 'wavegate_outbox_bytes', help: 'Bytes of the alerts waiting in the outbox', registers: [registry], collect() { this.set(host.outbox.bytes); } });
  new Gauge({ name: 'wavegate_outbox_capacity_alerts', help: 'The outbox bound (outboxMaxAlerts)', registers: [registry], collect() { this.set(host.outbox.limits.maxAlerts); } });
  new Gauge({ name: 'wavegate_outbox_capacity_bytes', help: 'The outbox bound (outboxMaxBytes)', registers: [registry], collect() { this.set(host.outbox.limits.maxBytes); } });

  return {
    registry,
    text: () => registry.metrics(),
    close: () => {
      clearInterval(sampler);
      host.onScoredLatency = undefined;
    },
  };
}
