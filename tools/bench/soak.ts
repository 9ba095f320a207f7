/**
 * `npm run soak -- --duration <s> [--devices n] [--interval s] [--warmup s] [--json]`: a bounded
 * soak. A real mosquitto, `wavegate serve` as a process of its own (the compiled CLI, with its
 * disk outbox and its metrics endpoint), and a simulated ECG fleet streaming in real time for
 * the whole duration (each device's 60 s synthetic signal looped). Every `interval` seconds the
 * host's RSS and V8 heap are read from its own /metrics (process_resident_memory_bytes,
 * nodejs_heap_size_used_bytes), with its windows and alerts so far.
 *
 * Reported: the samples, and RSS growth after warm-up: the median of the last three samples
 * against the median of the three samples ending at `warmup` (default a sixth of the run, at
 * least 60 s), in percent (the goal is under 5 %); also the least-squares slope of RSS after
 * warm-up, MB per hour. --json prints {"durationS", "devices", "warmupS", "samples": [...],
 * "rssWarmMb", "rssEndMb", "rssGrowthPct", "rssSlopeMbPerHour", "heapWarmMb", "heapEndMb", "windows", "alerts", "drops"}.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { numberArg } from '../../src/cli/option-parsers.js';
import { DEMO_MODEL } from '../demo/demo.js';
import { startMosquitto } from '../sim/mosquitto.js';
import { publishFleet } from '../sim/publisher.js';
import { deviceName, deviceSignals, type DeviceSignal } from '../sim/sources.js';

interface Options {
  duration: number;
  devices: number;
  interval: number;
  warmup?: number;
  json: boolean;
  /** A file for the host's log (its stderr: pino JSON at warn level). */
  hostLog?: string;
}

export interface SoakSample {
  /** Seconds since streaming began. */
  t: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  windows: number;
  alerts: number;
  /** Alerts waiting in the outbox (not yet acknowledged by the broker). */
  outbox: number;
}

/** Seconds of distinct signal per device (looped). */
const SIGNAL_S = 60;
/** Distinct synthetic recordings; larger fleets reuse them under other names. */
const DISTINCT = 32;

const progress = (line: string) => process.stderr.write(`soak: ${line}\n`);

