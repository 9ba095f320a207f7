/**
 * Backpressure: a flood of frames, far faster than real time, into a host whose scoring is held
 * back (at most 8 windows a tick), so windows pile up against its queue bound.
 * The drop-oldest policy must hold the host process's memory: its peak RSS stays under
 * FLOOD_RSS_BOUND_MB while every dropped window is counted and reported.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFleet } from '../../tools/sim/publisher.js';
import { deviceName, deviceSignals } from '../../tools/sim/sources.js';
import { writeLevelModel } from '../helpers/level-model.js';
import { recorder, waitFor } from '../helpers/mqtt.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { KERNELS, MOSQUITTO, needs } from '../helpers/needs.js';

/**
 * The host under tsx idles at about 100 MB (Node 43 MB, tsx's loader 40 MB, mqtt.js 15 MB, the
 * kernel session 7 MB); the flood's 21 MB of frames must not add to it beyond the queue
 * (256 windows x 512 B) and GC headroom.
 */
const FLOOD_RSS_BOUND_MB = 200;
const DEVICES = 200;
const SECONDS = 30; // of signal per device: 60,000 frames, 16,800 windows

needs(MOSQUITTO, KERNELS).describe('flood', () => {
  let broker: Mosquitto;
  let dir: string;
  let model: string;
  beforeAll(async () => {
    broker = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), 'wavegate-flood-'));
    // fixed windows of 128 samples at 360 Hz, no preprocessing: 2.8 windows/s per device
    model = await writeLevelModel(join(dir, 'level-360.wgm'), { fs: 360, window: 128, hop: 128 });
  });
  afterAll(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops the oldest windows, counts and reports them, and holds RSS under the bound', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/bench/mqtt-host.ts', '--broker', broker.url, '--model', model, '--set', 'maxQueuedWindows=256', '--set', 'maxWindowsPerTick=8', '--set', 'tickMs=1000', '--set', 'errorReportIntervalMs=1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! });
    const line = () => new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the host exited with ${code}`)));
    });
    const errors = await recorder(broker.url, 'wavegate/v1/_node/bench/errors');
    try {
      expect(JSON.parse(await line())).toEqual({ ready: true });
      const distinct = deviceSignals({ signal: 'ecg', devices: 8, duration: SECONDS, seed: 2 });
      const signals = Array.from({ length: DEVICES }, (_, d) => ({ ...distinct[d % 8], device: deviceName('ecg-', d, DEVICES) }));
      const pub = await publishFleet({ url: broker.url, signals, rate: 0 });
      expect(pub.frames).toBe(DEVICES * SECONDS * 10);
      await waitFor(() => errors.messages.length > 0, 'drop reports');
      await new Promise((r) => setTimeout(r, 2500));
      const done = line();
      child.kill('SIGTERM');
      const r = JSON.parse(await done) as { rssPeakMb: number; stats: { framesReceived: number; windowsQueued: number; windowsScored: number; windowsDropped: number; rejected: Record<string, number> } };
      console.log(`flood: ${r.stats.framesReceived} frames, ${r.stats.windowsQueued} windows, ${r.stats.windowsDropped} dropped, host RSS peak ${r.rssPeakMb} MB (bound ${FLOOD_RSS_BOUND_MB} MB)`);
      expect(r.rssPeakMb).toBeLessThan(FLOOD_RSS_BOUND_MB);
      expect(r.stats.windowsDropped).toBeGreaterThan(0);
      expect(r.stats.rejected.E_DROPPED).toBe(r.stats.windowsDropped);
      // every window is either scored (the queue drains at stop) or dropped
      expect(r.stats.windowsScored + r.stats.windowsDropped).toBe(r.stats.windowsQueued);
      const reports = errors.messages.map((m) => JSON.parse(m.text) as { code: string; device: string });
      expect(reports.every((e) => e.code === 'E_DROPPED')).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await errors.client.endAsync();
    }
  });
});
