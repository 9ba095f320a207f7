/**
 * deploy/wavegate.service, the example systemd unit of docs/deploy-raspberry-pi.md: systemd's own
 * checker accepts it, it carries the restart policy, the unprivileged user and the state
 * directory the docs describe, and its ExecStart is a command line the device bundle's `serve`
 * takes (every flag known).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildDeviceProgram } from '../../src/cli/program.js';
import { EXIT_TEMPFAIL } from '../../src/cli/run-action.js';
import { command, needs } from '../helpers/needs.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const UNIT = `${ROOT}deploy/wavegate.service`;
const text = readFileSync(UNIT, 'utf8');
const setting = (key: string): string[] => text.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));

describe('deploy/wavegate.service', () => {
  needs(command('systemd-analyze', 'systemd')).it('passes systemd-analyze verify', () => {
    const r = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
    // verify also reports the absence of this machine's /usr/bin/node or wavegate user; only unit errors count
    const problems = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() && !/Command .* is not executable|No such file or directory|Failed to resolve user|wavegate\.service: Failed to|^\s*$/.test(l));
    expect(problems).toEqual([]);
  });

  it('retries an unreachable broker for ever but not a bad config, as an unprivileged user, with a state directory', () => {
    expect(setting('Restart')).toEqual(['on-failure']);
    expect(Number(setting('RestartSec')[0])).toBeGreaterThan(0);
    // E_UNREACHABLE exits EXIT_TEMPFAIL (75): restarted with no start limit; bad config exits 1: not restarted
    expect(setting('StartLimitIntervalSec')).toEqual(['0']);
    expect(setting('RestartPreventExitStatus')).toEqual(['1']);
    expect(setting('RestartPreventExitStatus')).not.toContain(String(EXIT_TEMPFAIL));
    expect(setting('User')).toEqual(['wavegate']);
    expect(setting('StateDirectory')).toEqual(['wavegate']);
    expect(setting('NoNewPrivileges')).toEqual(['yes']);
    expect(setting('MemoryDenyWriteExecute')).toEqual([]); // V8's JIT writes code
  });

  it('runs the bundle with serve flags the device program knows', () => {
    const [exec] = setting('ExecStart');
    const argv = exec.split(/\s+/);
    expect(argv.slice(0, 1)).toEqual(['/usr/bin/node']);
    const at = argv.findIndex((a) => a.endsWith('wavegate.mjs'));
    expect(argv[at]).toBe('/opt/wavegate/wavegate.mjs');
    const serve = buildDeviceProgram().commands.find((c) => c.name() === 'serve')!;
    const known = new Set(serve.options.map((o) => o.long));
    const flags = argv.slice(at + 2).filter((a) => a.startsWith('--'));
    expect(argv[at + 1]).toBe('serve');
    expect(flags.filter((f) => !known.has(f))).toEqual([]);
  });
});
