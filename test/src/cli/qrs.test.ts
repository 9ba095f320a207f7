import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { registerQrs } from '../../../src/cli/qrs.js';
import { MITDB, needs } from '../../helpers/needs.js';
import { MITDB_DIR } from '../../helpers/shared-data.js';

/** Runs `wavegate qrs ...` in-process, returning what it wrote to stdout and stderr. */
async function run(args: string[]): Promise<{ out: string; err: string; code: number | undefined }> {
  const out: string[] = [], err: string[] = [];
  const o = process.stdout.write.bind(process.stdout), e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => { out.push(s); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => { err.push(s); return true; }) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    const program = new Command().exitOverride();
    registerQrs(program);
    await program.parseAsync(['node', 'wavegate', 'qrs', ...args]);
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
  const code = process.exitCode as number | undefined;
  return { out: out.join(''), err: err.join(''), code };
}

afterEach(() => { process.exitCode = undefined; });

describe('wavegate qrs', () => {
  it('a missing record is a one-line E_NOT_FOUND error with exit status 1', async () => {
    const r = await run([join(MITDB_DIR, 'no-such-record')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^wavegate: E_NOT_FOUND: .*no-such-record\.hea/);
  });

  needs(MITDB).it('--json prints exactly one object with the MLII peaks (record 114 has V5 first)', async () => {
    const r = await run([join(MITDB_DIR, '114'), '--json']);
    expect(r.code).toBeUndefined();
    expect(r.out.trim().split('\n')).toHaveLength(1);
    const o = JSON.parse(r.out);
    expect(Object.keys(o)).toEqual(['record', 'fs', 'lead', 'peaks']);
    expect(o).toMatchObject({ record: '114', fs: 360, lead: 'MLII' });
    expect(o.peaks.length).toBeGreaterThan(1850); // 1879 reference beats
    expect(o.peaks.length).toBeLessThan(1910);
    expect(o.peaks.every((p: number, i: number) => Number.isInteger(p) && (i === 0 || p > o.peaks[i - 1]))).toBe(true);
  });

  needs(MITDB).it('without --json prints a summary and the EC57 figures', async () => {
    const r = await run([join(MITDB_DIR, '100')]);
    expect(r.out).toMatch(/record 100: lead MLII, 360 Hz, \d+ R peaks/);
    expect(r.out).toMatch(/EC57/);
    expect(r.out).toMatch(/^100\s+\d+\s+\d+\s+\d+\s+\d+\.\d\d\s+\d+\.\d\d$/m);
  });

  it('refuses a path with an extension', async () => {
    const r = await run(['../shared/data/mitdb/100.hea']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/E_ARGUMENT: .*without extension/);
  });
});
