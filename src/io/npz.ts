/**
 * NumPy .npz archives: a zip of `<name>.npy` entries (numpy.savez / savez_compressed).
 *
 * fflate does the zip work (stored and deflated entries, zip64 as numpy writes it); this module
 * adds the npz conventions and turns every zip/npy problem into an E_FILE_FORMAT error naming the
 * archive and the entry.
 */
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { WavegateError } from '../errors.js';
import { encodeNpy, readNpy, type NpyArray, type NpyData } from './npy.js';
import { assertKnownOptions } from '../options-check.js';

export interface NpzWriteOptions {
  /** Deflate entries (like numpy.savez_compressed). Default false: stored, like numpy.savez. */
  compress?: boolean;
}

/** One array to write: a bare typed array is saved 1-D. */
export type NpzEntry = NpyData | { data: NpyData; shape: readonly number[] };

/**
 * Reads every array of an .npz archive into a map keyed by name without the `.npy` suffix.
 * @param source name used in error messages
 */
export function readNpz(bytes: Uint8Array, source = '<npz>'): Map<string, NpyArray> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new WavegateError('E_FILE_FORMAT', `${source}: not a valid .npz (zip) file: ${(e as Error).message}`, { cause: e });
  }
  const out = new Map<string, NpyArray>();
  for (const [name, content] of Object.entries(files)) {
    if (name.endsWith('/')) continue; // directory entries carry no array
    if (!name.endsWith('.npy')) {
      throw new WavegateError('E_FILE_FORMAT', `${source}: entry ${JSON.stringify(name)} is not a .npy file`);
    }
    out.set(name.slice(0, -4), readNpy(content, `${source}:${name}`));
  }
  return out;
}

/** Encodes named arrays as an .npz archive with deterministic bytes (fixed timestamps). */
export function encodeNpz(arrays: Record<string, NpzEntry>, options: NpzWriteOptions = {}): Uint8Array {
  assertKnownOptions(options, ['compress'], 'encodeNpz()');
  const level = options.compress ? 6 : 0;
  const files: Zippable = {};
  // Fixed mtime so that the same arrays always give the same bytes (dataset digests rely on it).
  const mtime = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));
  for (const [name, entry] of Object.entries(arrays)) {
    if (name.length === 0 || name.includes('/')) throw new WavegateError('E_ARGUMENT', `encodeNpz: bad array name ${JSON.stringify(name)}`);
    const npy = ArrayBuffer.isView(entry) ? encodeNpy(entry) : encodeNpy(entry.data, entry.shape);
    files[`${name}.npy`] = [npy, { level, mtime }];
  }
  return zipSync(files);
}

/** Returns the named array or throws naming the archive and the missing key. */
export function requireArray(arrays: Map<string, NpyArray>, name: string, source = '<npz>'): NpyArray {
  const a = arrays.get(name);
  if (!a) throw new WavegateError('E_FILE_FORMAT', `${source}: missing array ${JSON.stringify(name)} (has ${[...arrays.keys()].join(', ') || 'none'})`);
  return a;
}
