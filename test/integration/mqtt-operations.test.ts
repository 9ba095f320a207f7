/**
 * The host in operation, against a real mosquitto: the outbox's bound when the broker stops
 * acknowledging (refusals counted, reported and logged whole, /healthz 503, the stored alerts
 * delivered in order once it acknowledges again), the metrics endpoint, and `wavegate serve`
 * stopping on SIGTERM within its bound with its alerts kept on disk for the next start.
 * A TCP proxy (test/helpers/tcp-proxy.ts) holds the host-to-broker direction.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { connectAsync, type MqttClient } from 'mqtt';
import { WavegateHost, type Alert } from '../../src/mqtt/host.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { captureLogger, recorder, waitFor } from '../helpers/mqtt.js';
import { writeLevelModel } from '../helpers/level-model.js';
import { KERNELS, MOSQUITTO, needs } from '../helpers/needs.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const T0 = 1_767_225_600_000;
let dir: string;
let model: string;
let broker: Mosquitto;
let pub: MqttClient;

/** 2n frames of one window each (100 Hz, 50 samples), alternating level 1 and 0: n alerts, in order. */
function alternating(n: number, firstSeq = 0): string[] {
  return Array.from({ length: 2 * n }, (_, k) => JSON.stringify({ seq: firstSeq + k, t: T0 + (firstSeq + k) * 500, fs: 100, samples: new Array(50).fill(k % 2 === 0 ? 1 : 0) }));
}

