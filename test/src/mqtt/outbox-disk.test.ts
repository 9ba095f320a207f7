/**
 * What only the disk outbox does: survive kill -9 mid-append, repair a torn last line, skip a
 * damaged line, rotate and delete segments in order, refuse a second process, and refuse alerts
 * on a full disk without touching the stored ones (a real ENOSPC, from a 64 KiB tmpfs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { OutboxError } from '../../../src/mqtt/outbox.js';
import { DiskOutbox, SEGMENT_BYTES } from '../../../src/mqtt/outbox-disk.js';
import { needs, requirement } from '../../helpers/needs.js';

const root = mkdtempSync(join(tmpdir(), 'wavegate-outbox-disk-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `o${n++}`);
const segs = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('seg-')).sort();

/** Root may mount a small tmpfs (CI and the developers' machines run as root). */
const TMPFS = requirement('root and mount(8) for a 64 KiB tmpfs (a real full disk)', () => {
  if (process.getuid?.() !== 0) return false;
  const dir = mkdtempSync(join(tmpdir(), 'wavegate-tmpfs-probe-'));
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]).status === 0;
  if (ok) spawnSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
  return ok;
});

describe('DiskOutbox', () => {
  it('loses nothing that append() returned when the process is killed -9 while appending', async () => {
    const dir = fresh();
    // The child appends as fast as it can and prints each id append() returned; we kill it mid-stream.
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `
      const { DiskOutbox } = await import(${JSON.stringify(new URL('../../../src/mqtt/outbox-disk.ts', import.meta.url).pathname)});
      const o = new DiskOutbox(${JSON.stringify(dir)});
      for (let i = 0; ; i++) {
        const e = o.append('wavegate/v1/d/alerts', JSON.stringify({ id: 'x'.repeat(40), n: i }));
        if (i % 3 === 0) o.ack(e.id);
        process.stdout.write(e.id + (i % 3 === 0 ? ' acked' : '') + '\\n');
        if (i % 50 === 0) await new Promise((r) => setImmediate(r));
      }`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const printed: string[] = [];
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (l) => printed.push(l));
    await new Promise<void>((resolve) => lines.on('line', () => printed.length === 3000 && resolve()));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const o = new DiskOutbox(dir);
    const pending = new Set(o.pending(0, 1e9).map((e) => e.id));
    const stored = printed.filter((l) => !l.endsWith('acked')).map(Number);
    expect(stored.length).toBeGreaterThan(1900);
    expect(stored.filter((id) => !pending.has(id))).toEqual([]); // every stored alert is back
    // at most the alert being written when the kill came is pending beyond what was printed; acked ones stay gone
    const acked = new Set(printed.filter((l) => l.endsWith('acked')).map((l) => Number(l.split(' ')[0])));
    expect([...pending].filter((id) => acked.has(id))).toEqual([]);
    expect(o.recovery.corruptLines).toBe(0);
    o.close();
  }, 60_000);

  it('cuts off a torn last line, skips a damaged one, and appends on a clean line', () => {
    const dir = fresh();
    let o = new DiskOutbox(dir);
    const a = o.append('t', '"a"').id;
    const b = o.append('t', '"b"').id;
    o.close();
    const [seg] = segs(dir);
    appendFileSync(join(dir, seg), '{"id":99,"topic":"t","payl'); // a crash mid-write
    o = new DiskOutbox(dir);
    expect(o.recovery).toMatchObject({ tornLines: 1, corruptLines: 0, pending: 2 });
    expect(o.pending(0, 10).map((e) => e.id)).toEqual([a, b]);
    const c = o.append('t', '"c"').id;
    o.close();
    // damage a line in the middle of the first segment
    const text = readFileSync(join(dir, seg), 'utf8').split('\n');
    text[0] = text[0].slice(0, 10) + '#' + text[0].slice(11);
    writeFileSync(join(dir, seg), text.join('\n'));
    o = new DiskOutbox(dir);
    expect(o.recovery.corruptLines).toBe(1);
    expect(o.pending(0, 10).map((e) => e.id)).toEqual([b, c]);
    o.close();
  });

  it('rotates segments and deletes them oldest first once nothing in them is pending', () => {
    const dir = fresh();
    const o = new DiskOutbox(dir, { maxAlerts: 1e6, maxBytes: 1 << 30 });
    const big = JSON.stringify({ pad: 'x'.repeat(4000) });
    const ids = Array.from({ length: Math.ceil((2.5 * SEGMENT_BYTES) / 4000) }, () => o.append('t', big).id);
    expect(segs(dir).length).toBe(3);
    // acknowledging a later segment's alerts first keeps every segment (deleting out of order could revive an older alert)
    ids.slice(300).forEach((id) => o.ack(id));
    expect(segs(dir).length).toBe(3);
    ids.slice(0, 300).forEach((id) => o.ack(id));
    expect(segs(dir).length).toBe(1);
    expect(o.size).toBe(0);
    o.close();
    expect(new DiskOutbox(dir).size).toBe(0);
  });

  it('refuses a directory another live process holds', () => {
    const dir = fresh();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'lock'), `${process.ppid}\n`);
    expect(() => new DiskOutbox(dir)).toThrowError(/in use by process \d+/);
    writeFileSync(join(dir, 'lock'), '999999999\n'); // a dead process: taken over
    new DiskOutbox(dir).close();
  });

  needs(TMPFS).it('on a full disk refuses new alerts (io), keeps every stored one, and takes alerts again once there is room', () => {
    const mnt = fresh();
    mkdirSync(mnt, { recursive: true });
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status).toBe(0);
    try {
      const o = new DiskOutbox(join(mnt, 'outbox'), { maxAlerts: 1e6, maxBytes: 1 << 30 });
      const payload = JSON.stringify({ pad: 'y'.repeat(500) });
      const stored: number[] = [];
      let refusal: unknown;
      for (let i = 0; i < 1000 && !refusal; i++) {
        try {
          stored.push(o.append('wavegate/v1/d/alerts', payload).id);
        } catch (e) {
          refusal = e;
        }
      }
      expect(refusal).toBeInstanceOf(OutboxError);
      expect((refusal as OutboxError).reason).toBe('io');
      expect((refusal as Error).message).toMatch(/ENOSPC.*refused.*stored alerts are kept/);
      expect(stored.length).toBeGreaterThan(50);
      expect(() => o.append('t', payload)).toThrowError(OutboxError); // still full, still no crash
      expect(o.pending(0, 1e6).map((e) => e.id)).toEqual(stored);
      o.close();
      const again = new DiskOutbox(join(mnt, 'outbox'), { maxAlerts: 1e6, maxBytes: 1 << 30 });
      expect(again.recovery.corruptLines).toBe(0);
      expect(again.pending(0, 1e6).map((e) => e.id)).toEqual(stored);
      // the broker takes most: the disk is still full (an ack that cannot be written only means a duplicate later)
      stored.slice(0, stored.length - 5).forEach((id) => again.ack(id));
      expect(again.size).toBe(5);
      expect(() => again.append('t', payload)).toThrowError(OutboxError);
      expect(again.pending(0, 100).map((e) => e.id)).toEqual(stored.slice(-5));
      // and then the rest: the emptied outbox deletes its segments, which frees the disk
      stored.slice(-5).forEach((id) => again.ack(id));
      const more = again.append('t', payload).id;
      expect(more).toBeGreaterThan(stored[stored.length - 1]);
      again.close();
      // a disk so full that not even the lock file fits: the outbox still opens, with what it stores
      const filler = join(mnt, 'filler');
      spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1k', 'count=200']);
      const cramped = new DiskOutbox(join(mnt, 'outbox'));
      expect(cramped.pending(0, 100).map((e) => e.id)).toEqual([more]);
      expect(() => cramped.append('t', payload)).toThrowError(OutboxError);
      cramped.close();
      rmSync(filler);
      const last = new DiskOutbox(join(mnt, 'outbox'));
      expect(last.pending(0, 100).map((e) => e.id)).toEqual([more]);
      last.close();
    } finally {
      spawnSync('umount', ['-l', mnt]);
    }
  });
});
