/**
 * Runs the trainer's Python unit tests (tools/trainer/tests) under Debian's /usr/bin/python3, so
 * `npm test` covers them. Needs that Python with torch (test/helpers/needs.ts).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { needs, PYTHON, TORCH } from '../../helpers/needs.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

needs(TORCH).describe('tools/trainer python unit tests', () => {
  it('pass (python3 -m unittest discover -s tools/trainer/tests)', () => {
    const r = spawnSync(PYTHON, ['-m', 'unittest', 'discover', '-s', 'tools/trainer/tests', '-t', '.'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, WAVEGATE_TORCH_THREADS: '1', OMP_NUM_THREADS: '1' },
    });
    // unittest reports on stderr; show it when something fails.
    expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
    expect(r.stderr).toMatch(/Ran \d+ tests/);
  }, 250_000);
});
