/**
 * The device bundle as a device runs it: built by tools/bundle/device.ts, copied with a model and
 * inputs into an empty folder (no node_modules above it), run by a given `node` (this machine's,
 * or an ARM build under qemu-user). `serveSession` drives a short `wavegate serve` on the bundle's
 * embedded broker with the fixture ECG record and returns every scores-topic message as published.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';
import { readNpy } from '../../src/io/npy.js';
import { encodeBinaryFrame } from '../../src/mqtt/frame-binary.js';
import { buildDeviceBundle, type DeviceBundle } from '../../tools/bundle/device.js';
import { waitFor } from './mqtt.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BUNDLE_MODEL = 'ecg-beat-gru-int8.wgm';
export const BUNDLE_WINDOWS = 'ecg-beats.npy';

export interface BundleDir extends DeviceBundle {
  /** The folder holding wavegate.mjs, the model and the inputs, and nothing else. */
  dir: string;
}

/** Builds the bundle into a temporary folder and copies it, the INT8 ECG model and the fixture windows into an empty one. */
export async function bundleInEmptyDir(): Promise<BundleDir> {
  const built = await buildDeviceBundle(mkdtempSync(join(tmpdir(), 'wavegate-bundle-build-')));
  const dir = mkdtempSync(join(tmpdir(), 'wavegate-device-'));
  copyFileSync(built.file, join(dir, 'wavegate.mjs'));
  copyFileSync(join(ROOT, 'fixtures/models', BUNDLE_MODEL), join(dir, BUNDLE_MODEL));
  copyFileSync(join(ROOT, 'fixtures/signals', BUNDLE_WINDOWS), join(dir, BUNDLE_WINDOWS));
  return { ...built, dir };
}

/** The files in the device folder (the test asserts nothing else is there). */
export const deviceFiles = (dir: string): string[] => readdirSync(dir).sort();

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node wavegate.mjs ...args` in the device folder; `node` is a command line (e.g. qemu + ARM node). */
export function runBundle(node: string[], dir: string, args: string[], timeoutMs = 240_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_PATH;
    delete env.NODE_OPTIONS; // vitest's loader hooks are not a device's
    const p = spawn(node[0], [...node.slice(1), 'wavegate.mjs', ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`wavegate.mjs ${args.join(' ')} ran past ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    // 'close', not 'exit': 'exit' may come before the last of stdout has been read.
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Frames of the fixture's raw synthetic ECG (60 s, 360 Hz): binary float32, one second each. */
export function ecgFrames(t0: number): Uint8Array[] {
  const rec = readNpy(readFileSync(join(ROOT, 'fixtures/signals/ecg-record.npy')));
  const x = rec.data as Float32Array;
  const fs = 360;
  const out: Uint8Array[] = [];
  for (let k = 0; (k + 1) * fs <= x.length; k++) out.push(encodeBinaryFrame({ seq: k, t: t0 + k * 1000, fs, channels: 1, samples: x.subarray(k * fs, (k + 1) * fs) }));
  return out;
}

export interface ServeResult {
  /** Scores-topic payloads as published, in arrival order. */
  scores: string[];
  /** Alert payloads as published. */
  alerts: string[];
  code: number | null;
  stderr: string;
}

/**
 * `wavegate serve` from the bundle on its embedded broker (a free port), scoring the ECG frames
 * with --publish-scores; ends with SIGTERM. `expected`: wait for that many scores (a run under
 * emulation), else until none has come for `quietMs`.
 */
export async function serveSession(node: string[], dir: string, opts: { frames: Uint8Array[]; expected?: number; quietMs?: number; startMs?: number; runMs?: number }): Promise<ServeResult> {
  const env = { ...process.env };
  delete env.NODE_PATH;
  delete env.NODE_OPTIONS;
  const p = spawn(node[0], [...node.slice(1), 'wavegate.mjs', 'serve', '--model', BUNDLE_MODEL, '--port', '0', '--node-id', 'bundle', '--http-port', '0', '--publish-scores', '--log-level', 'warn'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
  try {
    await waitFor(() => /on mqtt:\/\/127\.0\.0\.1:\d+/.test(stderr) || p.exitCode !== null, `serve to start (stderr: ${stderr})`, opts.startMs ?? 60_000);
    const url = /on (mqtt:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
    if (!url) throw new Error(`serve did not start: ${stderr}`);
    const client = await connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
    const scores: string[] = [];
    const alerts: string[] = [];
    let last = Date.now();
    client.on('message', (topic, payload) => {
      last = Date.now();
      if (topic.endsWith('/scores')) scores.push(payload.toString());
      else if (topic.endsWith('/alerts')) alerts.push(payload.toString());
    });
    await client.subscribeAsync(['wavegate/v1/+/scores', 'wavegate/v1/+/alerts'], { qos: 1 });
    // QoS 1 to the broker, so a slow (emulated) host cannot lose a frame at its door
    for (const f of opts.frames) await client.publishAsync('wavegate/v1/pi-1/ecg/samples', Buffer.from(f), { qos: 1 });
    last = Date.now();
    if (opts.expected !== undefined) await waitFor(() => scores.length >= opts.expected!, `${opts.expected} scores (got ${scores.length})`, opts.runMs ?? 180_000);
    const quiet = opts.quietMs ?? 1500;
    await waitFor(() => Date.now() - last > quiet, 'the scores to stop', opts.runMs ?? 180_000);
    await client.endAsync();
    p.kill('SIGTERM');
    return { scores, alerts, code: await exited, stderr };
  } finally {
    if (p.exitCode === null) p.kill('SIGKILL');
  }
}
