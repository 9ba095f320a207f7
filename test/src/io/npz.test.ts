import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { encodeNpz, readNpz, requireArray } from '../../../src/io/npz.js';
import { isWavegateError } from '../../../src/errors.js';
import { NUMPY, needs, PYTHON } from '../../helpers/needs.js';


describe('npz', () => {
  const arrays = {
    x: { data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [1, 3, 2] },
    y: new BigInt64Array([0n, 4n]),
    meta: new TextEncoder().encode('{"a":1}'),
  };
  it.each([false, true])('round-trips named arrays (compress=%s)', (compress) => {
    const m = readNpz(encodeNpz(arrays, { compress }));
    expect([...m.keys()].sort()).toEqual(['meta', 'x', 'y']);
    expect(m.get('x')!.shape).toEqual([1, 3, 2]);
    expect(Array.from(m.get('y')!.data as BigInt64Array)).toEqual([0n, 4n]);
    expect(new TextDecoder().decode(m.get('meta')!.data as Uint8Array)).toBe('{"a":1}');
  });
  it('writes identical bytes for identical arrays (deterministic)', () => {
    expect(Buffer.from(encodeNpz(arrays, { compress: true })).equals(Buffer.from(encodeNpz(arrays, { compress: true })))).toBe(true);
  });
  it('names a non-zip file', () => {
    try {
      readNpz(new Uint8Array([1, 2, 3, 4]), 'bad.npz');
      throw new Error('no error');
    } catch (e) {
      expect(isWavegateError(e, 'E_FILE_FORMAT')).toBe(true);
      expect((e as Error).message).toMatch(/bad\.npz/);
    }
  });
  it('names a non-npy entry and a corrupt npy entry', () => {
    expect(() => readNpz(zipSync({ 'a.txt': new Uint8Array([1]) }), 'z.npz')).toThrow(/a\.txt.*not a \.npy/);
    expect(() => readNpz(zipSync({ 'a.npy': new Uint8Array(20) }), 'z.npz')).toThrow(/z\.npz:a\.npy/);
  });
  it('requireArray names the missing key', () => {
    expect(() => requireArray(readNpz(encodeNpz(arrays)), 'rr', 'd.npz')).toThrow(/d\.npz.*"rr"/);
  });
});

needs(NUMPY).describe('npz interoperates with numpy (needs /usr/bin/python3 with numpy)', () => {
  it('numpy reads ours without pickle; we read savez and savez_compressed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wg-npz-'));
    writeFileSync(join(dir, 'ours.npz'), encodeNpz(arrays(), { compress: true }));
    const script = `
import numpy as np, sys, os
d = np.load(os.path.join(sys.argv[1], 'ours.npz'), allow_pickle=False)
assert d['x'].shape == (2, 2) and d['x'].dtype == np.float32
assert d['y'].dtype == np.int64 and list(d['y']) == [3, 1]
np.savez(os.path.join(sys.argv[1], 'a.npz'), x=np.ones((2, 3), np.float32), y=np.array([7], np.int32))
np.savez_compressed(os.path.join(sys.argv[1], 'b.npz'), x=np.ones((2, 3), np.float32), y=np.array([7], np.int32))
`;
    const r = spawnSync(PYTHON, ['-c', script, dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const f of ['a.npz', 'b.npz']) {
      const m = readNpz(readFileSync(join(dir, f)), f);
      expect(m.get('x')!.shape).toEqual([2, 3]);
      expect(Array.from(m.get('y')!.data as Int32Array)).toEqual([7]);
    }
  });
  function arrays() {
    return { x: { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] }, y: new BigInt64Array([3n, 1n]) };
  }
});
