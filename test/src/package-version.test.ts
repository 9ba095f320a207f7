/**
 * One package-version reader (src/package-version.ts) for --version, a model's `producer` and a
 * dataset's `createdBy`, right in both layouts the code runs from: the sources under tsx and the
 * `tsc` build in dist/ (bin/wavegate.js). Each old copy hard-coded a relative path that was right
 * in one layout only (src/cli/program.ts printed 0.0.0 under tsx).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packageVersion } from '../../src/package-version.js';
import { file, needs } from '../helpers/needs.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version;
const BUILT = file(`${ROOT}dist/tools/cli/main.js`, 'npm run build:ts');

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe('the package version', () => {
  it('is package.json\'s, in process', () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(packageVersion()).toBe(VERSION);
  });

  it('wavegate --version from the sources under tsx (full and device programs)', () => {
    expect(run(process.execPath, ['--import', 'tsx', 'tools/cli/main.ts', '--version'])).toBe(VERSION);
    expect(run(process.execPath, ['--import', 'tsx', 'src/cli/device-main.ts', '--version'])).toBe(VERSION);
  });

  needs(BUILT).it('wavegate --version from dist/ (bin/wavegate.js and the device program)', () => {
    expect(run(process.execPath, ['bin/wavegate.js', '--version'])).toBe(VERSION);
    expect(run(process.execPath, ['dist/src/cli/device-main.js', '--version'])).toBe(VERSION);
  });
});
