/**
 * The wavegate package version (package.json `version`), for `--version`, the `producer` of an
 * imported model and the `createdBy` of a dataset. Node only (reads a file); the library entry
 * (src/index.ts) never imports it, so the browser bundle does not carry node:fs.
 *
 * Found by walking up from this module to the first package.json named "wavegate": that is
 * ../package.json from src/ under tsx and ../../package.json from dist/src/ after `tsc`, so no
 * relative path is hard-coded (each copy of a fixed `../../..` was right in one layout only).
 * test/src/package-version.test.ts checks both layouts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How many folders up to look: dist/src/ is two levels below the package root; a bundle may sit deeper. */
const MAX_DEPTH = 6;

let cached: string | undefined;

/** The version of the wavegate package this module belongs to, or "0.0.0" when no package.json is found (a bundle copied alone). */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i <= MAX_DEPTH; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'wavegate' && typeof pkg.version === 'string') return (cached = pkg.version);
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return (cached = '0.0.0');
}

/** Sets the version a bundle was built from (tools/bundle/device-entry.ts): a bundle copied alone has no package.json to read. */
export function setPackageVersion(version: string): void {
  cached = version;
}
