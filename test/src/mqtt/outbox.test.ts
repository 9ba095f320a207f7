import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { MemoryOutbox } from '../../../src/mqtt/outbox.js';
import { DiskOutbox } from '../../../src/mqtt/outbox-disk.js';
import { outboxContract } from './abstract-outbox.js';

const root = mkdtempSync(join(tmpdir(), 'wavegate-outbox-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

outboxContract('MemoryOutbox', { make: (limits) => new MemoryOutbox(limits) });

outboxContract('DiskOutbox', {
  make: (limits) => new DiskOutbox(join(root, `o${n++}`), limits),
  reopen: (o) => {
    o.close();
    const d = o as DiskOutbox;
    return new DiskOutbox(d.dir, d.limits);
  },
});
