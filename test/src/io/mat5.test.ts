import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zlibSync } from 'fflate';
import { readMat5, requireMatVariable } from '../../../src/io/mat5.js';
import { concat, element, encodeMat5 } from '../../../src/io/mat5-write.js';
import { isWavegateError } from '../../../src/errors.js';
import { expectFormatError } from '../../helpers/expect-error.js';
import { CWRU, needs, PYTHON, SCIPY } from '../../helpers/needs.js';
import { CWRU_DIR } from '../../helpers/shared-data.js';

/** Hand-built elements (src/io/mat5-write.ts's own) for files encodeMat5 does not write: other classes, malformed ones. */
const cat = (...parts: Uint8Array[]) => concat(parts);
function matrix(name: string, classId: number, dims: number[], realType: number, real: Uint8Array, flagsExtra = 0): Uint8Array {
  const flags = new Uint8Array(8);
  new DataView(flags.buffer).setUint32(0, classId | flagsExtra, true);
  const d = new Uint8Array(dims.length * 4);
  dims.forEach((v, i) => new DataView(d.buffer).setInt32(4 * i, v, true));
  return element(14, cat(element(6, flags), element(5, d), element(1, new TextEncoder().encode(name)), element(realType, real)));
}
function header(): Uint8Array {
  const h = new Uint8Array(128).fill(0x20);
  h.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, test'), 0);
  h.set([0x00, 0x01, 0x49, 0x4d], 124); // version 0x0100, "IM"
  return h;
}
const f64 = (v: number[]) => new Uint8Array(Float64Array.from(v).buffer);

