/**
 * File access for the readers that take a path. Node's `fs` is fetched when a file is read
 * (`process.getBuiltinModule`, Node >= 20.16), never imported at the top of a module, so that the
 * library entry (src/index.ts) also loads in a browser, where only the byte-level readers work.
 */
import { WavegateError } from '../errors.js';

type NodeFs = typeof import('node:fs');

/** Node's fs module, or E_ARGUMENT naming `what` where there is no file system (a browser). */
export function nodeFs(what: string): NodeFs {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof get !== 'function') throw new WavegateError('E_ARGUMENT', `${what}: reading files needs Node.js (>= 20.16); in a browser, pass the file's bytes to the byte-level reader`);
  return get('node:fs') as NodeFs;
}

/** The last path component (either separator), as node:path's basename. */
export function baseName(path: string): string {
  return path.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? path;
}

/** The path without its last component ('.' when there is none), as node:path's dirname. */
export function dirName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return i < 0 ? '.' : i === 0 ? trimmed[0] : trimmed.slice(0, i);
}

/** `dir` and `name` joined with '/', which every platform Node runs on accepts. */
export function joinPath(dir: string, name: string): string {
  return dir === '.' ? name : `${dir.replace(/[\\/]+$/, '')}/${name}`;
}
