/**
 * `npm run chaos -- [--broker-restarts n] [--host-kills k] [--devices d] [--duration s] [--json]`:
 * proves that no owed alert is lost across broker restarts and host crashes.
 *
 * One real mosquitto with persistence on (saved at every change, not at its 30-minute default),
 * `wavegate serve` as a process of its own (disk outbox, samples at QoS 1, persistent session),
 * a simulated fleet publishing at QoS 1 in real time, and a consumer with a persistent session
 * reading `wavegate/v1/+/alerts` at QoS 1. While the fleet streams, the broker is restarted n
 * times (SIGTERM, down 1 s, started again on its port with its data) and the host killed k times
 * (SIGKILL, started again at once), the events spread evenly over the middle of the run. Then
 * every alert the consumer got is counted against a reference run and the simulator's truth.
 *
 * The signal and model are chosen so that the count is exact: the level model
 * (tools/synth/level-model.ts) on the level signal (tools/sim/sources.ts), one 0.5 s frame per
 * window, single-window anomalies, a detector that alerts on one positive window. An alert is
 * owed for every window the host fully received; here every window is one frame, which the host
 * acknowledges only after the window is scored and its alert is on disk, and which the broker
 * delivers again otherwise: so every window is fully received by some run of the host, and
 * every anomaly of the fleet is owed. (With windows spanning several frames, a window whose
 * frames straddle a host kill is received by neither run whole; it is not owed, and a run
 * of this tool would not count it.)
 *
 * - expected: the alerts of the reference run: the same fleet, same times, through one host on
 *   an embedded broker that nothing disturbs (it must equal the simulator's truth, one alert per
 *   anomaly; the tool fails otherwise);
 * - delivered: expected alerts the consumer received (by alert id, which is stable: device,
 *   stream, class, start, model);
 * - lost: expected - delivered;
 * - duplicates: deliveries beyond the first of an id (at-least-once: a broker restart or a host
 *   kill between publish and PUBACK sends an alert again; consumers drop them by id).
 * --json prints exactly {"brokerRestarts", "hostKills", "expected", "delivered", "lost", "duplicates"}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { numberArg } from '../../src/cli/option-parsers.js';
import { connectAsync, type MqttClient } from 'mqtt';
import { WavegateHost, type Alert } from '../../src/mqtt/host.js';
import { createLogger } from '../../src/mqtt/log.js';
import { startMosquitto, type Mosquitto } from '../sim/mosquitto.js';
import { publishFleet } from '../sim/publisher.js';
import { deviceSignals, LEVEL_BLOCK, LEVEL_FS, type DeviceSignal } from '../sim/sources.js';
import { matchAlerts, truthRows } from '../sim/truth.js';
import { writeLevelModel } from '../synth/level-model.js';

export interface ChaosOptions {
  brokerRestarts: number;
  hostKills: number;
  devices: number;
  /** Seconds of streaming. */
  duration: number;
  seed?: number;
  /** Run the host from dist/ (npm run chaos builds it) rather than from the sources under tsx. */
  compiled?: boolean;
  log?: (line: string) => void;
  /** The host's log level (info logs every alert). Default warn. */
  hostLogLevel?: 'info' | 'warn';
}

export interface ChaosCounts {
  brokerRestarts: number;
  hostKills: number;
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
}

export interface ChaosResult extends ChaosCounts {
  /** Known anomalies of the fleet, and those with an alert (reference run / chaos run). */
  truth: number;
  referenceDetected: number;
  /** Distinct alerts received that the reference run did not raise (0 expected). */
  unexpected: number;
  /** Frames the simulator could not hand to the broker (a publish failed in a broker restart), and the reference alerts they carried (not owed). */
  framesUnsent: number;
  alertsNotOwed: number;
  /** Lost alerts, for the report: id, device, start (seconds into the stream). */
  lostAlerts: Array<{ id: string; device: string; atS: number }>;
  /** The host's log (every run of it), kept when an alert was lost. */
  hostLog?: string;
  /** What happened when, seconds after streaming began. */
  events: Array<{ t: number; what: string }>;
  framesPublished: number;
}

