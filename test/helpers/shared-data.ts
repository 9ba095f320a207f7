/**
 * Locates the real data (../shared/data by default, WAVEGATE_DATA to override) for tests that
 * need it. Tests skip with the reason printed when it is absent; CI has it, so there they run.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const DATA_DIR = resolve(repoRoot, process.env.WAVEGATE_DATA ?? '../shared/data');
export const MITDB_DIR = join(DATA_DIR, 'mitdb');
export const CWRU_DIR = join(DATA_DIR, 'cwru');
export const HAS_MITDB = existsSync(join(MITDB_DIR, '100.hea'));
export const HAS_CWRU = existsSync(join(CWRU_DIR, 'normal_0_97.mat'));

if (!HAS_MITDB || !HAS_CWRU) {
  console.warn(`[wavegate tests] real data not found under ${DATA_DIR} (set WAVEGATE_DATA); skipping tests that need it`);
}
