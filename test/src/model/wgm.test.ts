import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWgm, loadWgm } from '../../../src/model/load.js';
import { encodeWgm, writeWgm } from '../../../src/model/write.js';
import { f16BitsToNumber } from '../../../src/model/f16.js';
import { splitWgm } from './raw.js';
import { tinyModel, type TinySpec } from './tiny-model.js';
import { NUMPY, needs, PYTHON } from '../../helpers/needs.js';

const variants: TinySpec[] = [
  { cell: 'gru', precision: 'f32' },
  { cell: 'lstm', precision: 'int8', staticScale: 0.05 },
  { cell: 'lstm', precision: 'f32', direction: 'bidirectional', hidden: [6, 4], layerNorm: true, pool: 'final_state' },
  { cell: 'gru', precision: 'int8', direction: 'reverse', pool: 'mean', activation: 'sigmoid', linearBeforeReset: false },
  { cell: 'gru', precision: 'f32', pool: null, activation: 'none' },
];

describe('encodeWgm / decodeWgm', () => {
  it.each(variants)('round-trips %o exactly', (spec) => {
    const model = tinyModel(spec);
    const bytes = encodeWgm(model);
    const back = decodeWgm(bytes);
    expect(back.metadata).toEqual(model.metadata);
    expect([...back.tensors.keys()].sort()).toEqual([...model.tensors.keys()].sort());
    for (const [name, t] of model.tensors) {
      const b = back.tensors.get(name)!;
      expect(b.dtype).toBe(t.dtype);
      expect(b.shape).toEqual(t.shape);
      expect(b.data).toEqual(t.data);
    }
    // Re-encoding the decoded model gives the same bytes: the format has one canonical form.
    expect(Buffer.from(encodeWgm(back)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('decodes from a Node Buffer at an odd offset inside a larger allocation', () => {
    const model = tinyModel({ cell: 'lstm', precision: 'int8' });
    const bytes = encodeWgm(model);
    const odd = Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from(bytes)]).subarray(3);
    expect(odd.byteOffset % 4).not.toBe(0);
    const back = decodeWgm(odd);
    for (const [name, t] of model.tensors) expect(back.tensors.get(name)!.data).toEqual(t.data);
  });

  it('is deterministic regardless of tensor insertion order and metadata key order', () => {
    const model = tinyModel({ cell: 'lstm', precision: 'int8' });
    const shuffled = new Map([...model.tensors].reverse());
    const meta = JSON.parse(JSON.stringify(model.metadata), (_k, v) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    );
    expect(Buffer.from(encodeWgm({ metadata: meta, tensors: shuffled })).equals(Buffer.from(encodeWgm(model)))).toBe(true);
  });

  it('writes the safetensors framing: padded header, contiguous canonical order, natural alignment', () => {
    const bytes = encodeWgm(tinyModel({ cell: 'lstm', precision: 'int8', layerNorm: true }));
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const { header, data } = splitWgm(bytes);
    const entries = Object.entries(header).filter(([k]) => k !== '__metadata__') as [string, any][];
    const rank = { F32: 0, I32: 1, F16: 2, I8: 3 } as Record<string, number>;
    const align = { F32: 4, I32: 4, F16: 2, I8: 1 } as Record<string, number>;
    expect(entries.some(([, e]) => e.dtype === 'F16')).toBe(true);
    let pos = 0;
    let prev: [number, string] = [-1, ''];
    for (const [name, e] of entries) {
      expect(e.data_offsets[0]).toBe(pos);
      expect((8 + n + pos) % align[e.dtype]).toBe(0);
      const key: [number, string] = [rank[e.dtype], name];
      expect(key[0] > prev[0] || (key[0] === prev[0] && key[1] > prev[1])).toBe(true);
      prev = key;
      pos = e.data_offsets[1];
    }
    expect(pos).toBe(data.length);
    expect(Object.keys(header.__metadata__).sort()).toEqual(['wavegate', 'wavegate.sha256']);
  });

  it('writes and loads files; a missing file is E_NOT_FOUND', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wgm-'));
    const model = tinyModel({ cell: 'gru', precision: 'int8' });
    await writeWgm(join(dir, 'm.wgm'), model);
    const back = await loadWgm(join(dir, 'm.wgm'));
    expect(back.metadata).toEqual(model.metadata);
    expect(back.fileBytes).toBeGreaterThan(0);
    await expect(loadWgm(join(dir, 'nope.wgm'))).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });

  needs(NUMPY).it('is readable by a plain numpy safetensors reader (the documented recipe)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wgm-'));
    const model = tinyModel({ cell: 'lstm', precision: 'int8' });
    writeFileSync(join(dir, 'm.wgm'), encodeWgm(model));
    // Same reader as docs/model-format.md "Reading a .wgm with numpy".
    const script = `
import json, struct, sys, hashlib, numpy as np
buf = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', buf[:8])[0]
header = json.loads(buf[8:8 + n])
meta = header.pop('__metadata__')
data = buf[8 + n:]
assert hashlib.sha256(meta['wavegate'].encode() + data).hexdigest() == meta['wavegate.sha256']
dt = {'F32': '<f4', 'I32': '<i4', 'F16': '<f2', 'I8': 'i1'}
out = {}
for name, e in header.items():
    b, end = e['data_offsets']
    a = np.frombuffer(data[b:end], dtype=dt[e['dtype']]).reshape(e['shape'])
    out[name] = [float(a.astype(np.float64).sum()), list(a.shape)]
print(json.dumps(out))
`;
    const r = spawnSync(PYTHON, ['-c', script, join(dir, 'm.wgm')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout) as Record<string, [number, number[]]>;
    for (const [name, t] of model.tensors) {
      let sum = 0;
      for (const v of t.data) sum += t.dtype === 'F16' ? f16BitsToNumber(v) : v; // F16 data are bit patterns
      expect(got[name][1]).toEqual(t.shape);
      expect(got[name][0]).toBeCloseTo(sum, 3);
    }
  });
});
