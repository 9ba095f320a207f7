/**
 * `npm run bench:mqtt -- --devices N --duration S [--json] [--fixed] [--format binary|json]`:
 * N simulated ECG devices at 360 Hz (one 100 ms frame per device every 100 ms, real time)
 * published through a real mosquitto into one host process. Three processes share the machine:
 * this one (the publisher, one connection for the whole fleet), mosquitto, and the host
 * (tools/bench/mqtt-host.ts), whose RSS and CPU are the ones reported.
 *
 * Model: by default the demo model as its file describes it (fixtures/models/ecg-beat-gru-int8.wgm:
 * band-pass, QRS detection, a window per beat, about 1.2 windows/s per device); --fixed serves the
 * same network on fixed windows of 128 samples, hop 128, no preprocessing (2.8 windows/s per
 * device: the kernel and the host without the QRS detector; a file derived here, as its own
 * description says).
 *
 * Reported: windows/s scored; latency from a window's last sample to its score (p50/p99: frame
 * accumulation up to 100 ms, broker, host; for the beat model also the QRS detector's decision delay,
 * about 3 s by design); drops (windows dropped by the host's queues + frames that never reached
 * it); the host's peak RSS and CPU (% of one core); where the host's time goes (decode,
 * preprocessing and windowing, kernel, the rest: MQTT receive, dispatch, GC).
 * --json prints {"devices", "windowsPerSec", "p50LatencyMs", "p99LatencyMs", "drops", "rssMb", "cpuPct"}.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { numberArg } from '../../src/cli/option-parsers.js';
import type { HostStats } from '../../src/mqtt/stats.js';
import { loadWgm } from '../../src/model/load.js';
import { writeWgm } from '../../src/model/write.js';
import { DEMO_MODEL } from '../demo/demo.js';
import { startMosquitto } from '../sim/mosquitto.js';
import { publishFleet } from '../sim/publisher.js';
import { deviceName, deviceSignals, type DeviceSignal } from '../sim/sources.js';

interface Options {
  devices: number;
  duration: number;
  json: boolean;
  fixed: boolean;
  format: 'binary' | 'json';
  /** Node flags for the host process, e.g. --max-semi-space-size=1. */
  nodeFlags?: string[];
}

interface HostResult {
  stats: HostStats;
  rssPeakMb: number;
  memoryAtPeakMb: Record<string, number>;
  cpuMs: number;
  wallMs: number;
  busyMs: number;
  windowLatency: { p50: number; p99: number; max: number; count: number };
}

/** Distinct synthetic recordings; larger fleets reuse them under other device names. */
const DISTINCT_SIGNALS = 64;

const progress = (line: string) => process.stderr.write(`bench:mqtt: ${line}\n`);

/** The same network described as fixed windows of 128 samples, hop 128, without preprocessing. */
async function fixedWindowVariant(source: string, path: string): Promise<string> {
  const m = await loadWgm(source);
  const { preprocessing: _p, windowing: _w, ...input } = m.metadata.input;
  m.metadata = { ...m.metadata, name: 'ecg-fixed-128', input: { ...input, window: 128, hop: 128, windowing: { mode: 'fixed', window: 128, hop: 128 } } };
  await writeWgm(path, { metadata: m.metadata, tensors: m.tensors });
  return path;
}

function fleet(devices: number, duration: number): DeviceSignal[] {
  const distinct = deviceSignals({ signal: 'ecg', devices: Math.min(devices, DISTINCT_SIGNALS), duration, seed: 11 });
  return Array.from({ length: devices }, (_, d) => ({ ...distinct[d % distinct.length], device: deviceName('ecg-', d, devices) }));
}

/** The issue's --json object. */
export interface BenchSummary {
  devices: number;
  windowsPerSec: number;
  p50LatencyMs: number;
  p99LatencyMs: number;
  drops: number;
  rssMb: number;
  cpuPct: number;
}

