/**
 * Per-stream cost of the device signal chain as the MQTT host runs it (part of `npm run
 * bench:signal`): N chains of one model (src/signal/chain.ts, `createSignalChain`), each fed
 * frames of 100 ms (36 samples at 360 Hz), round robin over the streams like the host's ticks,
 * for S seconds of signal each. Every stream plays an MIT-BIH record (MLII) from its own offset.
 *
 * Measured per stream:
 *   - bytes retained at creation and after S seconds of signal (V8 heap used + array buffers,
 *     after two forced full GCs, divided by N): what a host holds per stream;
 *   - CPU per second of signal (user + system time of the process over the streaming loop,
 *     GC threads included, divided by N x S), and wall time likewise;
 *   - garbage collection during the loop: count and total pause.
 * A warm-up pass (a few chains, a few seconds) lets the JIT settle first.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { InputSpec } from '../../src/model/schema.js';
import { createSignalChain } from '../../src/signal/chain.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export interface StreamCostRow {
  model: string;
  streams: number;
  seconds: number;
  /** Bytes retained per stream right after creation, and after `seconds` of signal. */
  bytesAtCreation: number;
  bytesAfterSignal: number;
  /** Microseconds of process CPU time (wall time) per second of one stream's signal. */
  cpuUsPerStreamSecond: number;
  wallUsPerStreamSecond: number;
  gcCount: number;
  gcMs: number;
  windows: number;
}

function retainedBytes(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Where stream `s` starts in its record: spread over the records and over time. */
function sourceOf(signals: Float32Array[], s: number, need: number): { signal: Float32Array; offset: number } {
  const signal = signals[s % signals.length];
  const room = Math.max(1, signal.length - need);
  return { signal, offset: (Math.floor(s / signals.length) * 7919 * 36 + (s % 97) * 3600) % room };
}

function stream(input: InputSpec, fs: number, signals: Float32Array[], streams: number, seconds: number, frame: number): { windows: number; chains: unknown[] } {
  const chains = Array.from({ length: streams }, () => createSignalChain(input, fs));
  const sources = chains.map((_, s) => sourceOf(signals, s, seconds * fs));
  let windows = 0;
  const frames = Math.floor((seconds * fs) / frame);
  for (let f = 0; f < frames; f++) {
    for (let s = 0; s < streams; s++) {
      const { signal, offset } = sources[s];
      const at = offset + f * frame;
      windows += chains[s].push(signal.subarray(at, at + frame)).length;
    }
  }
  return { windows, chains };
}

/** Measures one model; `signals` are records at `fs` Hz, each longer than `seconds`. */
export async function measureStreamCost(model: string, input: InputSpec, fs: number, signals: Float32Array[], o: { streams: number; seconds: number; frame: number }): Promise<StreamCostRow> {
  stream(input, fs, signals, 64, Math.min(o.seconds, 10), o.frame); // warm-up
  const gcs: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push(e.duration);
  });
  const base = retainedBytes();
  const created = Array.from({ length: o.streams }, () => createSignalChain(input, fs));
  const atCreation = retainedBytes() - base;
  created.length = 0;
  const base2 = retainedBytes();
  observer.observe({ entryTypes: ['gc'] });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const run = stream(input, fs, signals, o.streams, o.seconds, o.frame);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  await new Promise((r) => setTimeout(r, 50)); // let the GC entries arrive
  observer.disconnect();
  const afterSignal = retainedBytes() - base2;
  const streamSeconds = o.streams * o.seconds;
  return {
    model,
    streams: run.chains.length, // (keeps the chains alive up to the measurement above)
    seconds: o.seconds,
    bytesAtCreation: Math.round(atCreation / o.streams),
    bytesAfterSignal: Math.round(afterSignal / o.streams),
    cpuUsPerStreamSecond: Math.round(((cpu.user + cpu.system) / streamSeconds) * 10) / 10,
    wallUsPerStreamSecond: Math.round(((wall * 1000) / streamSeconds) * 10) / 10,
    gcCount: gcs.length,
    gcMs: Math.round(gcs.reduce((a, b) => a + b, 0)),
    windows: run.windows,
  };
}
