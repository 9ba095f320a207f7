/**
 * The on-disk alert outbox: append-only segment files in one directory, one JSON line per event.
 *
 *   seg-000000000001.log   {"id":1,"topic":"wavegate/v1/bed7/alerts","payload":"{...}"}
 *                          {"id":2,...}
 *                          {"ack":1}
 *   seg-000000004097.log   (the next segment starts at the id it was opened with)
 *
 * An alert line is written (write(2), so it survives kill -9 of the host) before the alert is
 * published; `sync()` fsyncs (the host calls it once per scoring tick that appended, so power
 * loss costs at most that tick). An ack line is written when the broker acknowledges. Opening
 * the directory replays every segment: alerts without an ack are pending again, in id order.
 * Segments are deleted from the oldest, once none of their alerts is pending (deleting out of
 * order could drop the ack of an older segment's alert and bring it back: a duplicate, never a loss);
 * when nothing is pending at all, every segment goes and an empty one begins.
 *
 * Damage: a torn last line (a crash mid-write) is cut off; an unreadable line elsewhere is
 * skipped and counted (`recovery.corruptLines`); a failed write (ENOSPC, EIO, EROFS) is undone
 * (the file truncated to before it) and the alert refused with OutboxError `io`: the pending
 * alerts stay as they were. One process at a time: the directory holds a lock file with the pid.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { WavegateError } from '../errors.js';
import type { Logger } from './log.js';
import { entryBytes, MemoryOutbox, OutboxError, QueuedOutbox, type Outbox, type OutboxEntry, type OutboxLimits } from './outbox.js';

/** A new segment is started when the current one passes this size. */
export const SEGMENT_BYTES = 1 << 20;

const SEGMENT = /^seg-(\d{12})\.log$/;
const segmentName = (firstId: number) => `seg-${String(firstId).padStart(12, '0')}.log`;

export interface OutboxRecovery {
  /** Segment files read. */
  segments: number;
  /** Alerts found pending (to publish again). */
  pending: number;
  /** A torn last line cut off (a crash while writing). */
  tornLines: number;
  /** Lines that could not be read, skipped. */
  corruptLines: number;
}

interface Segment {
  name: string;
  /** Pending alerts stored in this segment. */
  live: number;
}

