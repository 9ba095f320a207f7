/**
 * The alert outbox: every alert is appended here before it is published, and leaves only when
 * the broker has acknowledged it (PUBACK). Two implementations behind one interface, as MQTT.js
 * keeps its Store (src/lib/store.ts) apart from the on-disk ones: {@link MemoryOutbox} (alerts
 * survive broker outages, not a host crash) and DiskOutbox (src/mqtt/outbox-disk.ts: append-only
 * segment files, survives kill -9; power loss too with fsync). test/src/mqtt/abstract-outbox.ts
 * is one contract suite run against both.
 *
 * Why not mqtt.js's `outgoingStore`: the store is keyed by MQTT packet id (65535 at most, and the
 * default id provider wraps and overwrites a stored packet of the same id), mqtt.js holds new
 * publishes in memory while it replays the store after a reconnect, replays one packet per round
 * trip, and has no bound. The outbox is the host's own queue, bounded, in order, with ids that
 * never repeat; mqtt.js only ever holds the few alerts in flight (src/mqtt/alert-sender.ts).
 *
 * Policy at the bound (`maxAlerts` entries or `maxBytes` of pending alerts): a new alert is
 * REFUSED (an OutboxError, code E_OUTBOX, reason `full`); the host counts it, logs the whole
 * alert at error level and reports it on the errors topic (E_OUTBOX_FULL). Stored alerts are
 * never dropped to make room: they are older and still owed.
 */
import { WavegateError } from '../errors.js';

export interface OutboxEntry {
  /** Increasing, never reused (also across restarts of a disk outbox). */
  readonly id: number;
  readonly topic: string;
  readonly payload: string;
}

export interface OutboxLimits {
  /** Most pending alerts. Default 100000. */
  maxAlerts: number;
  /** Most bytes of pending alerts (topic + payload, UTF-8). Default 64 MiB. */
  maxBytes: number;
}

export const DEFAULT_OUTBOX_LIMITS: Readonly<OutboxLimits> = Object.freeze({ maxAlerts: 100_000, maxBytes: 64 << 20 });

export type OutboxRefusal = 'full' | 'io';

/** An alert the outbox could not take: full (the bound) or its storage failed (`io`: a full disk, a read-only file system). */
export class OutboxError extends WavegateError {
  constructor(readonly reason: OutboxRefusal, message: string, options?: { cause?: unknown }) {
    super('E_OUTBOX', message, options);
    this.name = 'OutboxError';
  }
}

export interface Outbox {
  /** Pending (appended, not acknowledged) alerts. */
  readonly size: number;
  /** Their bytes (topic + payload, UTF-8). */
  readonly bytes: number;
  readonly limits: Readonly<OutboxLimits>;
  /** True when the next alert of typical size would be refused. */
  readonly full: boolean;
  /** `memory` or `disk`. */
  readonly kind: 'memory' | 'disk';
  /**
   * Stores an alert behind every pending one.
   * @throws OutboxError (`full` at the bound, `io` when storage fails; nothing stored is touched)
   */
  append(topic: string, payload: string): OutboxEntry;
  /** Up to `limit` pending entries with id > `afterId`, oldest first. */
  pending(afterId: number, limit: number): OutboxEntry[];
  /** The broker has the alert: it leaves the outbox. Unknown or repeated ids are ignored. */
  ack(id: number): void;
  /** Makes appended entries durable (fsync); a no-op in memory. */
  sync(): void;
  close(): void;
}

/** Bytes an entry counts against `maxBytes`. */
export function entryBytes(topic: string, payload: string): number {
  return Buffer.byteLength(topic) + Buffer.byteLength(payload);
}

/**
 * The pending entries in id order with O(1) append and ack of the oldest (the usual case:
 * PUBACKs come in order), shared by both implementations.
 */
export class PendingQueue {
  private items: Array<OutboxEntry | undefined> = [];
  private head = 0;
  private readonly index = new Map<number, number>();
  size = 0;
  bytes = 0;

