/**
 * The gate itself: without the switch a missing requirement skips with a test named after what is
 * missing; with WAVEGATE_REQUIRE_ALL=1 the same test fails; what is present runs either way.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface JsonReport {
  testResults: { assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}

function runProbe(requireAll: boolean): Map<string, string> {
  const env = { ...process.env, WAVEGATE_REQUIRE_ALL: requireAll ? '1' : '0' };
  const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/helpers/needs-probe.config.ts', '--reporter=json'], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const json = r.stdout.slice(r.stdout.indexOf('{'));
  const report = JSON.parse(json) as JsonReport;
  return new Map(report.testResults.flatMap((f) => f.assertionResults.map((a) => [a.fullName, a.status])));
}

const SUITE = 'suite needing an absent file needs /nonexistent/wavegate-needs-probe (nothing makes it)';
const TEST = 'test needing an absent file needs /nonexistent/wavegate-needs-probe (nothing makes it)';

describe('needs()', () => {
  it('skips what lacks a requirement, naming it, and runs the rest', () => {
    expect(Object.fromEntries(runProbe(false))).toEqual({ [SUITE]: 'skipped', [TEST]: 'skipped', 'test needing a present file': 'passed' });
  });

  it('fails instead under WAVEGATE_REQUIRE_ALL=1', () => {
    expect(Object.fromEntries(runProbe(true))).toEqual({ [SUITE]: 'failed', [TEST]: 'failed', 'test needing a present file': 'passed' });
  });
});
