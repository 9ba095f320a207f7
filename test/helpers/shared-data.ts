/**
 * Locates the real data (../shared/data by default, WAVEGATE_DATA to override) for tests that
 * need it. Tests gate on it through test/helpers/needs.ts (MITDB, CWRU): they skip with the reason
 * printed when it is absent, and fail instead under WAVEGATE_REQUIRE_ALL=1 (CI).
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

