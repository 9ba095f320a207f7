/**
 * The outbox contract (src/mqtt/outbox.ts), one suite run against every implementation, as
 * MQTT.js's test/node/abstract_store.ts is run against each Store. `make(limits)` opens a fresh
 * outbox; `reopen(o)`, where given, closes it and opens the same storage again (a restart).
 */
import { describe, expect, it } from 'vitest';
import { OutboxError, type Outbox, type OutboxLimits } from '../../../src/mqtt/outbox.js';

export interface OutboxFactory {
  make(limits?: Partial<OutboxLimits>): Outbox;
  reopen?(o: Outbox): Outbox;
}

const alert = (i: number) => JSON.stringify({ id: `a${i}`, device: `d${i % 3}`, n: i });

export function outboxContract(name: string, f: OutboxFactory): void {
  describe(`${name}: the outbox contract`, () => {
    it('keeps alerts in order until acknowledged, with ids that only grow', () => {
      const o = f.make();
      const ids = [0, 1, 2, 3, 4].map((i) => o.append(`t/${i}`, alert(i)).id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(5);
      expect(o.size).toBe(5);
      expect(o.pending(0, 10).map((e) => e.payload)).toEqual([0, 1, 2, 3, 4].map(alert));
      expect(o.pending(ids[1], 2).map((e) => e.id)).toEqual([ids[2], ids[3]]);
      o.ack(ids[0]);
      o.ack(ids[2]); // out of order
      o.ack(ids[2]); // twice: ignored
      o.ack(987654); // unknown: ignored
      expect(o.pending(0, 10).map((e) => e.id)).toEqual([ids[1], ids[3], ids[4]]);
      expect(o.size).toBe(3);
      const later = o.append('t/5', alert(5)).id;
      expect(later).toBeGreaterThan(ids[4]);
      o.close();
    });

    it('counts bytes and refuses new alerts at either bound, keeping the stored ones', () => {
      const o = f.make({ maxAlerts: 3, maxBytes: 1 << 20 });
      for (let i = 0; i < 3; i++) o.append('t', alert(i));
      expect(o.full).toBe(true);
      expect(() => o.append('t', alert(3))).toThrowError(OutboxError);
      try {
        o.append('t', alert(3));
      } catch (e) {
        expect((e as OutboxError).reason).toBe('full');
        expect((e as OutboxError).code).toBe('E_OUTBOX');
        expect((e as Error).message).toMatch(/3 alerts pending \(maxAlerts 3\).*refused.*kept/);
      }
      expect(o.pending(0, 10).map((e) => e.payload)).toEqual([0, 1, 2].map(alert));
      o.ack(o.pending(0, 1)[0].id);
      expect(o.full).toBe(false);
      o.append('t', alert(3));
      o.close();

      const b = f.make({ maxAlerts: 1000, maxBytes: 4096 });
      const one = Buffer.byteLength('t') + Buffer.byteLength(alert(0));
      let n = 0;
      while (b.bytes + one <= 4096) (b.append('t', alert(0)), n++);
      expect(b.bytes).toBe(n * one);
      expect(() => b.append('t', alert(0))).toThrowError(/bytes pending \(maxBytes 4096\)/);
      expect(b.size).toBe(n);
      b.close();
    });

    it('hands out pending alerts after a cursor, skipping acknowledged ones, in pages', () => {
      const o = f.make();
      const ids = Array.from({ length: 50 }, (_, i) => o.append('t', alert(i)).id);
      for (let i = 0; i < 50; i += 3) o.ack(ids[i]);
      const seen: number[] = [];
      for (let cursor = 0, page = o.pending(cursor, 7); page.length > 0; page = o.pending(cursor, 7)) {
        seen.push(...page.map((e) => e.id));
        cursor = page[page.length - 1].id;
      }
      expect(seen).toEqual(ids.filter((_, i) => i % 3 !== 0));
      o.close();
    });

    if (f.reopen) {
      const reopen = f.reopen;
      it('keeps pending alerts, their order and ids across a restart; acknowledged ones stay gone', () => {
        let o = f.make();
        const ids = Array.from({ length: 10 }, (_, i) => o.append(`t/${i}`, alert(i)).id);
        [0, 1, 2, 5].forEach((i) => o.ack(ids[i]));
        o.sync();
        o = reopen(o);
        expect(o.pending(0, 100).map((e) => [e.id, e.topic, e.payload])).toEqual([3, 4, 6, 7, 8, 9].map((i) => [ids[i], `t/${i}`, alert(i)]));
        expect(o.size).toBe(6);
        const next = o.append('t/10', alert(10)).id;
        expect(next).toBeGreaterThan(ids[9]);
        o.ack(ids[3]);
        o = reopen(o);
        expect(o.pending(0, 100).map((e) => e.id)).toEqual([...[4, 6, 7, 8, 9].map((i) => ids[i]), next]);
        o.close();
      });
    }
  });
}
