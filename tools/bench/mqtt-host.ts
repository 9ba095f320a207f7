/**
 * The host process of `npm run bench:mqtt`: a WavegateHost on the given broker that measures,
 * for every scored window, the time from the window's last sample (its sample time; the
 * publisher runs in real time with t0 = its start, on the same clock) to its score, and samples
 * its own RSS, CPU and event-loop busy time. Prints {"ready": true} once serving, and one JSON line of results on SIGTERM.
 *
 *   node --import tsx tools/bench/mqtt-host.ts --broker mqtt://127.0.0.1:1883 --model m.wgm [--set key=number]...
 *
 * `--set` overrides a numeric host option (e.g. --set maxQueuedWindows=256 --set tickMs=1000).
 */
import { performance } from 'node:perf_hooks';
import { WavegateHost } from '../../src/mqtt/host.js';
import { createLogger } from '../../src/mqtt/log.js';
import { LatencyReservoir } from '../../src/mqtt/stats.js';

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) throw new Error(`mqtt-host: --${name} is required`);
  return process.argv[i + 1];
}

const overrides: Record<string, number> = {};
process.argv.forEach((a, i) => {
  if (a !== '--set') return;
  const [key, value] = process.argv[i + 1].split('=');
  overrides[key] = Number(value);
});
const host = await WavegateHost.start({ models: [{ path: arg('model'), name: 'bench' }], broker: arg('broker'), nodeId: 'bench', log: createLogger('error'), maxDevices: 100_000, errorReportIntervalMs: 0, ...overrides });
const windowLatency = new LatencyReservoir(1 << 17);
host.on('scored', (s) => windowLatency.add(Date.now() - s.end));
let rssPeak = 0;
let atPeak: NodeJS.MemoryUsage | undefined;
let base: { cpu: NodeJS.CpuUsage; wall: number; elu: ReturnType<typeof performance.eventLoopUtilization> } | undefined;
const sampler = setInterval(() => {
  const rss = process.memoryUsage.rss();
  if (rss > rssPeak) {
    rssPeak = rss;
    atPeak = process.memoryUsage();
  }
  if (!base && host.stats().framesReceived > 0) base = { cpu: process.cpuUsage(), wall: performance.now(), elu: performance.eventLoopUtilization() };
}, 100);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
process.once('SIGTERM', () => {
  clearInterval(sampler);
  const cpu = process.cpuUsage(base?.cpu);
  const wallMs = performance.now() - (base?.wall ?? performance.now());
  // Busy time of the event loop (wall clock, like the host's section timers, so shares stay
  // consistent when other processes take the CPU away).
  const busyMs = base ? performance.eventLoopUtilization(base.elu).active : 0;
  void host.stop().then(() => {
    process.stdout.write(`${JSON.stringify({
      // after stop(): the queues are drained, every window is scored or dropped
      stats: host.stats(),
      rssPeakMb: Math.round(rssPeak / 1e5) / 10,
      // heap, external and array buffers at the peak: where the resident memory is
      memoryAtPeakMb: Object.fromEntries(Object.entries(atPeak ?? {}).map(([k, v]) => [k, Math.round(v / 1e5) / 10])),
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs,
      busyMs,
      windowLatency: { p50: windowLatency.percentile(50), p99: windowLatency.percentile(99), max: windowLatency.max, count: windowLatency.count },
    })}\n`);
    // Exit by running out of work (so --cpu-prof and friends can write their files), or after 5 s.
    setTimeout(() => process.exit(0), 5000).unref();
  });
});
