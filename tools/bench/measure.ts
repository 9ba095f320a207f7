/**
 * Timing loop shared by every benchmark worker: warm up, size the repeat count from a first
 * measurement so that each point takes about `targetSeconds`, then report the median.
 *
 * The median (not the mean or the minimum) is reported because the benchmark machine is shared:
 * the median ignores the few calls that another process preempts, while the minimum would
 * report a best case nobody sees.
 */
import { WavegateError } from '../../src/errors.js';

export interface MeasureOptions {
  /** Wall time to spend on the timed calls of one point, in seconds. Default 1.5. */
  targetSeconds: number;
  /** Fewest timed calls, even when one call exceeds the target. Default 3. */
  minRepeats: number;
  /** Most timed calls, however fast a call is. Default 2000. */
  maxRepeats: number;
  /** Warm-up: at least this many untimed calls (JIT tier-up, caches, ORT's lazy init). Default 2. */
  warmupCalls: number;
  /** Warm-up: keep calling until this share of targetSeconds has passed too. Default 0.15. */
  warmupShare: number;
  /**
   * Which time a row reports: `wall` (default; the definition) or `cpu` (process CPU time
   * per call, for a machine shared with other work; see Measurement.cpuNsPerCall).
   */
  clock: 'wall' | 'cpu';
}

export const DEFAULT_MEASURE: MeasureOptions = {
  targetSeconds: 1.5,
  minRepeats: 3,
  maxRepeats: 2000,
  warmupCalls: 2,
  warmupShare: 0.15,
  clock: 'wall',
};

/** For smoke tests: one warm-up call and one timed call. Numbers are meaningless, rows well-formed. */
export const QUICK_MEASURE: MeasureOptions = {
  targetSeconds: 0,
  minRepeats: 1,
  maxRepeats: 1,
  warmupCalls: 1,
  warmupShare: 0,
  clock: 'wall',
};

export interface Measurement {
  /** Median wall time of one call, in nanoseconds. */
  medianNs: number;
  /**
   * Mean CPU time (user + system, whole process) of one timed call, in nanoseconds: process
   * CPU time over the timed loop / repeats. On a shared machine it excludes the time spent waiting
   * for a core, which wall time includes; it does include Node's own helper threads (GC, JIT).
   */
  cpuNsPerCall: number;
  /** Timed calls the median was taken over. */
  repeats: number;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Parses --seconds: a positive number of seconds, at most an hour. */
export function parseSeconds(v: string): number {
  const n = Number(v);
  if (!(n > 0 && n <= 3600)) throw new WavegateError('E_ARGUMENT', `--seconds: "${v}" is not a number of seconds in (0, 3600]`);
  return n;
}

/** Parses --clock. */
export function parseClock(v: string): 'wall' | 'cpu' {
  if (v !== 'wall' && v !== 'cpu') throw new WavegateError('E_ARGUMENT', `--clock: "${v}" is neither wall nor cpu`);
  return v;
}

/** The per-call time a row reports, by `options.clock`. */
export function reportedNs(m: Measurement, options: Pick<MeasureOptions, 'clock'>): number {
  return options.clock === 'cpu' ? m.cpuNsPerCall : m.medianNs;
}

function nowNs(): number {
  return Number(process.hrtime.bigint());
}

/** Times `call` (sync or async: an awaited promise counts as part of the call). */
export async function measure(call: () => unknown, options: Partial<MeasureOptions> = {}): Promise<Measurement> {
  const o = { ...DEFAULT_MEASURE, ...options };
  const warmupEnd = nowNs() + o.warmupShare * o.targetSeconds * 1e9;
  let warmCalls = 0;
  let lastNs = 0;
  while (warmCalls < o.warmupCalls || nowNs() < warmupEnd) {
    const t0 = nowNs();
    await call();
    lastNs = nowNs() - t0;
    warmCalls++;
  }
  const wanted = Math.ceil((o.targetSeconds * 1e9) / Math.max(lastNs, 1));
  const repeats = Math.max(o.minRepeats, Math.min(o.maxRepeats, wanted));
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < repeats; i++) {
    const t0 = nowNs();
    await call();
    times.push(nowNs() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  return { medianNs: median(times), cpuNsPerCall: ((cpu.user + cpu.system) * 1000) / repeats, repeats };
}