describe('MAT level 5 writer (src/io/mat5-write.ts)', () => {
  it('round-trips double arrays through the reader, column vectors and matrices', () => {
    const bytes = encodeMat5([{ name: 'X097_DE_time', data: [0.5, -1.25, 3] }, { name: 'M', data: [1, 2, 3, 4, 5, 6], dims: [2, 3] }]);
    const vars = readMat5(bytes, 'w.mat');
    expect(requireMatVariable(vars, 'X097_DE_time')).toMatchObject({ className: 'double', dims: [3, 1] });
    expect(Array.from(vars.get('X097_DE_time')!.data)).toEqual([0.5, -1.25, 3]);
    expect(vars.get('M')!.dims).toEqual([2, 3]);
    expect(Array.from(vars.get('M')!.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('refuses a bad name or dimensions that do not hold the data', () => {
    expect(() => encodeMat5([{ name: '1x', data: [1] }])).toThrow(/not a MATLAB variable name/);
    expect(() => encodeMat5([{ name: 'A', data: [1, 2, 3], dims: [2, 2] }])).toThrow(/do not hold 3 values/);
  });
});

describe('MAT level 5 reader', () => {
  it('reads double and uint16-stored arrays, plain and inside miCOMPRESSED', () => {
    const x = matrix('X001_DE_time', 6, [3, 1], 9, f64([0.5, -1, 2]));
    const rpm = matrix('X001RPM', 6, [1, 1], 4, new Uint8Array([0x05, 0x07, 0, 0]).subarray(0, 2));
    const compressed = zlibSync(rpm);
    const cel = new Uint8Array(8 + compressed.length);
    new DataView(cel.buffer).setUint32(0, 15, true);
    new DataView(cel.buffer).setUint32(4, compressed.length, true);
    cel.set(compressed, 8);
    for (const file of [cat(header(), x, rpm), cat(header(), x, cel)]) {
      const vars = readMat5(file, 't.mat');
      expect(Array.from(requireMatVariable(vars, 'X001_DE_time').data)).toEqual([0.5, -1, 2]);
      expect(vars.get('X001RPM')).toMatchObject({ className: 'double', dims: [1, 1] });
      expect(vars.get('X001RPM')!.data[0]).toBe(0x0705);
    }
  });
  it('refuses what it does not read, naming file and variable', () => {
    const x = matrix('A', 6, [2, 1], 9, f64([1, 2]));
    expectFormatError(() => readMat5(new Uint8Array(100), 'a.mat'), /a\.mat: byte 0: file is 100 bytes/);
    const h73 = header();
    h73.set(new TextEncoder().encode('MATLAB 7.3 MAT-file, HDF5'), 0);
    expectFormatError(() => readMat5(cat(h73, x), 'a.mat'), /HDF5/);
    const big = header();
    big.set([0x01, 0x00, 0x4d, 0x49], 124);
    expectFormatError(() => readMat5(cat(big, x), 'a.mat'), /big-endian/);
    expectFormatError(() => readMat5(cat(header(), x).subarray(0, 150), 'a.mat'), /claims \d+ bytes, only \d+ remain/);
    expectFormatError(() => readMat5(cat(header(), matrix('C', 1, [1, 1], 9, f64([1]))), 'a.mat'), /variable "C": cell arrays are not supported/);
    expectFormatError(() => readMat5(cat(header(), matrix('Z', 6, [1, 1], 9, f64([1]), 0x0800)), 'a.mat'), /complex/);
    expectFormatError(() => readMat5(cat(header(), matrix('B', 6, [3, 1], 9, f64([1, 2]))), 'a.mat'), /variable "B": 16 bytes for 3 values/);
    expectFormatError(() => readMat5(cat(header(), x, x), 'a.mat'), /appears twice/);
    expectFormatError(() => readMat5(cat(header(), element(9, f64([1]))), 'a.mat'), /top-level element of type 9/);
    expect(readMat5(cat(header(), matrix('C', 4, [1, 1], 4, new Uint8Array(2)), x), 'a.mat', { skipUnsupported: true }).has('A')).toBe(true);
    expect(() => requireMatVariable(readMat5(cat(header(), x)), 'Q', 'a.mat')).toThrow(/no variable "Q" \(has A\)/);
  });
  needs(SCIPY).it('reads what scipy.io.savemat writes, uncompressed and compressed (needs scipy)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wg-mat-'));
    const script = `
import numpy as np, scipy.io, sys, os
d = {'sig': np.linspace(-1, 1, 1001).reshape(-1, 1), 'm': np.arange(6, dtype=np.int16).reshape(2, 3), 'rpm': np.array([[1797]], dtype=np.uint16)}
scipy.io.savemat(os.path.join(sys.argv[1], 'u.mat'), d, do_compression=False)
scipy.io.savemat(os.path.join(sys.argv[1], 'c.mat'), d, do_compression=True)
`;
    const r = spawnSync(PYTHON, ['-c', script, dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const f of ['u.mat', 'c.mat']) {
      const v = readMat5(readFileSync(join(dir, f)), f);
      const sig = v.get('sig')!;
      expect(sig.dims).toEqual([1001, 1]);
      expect(sig.data[0]).toBe(-1);
      expect(sig.data[1000]).toBe(1);
      expect(sig.data[500]).toBeCloseTo(0, 15);
      expect(v.get('m')).toMatchObject({ className: 'int16', dims: [2, 3] });
      expect(Array.from(v.get('m')!.data)).toEqual([0, 3, 1, 4, 2, 5]); // column-major
      expect(v.get('rpm')!.data[0]).toBe(1797);
    }
  });
});

needs(CWRU).describe(`CWRU files in ${CWRU_DIR}`, () => {
  it('variables, lengths and RPM match the data README', () => {
    const expectations: Array<[string, string, number, number, boolean]> = [
      ['12k_Drive_End_IR007_0_105.mat', 'X105', 121265, 1797, true],
      ['normal_0_97.mat', 'X097', 243938, 1796, false],
      ['12k_Drive_End_B007_0_118.mat', 'X118', 122571, 1796, true],
      ['12k_Drive_End_OR007@6_0_130.mat', 'X130', 121991, 1796, true],
      ['12k_Drive_End_IR021_0_209.mat', 'X209', 122136, 1797, true],
      ['12k_Drive_End_B021_0_222.mat', 'X222', 121991, 1796, true],
      ['12k_Drive_End_OR021@6_0_234.mat', 'X234', 122426, 1796, true],
    ];
    for (const [file, prefix, length, rpm, hasBa] of expectations) {
      const vars = readMat5(readFileSync(join(CWRU_DIR, file)), file);
      const expected = [`${prefix}_DE_time`, `${prefix}_FE_time`, ...(hasBa ? [`${prefix}_BA_time`] : []), `${prefix}RPM`];
      expect([...vars.keys()].sort(), file).toEqual(expected.sort());
      expect(vars.get(`${prefix}_DE_time`)!.dims, file).toEqual([length, 1]);
      expect(vars.get(`${prefix}_FE_time`)!.data.length).toBe(length);
      expect(vars.get(`${prefix}RPM`)!.data[0], file).toBe(rpm);
      const de = vars.get(`${prefix}_DE_time`)!.data;
      expect(de.every((v) => Number.isFinite(v) && Math.abs(v) < 100)).toBe(true); // acceleration in g
    }
  });
});

describe('corrupted MAT files fail only with typed errors (property)', () => {
  it('never throws anything but a WavegateError', async () => {
    const fc = (await import('fast-check')).default;
    const x = matrix('X001_DE_time', 6, [3, 1], 9, f64([0.5, -1, 2]));
    const good = cat(header(), x, matrix('R', 6, [1, 1], 4, new Uint8Array([1, 2])));
    fc.assert(fc.property(fc.integer({ min: 120, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), (pos, v) => {
      const b = good.slice();
      b[pos] = v;
      try {
        readMat5(b);
      } catch (e) {
        expect(isWavegateError(e), String(e)).toBe(true);
      }
    }), { numRuns: 400 });
  });
});
