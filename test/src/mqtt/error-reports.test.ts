import { describe, expect, it } from 'vitest';
import { ErrorReporter } from '../../../src/mqtt/error-reports.js';
import type { ErrorReport } from '../../../src/mqtt/host-events.js';

function reporter(intervalMs: number) {
  const counters = { rejected: {} as Partial<Record<string, number>>, reportsSuppressed: 0 };
  const emitted: ErrorReport[] = [];
  const published: string[] = [];
  const r = new ErrorReporter({ intervalMs, counters, emit: (x) => emitted.push(x), publish: (p) => published.push(p) });
  return { r, counters, emitted, published };
}

const report = (device: string, code = 'E_FRAME'): ErrorReport => ({ device, stream: 'ecg', code, message: `bad frame from ${device}` });

describe('error reports: every one counted and emitted, one per key and interval published', () => {
  it('publishes the first report of a key, suppresses repeats until the next interval', () => {
    const { r, counters, emitted, published } = reporter(1000);
    expect(r.report(report('a'), 'E_FRAME\na\necg')).toBe(true);
    expect(r.report(report('a'), 'E_FRAME\na\necg')).toBe(false);
    expect(r.report(report('b'), 'E_FRAME\nb\necg')).toBe(true);
    expect(r.report(report('a', 'E_SEQ'), 'E_SEQ\na\necg')).toBe(true);
    expect(counters.rejected).toEqual({ E_FRAME: 3, E_SEQ: 1 });
    expect(counters.reportsSuppressed).toBe(1);
    expect(emitted).toHaveLength(4);
    expect(published.map((p) => (JSON.parse(p) as ErrorReport).device)).toEqual(['a', 'b', 'a']);
    r.newInterval();
    expect(r.report(report('a'), 'E_FRAME\na\necg')).toBe(true);
    expect(published).toHaveLength(4);
  });

  it('interval 0 publishes every report', () => {
    const { r, published, counters } = reporter(0);
    for (let i = 0; i < 5; i++) r.report(report('a'), 'k');
    expect(published).toHaveLength(5);
    expect(counters.reportsSuppressed).toBe(0);
  });

  it('holds at most 10,000 keys per interval: garbage topics cannot grow it', () => {
    const { r, published, counters } = reporter(1000);
    for (let i = 0; i < 10_050; i++) r.report(report(`d${i}`), `E_FRAME\nd${i}`);
    expect(published).toHaveLength(10_000);
    expect(counters.reportsSuppressed).toBe(50);
    expect(counters.rejected.E_FRAME).toBe(10_050);
  });
});
