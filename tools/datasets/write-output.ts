/**
 * Writing a dataset file safely: the `--out` path is checked before any work (a directory, a
 * device or a missing folder is a one-line error, not a stack trace after minutes of building),
 * and the bytes go to a temporary file beside it that is renamed over the target only when
 * complete, so a failed run leaves no truncated file. Only a regular file is ever replaced.
 */
import { lstatSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WavegateError } from '../../src/errors.js';

/** Throws E_ARGUMENT / E_NOT_FOUND when `out` cannot receive a file. */
export function checkOutputPath(out: string, option = '--out'): void {
  if (out === '') throw new WavegateError('E_ARGUMENT', `${option}: empty path`);
  let st;
  try {
    st = lstatSync(out);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory()) throw new WavegateError('E_ARGUMENT', `${option} ${out}: is a directory; give a file path, e.g. ${join(out, 'dataset.npz')}`);
  if (st && !st.isFile()) throw new WavegateError('E_ARGUMENT', `${option} ${out}: is not a regular file (a link, device or pipe); it will not be replaced`);
  const dir = dirname(out);
  let d;
  try {
    d = statSync(dir);
  } catch {
    throw new WavegateError('E_NOT_FOUND', `${option} ${out}: folder ${dir} does not exist`);
  }
  if (!d.isDirectory()) throw new WavegateError('E_ARGUMENT', `${option} ${out}: ${dir} is not a folder`);
}

/** Writes `bytes` to `out` through a temporary file renamed into place. */
export function writeOutputFile(out: string, bytes: Uint8Array, option = '--out'): void {
  checkOutputPath(out, option);
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.partial`);
  try {
    writeFileSync(tmp, bytes, { flag: 'wx' });
    renameSync(tmp, out);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') rmSync(tmp, { force: true }); // ours: remove; someone else's: leave it
    throw new WavegateError('E_ARGUMENT', `${option} ${out}: cannot write: ${(e as Error).message}`, { cause: e });
  }
}