/** Milliseconds of signal per frame: one level block, one model window. */
const FRAME_MS = (LEVEL_BLOCK * 1000) / LEVEL_FS;
const BROKER_DOWN_MS = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The reference run: the same frames (same t0) through an undisturbed in-process host on an embedded broker. */
async function referenceRun(model: string, signals: DeviceSignal[], t0: number): Promise<Alert[]> {
  const host = await WavegateHost.start({ models: [{ path: model, name: 'level' }], port: 0, nodeId: 'chaos-reference', log: createLogger('silent'), sessionExpirySeconds: 0, samplesQos: 1 });
  const alerts: Alert[] = [];
  host.on('alert', (a) => alerts.push(a));
  try {
    await publishFleet({ url: host.brokerUrl, signals, rate: 0, frameMs: FRAME_MS, t0, qos: 1 });
    const frames = signals.length * Math.floor(signals[0].samples.length / LEVEL_BLOCK);
    const until = Date.now() + 60_000;
    while (host.stats().framesAccepted < frames && Date.now() < until) await sleep(50);
  } finally {
    await host.stop();
  }
  return alerts;
}

/** `wavegate serve` as a child process that can be killed and started again with the same outbox and node id. */
class HostProcess {
  private child: ChildProcess | undefined;
  /** Everything every run of the host wrote to stderr (its pino log), the last 4 MB. */
  private stderr = '';
  httpUrl = '';

  constructor(private readonly args: string[], private readonly compiled: boolean) {}

