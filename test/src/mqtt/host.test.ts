import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBinaryFrame } from '../../../src/mqtt/frame-binary.js';
import { WavegateHost, type Alert } from '../../../src/mqtt/host.js';
import { captureLogger, levelFrames, recorder, waitFor } from '../../helpers/mqtt.js';
import { writeLevelModel } from '../../helpers/level-model.js';
import { KERNELS, needs } from '../../helpers/needs.js';
import { isWavegateError } from '../../../src/errors.js';

const T0 = 1_767_225_600_000;
let dir: string;
let model: string;

needs(KERNELS).describe('WavegateHost on its embedded broker', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wavegate-host-'));
    model = await writeLevelModel(join(dir, 'level.wgm'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('alerts once per episode with its start and end, reports bad frames, and says online/offline', async () => {
    const log = captureLogger();
    const host = await WavegateHost.start({ models: [{ path: model }], port: 0, nodeId: 'node-1', tickMs: 5, log });
    const rec = await recorder(host.brokerUrl);
    try {
      await waitFor(() => rec.messages.some((m) => m.topic === 'wavegate/v1/_node/node-1/status'), 'the retained status');
      expect(rec.messages.find((m) => m.topic === 'wavegate/v1/_node/node-1/status')).toMatchObject({ text: 'online', retain: true });
      // 100 Hz, windows of 50 samples; device b is at level 1 on samples [100, 300): windows 2..5
      const quiet = levelFrames({ t0: T0, fs: 100, n: 25, frames: 16 });
      const loud = levelFrames({ t0: T0, fs: 100, n: 25, frames: 16, anomaly: [100, 300] });
      for (let k = 0; k < 16; k++) {
        await rec.client.publishAsync('wavegate/v1/a/ecg/samples', quiet[k]);
        await rec.client.publishAsync('wavegate/v1/b/ecg/samples', loud[k]);
        if (k === 3) await rec.client.publishAsync('wavegate/v1/c/ecg/samples', Buffer.from([0xde, 0xad, 0xbe, 0xef]));
        if (k === 4) await rec.client.publishAsync('wavegate/v1/b/ecg/samples', loud[k]); // a duplicate
      }
      await waitFor(() => host.stats().windowsScored === 16, '16 windows scored');
      await waitFor(() => rec.json('wavegate/v1/_node/node-1/errors').length === 2, 'two error reports');
      // The alert is published after the window is scored: on a loaded machine it may arrive later.
      await waitFor(() => rec.json('wavegate/v1/b/alerts').length >= 1, 'the alert');
      const alerts = rec.json('wavegate/v1/b/alerts') as Alert[];
      expect(alerts).toHaveLength(1);
      // k = 2 of n = 3: windows 2 and 3 raise it; window 3 ends on frame 7
      expect(alerts[0]).toMatchObject({ device: 'b', stream: 'ecg', class: 'anomaly', start: T0 + 1000, end: T0 + 1990, model: 'level', seq: 7 });
      expect(alerts[0].score).toBeGreaterThan(0.999);
      expect(alerts[0].id).toMatch(/^[0-9a-f]{32}$/);
      expect(alerts[0].modelVersion).toMatch(/^[0-9a-f]{16}$/);
      expect(Object.keys(alerts[0]).sort()).toEqual(['class', 'device', 'end', 'id', 'model', 'modelVersion', 'score', 'seq', 'start', 'stream']);
      expect(rec.json('wavegate/v1/a/alerts')).toEqual([]);
      const errors = rec.json('wavegate/v1/_node/node-1/errors') as Array<{ device: string; code: string; message: string }>;
      expect(errors.map((e) => [e.device, e.code])).toEqual([['c', 'E_FRAME_MALFORMED'], ['b', 'E_SEQ_DUPLICATE']]);
      expect(Object.keys(errors[0]).sort()).toEqual(['code', 'device', 'message', 'stream']);
      const stats = host.stats();
      expect(stats).toMatchObject({ framesReceived: 34, framesAccepted: 32, alerts: 1, rejected: { E_FRAME_MALFORMED: 1, E_SEQ_DUPLICATE: 1 }, streams: 2, windowsDropped: 0 });
      // the episode ends after two windows below threshold (windows 6, 7): logged, not published
      expect(log.entries.some((e) => e.msg === 'episode ended')).toBe(true);
      expect(log.entries.filter((e) => e.msg === 'frame refused')).toHaveLength(2);
    } finally {
      await host.stop();
      await waitFor(() => rec.messages.some((m) => m.text === 'offline'), 'offline status').catch(() => undefined);
      expect(rec.messages.filter((m) => m.topic.endsWith('/status')).map((m) => m.text)).toEqual(['online', 'offline']);
      await rec.client.endAsync();
    }
  });

  it('takes binary frames and rate-limits repeated reports', async () => {
    const host = await WavegateHost.start({ models: [{ path: model }], port: 0, nodeId: 'node-2', tickMs: 5, log: captureLogger(), errorReportIntervalMs: 60_000 });
    const rec = await recorder(host.brokerUrl);
    try {
      for (let k = 0; k < 8; k++) {
        const samples = Array.from({ length: 25 }, () => (k >= 2 ? 200 : 0));
        await rec.client.publishAsync('wavegate/v1/bin/ecg/samples', Buffer.from(encodeBinaryFrame({ seq: k, t: T0 + k * 250, fs: 100, channels: 1, samples, dtype: 'int16', scale: 0.005 })));
      }
      for (let k = 0; k < 5; k++) await rec.client.publishAsync('wavegate/v1/bad/ecg/samples', '{"seq": 1}');
      await waitFor(() => host.stats().windowsScored === 4, '4 windows');
      await waitFor(() => rec.json('wavegate/v1/bin/alerts').length === 1, 'the alert');
      await waitFor(() => host.stats().rejected.E_FRAME_FIELD === 5, '5 refusals');
      expect(host.stats().reportsSuppressed).toBe(4);
      expect(rec.json('wavegate/v1/_node/node-2/errors')).toHaveLength(1);
    } finally {
      await host.stop();
      await rec.client.endAsync();
    }
  });

  it('drops the oldest ready windows when scoring falls behind, counts them and reports them', async () => {
    // A tick far away and a batch trigger never reached: windows pile up in a queue of 3.
    const host = await WavegateHost.start({ models: [{ path: model }], port: 0, nodeId: 'node-4', tickMs: 10_000, maxBatch: 1000, maxQueuedWindows: 3, errorReportIntervalMs: 0, log: captureLogger() });
    const rec = await recorder(host.brokerUrl);
    const seen: number[] = [];
    host.on('scored', (s) => seen.push(s.start));
    try {
      for (const f of levelFrames({ t0: T0, fs: 100, n: 50, frames: 8 })) await rec.client.publishAsync('wavegate/v1/flood/ecg/samples', f);
      await waitFor(() => host.stats().windowsDropped === 5, '5 drops');
      await waitFor(() => rec.json('wavegate/v1/_node/node-4/errors').length === 5, '5 drop reports');
      const reports = rec.json('wavegate/v1/_node/node-4/errors') as Array<{ code: string; message: string }>;
      expect(reports.every((r) => r.code === 'E_DROPPED')).toBe(true);
      expect(reports[0].message).toMatch(/queue is full \(maxQueuedWindows 3\)/);
    } finally {
      await host.stop();
      await rec.client.endAsync();
    }
    // stop() scores what is queued: the three newest windows, in order
    expect(seen.map((t) => t - T0)).toEqual([2500, 3000, 3500]);
    expect(host.stats()).toMatchObject({ windowsQueued: 8, windowsDropped: 5, windowsLost: 5, windowsScored: 3, rejected: { E_DROPPED: 5 } });
  });

  it('closes idle streams: their open episodes end and their device no longer counts', async () => {
    const host = await WavegateHost.start({ models: [{ path: model }], port: 0, nodeId: 'node-5', tickMs: 5, idleTimeoutMs: 300, log: captureLogger() });
    const rec = await recorder(host.brokerUrl);
    const ended: Array<{ device: string; reason: string }> = [];
    host.on('episodeEnd', (e) => ended.push(e));
    try {
      // level 1 from window 1 on: the episode is still open when the device goes quiet
      for (const f of levelFrames({ t0: T0, fs: 100, n: 25, frames: 10, anomaly: [50, 250] })) await rec.client.publishAsync('wavegate/v1/quiet/ecg/samples', f);
      await waitFor(() => rec.json('wavegate/v1/quiet/alerts').length === 1, 'the alert');
      expect(host.stats()).toMatchObject({ streams: 1, devices: 1 });
      await waitFor(() => host.stats().streams === 0, 'the idle stream to close', 5000);
      expect(host.stats()).toMatchObject({ devices: 0, streamsEvicted: 1, episodesEnded: 1 });
      expect(ended).toMatchObject([{ device: 'quiet', reason: 'reset' }]);
    } finally {
      await host.stop();
      await rec.client.endAsync();
    }
  });

  it('refuses to start on a taken port, naming it', async () => {
    const first = await WavegateHost.start({ models: [{ path: model }], port: 0, nodeId: 'node-3', log: captureLogger() });
    try {
      const port = Number(new URL(first.brokerUrl).port);
      const err = await WavegateHost.start({ models: [{ path: model }], port, log: captureLogger() }).catch((e: unknown) => e);
      expect(isWavegateError(err, 'E_ARGUMENT')).toBe(true);
      expect((err as Error).message).toMatch(new RegExp(`cannot listen on 127.0.0.1:${port}: the port is in use`));
    } finally {
      await first.stop();
    }
  });
});