async function json(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

needs(MOSQUITTO, KERNELS).describe('the host in operation (mosquitto)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wavegate-ops-'));
    model = await writeLevelModel(join(dir, 'level.wgm'), { detector: { thresholds: { anomaly: 0.5 }, normalLabels: ['normal'], minDuration: 1, window: 1, hysteresis: 1, cooldown: 0 } });
    broker = await startMosquitto();
    pub = await connectAsync(broker.url, { protocolVersion: 4 });
  });
  afterAll(async () => {
    await pub?.endAsync();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  needs(MOSQUITTO, KERNELS).it('at the outbox bound refuses new alerts (counted, reported, logged whole), keeps the stored ones and delivers them in order when the broker acknowledges again', async () => {
    const proxy = await startTcpProxy(broker.port);
    const log = captureLogger();
    const host = await WavegateHost.start({ models: [{ path: model, name: 'level' }], broker: proxy.url, nodeId: 'ops-bound', outboxDir: join(dir, 'outbox-bound'), outboxMaxAlerts: 10, maxInflightAlerts: 4, httpPort: 0, log, tickMs: 5, errorReportIntervalMs: 0 });
    const raised: Alert[] = [];
    host.on('alert', (a) => raised.push(a));
    const consumer = await recorder(broker.url, 'wavegate/v1/+/alerts');
    try {
      expect((await json(`${host.httpUrl}/healthz`)).status).toBe(200);
      proxy.hold(); // the host still receives; what it publishes goes nowhere
      for (const f of alternating(20)) await pub.publishAsync('wavegate/v1/bed1/lvl/samples', f);
      await waitFor(() => host.stats().windowsScored === 40, '40 windows scored');
      const s = host.stats();
      expect(s).toMatchObject({ alerts: 20, alertsRefused: 10, alertsDelivered: 0, rejected: { E_OUTBOX_FULL: 10 } });
      expect(host.outbox.size).toBe(10);
      const health = await json(`${host.httpUrl}/healthz`);
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ ok: false, broker: { connected: true }, model: { loaded: true }, outbox: { kind: 'disk', alerts: 10, maxAlerts: 10, full: true } });
      const refusedLogs = log.entries.filter((e) => e.msg === 'alert refused by the outbox');
      expect(refusedLogs.map((e) => (e.obj as { alert: Alert }).alert.id)).toEqual(raised.slice(10).map((a) => a.id));
      const metrics = await (await fetch(`${host.httpUrl}/metrics`)).text();
      for (const line of ['wavegate_outbox_alerts 10', 'wavegate_alerts_total 20', 'wavegate_alerts_refused_total 10', 'wavegate_rejected_total{code="E_OUTBOX_FULL"} 10', 'wavegate_windows_scored_total 40', 'wavegate_broker_connected 1']) expect(metrics).toContain(line);
      for (const name of ['wavegate_inference_latency_seconds_bucket{le="0.005",model="level"}', 'wavegate_stream_lag_seconds{device="bed1",stream="lvl"}', 'wavegate_queue_windows{model="level"} 0', 'wavegate_windows_per_second', 'wavegate_frames_received_total 40', 'wavegate_process_resident_memory_bytes']) expect(metrics).toContain(name);
      expect(consumer.messages).toHaveLength(0);

      proxy.resume();
      await waitFor(() => consumer.messages.length === 10, 'the 10 stored alerts');
      await waitFor(() => host.outbox.size === 0, 'an empty outbox');
      // in the order they were raised, and none of the refused ones
      expect(consumer.messages.map((m) => (JSON.parse(m.text) as Alert).id)).toEqual(raised.slice(0, 10).map((a) => a.id));
      expect((await json(`${host.httpUrl}/healthz`)).status).toBe(200);
      expect(host.stats().alertsDelivered).toBe(10);
    } finally {
      await host.stop();
      await consumer.client.endAsync();
      await proxy.close();
    }
  }, 60_000);

  needs(MOSQUITTO, KERNELS).it('wavegate serve stops on SIGTERM within its bound and exits 0; alerts the broker has not taken wait on disk for the next start', async () => {
    const proxy = await startTcpProxy(broker.port);
    const outbox = join(dir, 'outbox-sigterm');
    const consumer = await recorder(broker.url, 'wavegate/v1/+/alerts');
    const serve = (via: string) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/device-main.ts', 'serve', '--model', model, '--broker', via, '--node-id', 'ops-term', '--outbox', outbox, '--http-port', '0', '--set', 'shutdownTimeoutMs=1500', '--set', 'sessionExpirySeconds=0', '--log-level', 'info'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      const ready = new Promise<string>((resolve, reject) => {
        child.stderr!.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /metrics (http:\/\/\S+)\/metrics/.exec(err);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
      });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      return { child, ready, exited, log: () => err };
    };
    try {
      const first = serve(proxy.url);
      const url = await first.ready;
      proxy.hold();
      for (const f of alternating(5)) await pub.publishAsync('wavegate/v1/bed2/lvl/samples', f);
      await waitFor(() => (first.log().match(/"msg":"alert"/g) ?? []).length === 5, 'five alerts raised', 20_000);
      expect((await json(`${url}/healthz`)).body).toMatchObject({ outbox: { alerts: 5 } });
      const t = Date.now();
      first.child.kill('SIGTERM');
      const code = await Promise.race([first.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 10_000))]);
      if (code !== 0) first.child.kill('SIGKILL');
      expect(code, first.log()).toBe(0);
      // the flush bound (1.5 s), then no more waiting for a broker that does not answer; 3 s of slack for a loaded machine
      expect(Date.now() - t).toBeLessThan(1500 + 3000);
      expect(first.log()).toMatch(/stopping with alerts not yet acknowledged: they stay in the outbox/);
      expect(consumer.messages).toHaveLength(0);
      await proxy.close();

      const second = serve(broker.url);
      await second.ready;
      await waitFor(() => consumer.messages.length === 5, 'the five stored alerts, published by the next start', 20_000);
      second.child.kill('SIGTERM');
      expect(await second.exited, second.log()).toBe(0);
      expect(new Set(consumer.messages.map((m) => (JSON.parse(m.text) as Alert).id)).size).toBe(5);
    } finally {
      await consumer.client.endAsync();
      await proxy.close().catch(() => undefined);
    }
  }, 90_000);
});
