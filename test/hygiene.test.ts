/**
 * Rules about the tests themselves, checked on the test sources so that a new test cannot
 * quietly break them:
 * - a test that depends on something outside the repository goes through test/helpers/needs.ts,
 *   the one place that decides between skipping and (under WAVEGATE_REQUIRE_ALL=1, in CI)
 *   failing; any other skip would let CI pass without testing;
 * - no `.only`, which would silently drop every other test of its file;
 * - property tests run from a fixed seed (test/helpers/setup.ts sets fast-check's global seed;
 *   the tests with a tolerance also name their seed and budget beside the property);
 * - one of each thing in src/, tools/ and test/: one seeded PRNG, one SHA-256, one .npy codec, one
 *   package-version reader (copies drift: the version reader printed 0.0.0 under tsx).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import config from '../vitest.config.js';
import { FAST_CHECK_SEED } from './helpers/setup.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const GATE = 'test/helpers/needs.ts';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

const sources = tsFiles(join(ROOT, 'test')).map((p) => ({ path: relative(ROOT, p), text: readFileSync(p, 'utf8') }));

function codeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? codeFiles(p) : /\.(ts|mjs|js)$/.test(e.name) ? [p] : [];
  });
}

const code = ['src', 'tools', 'test'].flatMap((d) => codeFiles(join(ROOT, d))).map((p) => ({ path: relative(ROOT, p), text: readFileSync(p, 'utf8') }));

/** Files other than `home` (and this test) whose code matches `re`, optionally outside `except` (a path prefix). */
function copiesOutside(home: string, re: RegExp, except?: string): string[] {
  return code
    .filter((f) => f.path !== home && f.path !== 'test/hygiene.test.ts' && !(except && f.path.startsWith(except)) && re.test(f.text))
    .map((f) => f.path);
}

/** `file:line: text` of every line matching `re`, outside the allowed files. */
function offending(re: RegExp, allowed: string[] = []): string[] {
  return sources
    .filter((s) => !allowed.includes(s.path) && s.path !== 'test/hygiene.test.ts')
    .flatMap((s) => s.text.split('\n').flatMap((line, i) => (re.test(line) ? [`${s.path}:${i + 1}: ${line.trim()}`] : [])));
}

/** What marks a comparison with a tolerance: an absolute difference, toBeCloseTo, or a named budget. */
const TOLERANCE = /toBeCloseTo|maxAbsDiff|Math\.abs\([^)]*-|\bMAX_[A-Z0-9_]+|_VS_[A-Z0-9_]+|TOLERANCE|BUDGET/;

/** The text of every `fc.assert(...)` call (parentheses matched), with its line. */
function fcAsserts(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  for (const m of text.matchAll(/fc\.assert\(/g)) {
    let depth = 0;
    let end = m.index;
    for (; end < text.length; end++) {
      if (text[end] === '(') depth++;
      else if (text[end] === ')' && --depth === 0) break;
    }
    out.push({ line: text.slice(0, m.index).split('\n').length, text: text.slice(m.index, end + 1) });
  }
  return out;
}

describe('test hygiene', () => {
  it('every conditional skip goes through test/helpers/needs.ts', () => {
    // describe.skip / it.skip / test.skip / .skipIf / .runIf / ctx.skip(): all ways vitest offers.
    expect(offending(/\.(skip|skipIf|runIf|todo)\s*\(|\b(ctx|context|t)\.skip\s*\(/, [GATE])).toEqual([]);
  });

  it('no .only', () => {
    expect(offending(/\b(describe|it|test|suite)\.only\s*\(/)).toEqual([]);
  });

  it('a property test with a tolerance names its own seed (and, by convention, its budget beside it)', () => {
    const unseeded = sources.flatMap((s) => fcAsserts(s.text).filter((call) => TOLERANCE.test(call.text) && !/\bseed:\s*-?\d/.test(call.text)).map((call) => `${s.path}:${call.line}`));
    expect(unseeded).toEqual([]);
  });

  it('one seeded PRNG: tools/synth/rng.ts (no mulberry32 / xorshift copies, no Math.random)', () => {
    expect(copiesOutside('tools/synth/rng.ts', /0x6d2b79f5|\b(\w+) \^= \1 << 13|Math\.random\(/)).toEqual([]);
  });

  it('one SHA-256: sha256Hex / wgmDigest of src/model/digest.ts', () => {
    expect(copiesOutside('src/model/digest.ts', /createHash\(|subtle\.digest|@noble\/hashes\/sha2/)).toEqual([]);
  });

  it('one .npy codec: src/io/npy.ts (its own tests forge headers on purpose)', () => {
    expect(copiesOutside('src/io/npy.ts', /\\x93NUMPY|0x93, 0x4e, 0x55/, 'test/src/io/')).toEqual([]);
  });

  it('one package-version reader: src/package-version.ts', () => {
    expect(copiesOutside('src/package-version.ts', /package\.json['"`],\s*import\.meta\.url|name === 'wavegate'/)).toEqual([]);
  });

  it('fast-check runs from the fixed global seed set up for every test file', () => {
    expect(config.test?.setupFiles).toContain('test/helpers/setup.ts');
    expect(fc.readConfigureGlobal().seed).toBe(FAST_CHECK_SEED);
  });
});