export async function benchMqtt(o: Options): Promise<BenchSummary & { detail: HostResult; published: number; maxBehindMs: number }> {
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'wavegate-bench-mqtt-'));
  const model = o.fixed ? await fixedWindowVariant(DEMO_MODEL, join(dir, 'ecg-fixed.wgm')) : DEMO_MODEL;
  // The host runs as `wavegate serve` does, from the compiled dist/ (npm run bench:mqtt builds it
  // first); under tsx its loader alone adds about 40 MB of RSS.
  const compiled = 'dist/tools/bench/mqtt-host.js';
  const hostArgs = existsSync(compiled) ? [compiled] : ['--import', 'tsx', 'tools/bench/mqtt-host.ts'];
  const child = spawn(process.execPath, [...(o.nodeFlags ?? []), ...hostArgs, '--broker', broker.url, '--model', model], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const next = (what: string, ms: number) => new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench:mqtt: no ${what} from the host within ${ms / 1000} s`)), ms);
    lines.once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`bench host exited with ${code}`)));
  });
  try {
    await next('ready line', 60_000);
    const signals = fleet(o.devices, o.duration);
    progress(`publishing ${o.devices} devices for ${o.duration} s`);
    const pub = await publishFleet({ url: broker.url, signals, rate: 1, format: o.format });
    progress(`published ${pub.frames} frames; stopping the host`);
    // Let the last frames arrive and be scored (beat windows wait for the QRS detector).
    await new Promise((r) => setTimeout(r, o.fixed ? 1500 : 4500));
    const done = next('result', 120_000);
    child.kill('SIGTERM');
    const host = JSON.parse(await done) as HostResult;
    const s = host.stats;
    const missingFrames = pub.frames - s.framesReceived;
    return {
      devices: o.devices,
      windowsPerSec: Math.round((s.windowsScored / o.duration) * 10) / 10,
      p50LatencyMs: Math.round(host.windowLatency.p50 * 10) / 10,
      p99LatencyMs: Math.round(host.windowLatency.p99 * 10) / 10,
      drops: s.windowsDropped + missingFrames,
      rssMb: host.rssPeakMb,
      cpuPct: Math.round((host.cpuMs / host.wallMs) * 1000) / 10,
      detail: host,
      published: pub.frames,
      maxBehindMs: pub.maxBehindMs,
    };
  } finally {
    // Give the host a moment to exit by itself (profilers write their files at exit).
    if (child.exitCode === null) await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const program = new Command('bench:mqtt')
    .option('--devices <n>', 'simulated ECG devices at 360 Hz', numberArg({ integer: true, min: 1 }), 500)
    .option('--duration <s>', 'seconds of streaming', numberArg({ above: 0 }), 20)
    .option('--json', 'print one JSON object', false)
    .option('--fixed', 'serve the network on fixed windows of 128 samples (no band-pass, no QRS detection)', false)
    .option('--format <enc>', 'frame encoding: binary or json', 'binary')
    .option('--node-flags <flags>', 'Node flags for the host process, space separated (e.g. "--max-semi-space-size=1")', (v: string) => v.split(/\s+/).filter(Boolean))
    .parse(process.argv);
  const o = program.opts<Options>();
  const r = await benchMqtt(o);
  const { detail, published, maxBehindMs, ...summary } = r;
  if (o.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const s = detail.stats;
  const other = Math.max(0, detail.busyMs - s.decodeMs - s.chainMs - s.kernelMs);
  const pct = (ms: number) => `${((100 * ms) / detail.busyMs).toFixed(0)}%`;
  process.stdout.write(
    [
      `bench:mqtt: ${o.devices} ECG devices x 360 Hz, ${o.duration} s, ${o.fixed ? 'fixed windows of 128' : 'beat model (band-pass + QRS)'}, ${o.format} frames, mosquitto + publisher + host on one machine${o.nodeFlags ? `, host node ${o.nodeFlags.join(' ')}` : ''}`,
      `  published ${published} frames (at most ${maxBehindMs.toFixed(0)} ms behind schedule); host received ${s.framesReceived}, scored ${s.windowsScored} windows (${summary.windowsPerSec}/s) in ${s.kernelCalls} kernel calls`,
      `  latency last sample -> score: p50 ${summary.p50LatencyMs} ms, p99 ${summary.p99LatencyMs} ms (host part: frame arrival -> score p50 ${s.latencyMs.p50.toFixed(1)} ms, p99 ${s.latencyMs.p99.toFixed(1)} ms)`,
      `  drops ${summary.drops} (host queue ${s.windowsDropped}, frames lost ${published - s.framesReceived}); refused ${Object.values(s.rejected).reduce((a, b) => a + (b ?? 0), 0)}`,
      `  host memory at its RSS peak (MB): ${Object.entries(detail.memoryAtPeakMb).map(([k, v]) => `${k} ${v}`).join(', ')}`,
      // CPU per frame depends far less on what else runs on the machine than latency does (one frame = 100 ms of one device)
      `  host CPU ${((detail.cpuMs * 1000) / Math.max(1, s.framesReceived)).toFixed(1)} µs per frame received, ${((detail.cpuMs * 10_000) / Math.max(1, s.framesReceived)).toFixed(0)} µs per device-second of signal`,
      `  host RSS peak ${summary.rssMb} MB, CPU ${summary.cpuPct}% of one core; event loop busy ${((100 * detail.busyMs) / detail.wallMs).toFixed(0)}% of the time: decode ${pct(s.decodeMs)}, preprocessing+windowing ${pct(s.chainMs)}, kernel ${pct(s.kernelMs)}, MQTT receive/dispatch/detectors/GC ${pct(other)}`,
      '',
    ].join('\n'),
  );
}

if (process.argv[1]?.endsWith('tools/bench/mqtt.ts')) await main();
