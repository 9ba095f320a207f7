/**
 * Starts a real mosquitto (the Debian package: `apt-get install mosquitto mosquitto-clients`) on a
 * free loopback port, for a test file, the MQTT load benchmark or the chaos run, with a config of its own: no pid file, no persistence
 * (unless asked: then saved at every change, for the chaos run),
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
  /** Stops the broker (SIGTERM: it saves its persistence file first; SIGKILL: it does not) and starts it again on the same port with the same config and data. */
  restart(signal?: 'SIGTERM' | 'SIGKILL', downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface MosquittoOptions {
  /**
   * Keep sessions and queued QoS 1 messages across restarts, saved at every change (not the
   * default 30-minute autosave): persistence in the broker's own temporary folder.
   */
  persistence?: boolean;
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

interface Running {
  proc: ChildProcess;
  exited: () => boolean;
}

/** Starts the broker with `conf` and waits until it accepts connections on `port` (false if it exited or never did). */
async function launch(conf: string, port: number, onLog: (s: string) => void): Promise<Running | undefined> {
  const proc: ChildProcess = spawn(MOSQUITTO!, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d: Buffer) => onLog(d.toString()));
  proc.stderr!.on('data', (d: Buffer) => onLog(d.toString()));
  let exited = false;
  proc.on('exit', () => (exited = true));
  const until = Date.now() + 10_000;
  while (!exited && Date.now() < until && !(await accepting(port))) await new Promise((r) => setTimeout(r, 25));
  if (!exited && (await accepting(port))) return { proc, exited: () => exited };
  proc.kill('SIGKILL');
  return undefined;
}

async function halt(r: Running, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (r.exited()) return;
  const gone = new Promise((res) => r.proc.once('exit', res));
  r.proc.kill(signal);
  await gone;
}

/**
 * Starts mosquitto; tries a few ports in case another process takes the free one first.
 * `extraConfig` lines follow the listener line, so listener settings (TLS: cafile, certfile,
 * keyfile, require_certificate) apply to it; `url` is mqtt:// even then (use mqtts:// for TLS).
 */
export async function startMosquitto(extraConfig: string[] = [], options: MosquittoOptions = {}): Promise<Mosquitto> {
  if (!MOSQUITTO) throw new WavegateError('E_NOT_FOUND', 'mosquitto is not installed (apt-get install mosquitto mosquitto-clients)');
  const dir = mkdtempSync(join(tmpdir(), 'wavegate-mosquitto-'));
  const persistence = options.persistence
    ? ['persistence true', `persistence_location ${dir}/`, 'autosave_on_changes true', 'autosave_interval 1']
    : ['persistence false'];
  let log = '';
  const onLog = (d: string) => (log = (log + d).slice(-200_000));
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    const runningAsRoot = process.getuid?.() === 0;
    // extraConfig may set allow_anonymous itself (a broker with a password file).
    const anonymous = extraConfig.some((l) => l.startsWith('allow_anonymous')) ? [] : ['allow_anonymous true'];
    writeFileSync(conf, [`listener ${port} 127.0.0.1`, ...anonymous, ...persistence, 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', ...(runningAsRoot ? ['user root'] : []), ...extraConfig, ''].join('\n'));
    let running = await launch(conf, port, onLog);
    if (running) {
      return {
        url: `mqtt://127.0.0.1:${port}`,
        port,
        log: () => log,
        restart: async (signal = 'SIGTERM', downMs = 0) => {
          await halt(running!, signal);
          if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
          // the port was just ours; a few tries in case the kernel is slow to free it
          for (let i = 0; i < 20; i++) {
            running = await launch(conf, port, onLog);
            if (running) return;
            await new Promise((r) => setTimeout(r, 100));
          }
          throw new Error(`mosquitto did not come back on port ${port}; its log:\n${log.slice(-4000)}`);
        },
        stop: async () => {
          if (running) await halt(running, 'SIGTERM');
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`mosquitto did not start on a free loopback port after 5 tries; its log:\n${log.slice(-4000)}`);
}