  add(e: OutboxEntry): void {
    this.index.set(e.id, this.items.length);
    this.items.push(e);
    this.size++;
    this.bytes += entryBytes(e.topic, e.payload);
  }

  remove(id: number): OutboxEntry | undefined {
    const at = this.index.get(id);
    if (at === undefined) return undefined;
    const e = this.items[at]!;
    this.index.delete(id);
    this.items[at] = undefined;
    this.size--;
    this.bytes -= entryBytes(e.topic, e.payload);
    while (this.head < this.items.length && this.items[this.head] === undefined) this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) this.compact();
    return e;
  }

  has(id: number): boolean {
    return this.index.has(id);
  }

  after(afterId: number, limit: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    // ids increase with position: binary search for the first id > afterId
    let lo = this.head, hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const e = this.firstAtOrAfter(mid);
      if (e === undefined || e.id > afterId) hi = mid;
      else lo = mid + 1;
    }
    for (let i = lo; i < this.items.length && out.length < limit; i++) {
      const e = this.items[i];
      if (e !== undefined && e.id > afterId) out.push(e);
    }
    return out;
  }

  /** The first live entry at or after position i (holes are acked entries). */
  private firstAtOrAfter(i: number): OutboxEntry | undefined {
    for (; i < this.items.length; i++) if (this.items[i] !== undefined) return this.items[i];
    return undefined;
  }

  private compact(): void {
    this.items = this.items.slice(this.head);
    this.head = 0;
    this.index.clear();
    this.items.forEach((e, i) => e && this.index.set(e.id, i));
  }
}

/**
 * What both implementations share: the limits, the pending queue and the bound. A subclass
 * stores (`append`) and forgets (`ack`) in its own way.
 */
export abstract class QueuedOutbox implements Outbox {
  abstract readonly kind: 'memory' | 'disk';
  readonly limits: Readonly<OutboxLimits>;
  protected readonly queue = new PendingQueue();
  protected nextId = 1;

  constructor(limits: Partial<OutboxLimits> = {}) {
    this.limits = { ...DEFAULT_OUTBOX_LIMITS, ...limits };
  }

  get size(): number {
    return this.queue.size;
  }
  get bytes(): number {
    return this.queue.bytes;
  }
  /** At the bound: no room for one more alert of a typical size (512 bytes). */
  get full(): boolean {
    return this.size >= this.limits.maxAlerts || this.bytes + 512 > this.limits.maxBytes;
  }

  pending(afterId: number, limit: number): OutboxEntry[] {
    return this.queue.after(afterId, limit);
  }

  abstract append(topic: string, payload: string): OutboxEntry;
  abstract ack(id: number): void;
  abstract sync(): void;
  abstract close(): void;

  /** Refuses an alert of `bytes` more when it would pass a limit. */
  protected checkRoom(bytes: number): void {
    const { size, limits } = this;
    if (size + 1 > limits.maxAlerts) throw new OutboxError('full', `alert outbox full: ${size} alerts pending (maxAlerts ${limits.maxAlerts}); the new alert is refused, the stored ones are kept`);
    if (this.bytes + bytes > limits.maxBytes) throw new OutboxError('full', `alert outbox full: ${this.bytes} bytes pending (maxBytes ${limits.maxBytes}); the new alert is refused, the stored ones are kept`);
  }
}

/** In memory: alerts wait through broker outages, and are lost with the process. */
export class MemoryOutbox extends QueuedOutbox {
  readonly kind = 'memory' as const;

  append(topic: string, payload: string): OutboxEntry {
    this.checkRoom(entryBytes(topic, payload));
    const e = { id: this.nextId++, topic, payload };
    this.queue.add(e);
    return e;
  }

  ack(id: number): void {
    this.queue.remove(id);
  }

  sync(): void {}
  close(): void {}
}
