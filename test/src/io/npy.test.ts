import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, readNpy, type NpyData } from '../../../src/io/npy.js';
import { isWavegateError } from '../../../src/errors.js';
import { expectFormatError } from '../../helpers/expect-error.js';
import { NUMPY, needs, PYTHON } from '../../helpers/needs.js';


describe('encodeNpy/readNpy round trip', () => {
  it('preserves float32 data and any shape (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 }), fc.integer(), (shape, seed) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = new Float32Array(n).map((_, i) => Math.fround(Math.sin(seed + i) * 1e3));
        const bytes = encodeNpy(data, shape);
        expect(bytes.length % 64).toBe(n * 4 % 64); // header padded to a 64-byte boundary
        const back = readNpy(bytes, 'prop.npy');
        expect(back.dtype).toBe('float32');
        expect(back.shape).toEqual(shape);
        expect(Array.from(back.data as Float32Array)).toEqual(Array.from(data));
      }),
      { numRuns: 50 },
    );
  });

  it.each<[string, NpyData]>([
    ['float64', new Float64Array([1.5, -2, Math.PI])],
    ['int8', new Int8Array([-128, 0, 127])],
    ['int16', new Int16Array([-32768, 1, 32767])],
    ['int32', new Int32Array([-(2 ** 31), 7, 2 ** 31 - 1])],
    ['int64', new BigInt64Array([-(2n ** 63n), 0n, 2n ** 63n - 1n])],
    ['uint8', new Uint8Array([0, 128, 255])],
  ])('round-trips %s', (dtype, data) => {
    const back = readNpy(encodeNpy(data));
    expect(back.dtype).toBe(dtype);
    expect(back.shape).toEqual([3]);
    expect(Array.from(back.data as ArrayLike<number | bigint>)).toEqual(Array.from(data as ArrayLike<number | bigint>));
  });
});

describe('readNpy rejects malformed files', () => {
  const good = encodeNpy(new Float32Array([1, 2, 3, 4]), [2, 2]);
  const withHeader = (dict: string, dataBytes = 16): Uint8Array => {
    const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
    const out = new Uint8Array(total + dataBytes);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(out.buffer).setUint16(8, total - 10, true);
    const h = dict.padEnd(total - 11, ' ') + '\n';
    for (let i = 0; i < h.length; i++) out[10 + i] = h.charCodeAt(i);
    return out;
  };
  it('names truncation', () => expectFormatError(() => readNpy(good.subarray(0, good.length - 1), 'x.npy'), /x\.npy.*truncated/));
  it('names trailing bytes', () => expectFormatError(() => readNpy(new Uint8Array([...good, 0])), /trailing/));
  it('names bad magic', () => expectFormatError(() => readNpy(new Uint8Array(64)), /magic/));
  it('names a too-short file', () => expectFormatError(() => readNpy(new Uint8Array(3)), /shorter/));
  it('names big-endian data', () =>
    expectFormatError(() => readNpy(withHeader("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }")), /big-endian/));
  it('names Fortran order', () =>
    expectFormatError(() => readNpy(withHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }")), /Fortran/));
  it('accepts Fortran order for 1-D data (same bytes)', () =>
    expect(readNpy(withHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (4,), }")).shape).toEqual([4]));
  it('names unsupported dtypes', () =>
    expectFormatError(() => readNpy(withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }")), /unsupported dtype/));
  it('names structured dtypes', () =>
    expectFormatError(() => readNpy(withHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }")), /descr/));
  it('names a bad shape', () =>
    expectFormatError(() => readNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 4), }")), /shape entry/));
  it('refuses huge shapes before allocating', () =>
    expectFormatError(() => readNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }")), /elements/));
  it('names a header running past the end', () => {
    const b = good.slice(0, 20);
    expectFormatError(() => readNpy(b), /header length/);
  });
  it('never throws anything but E_FILE_FORMAT on random corruption (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), (pos, val) => {
        const b = good.slice();
        b[pos] = val;
        try {
          readNpy(b);
        } catch (e) {
          expect(isWavegateError(e, 'E_FILE_FORMAT')).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

needs(NUMPY).describe('interoperates with numpy (needs /usr/bin/python3 with numpy)', () => {
  it('reads what numpy.save writes and numpy reads what encodeNpy writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wg-npy-'));
    const ours = join(dir, 'ours.npy');
    writeFileSync(ours, encodeNpy(new Float32Array([0.5, -1, 2, 3, 4, 5]), [3, 2]));
    const script = `
import numpy as np, sys
a = np.load(sys.argv[1], allow_pickle=False)
assert a.dtype == np.float32 and a.shape == (3, 2), (a.dtype, a.shape)
print(float(a.sum()))
np.save(sys.argv[2], (np.arange(24, dtype=np.int16) - 12).reshape(2, 3, 4))
np.save(sys.argv[3], np.asfortranarray(np.arange(5, dtype=np.float64)))
`;
    const r = spawnSync(PYTHON, ['-c', script, ours, join(dir, 'np16.npy'), join(dir, 'npf.npy')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(Number(r.stdout.trim())).toBe(0.5 - 1 + 2 + 3 + 4 + 5);
    const a = readNpy(readFileSync(join(dir, 'np16.npy')));
    expect(a.dtype).toBe('int16');
    expect(a.shape).toEqual([2, 3, 4]);
    expect(Array.from(a.data as Int16Array)).toEqual(Array.from({ length: 24 }, (_, i) => i - 12));
    const f = readNpy(readFileSync(join(dir, 'npf.npy')));
    expect(Array.from(f.data as Float64Array)).toEqual([0, 1, 2, 3, 4]);
  });
});
