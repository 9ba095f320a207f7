/**
 * Where a command's output goes (`--out`): the one place that decides how a file is written, so
 * that no command ever replaces or deletes something it should not.
 *
 * - `-` (and /dev/stdout, /dev/fd/1, /proc/self/fd/1, which name the same thing): standard output.
 *   Nothing is opened or renamed; an `>> file` redirection keeps its append mode.
 * - a path that does not exist, or an existing regular file: written to a temporary file beside it
 *   (created exclusively, so it can never be someone else's file) and renamed over the target only
 *   when the command completes. A failed run deletes its own temporary file and leaves the target as
 *   it was (absent, or the previous version).
 * - a symbolic link, a character device, a FIFO or a socket: written in place through the path
 *   (opened for writing, never renamed over or deleted), so `--out /dev/null` or a link stays what
 *   it is.
 * - a directory, a dangling link, or a parent that cannot be created: E_ARGUMENT naming the path,
 *   before anything is written.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, lstatSync, mkdirSync, openSync, renameSync, rmSync, statSync, type Stats, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WavegateError } from '../errors.js';

/** Paths that mean this process's standard output. */
const STDOUT_ALIASES = new Set(['-', '/dev/stdout', '/dev/fd/1', '/proc/self/fd/1']);

export interface OutputSink {
  /** What the output is called in messages: the path, or "standard output". */
  readonly name: string;
  /** Appends text or bytes; waits when the destination is busy. */
  write(chunk: string | Uint8Array): Promise<void>;
  /** Finishes the output: closes it and, for a regular file, renames it into place. */
  commit(): Promise<void>;
  /** Gives up: closes the output and deletes the temporary file this sink created, nothing else. */
  abort(): Promise<void>;
}

function argumentError(flag: string, path: string, problem: string, cause?: unknown): WavegateError {
  return new WavegateError('E_ARGUMENT', `${flag} ${path}: ${problem}`, cause === undefined ? undefined : { cause });
}

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? (e as Error)?.message ?? String(e);
}

function statOrUndefined(stat: (p: string) => Stats, path: string): Stats | undefined {
  try {
    return stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** True when `path` means standard output (`-`, /dev/stdout and its aliases). */
export function isStandardOutput(path: string): boolean {
  return STDOUT_ALIASES.has(path);
}

/** A checked destination, not yet opened: nothing exists on disk until `open()`. */
export interface PreparedOutput {
  readonly name: string;
  open(): OutputSink;
}

/**
 * Checks the destination `path` of option `flag` (for messages, e.g. "--out") without touching it,
 * so that a bad `--out` fails before any work is done; `open()` then creates the output.
 */
export function prepareOutput(path: string, flag = '--out'): PreparedOutput {
  if (path === '') throw argumentError(flag, '""', 'empty path');
  if (STDOUT_ALIASES.has(path)) return { name: 'standard output', open: () => new StdoutSink() };
  let link: Stats | undefined;
  try {
    link = statOrUndefined(lstatSync, path);
  } catch (e) {
    throw argumentError(flag, path, `cannot examine (${errnoOf(e)})`, e);
  }
  if (link === undefined || link.isFile()) return { name: path, open: () => FileSink.replacing(path, flag) };
  if (link.isDirectory()) throw argumentError(flag, path, 'is a directory; name a file');
  if (link.isSymbolicLink()) {
    const target = statOrUndefined(statSync, path);
    if (target === undefined) throw argumentError(flag, path, 'is a symbolic link to nothing; name a file');
    if (target.isDirectory()) throw argumentError(flag, path, 'is a symbolic link to a directory; name a file');
  }
  return { name: path, open: () => FileSink.inPlace(path, flag) };
}

/** prepareOutput(path, flag).open(). */
export function openOutput(path: string, flag = '--out'): OutputSink {
  return prepareOutput(path, flag).open();
}

class StdoutSink implements OutputSink {
  readonly name = 'standard output';
  private failed: Error | undefined;
  private readonly onError = (e: Error) => { this.failed ??= e; };

  constructor() {
    // A reader that goes away (`| head`) shows up as EPIPE: one clear line, not a stack trace.
    process.stdout.on('error', this.onError);
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    this.check();
    try {
      if (!process.stdout.write(chunk)) await drained(process.stdout);
    } catch (e) {
      this.failed ??= e as Error;
    }
    this.check();
  }

  async commit(): Promise<void> {
    process.stdout.off('error', this.onError);
    this.check();
  }

  async abort(): Promise<void> {
    process.stdout.off('error', this.onError);
  }

  private check(): void {
    if (!this.failed) return;
    const code = errnoOf(this.failed);
    throw new WavegateError('E_ARGUMENT', code === 'EPIPE' ? 'standard output was closed before the output was complete (EPIPE)' : `cannot write to standard output (${code})`, { cause: this.failed });
  }
}

/** Resolves when `stream` can take more, or has closed (an error closes it); leaves no listener behind. */
function drained(stream: NodeJS.WritableStream & { off(event: string, fn: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** Opens synchronously, so that an unwritable destination fails before any work is done. */
function streamOn(file: string, flags: 'w' | 'wx', flag: string, path: string): WriteStream {
  let fd: number;
  try {
    fd = openSync(file, flags);
  } catch (e) {
    throw argumentError(flag, path, `cannot write (${errnoOf(e)})`, e);
  }
  return createWriteStream('', { fd });
}

class FileSink implements OutputSink {
  private failed: Error | undefined;
  private closed = false;

  private constructor(
    readonly name: string,
    private readonly flag: string,
    private readonly stream: WriteStream,
    /** The temporary file this sink created and renames into place, when replacing. */
    private readonly partial: string | undefined,
  ) {
    stream.on('error', (e) => { this.failed ??= e; });
  }

  /** Writes a fresh temporary file beside `path`, renamed over it at commit. */
  static replacing(path: string, flag: string): FileSink {
    const dir = dirname(path);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw argumentError(flag, path, `cannot create the folder ${dir} (${errnoOf(e)})`, e);
    }
    const partial = join(dir, `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.partial`);
    // 'wx': exclusive creation, so the temporary file is always one this process created.
    return new FileSink(path, flag, streamOn(partial, 'wx', flag, path), partial);
  }

  /** Writes through the path itself (a link, device or FIFO): never renamed over, never deleted. */
  static inPlace(path: string, flag: string): FileSink {
    return new FileSink(path, flag, streamOn(path, 'w', flag, path), undefined);
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    this.check();
    if (!this.stream.write(chunk)) await drained(this.stream);
    this.check();
  }

  async commit(): Promise<void> {
    await this.close();
    this.check();
    if (this.partial === undefined) return;
    // The target may have changed since it was examined: only a regular file (or nothing) is replaced.
    const now = statOrUndefined(lstatSync, this.name);
    if (now !== undefined && !now.isFile()) {
      this.removePartial();
      throw argumentError(this.flag, this.name, 'is no longer a regular file; not replaced');
    }
    try {
      renameSync(this.partial, this.name);
    } catch (e) {
      this.removePartial();
      throw argumentError(this.flag, this.name, `cannot write (${errnoOf(e)})`, e);
    }
  }

  async abort(): Promise<void> {
    await this.close().catch(() => undefined);
    this.removePartial();
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.stream.closed) {
      this.stream.end();
      await once(this.stream, 'close').catch(() => undefined);
    }
  }

  private removePartial(): void {
    if (this.partial !== undefined) rmSync(this.partial, { force: true });
  }

  private check(): void {
    if (this.failed) throw argumentError(this.flag, this.name, `cannot write (${errnoOf(this.failed)})`, this.failed);
  }
}
