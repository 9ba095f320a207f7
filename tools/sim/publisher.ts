/**
 * Publishes a simulated fleet to a broker, paced like real devices: every device sends one frame
 * per `frameMs` of signal, published when its last sample is measured. Device d's clock starts
 * {@link devicePhaseMs} after t0 (d/N of a frame), so the fleet does not publish in lockstep. `rate` speeds time up
 * (10 = ten times real time); 0 publishes as fast as the connection drains. One MQTT connection
 * carries every device (a real fleet has one each; the broker's fan-in is not what this measures).
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { WavegateError } from '../../src/errors.js';
import { encodeBinaryFrame } from '../../src/mqtt/frame-binary.js';
import { encodeJsonFrame } from '../../src/mqtt/frame-json.js';
import { samplesTopic } from '../../src/mqtt/topics.js';
import { devicePhaseMs, type DeviceSignal } from './sources.js';

export interface FleetPublishOptions {
  url: string;
  signals: DeviceSignal[];
  /** Time scale: 1 real time (default), x times faster, 0 as fast as possible. */
  rate?: number;
  /** Milliseconds of signal per frame. Default 100. */
  frameMs?: number;
  /** Frame encoding. Default binary (float32). */
  format?: 'json' | 'binary';
  /** ms since the epoch of the fleet's first sample (device d starts devicePhaseMs later). Default: the time publishing starts. */
  t0?: number;
  /** Called after each frame is handed to the connection. */
  onFrame?: (device: number, seq: number, wallMs: number) => void;
  /** Ends publishing early. */
  abort?: AbortSignal;
  /** Frames per device to publish, looping each device's signal when it is shorter (the soak's long runs). Default: as many as the shortest signal holds. */
  frames?: number;
  /** QoS of the frames. Default 0 (as sensors publish); 1 makes the broker (and mqtt.js, across reconnects) keep them. */
  qos?: 0 | 1;
}

export interface FleetPublishResult {
  frames: number;
  bytes: number;
  wallMs: number;
  /** The most the publisher ever fell behind its schedule, ms of wall time (it cannot keep up beyond a frame or two). */
  maxBehindMs: number;
  t0: number;
  /**
   * QoS 1: frames whose publish failed, never acknowledged by the broker (mqtt.js fails the
   * publishes it holds while replaying its store when the connection drops again); device index and seq.
   */
  failed: Array<{ device: number; seq: number }>;
}

/**
 * Resolves when the connection's buffer drains, or after 100 ms at most: mqtt.js replaces its
 * stream on a reconnect, and the old one never drains.
 */
function drained(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    const stream = client.stream;
    const done = () => {
      clearTimeout(timer);
      stream.off('drain', done);
      resolve();
    };
    const timer = setTimeout(done, 100);
    stream.once('drain', done);
  });
}

/** Bytes the connection may buffer before the publisher waits for it to drain. */
const MAX_BUFFERED = 4 << 20;

export async function publishFleet(o: FleetPublishOptions): Promise<FleetPublishResult> {
  const rate = o.rate ?? 1, frameMs = o.frameMs ?? 100, format = o.format ?? 'binary';
  if (!(rate >= 0) || !Number.isFinite(rate)) throw new WavegateError('E_ARGUMENT', `simulate: --rate must be a number >= 0, got ${rate}`);
  const N = o.signals.length;
  const per = o.signals.map((s) => {
    const spf = (s.fs * frameMs) / 1000;
    if (!Number.isInteger(spf)) throw new WavegateError('E_ARGUMENT', `simulate: ${frameMs} ms frames at ${s.fs} Hz are not a whole number of samples`);
    return spf;
  });
  const held = o.signals.map((s, d) => Math.floor(s.samples.length / per[d]));
  const frames = o.frames ?? Math.min(...held);
  const qos = o.qos ?? 0;
  const client: MqttClient = await connectAsync(o.url, { protocolVersion: 4, clientId: `wavegate-sim-${process.pid}-${Date.now() % 100000}`, reconnectPeriod: 1000 }, false).catch((e: Error) => {
    throw new WavegateError('E_ARGUMENT', `simulate: cannot connect to ${o.url}: ${e.message}`);
  });
  const topics = o.signals.map((s) => samplesTopic(s.device, s.stream));
  const t0 = o.t0 ?? Date.now();
  const start = performance.now();
  let bytes = 0, maxBehindMs = 0, idx = 0;
  // QoS 1: every frame counts until its PUBACK (mqtt.js may hold it in memory across reconnects first)
  let unacked = 0;
  const failed: Array<{ device: number; seq: number }> = [];
  const total = frames * N;
  /** Stream time (ms) at which frame k of device d is due: when its last sample is measured. */
  const due = (i: number) => (Math.floor(i / N) + 1) * frameMs + ((i % N) / N) * frameMs;
  try {
    while (idx < total && !o.abort?.aborted) {
      const now = performance.now();
      const streamNow = rate === 0 ? Infinity : (now - start) * rate;
      while (idx < total && due(idx) <= streamNow) {
        const k = Math.floor(idx / N), d = idx % N;
        const s = o.signals[d];
        const at = k % held[d];
        const samples = s.samples.subarray(at * per[d], (at + 1) * per[d]);
        const frame = { seq: k, t: t0 + devicePhaseMs(d, N, frameMs) + (k * per[d] * 1000) / s.fs, fs: s.fs, channels: 1, samples };
        const payload = format === 'json' ? encodeJsonFrame(frame) : Buffer.from(encodeBinaryFrame(frame));
        if (qos > 0) {
          unacked++;
          client.publish(topics[d], payload, { qos }, (err) => {
            unacked--;
            if (err) failed.push({ device: d, seq: k });
          });
        } else client.publish(topics[d], payload, { qos });
        bytes += payload.length;
        o.onFrame?.(d, k, Date.now());
        idx++;
        if (rate !== 0) maxBehindMs = Math.max(maxBehindMs, (streamNow - due(idx - 1)) / rate);
        if (client.stream.writableLength > MAX_BUFFERED) await drained(client);
      }
      if (idx < total && rate !== 0) {
        const wait = (due(idx) - (performance.now() - start) * rate) / rate;
        await new Promise((r) => setTimeout(r, Math.max(1, wait)));
      }
    }
    // QoS 0: "sent" is "written to the socket"; wait until the buffer is empty. QoS 1: until every frame is acknowledged.
    while (client.stream.writableLength > 0 || unacked > 0) await drained(client);
  } finally {
    await client.endAsync();
  }
  return { frames: idx, bytes, wallMs: performance.now() - start, maxBehindMs, t0, failed };
}
