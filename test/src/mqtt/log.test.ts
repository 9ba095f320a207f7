import { describe, expect, it } from 'vitest';
import { ThrottledLog } from '../../../src/mqtt/log.js';

describe('ThrottledLog: a message repeating through an outage', () => {
  it('writes the first, then one per interval with the count held back; reset counts them all and starts afresh', () => {
    let now = 0;
    const t = new ThrottledLog(60_000, () => now);
    const written: Array<{ at: number; repeated?: number }> = [];
    // a reconnect failing every second for 150 s
    for (; now < 150_000; now += 1000) t.log((extra) => written.push({ at: now, ...extra }));
    expect(written).toEqual([{ at: 0 }, { at: 60_000, repeated: 59 }, { at: 120_000, repeated: 59 }]);
    expect(t.reset()).toBe(150);
    t.log((extra) => written.push({ at: now, ...extra }));
    expect(written.at(-1)).toEqual({ at: 150_000 });
    expect(t.reset()).toBe(1);
    expect(t.reset()).toBe(0);
  });
});
