/**
 * The simulator against a real mosquitto (every frame arrives, the truth file lists the known
 * anomalies), and the demo's one-line JSON summary.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/mqtt/frame-decode.js';
import { runDemo } from '../../tools/demo/demo.js';
import { deviceSignals } from '../../tools/sim/sources.js';
import { matchAlerts, truthRows } from '../../tools/sim/truth.js';
import { recorder, waitFor } from '../helpers/mqtt.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { KERNELS, MOSQUITTO, needs } from '../helpers/needs.js';

describe('simulator sources and truth', () => {
  it('marks every premature beat of the synthetic ECG, per device, deterministically', () => {
    const a = deviceSignals({ signal: 'ecg', devices: 3, duration: 20, seed: 5, premature: { S: 0.1, V: 0.1 } });
    const b = deviceSignals({ signal: 'ecg', devices: 3, duration: 20, seed: 5, premature: { S: 0.1, V: 0.1 } });
    expect(a.map((s) => s.device)).toEqual(['ecg-0000', 'ecg-0001', 'ecg-0002']);
    expect(a[1].samples).toEqual(b[1].samples);
    expect(a.flatMap((s) => s.anomalies).length).toBeGreaterThan(3);
    expect(new Set(a.flatMap((s) => s.anomalies.map((x) => x.class)))).toEqual(new Set(['S', 'V']));
    const rows = truthRows(a, 1000);
    expect(rows[0]).toMatchObject({ device: a.find((s) => s.anomalies.length > 0)!.device, stream: 'ecg' });
    expect(rows.every((r) => r.end - r.start === 200)).toBe(true);
  });

  it('vibration: odd devices develop a fault over the middle third', () => {
    const v = deviceSignals({ signal: 'vibration', devices: 4, duration: 0.3 });
    expect(v.map((s) => s.anomalies.map((a) => a.class))).toEqual([[], ['inner'], [], ['ball']]);
    expect(v[1].anomalies[0]).toEqual({ class: 'inner', start: 1200, end: 2400 });
  });

  it('matches alerts to anomalies by device, class and overlap', () => {
    const truth = [{ device: 'd', stream: 'ecg', class: 'V', start: 1000, end: 1200 }, { device: 'd', stream: 'ecg', class: 'S', start: 5000, end: 5200 }];
    const m = matchAlerts(truth, [{ device: 'd', stream: 'ecg', class: 'V', start: 1150, end: 1400 }, { device: 'd', stream: 'ecg', class: 'V', start: 5000, end: 5100 }]);
    expect(m).toEqual({ expected: 2, detected: 1, unmatchedAlerts: 1 });
  });
});

needs(MOSQUITTO, KERNELS).describe('simulate and demo', () => {
  let broker: Mosquitto;
  let dir: string;
  beforeAll(async () => {
    broker = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), 'wavegate-sim-'));
  });
  afterAll(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('wavegate simulate publishes every frame of every device and writes the truth', async () => {
    const rec = await recorder(broker.url, 'wavegate/v1/+/+/samples');
    const truth = join(dir, 'truth.jsonl');
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/cli/main.ts', 'simulate', '--devices', '3', '--duration', '5', '--rate', '0', '--broker', broker.url, '--truth', truth, '--seed', '7'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise((r) => child.once('close', r)); // stderr read to the end
    expect(code, err).toBe(0);
    expect(err).toMatch(/published 150 frames/);
    await waitFor(() => rec.messages.length === 150, '150 frames');
    const frames = rec.messages.filter((m) => m.topic === 'wavegate/v1/ecg-0001/ecg/samples').map((m) => decodeFrame(m.payload));
    expect(frames.map((f) => f.seq)).toEqual(Array.from({ length: 50 }, (_, k) => k));
    expect(frames.every((f) => f.frames === 36 && f.fs === 360)).toBe(true);
    const rows = readFileSync(truth, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const expected = truthRows(deviceSignals({ signal: 'ecg', devices: 3, duration: 5, seed: 7 }), 0);
    expect(rows.map((r) => [r.device, r.class])).toEqual(expected.map((r) => [r.device, r.class]));
    await rec.client.endAsync();
  });

  it('npm run demo -- --json prints one summary line with the documented keys', async () => {
    const lines: string[] = [];
    // 3x real time: 15 s of signal in 5 s
    const s = await runDemo({ duration: 15, devices: 4, json: true, port: 0, rate: 3, seed: 3 }, (l) => lines.push(l));
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]) as Record<string, number>;
    expect(Object.keys(parsed)).toEqual(['devices', 'windows', 'alerts', 'expected', 'detected', 'lost', 'p50LatencyMs', 'p99LatencyMs', 'errors']);
    expect(parsed).toEqual(s);
    // about 1.2 beats a second per device, minus the QRS detector's first 2 s and last 3 s
    expect(s.windows).toBeGreaterThan(4 * 8);
    expect(s).toMatchObject({ devices: 4, lost: 0, errors: 0 });
    expect(s.detected).toBeLessThanOrEqual(s.expected);
    expect(s.p99LatencyMs).toBeLessThan(2000);
  });
});
