/**
 * The documented quickest way to try the host, checked with clients that are not ours: the
 * `wavegate serve` command (a child process) on a real mosquitto, driven by Debian's
 * `mosquitto_pub -l` (one JSON frame per line) and read with `mosquitto_sub`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { levelFrames, waitFor } from '../helpers/mqtt.js';
import { writeLevelModel } from '../helpers/level-model.js';
import { MOSQUITTO_PUB, MOSQUITTO_SUB, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { KERNELS, MOSQUITTO, MOSQUITTO_CLIENTS, needs } from '../helpers/needs.js';

const T0 = 1_767_225_600_000;

/**
 * Runs a mosquitto client to completion (its output read to the end). Only a client given `input` gets a stdin pipe: one that
 * reads none (mosquitto_sub) may exit before a write to it lands, and the EPIPE would surface as
 * an uncaught error of the test run; a client that exits before reading all its input says so by
 * its exit code, and the write error is kept in `stderr`.
 */
function client(bin: string, args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(bin, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    // 'close', not 'exit': 'exit' may come before the last of stdout has been read, which lost a
    // mosquitto_sub -C 1's one message on a loaded CI machine.
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) {
      p.stdin!.on('error', (e) => (stderr += `stdin: ${e.message}\n`));
      p.stdin!.end(input);
    }
  });
}

needs(MOSQUITTO, MOSQUITTO_CLIENTS, KERNELS).describe('wavegate serve with mosquitto_pub and mosquitto_sub', () => {
  let broker: Mosquitto;
  let dir: string;
  let serve: ChildProcess | undefined;
  let serveErr = '';

  beforeAll(async () => {
    broker = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), 'wavegate-cli-mqtt-'));
  });
  afterAll(async () => {
    if (serve && serve.exitCode === null) serve.kill('SIGKILL');
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('alerts reach mosquitto_sub, refusals reach the errors topic, status goes online then offline', async () => {
    const model = await writeLevelModel(join(dir, 'level.wgm'));
    const p = ['-h', '127.0.0.1', '-p', String(broker.port)];
    serve = spawn(process.execPath, ['--import', 'tsx', 'src/cli/device-main.ts', 'serve', '--model', model, '--broker', broker.url, '--node-id', 'cli-node', '--http-port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    serve.stderr!.on('data', (d: Buffer) => (serveErr += d.toString()));
    await waitFor(() => serveErr.includes('serving level on'), `serve to start (stderr: ${serveErr})`, 60_000);

    const status = await client(MOSQUITTO_SUB!, [...p, '-t', 'wavegate/v1/_node/cli-node/status', '-C', '1', '-W', '10']);
    expect(status.stdout.trim()).toBe('online');

    // Subscribers first (-C: exit after that many messages, -W: give up after that many seconds).
    const alerts = client(MOSQUITTO_SUB!, [...p, '-t', 'wavegate/v1/+/alerts', '-C', '1', '-W', '60', '-v']);
    const errors = client(MOSQUITTO_SUB!, [...p, '-t', 'wavegate/v1/_node/cli-node/errors', '-C', '1', '-W', '60']);
    await new Promise((r) => setTimeout(r, 500));

    // 100 Hz, 25 samples a frame; level 1 on samples [100, 300): windows 2 to 5 of 50 samples
    const frames = levelFrames({ t0: T0, fs: 100, n: 25, frames: 16, anomaly: [100, 300] });
    const pub = await client(MOSQUITTO_PUB!, [...p, '-t', 'wavegate/v1/pump-7/vib/samples', '-l'], `${frames.join('\n')}\n`);
    expect(pub.code, pub.stderr).toBe(0);
    const bad = await client(MOSQUITTO_PUB!, [...p, '-t', 'wavegate/v1/pump-8/vib/samples', '-m', 'not a frame']);
    expect(bad.code, bad.stderr).toBe(0);

    const a = await alerts;
    expect(a.code, a.stderr).toBe(0);
    const [topic, json] = [a.stdout.slice(0, a.stdout.indexOf(' ')), a.stdout.slice(a.stdout.indexOf(' ') + 1)];
    expect(topic).toBe('wavegate/v1/pump-7/alerts');
    expect(JSON.parse(json)).toMatchObject({ device: 'pump-7', stream: 'vib', class: 'anomaly', start: T0 + 1000, end: T0 + 1990, model: 'level', seq: 7 });
    const e = await errors;
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout)).toMatchObject({ device: 'pump-8', stream: 'vib', code: 'E_FRAME_MALFORMED' });

    serve.kill('SIGTERM');
    await new Promise((r) => serve!.once('exit', r));
    expect(serve.exitCode, serveErr).toBe(0);
    const after = await client(MOSQUITTO_SUB!, [...p, '-t', 'wavegate/v1/_node/cli-node/status', '-C', '1', '-W', '10']);
    expect(after.stdout.trim()).toBe('offline');
  });

  it('the last will says offline when the host dies without a word', async () => {
    const model = join(dir, 'level.wgm');
    const p = ['-h', '127.0.0.1', '-p', String(broker.port)];
    let err = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/device-main.ts', 'serve', '--model', model, '--broker', broker.url, '--node-id', 'doomed', '--http-port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await waitFor(() => err.includes('serving level on'), `serve to start (stderr: ${err})`, 60_000);
    expect((await client(MOSQUITTO_SUB!, [...p, '-t', 'wavegate/v1/_node/doomed/status', '-C', '1', '-W', '10'])).stdout.trim()).toBe('online');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // mosquitto publishes the will as soon as it sees the socket close
    await waitFor(() => spawnSync(MOSQUITTO_SUB!, [...p, '-t', 'wavegate/v1/_node/doomed/status', '-C', '1', '-W', '5'], { encoding: 'utf8' }).stdout.trim() === 'offline', 'the last will', 15_000);
  });
});