  /** Starts it; resolves once it serves (its startup line names the metrics URL). */
  async start(): Promise<void> {
    const entry = this.compiled ? ['dist/src/cli/device-main.js'] : ['--import', 'tsx', 'src/cli/device-main.ts'];
    const child = spawn(process.execPath, [...entry, 'serve', ...this.args], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let out = '';
    this.httpUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`wavegate serve did not start within 60 s:\n${out}`)), 60_000);
      child.stderr!.on('data', (d: Buffer) => {
        out += d.toString();
        this.stderr = (this.stderr + d.toString()).slice(-4_000_000);
        const m = /metrics (http:\/\/\S+)\/metrics/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`wavegate serve exited with ${code}:\n${out}`));
      });
    });
  }

  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const gone = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill(signal);
    return Promise.race([gone, sleep(30_000).then(() => (child.kill('SIGKILL'), null))]);
  }

  /** The host's /healthz, or undefined while it is down. */
  async health(): Promise<{ outbox: { alerts: number }; broker: { connected: boolean } } | undefined> {
    try {
      return (await (await fetch(`${this.httpUrl}/healthz`)).json()) as { outbox: { alerts: number }; broker: { connected: boolean } };
    } catch {
      return undefined;
    }
  }

  log(): string {
    return this.stderr;
  }
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const say = o.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'wavegate-chaos-'));
  const model = await writeLevelModel(join(dir, 'level.wgm'), { fs: LEVEL_FS, window: LEVEL_BLOCK, hop: LEVEL_BLOCK, detector: { thresholds: { anomaly: 0.5 }, normalLabels: ['normal'], minDuration: 1, window: 1, hysteresis: 1, cooldown: 0 } });
  const signals = deviceSignals({ signal: 'level', devices: o.devices, duration: o.duration, seed: o.seed ?? 1 });
  const t0 = Date.now(); // the frames' time base, the same in both runs (alert ids include start times)
  const truth = truthRows(signals, t0, FRAME_MS);
  say(`reference run: ${o.devices} devices, ${o.duration} s of level signal, ${truth.length} known anomalies`);
  const reference = await referenceRun(model, signals, t0);
  const ref = matchAlerts(truth, reference, { toleranceMs: 0 });
  if (ref.detected !== truth.length || reference.length !== truth.length) {
    throw new Error(`chaos: the reference run does not match the simulator's truth (${reference.length} alerts, ${ref.detected} of ${truth.length} anomalies): the count would not be exact`);
  }
  const expectedIds = new Set(reference.map((a) => a.id));

  let broker: Mosquitto | undefined;
  let consumer: MqttClient | undefined;
  let host: HostProcess | undefined;
  const events: ChaosResult['events'] = [];
  try {
    // Every message queued for the persistent sessions, however many (the default is 1000 per client).
    broker = await startMosquitto(['max_queued_messages 0'], { persistence: true });
    const b = broker;
    const h = new HostProcess(['--model', model, '--broker', broker.url, '--node-id', 'chaos', '--outbox', join(dir, 'outbox'), '--samples-qos', '1', '--http-port', '0', '--log-level', o.hostLogLevel ?? 'warn'], o.compiled ?? existsSync('dist/src/cli/device-main.js'));
    host = h;
    await h.start();
    const received: Alert[] = [];
    consumer = await connectAsync(broker.url, { protocolVersion: 5, clientId: 'wavegate-chaos-consumer', clean: false, properties: { sessionExpiryInterval: 3600 }, reconnectPeriod: 250 });
    consumer.on('message', (_t, payload) => received.push(JSON.parse(payload.toString()) as Alert));
    await consumer.subscribeAsync('wavegate/v1/+/alerts', { qos: 1 });

    // The events, spread evenly over 15 %..80 % of the run, broker restarts and host kills interleaved.
    const total = o.brokerRestarts + o.hostKills;
    const kinds: Array<'broker' | 'host'> = [];
    for (let i = 0, b2 = 0, h = 0; i < total; i++) {
      // pick whichever kind is further behind its share
      if (h < o.hostKills && (b2 >= o.brokerRestarts || h / o.hostKills < b2 / o.brokerRestarts)) (kinds.push('host'), h++);
      else (kinds.push('broker'), b2++);
    }
    const start = Date.now();
    const at = (i: number) => o.duration * 1000 * (0.15 + (0.65 * (i + 0.5)) / Math.max(1, total));
    const mark = (what: string) => {
      events.push({ t: Math.round((Date.now() - start) / 100) / 10, what });
      say(`+${((Date.now() - start) / 1000).toFixed(1)} s ${what}`);
    };
    const chaos = (async () => {
      for (let i = 0; i < total; i++) {
        const wait = start + at(i) - Date.now();
        if (wait > 0) await sleep(wait);
        if (kinds[i] === 'broker') {
          mark('broker: SIGTERM');
          await b.restart('SIGTERM', BROKER_DOWN_MS);
          mark('broker: back');
        } else {
          mark('host: SIGKILL');
          await h.kill('SIGKILL');
          await h.start();
          mark('host: back');
        }
      }
    })();
    const pub = await publishFleet({ url: broker.url, signals, rate: 1, frameMs: FRAME_MS, t0, qos: 1 });
    await chaos;
    mark(`fleet done: ${pub.frames} frames published, ${pub.failed.length} never acknowledged by the broker`);
    // A frame the simulator could not hand to the broker was never received: its window is not owed.
    const unsent = new Set(pub.failed.map((f) => `${signals[f.device].device}\n${f.seq}`));
    const notOwed = reference.filter((a) => unsent.has(`${a.device}\n${a.seq}`));
    for (const a of notOwed) expectedIds.delete(a.id);
    // Drain: until the consumer has every expected alert and the host's outbox is empty, or
    // nothing has changed for 5 s with the outbox empty (what is missing then is lost), 2 minutes at most.
    const until = Date.now() + 120_000;
    let quiet = 0, last = -1;
    while (Date.now() < until) {
      await sleep(500);
      const health = await h.health();
      const empty = health !== undefined && health.broker.connected && health.outbox.alerts === 0;
      const ids = new Set(received.map((a) => a.id));
      if (empty && [...expectedIds].every((id) => ids.has(id))) break;
      quiet = empty && received.length === last ? quiet + 1 : 0;
      last = received.length;
      if (quiet >= 10) break;
    }
    await sleep(500); // duplicates still on their way
    const code = await h.kill('SIGTERM');
    mark(`host stopped (SIGTERM), exit status ${code}`);
    if (code !== 0) say(`host log:\n${h.log().slice(-4000)}`);
    const distinct = new Map<string, Alert>();
    for (const a of received) distinct.set(a.id, a);
    const delivered = [...expectedIds].filter((id) => distinct.has(id)).length;
    const lostIds = [...expectedIds].filter((id) => !distinct.has(id));
    const lostAlerts = reference.filter((a) => lostIds.includes(a.id)).map((a) => ({ id: a.id, device: a.device, atS: Math.round((a.start - t0) / 100) / 10 }));
    let hostLog: string | undefined;
    if (lostIds.length > 0) {
      hostLog = join(tmpdir(), `wavegate-chaos-host-${process.pid}.log`);
      writeFileSync(hostLog, `${h.log()}\n--- broker log ---\n${b.log()}`);
    }
    return {
      brokerRestarts: o.brokerRestarts,
      hostKills: o.hostKills,
      expected: expectedIds.size,
      delivered,
      lost: lostIds.length,
      duplicates: received.length - distinct.size,
      truth: truth.length,
      referenceDetected: ref.detected,
      unexpected: [...distinct.keys()].filter((id) => !reference.some((a) => a.id === id)).length,
      framesUnsent: pub.failed.length,
      alertsNotOwed: notOwed.length,
      lostAlerts,
      hostLog,
      events,
      framesPublished: pub.frames,
    };
  } finally {
    await host?.kill('SIGKILL');
    await consumer?.endAsync(true).catch(() => undefined);
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const program = new Command('chaos')
    .description('broker restarts and host kills while a fleet streams; counts every alert against a reference run')
    .option('--broker-restarts <n>', 'broker restarts (SIGTERM, 1 s down, started again with its data)', numberArg({ integer: true, min: 0 }), 5)
    .option('--host-kills <k>', 'host kills (SIGKILL, started again at once)', numberArg({ integer: true, min: 0 }), 3)
    .option('--devices <d>', 'simulated devices (level signal, 2 frames/s each)', numberArg({ integer: true, min: 1 }), 50)
    .option('--duration <s>', 'seconds of streaming', numberArg({ integer: true, min: 1 }), 90)
    .option('--seed <n>', 'seed of the fleet', numberArg({ integer: true, min: 0 }), 1)
    .option('--host-log-level <level>', 'the host\'s log level: warn, or info (every alert logged)', 'warn')
    .option('--json', 'print exactly {"brokerRestarts", "hostKills", "expected", "delivered", "lost", "duplicates"}', false)
    .parse(process.argv);
  const o = program.opts<ChaosOptions & { json: boolean }>();
  const r = await runChaos({ ...o, compiled: true, log: o.json ? undefined : (l) => process.stderr.write(`chaos: ${l}\n`) });
  if (o.json) {
    const counts: ChaosCounts = { brokerRestarts: r.brokerRestarts, hostKills: r.hostKills, expected: r.expected, delivered: r.delivered, lost: r.lost, duplicates: r.duplicates };
    process.stdout.write(`${JSON.stringify(counts)}\n`);
  } else {
    process.stdout.write(
      [
        `chaos: ${o.devices} devices, ${o.duration} s, ${r.framesPublished} frames; ${r.brokerRestarts} broker restarts, ${r.hostKills} host kills`,
        `  expected ${r.expected} alerts (the reference run: ${r.referenceDetected} of the simulator's ${r.truth} anomalies${r.alertsNotOwed > 0 ? `, less ${r.alertsNotOwed} in the ${r.framesUnsent} frames the simulator could not publish` : ''}), delivered ${r.delivered}, lost ${r.lost}, duplicates ${r.duplicates}, unexpected ${r.unexpected}`,
        ...(r.lost > 0 ? [`  lost: ${r.lostAlerts.slice(0, 20).map((a) => `${a.device} at +${a.atS} s (${a.id})`).join(', ')}; host log: ${r.hostLog}`] : []),
        '',
      ].join('\n'),
    );
  }
  if (r.lost > 0) process.exitCode = 1;
}

if (process.argv[1]?.endsWith('tools/chaos/chaos.ts')) await main();
