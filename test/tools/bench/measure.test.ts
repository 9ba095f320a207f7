import { describe, expect, it } from 'vitest';
import { measure, median, parseClock, parseSeconds, reportedNs } from '../../../tools/bench/measure.js';

describe('measure', () => {
  it('median of odd and even lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('warms up, then times at least minRepeats calls, and reports wall and CPU time of a busy call', async () => {
    let calls = 0;
    const busy = (): void => {
      calls++;
      const end = process.hrtime.bigint() + 2_000_000n; // 2 ms of CPU work
      while (process.hrtime.bigint() < end);
    };
    const m = await measure(busy, { targetSeconds: 0.02, minRepeats: 4, maxRepeats: 6, warmupCalls: 2, warmupShare: 0 });
    expect(m.repeats).toBeGreaterThanOrEqual(4);
    expect(m.repeats).toBeLessThanOrEqual(6);
    expect(calls).toBeGreaterThanOrEqual(m.repeats + 2);
    expect(m.medianNs).toBeGreaterThanOrEqual(2e6);
    expect(m.cpuNsPerCall).toBeGreaterThan(0.5e6); // a spinning call burns CPU (less if preempted)
    expect(reportedNs(m, { clock: 'wall' })).toBe(m.medianNs);
    expect(reportedNs(m, { clock: 'cpu' })).toBe(m.cpuNsPerCall);
  });

  it('awaits async calls', async () => {
    const m = await measure(() => new Promise((r) => setTimeout(r, 3)), { targetSeconds: 0, minRepeats: 2, warmupCalls: 1, warmupShare: 0 });
    expect(m.medianNs).toBeGreaterThanOrEqual(2.5e6);
  });

  it('--clock accepts wall and cpu only', () => {
    expect(parseClock('cpu')).toBe('cpu');
    expect(() => parseClock('tsc')).toThrow(/--clock/);
    expect(parseSeconds('0.5')).toBe(0.5);
    for (const bad of ['0', '-1', 'abc', '1e9']) expect(() => parseSeconds(bad)).toThrow(/--seconds/);
  });
});
