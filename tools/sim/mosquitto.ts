/**
 * Starts a real mosquitto (the Debian package: `apt-get install mosquitto mosquitto-clients`) on a
 * free loopback port, for a test file or the MQTT load benchmark, with a config of its own: no pid file, no persistence,
 * anonymous clients, and `user root` so that, run as root (as CI is), it does not switch to the
 * `mosquitto` user (whose folders may not exist). The broker's log is kept for failure messages.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WavegateError } from '../../src/errors.js';

function which(name: string, extra: string[]): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  return extra.find((p) => existsSync(p));
}

export const MOSQUITTO = which('mosquitto', ['/usr/sbin/mosquitto']);
export const MOSQUITTO_PUB = which('mosquitto_pub', ['/usr/bin/mosquitto_pub']);
export const MOSQUITTO_SUB = which('mosquitto_sub', ['/usr/bin/mosquitto_sub']);
/** True when the broker and its command-line clients are installed. */
export const mosquittoInstalled = MOSQUITTO !== undefined && MOSQUITTO_PUB !== undefined && MOSQUITTO_SUB !== undefined;

export interface Mosquitto {
  url: string;
  port: number;
  /** Everything the broker logged so far. */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ port, host: '127.0.0.1' }, () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });
}

/**
 * Starts mosquitto; tries a few ports in case another process takes the free one first.
 * `extraConfig` lines follow the listener line, so listener settings (TLS: cafile, certfile,
 * keyfile, require_certificate) apply to it; `url` is mqtt:// even then (use mqtts:// for TLS).
 */
export async function startMosquitto(extraConfig: string[] = []): Promise<Mosquitto> {
  if (!MOSQUITTO) throw new WavegateError('E_NOT_FOUND', 'mosquitto is not installed (apt-get install mosquitto mosquitto-clients)');
  const dir = mkdtempSync(join(tmpdir(), 'wavegate-mosquitto-'));
  let lastLog = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    const runningAsRoot = process.getuid?.() === 0;
    // extraConfig may set allow_anonymous itself (a broker with a password file).
    const anonymous = extraConfig.some((l) => l.startsWith('allow_anonymous')) ? [] : ['allow_anonymous true'];
    writeFileSync(conf, [`listener ${port} 127.0.0.1`, ...anonymous, 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', ...(runningAsRoot ? ['user root'] : []), ...extraConfig, ''].join('\n'));
    const proc: ChildProcess = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    let exited = false;
    proc.on('exit', () => (exited = true));
    const until = Date.now() + 5000;
    while (!exited && Date.now() < until && !(await accepting(port))) await new Promise((r) => setTimeout(r, 25));
    if (!exited && (await accepting(port))) {
      return {
        url: `mqtt://127.0.0.1:${port}`,
        port,
        log: () => log,
        stop: async () => {
          if (!exited) {
            const gone = new Promise((r) => proc.once('exit', r));
            proc.kill('SIGTERM');
            await gone;
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    proc.kill('SIGKILL');
    lastLog = log;
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`mosquitto did not start on a free loopback port after 5 tries; its log:\n${lastLog}`);
}