function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DiskOutbox extends QueuedOutbox {
  readonly kind = 'disk' as const;
  readonly recovery: OutboxRecovery = { segments: 0, pending: 0, tornLines: 0, corruptLines: 0 };
  /** Ack lines that could not be written (their alerts come back after a restart: duplicates). */
  ackWriteErrors = 0;
  /** Oldest first; the last is the one being appended to. */
  private readonly segments: Segment[] = [];
  private readonly segmentOf = new Map<number, Segment>();
  private fd = -1;
  private fileBytes = 0;
  private dirty = false;
  private closed = false;

  /**
   * Opens (creating it if needed) the outbox in `dir` and replays what it holds.
   * @throws E_ARGUMENT when the directory cannot be created or written, or another live process holds it
   */
  constructor(readonly dir: string, limits: Partial<OutboxLimits> = {}) {
    super(limits);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new WavegateError('E_ARGUMENT', `outbox ${dir}: cannot create the directory: ${(e as Error).message}`, { cause: e });
    }
    this.lock();
    const names = readdirSync(dir).filter((n) => SEGMENT.test(n)).sort();
    for (const name of names) this.replay(name);
    this.recovery.segments = names.length;
    this.recovery.pending = this.queue.size;
    this.dropDeadSegments();
    try {
      this.startSegment();
    } catch {
      // a full disk: the stored alerts are read and will be published; appends retry (and are refused while it stays full)
      this.fd = -1;
    }
  }

  append(topic: string, payload: string): OutboxEntry {
    this.assertOpen();
    this.checkRoom(entryBytes(topic, payload));
    if (this.fileBytes >= SEGMENT_BYTES && this.fd >= 0) this.startSegment();
    const e: OutboxEntry = { id: this.nextId, topic, payload };
    try {
      if (this.fd < 0) this.startSegment();
      this.writeLine(JSON.stringify(e));
    } catch (err) {
      throw new OutboxError('io', `alert outbox ${this.dir}: cannot store the alert (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); it is refused, the ${this.size} stored alerts are kept`, { cause: err });
    }
    this.nextId++;
    const seg = this.segments[this.segments.length - 1];
    seg.live++;
    this.segmentOf.set(e.id, seg);
    this.queue.add(e);
    return e;
  }

  ack(id: number): void {
    if (this.closed || !this.queue.has(id)) return;
    this.queue.remove(id);
    try {
      if (this.fd < 0) this.startSegment();
      this.writeLine(`{"ack":${id}}`);
    } catch {
      this.ackWriteErrors++;
    }
    const seg = this.segmentOf.get(id);
    this.segmentOf.delete(id);
    if (seg) seg.live--;
    if (this.queue.size === 0 && this.fileBytes > 0) this.recycle();
    else this.dropDeadSegments();
  }

  /** Nothing is pending: every segment goes, a new empty one begins (this also frees a full disk). */
  private recycle(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    for (const seg of this.segments.splice(0)) rmSync(join(this.dir, seg.name), { force: true });
    try {
      this.startSegment();
    } catch {
      // retried by the next append
    }
  }

  sync(): void {
    if (!this.dirty || this.fd < 0) return;
    this.dirty = false;
    try {
      fsyncSync(this.fd);
    } catch (e) {
      throw new OutboxError('io', `alert outbox ${this.dir}: fsync failed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
    }
  }

  close(): void {
    if (this.closed) return;
    try {
      this.sync();
    } catch {
      // the lines are written; only the fsync failed
    }
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.closed = true;
    rmSync(join(this.dir, 'lock'), { force: true });
  }

  private assertOpen(): void {
    if (this.closed) throw new WavegateError('E_STATE', `alert outbox ${this.dir} is closed`);
  }

  private lock(): void {
    const path = join(this.dir, 'lock');
    if (existsSync(path)) {
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isPidAlive(pid)) {
        throw new WavegateError('E_ARGUMENT', `outbox ${this.dir}: in use by process ${pid} (two hosts cannot share an outbox directory; give each node its own)`);
      }
    }
    try {
      writeFileSync(path, `${process.pid}\n`);
    } catch (e) {
      // A full disk must not keep the host from starting and publishing what is stored; anything else is a setup error.
      if ((e as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw new WavegateError('E_ARGUMENT', `outbox ${this.dir}: cannot write in the directory: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Reads one segment: alerts become pending, acks remove them, damage is counted. */
  private replay(name: string): void {
    const path = join(this.dir, name);
    const text = readFileSync(path, 'utf8');
    const seg: Segment = { name, live: 0 };
    this.segments.push(seg);
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) {
      // a torn last line: cut it off, so that appends start on a clean line
      this.recovery.tornLines++;
      const fd = openSync(path, 'r+');
      try {
        ftruncateSync(fd, Buffer.byteLength(text.slice(0, end)));
      } finally {
        closeSync(fd);
      }
    }
    for (const line of text.slice(0, end).split('\n')) {
      if (line.length === 0) continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        this.recovery.corruptLines++;
        continue;
      }
      const r = v as Partial<OutboxEntry> & { ack?: unknown };
      if (typeof r.ack === 'number') {
        const s = this.segmentOf.get(r.ack);
        if (this.queue.remove(r.ack) && s) s.live--;
        this.segmentOf.delete(r.ack);
      } else if (typeof r.id === 'number' && Number.isInteger(r.id) && r.id > 0 && typeof r.topic === 'string' && typeof r.payload === 'string') {
        if (r.id >= this.nextId) this.nextId = r.id + 1;
        if (this.queue.has(r.id)) continue;
        this.queue.add({ id: r.id, topic: r.topic, payload: r.payload });
        this.segmentOf.set(r.id, seg);
        seg.live++;
      } else this.recovery.corruptLines++;
    }
  }

  private startSegment(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    const name = segmentName(this.nextId);
    let seg = this.segments[this.segments.length - 1];
    if (!seg || seg.name !== name) {
      seg = { name, live: 0 };
      this.segments.push(seg);
    }
    this.fd = openSync(join(this.dir, name), 'a+');
    this.fileBytes = fstatSync(this.fd).size;
    if (this.fileBytes > 0) {
      // a file left with a partial line (a write that could not be undone) gets its line ended first
      const last = Buffer.alloc(1);
      readSync(this.fd, last, 0, 1, this.fileBytes - 1);
      if (last[0] !== 0x0a) this.fileBytes += writeSync(this.fd, '\n');
    }
    this.dropDeadSegments();
  }

  /** Appends one line; on failure the file is cut back to before it (or a new segment is started next time). */
  private writeLine(line: string): void {
    const buf = Buffer.from(`${line}\n`);
    const before = this.fileBytes;
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    } catch (e) {
      if (off > 0) {
        try {
          ftruncateSync(this.fd, before);
        } catch {
          // cannot undo the partial line: start a new segment (the torn line is skipped on replay)
          closeSync(this.fd);
          this.fd = -1;
        }
      }
      throw e;
    }
    this.fileBytes += buf.length;
    this.dirty = true;
  }

  /** Deletes the oldest segments while none of their alerts is pending (never the one being written). */
  private dropDeadSegments(): void {
    while (this.segments.length > 1 && this.segments[0].live === 0) {
      const seg = this.segments.shift()!;
      rmSync(join(this.dir, seg.name), { force: true });
    }
  }
}

/**
 * The host's outbox: on disk in `dir` (logging what it recovered from a previous run), else in
 * memory.
 * @throws E_ARGUMENT (a directory that cannot be created, or one another host holds)
 */
export function openOutbox(dir: string | undefined, limits: OutboxLimits, log: Logger): Outbox {
  if (dir === undefined) return new MemoryOutbox(limits);
  const outbox = new DiskOutbox(dir, limits);
  const r = outbox.recovery;
  (r.tornLines + r.corruptLines > 0 ? log.warn : log.info).call(log, { outbox: outbox.dir, ...r }, r.pending > 0 ? `outbox: ${r.pending} alert(s) from before wait to be published` : 'outbox opened');
  return outbox;
}
