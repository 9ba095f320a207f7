/**
 * `npm run demo [-- --duration <s>] [--devices <n>] [--json] [--port <p>] [--rate <x>]`:
 * the whole system in one process: the host (src/mqtt) with its embedded broker on
 * 127.0.0.1:<port> (default 1883), the demo ECG model (fixtures/models/ecg-beat-gru-int8.wgm, a
 * self-describing beat model: band-pass, QRS detection, N/S/V), and a simulated fleet of ECG devices with premature
 * beats at known times (tools/sim). Alerts are printed as they arrive over MQTT; at the end a
 * summary, or with --json one line:
 *
 *   {"devices", "windows", "alerts", "expected", "detected", "lost", "p50LatencyMs", "p99LatencyMs", "errors"}
 *
 * windows: windows scored; lost: windows received whole but never scored (dropped or orphaned);
 * expected/detected: known premature beats, and those with an alert of the same class;
 * latency: from the publish of the frame that completes a window to its score (the QRS detector
 * decides a beat about 3 s after its R peak; that delay comes before and is not counted);
 * errors: frames refused. Beats in the first 2.5 s (the detector learning) and the last 4 s (not
 * yet decided when publishing stops) are not expected.
 */
import { Command } from 'commander';
import { numberArg } from '../../src/cli/option-parsers.js';
import { connectAsync } from 'mqtt';
import { isWavegateError } from '../../src/errors.js';
import { WavegateHost, type Alert } from '../../src/mqtt/host.js';
import { createLogger } from '../../src/mqtt/log.js';
import { LatencyReservoir } from '../../src/mqtt/stats.js';
import { publishFleet } from '../sim/publisher.js';
import { deviceSignals } from '../sim/sources.js';
import { matchAlerts, truthRows, type TruthRow } from '../sim/truth.js';

export interface DemoOptions {
  duration: number;
  devices: number;
  json: boolean;
  port: number;
  rate: number;
  seed: number;
  /** The ECG beat model the host runs; default DEMO_MODEL. */
  model?: string;
}

export interface DemoSummary {
  devices: number;
  windows: number;
  alerts: number;
  expected: number;
  detected: number;
  lost: number;
  p50LatencyMs: number;
  p99LatencyMs: number;
  errors: number;
}

/** The demo model: the committed fixture student, which describes its own chain. */
export const DEMO_MODEL = 'fixtures/models/ecg-beat-gru-int8.wgm';

/** Seconds at the start (QRS detector learning) and end (beats not yet decided) where beats are not expected. */
const LEARN_S = 2.5;
const UNDECIDED_S = 4;

export async function runDemo(o: DemoOptions, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<DemoSummary> {
  const host = await WavegateHost.start({ models: [{ path: o.model ?? DEMO_MODEL }], port: o.port, nodeId: 'demo', log: createLogger(o.json ? 'silent' : 'warn') });
  const signals = deviceSignals({ signal: 'ecg', devices: o.devices, duration: o.duration, seed: o.seed });
  const index = new Map(signals.map((s, d) => [s.device, d]));
  // Publish times of the last 64 frames of each device, by seq, for the latency of each scored window.
  const RING = 64;
  const published = new Float64Array(o.devices * RING);
  const latency = new LatencyReservoir();
  host.on('scored', (s) => {
    const d = index.get(s.device);
    if (d !== undefined) latency.add(Date.now() - published[d * RING + (s.seq % RING)]);
  });
  const alerts: Alert[] = [];
  const watcher = await connectAsync(host.brokerUrl, { protocolVersion: 4 });
  const t0 = Date.now();
  const truth: TruthRow[] = truthRows(signals, t0);
  watcher.on('message', (_topic, payload) => {
    const a = JSON.parse(payload.toString()) as Alert;
    alerts.push(a);
    if (!o.json) {
      const real = truth.find((t) => t.device === a.device && t.start <= a.end + 250 && t.end >= a.start - 250);
      out(`+${((a.start - t0) / 1000).toFixed(1).padStart(6)} s  ${a.device}/${a.stream}  ${a.class}  score ${a.score.toFixed(3)}  ${real ? `(true ${real.class} beat)` : '(no known anomaly here)'}`);
    }
  });
  await watcher.subscribeAsync('wavegate/v1/+/alerts', { qos: 1 });
  const abort = new AbortController();
  const onInt = () => abort.abort();
  process.once('SIGINT', onInt);
  if (!o.json) out(`wavegate demo: ${o.devices} simulated ECG devices, ${o.duration} s at ${o.rate}x real time, host on ${host.brokerUrl} (Ctrl-C ends early)`);
  let summary: DemoSummary;
  try {
    const r = await publishFleet({ url: host.brokerUrl, signals, rate: o.rate, t0, abort: abort.signal, onFrame: (d, seq) => (published[d * RING + (seq % RING)] = Date.now()) });
    // Let the last frames through the broker and the last tick score them.
    await new Promise((res) => setTimeout(res, 300));
    const endMs = t0 + (r.frames / o.devices) * 100;
    await host.stop();
    await new Promise((res) => setTimeout(res, 100));
    const stats = host.stats();
    const m = matchAlerts(truth, alerts, { expected: (t) => t.start >= t0 + LEARN_S * 1000 && t.end <= endMs - UNDECIDED_S * 1000 });
    summary = {
      devices: o.devices,
      windows: stats.windowsScored,
      alerts: alerts.length,
      expected: m.expected,
      detected: m.detected,
      lost: stats.windowsLost,
      p50LatencyMs: Math.round(latency.percentile(50) * 10) / 10,
      p99LatencyMs: Math.round(latency.percentile(99) * 10) / 10,
      errors: Object.values(stats.rejected).reduce((a, b) => a + (b ?? 0), 0),
    };
  } finally {
    process.off('SIGINT', onInt);
    await host.stop();
    await watcher.endAsync();
  }
  if (o.json) out(JSON.stringify(summary));
  else {
    out(`\n${summary.devices} devices: ${summary.windows} beat windows scored, ${summary.alerts} alerts; ${summary.detected} of ${summary.expected} known premature beats detected with their class;`);
    out(`${summary.lost} windows lost, ${summary.errors} frames refused; latency from the completing frame's publish to the score p50 ${summary.p50LatencyMs} ms, p99 ${summary.p99LatencyMs} ms`);
  }
  return summary;
}

async function main(): Promise<void> {
  const program = new Command('demo')
    .description('embedded broker, simulated ECG fleet and host with the demo model; prints alerts and a summary')
    .option('--duration <s>', 'seconds of signal to stream', numberArg({ above: 0 }), 30)
    .option('--devices <n>', 'simulated ECG devices', numberArg({ integer: true, min: 1 }), 20)
    .option('--json', 'print only one JSON summary at the end', false)
    .option('--port <p>', 'embedded broker port (0: any free port)', numberArg({ integer: true, min: 0, max: 65535 }), 1883)
    .option('--rate <x>', 'time scale (1 = real time)', numberArg({ above: 0 }), 1)
    .option('--seed <n>', 'seed of the simulated fleet', numberArg({ integer: true }), 1)
    .option('--model <model.wgm>', `the ECG beat model the host runs (default ${DEMO_MODEL})`)
    .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2));
  program.parse(process.argv);
  try {
    await runDemo(program.opts<DemoOptions>());
  } catch (e) {
    if (isWavegateError(e)) {
      process.stderr.write(`wavegate: ${e.code}: ${e.message}\n`);
      process.exitCode = 1;
    } else throw e;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('tools/demo/demo.ts')) await main();