/** One value of a Prometheus text exposition (the first series of that name). */
export function metricValue(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function slopePerHour(xs: SoakSample[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mt = xs.reduce((a, s) => a + s.t, 0) / n, mr = xs.reduce((a, s) => a + s.rssMb, 0) / n;
  const cov = xs.reduce((a, s) => a + (s.t - mt) * (s.rssMb - mr), 0), vt = xs.reduce((a, s) => a + (s.t - mt) ** 2, 0);
  return vt > 0 ? (cov / vt) * 3600 : 0;
}

export async function soak(o: Options) {
  const warmup = o.warmup ?? Math.max(60, o.duration / 6);
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'wavegate-soak-'));
  const child = spawn(process.execPath, ['bin/wavegate.js', 'serve', '--model', DEMO_MODEL, '--broker', broker.url, '--node-id', 'soak', '--outbox', join(dir, 'outbox'), '--http-port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      if (o.hostLog) appendFileSync(o.hostLog, d);
      stderr = (stderr + d.toString()).slice(-20_000);
      const m = /metrics (http:\/\/\S+)\/metrics/.exec(stderr);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`wavegate serve exited with ${code}:\n${stderr}`)));
  });
  const samples: SoakSample[] = [];
  try {
    const url = await ready;
    const scrape = async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return text;
    };
    const distinct = deviceSignals({ signal: 'ecg', devices: Math.min(o.devices, DISTINCT), duration: SIGNAL_S, seed: 5 });
    const signals: DeviceSignal[] = Array.from({ length: o.devices }, (_, d) => ({ ...distinct[d % distinct.length], device: deviceName('soak-', d, o.devices) }));
    const frames = Math.floor((o.duration * 1000) / 100);
    progress(`${o.devices} ECG devices at 360 Hz for ${o.duration} s into wavegate serve (${url}); a sample every ${o.interval} s, warm-up ${warmup} s`);
    const start = Date.now();
    const sampler = setInterval(() => {
      scrape().then((text) => {
        const s: SoakSample = {
          t: Math.round((Date.now() - start) / 1000),
          rssMb: Math.round(metricValue(text, 'wavegate_process_resident_memory_bytes') / 1e5) / 10,
          heapUsedMb: Math.round(metricValue(text, 'wavegate_nodejs_heap_size_used_bytes') / 1e5) / 10,
          heapTotalMb: Math.round(metricValue(text, 'wavegate_nodejs_heap_size_total_bytes') / 1e5) / 10,
          windows: metricValue(text, 'wavegate_windows_scored_total'),
          alerts: metricValue(text, 'wavegate_alerts_total'),
          outbox: metricValue(text, 'wavegate_outbox_alerts'),
        };
        samples.push(s);
        if (!o.json) progress(`t ${s.t} s: RSS ${s.rssMb} MB, heap ${s.heapUsedMb}/${s.heapTotalMb} MB, ${s.windows} windows, ${s.alerts} alerts, ${s.outbox} in the outbox`);
      }, (e: Error) => progress(`scrape failed: ${e.message}`));
    }, o.interval * 1000);
    await publishFleet({ url: broker.url, signals, rate: 1, frames });
    clearInterval(sampler);
    await new Promise((r) => setTimeout(r, 4000));
    const last = await scrape();
    const drops = metricValue(last, 'wavegate_windows_dropped_total');
    const warm = samples.filter((s) => s.t <= warmup).slice(-3);
    const end = samples.slice(-3);
    const after = samples.filter((s) => s.t >= warmup);
    const rssWarmMb = warm.length ? median(warm.map((s) => s.rssMb)) : NaN;
    const rssEndMb = end.length ? median(end.map((s) => s.rssMb)) : NaN;
    return {
      durationS: o.duration,
      devices: o.devices,
      warmupS: warmup,
      samples,
      rssWarmMb,
      rssEndMb,
      rssGrowthPct: Math.round(((rssEndMb - rssWarmMb) / rssWarmMb) * 1000) / 10,
      rssSlopeMbPerHour: Math.round(slopePerHour(after) * 10) / 10,
      heapWarmMb: warm.length ? median(warm.map((s) => s.heapUsedMb)) : NaN,
      heapEndMb: end.length ? median(end.map((s) => s.heapUsedMb)) : NaN,
      windows: metricValue(last, 'wavegate_windows_scored_total'),
      alerts: metricValue(last, 'wavegate_alerts_total'),
      drops: Number.isNaN(drops) ? 0 : drops,
    };
  } finally {
    if (child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const program = new Command('soak')
    .option('--duration <s>', 'seconds of streaming', numberArg({ above: 0 }), 1800)
    .option('--devices <n>', 'simulated ECG devices at 360 Hz', numberArg({ integer: true, min: 1 }), 200)
    .option('--interval <s>', 'seconds between memory samples', numberArg({ above: 0 }), 30)
    .option('--warmup <s>', 'seconds of warm-up before growth is measured (default: a sixth of the run, at least 60)', numberArg({ above: 0 }))
    .option('--json', 'print one JSON object', false)
    .option('--host-log <file>', "append the host's log (warn level) to this file")
    .parse(process.argv);
  const o = program.opts<Options>();
  const r = await soak(o);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  process.stdout.write(
    [
      `soak: ${r.devices} ECG devices, ${r.durationS} s, beat model, wavegate serve with a disk outbox; ${r.windows} windows, ${r.alerts} alerts, ${r.drops} dropped`,
      `  RSS after warm-up (${r.warmupS} s) ${r.rssWarmMb} MB, at the end ${r.rssEndMb} MB: growth ${r.rssGrowthPct} % (slope ${r.rssSlopeMbPerHour} MB/h); heap used ${r.heapWarmMb} -> ${r.heapEndMb} MB`,
      '',
    ].join('\n'),
  );
}

if (process.argv[1]?.endsWith('tools/bench/soak.ts')) await main();
