/**
 * Where `--out` writes (src/cli/output.ts): a regular file is replaced only when the command
 * completes; nothing that is not a regular file the command created is ever replaced or deleted.
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { isWavegateError } from '../../../src/errors.js';
import { openOutput, prepareOutput } from '../../../src/cli/output.js';

const tmp = mkdtempSync(join(tmpdir(), 'wavegate-output-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function fresh(name: string): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  return dir;
}

function argumentError(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(isWavegateError(e, 'E_ARGUMENT'), String(e)).toBe(true);
    expect((e as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected E_ARGUMENT');
}

describe('--out to a regular file', () => {
  it('writes beside the target and renames on commit; no temporary file is left', async () => {
    const dir = fresh('new');
    const out = join(dir, 'sub', 'scores.jsonl');
    const sink = openOutput(out);
    await sink.write('a\n');
    await sink.write(new TextEncoder().encode('b\n'));
    expect(() => readFileSync(out)).toThrow(); // not there until commit
    await sink.commit();
    expect(readFileSync(out, 'utf8')).toBe('a\nb\n');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['scores.jsonl']);
  });

  it('waiting for a slow disk leaves no listener behind (no MaxListenersExceededWarning)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const out = join(fresh('many'), 'big.bin');
    const sink = openOutput(out);
    const chunk = new Uint8Array(1 << 16); // 4x the stream's buffer: every write waits for 'drain'
    for (let i = 0; i < 40; i++) await sink.write(chunk);
    await sink.commit();
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(warnings).toEqual([]);
    expect(readFileSync(out).length).toBe(40 << 16);
  });

  it('abort keeps the previous file and removes only its own temporary file', async () => {
    const dir = fresh('abort');
    const out = join(dir, 'scores.jsonl');
    writeFileSync(out, 'previous\n');
    writeFileSync(`${out}.partial`, 'a file of the user that merely has this name\n');
    const sink = openOutput(out);
    await sink.write('half of it\n');
    await sink.abort();
    expect(readFileSync(out, 'utf8')).toBe('previous\n');
    expect(readFileSync(`${out}.partial`, 'utf8')).toMatch(/the user/);
    expect(readdirSync(dir).sort()).toEqual(['scores.jsonl', 'scores.jsonl.partial']);
  });
});

describe('--out to something that is not a regular file', () => {
  it('a directory is E_ARGUMENT before anything is created', () => {
    const dir = fresh('dir');
    argumentError(() => prepareOutput(dir), /--out .*dir: is a directory/);
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(tmp)).not.toContain('dir.partial');
  });

  it('a symbolic link stays a link; its regular target receives the output', async () => {
    const dir = fresh('link');
    const target = join(dir, 'target.jsonl');
    const link = join(dir, 'link.jsonl');
    writeFileSync(target, 'old\n');
    symlinkSync(target, link);
    const sink = openOutput(link);
    await sink.write('new\n');
    await sink.commit();
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(readdirSync(dir).sort()).toEqual(['link.jsonl', 'target.jsonl']);
  });

  it('a dangling link or a link to a directory is E_ARGUMENT, and nothing is created', () => {
    const dir = fresh('dangling');
    symlinkSync(join(dir, 'nowhere'), join(dir, 'a'));
    symlinkSync(dir, join(dir, 'b'));
    argumentError(() => prepareOutput(join(dir, 'a')), /symbolic link to nothing/);
    argumentError(() => prepareOutput(join(dir, 'b')), /symbolic link to a directory/);
    expect(readdirSync(dir).sort()).toEqual(['a', 'b']);
  });

  it('a character device is written in place and stays a device (/dev/null)', async () => {
    const sink = openOutput('/dev/null');
    await sink.write('discarded\n');
    await sink.commit();
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('- and /dev/stdout mean standard output: nothing is opened or renamed', async () => {
    let written = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((written += String(s)), true));
    for (const path of ['-', '/dev/stdout']) {
      const out = prepareOutput(path);
      expect(out.name).toBe('standard output');
      const sink = out.open();
      await sink.write(`${path}\n`);
      await sink.commit();
    }
    vi.restoreAllMocks();
    expect(written).toBe('-\n/dev/stdout\n');
    expect(lstatSync('/dev/stdout').isSymbolicLink() || lstatSync('/dev/stdout').isCharacterDevice()).toBe(true);
  });

  it('an empty path is E_ARGUMENT', () => argumentError(() => prepareOutput(''), /empty path/));
});
