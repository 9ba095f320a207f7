import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_TEMPFAIL } from '../../../src/cli/run-action.js';
import { serveOptions, SERVE_HTTP_PORT } from '../../../src/cli/serve.js';
import { envName, MASK, maskSecrets, optionsFromEnv, optionsFromSets } from '../../../src/ops/config.js';
import { expectWavegateError } from '../../helpers/expect-error.js';

const dir = mkdtempSync(join(tmpdir(), 'wavegate-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** `wavegate serve ...` from the sources; its exit status, stdout and stderr. */
function serveCli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/device-main.ts', 'serve', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('serve configuration: file, environment, flags', () => {
  it('reads YAML, and layers environment over the file and flags over both', () => {
    const cfg = file('host.yaml', ['nodeId: gw-yaml', 'maxDevices: 500', 'gapPolicy: zero-fill', 'outboxFsync: false', 'models:', '  - path: models/ecg.wgm', '    match: ["+/ecg"]', ''].join('\n'));
    expect(serveOptions({ config: cfg })).toMatchObject({ nodeId: 'gw-yaml', maxDevices: 500, gapPolicy: 'zero-fill', outboxFsync: false, models: [{ path: join(dir, 'models/ecg.wgm'), match: ['+/ecg'] }], httpPort: SERVE_HTTP_PORT });
    const env = { WAVEGATE_MAX_DEVICES: '700', WAVEGATE_NODE_ID: 'gw-env', WAVEGATE_OUTBOX_FSYNC: 'true', WAVEGATE_DATA: '/not/ours' };
    expect(serveOptions({ config: cfg }, env)).toMatchObject({ nodeId: 'gw-env', maxDevices: 700, outboxFsync: true });
    expect(serveOptions({ config: cfg, set: ['maxDevices=800', 'httpPort=0'] }, env)).toMatchObject({ maxDevices: 800, httpPort: 0 });
    expect(serveOptions({ config: cfg, set: ['maxDevices=800'], maxDevices: 900, nodeId: 'gw-flag' }, env)).toMatchObject({ maxDevices: 900, nodeId: 'gw-flag' });
  });

  it('maps every scalar option to one variable and parses it as its type', () => {
    expect(envName('maxDevices')).toBe('WAVEGATE_MAX_DEVICES');
    expect(envName('outboxDir')).toBe('WAVEGATE_OUTBOX_DIR');
    expect(envName('httpPort')).toBe('WAVEGATE_HTTP_PORT');
    expect(optionsFromEnv({ WAVEGATE_HTTP_PORT: '9100', WAVEGATE_BROKER: 'mqtt://b:1883', WAVEGATE_OUTBOX_FSYNC: 'off' })).toEqual({ httpPort: 9100, broker: 'mqtt://b:1883', outboxFsync: false });
    expectWavegateError(() => optionsFromEnv({ WAVEGATE_MAX_DEVICES: 'lots' }), 'E_ARGUMENT', /environment WAVEGATE_MAX_DEVICES: expected an integer, got "lots"/);
    expectWavegateError(() => optionsFromEnv({ WAVEGATE_OUTBOX_FSYNC: 'maybe' }), 'E_ARGUMENT', /WAVEGATE_OUTBOX_FSYNC: expected true or false/);
    expectWavegateError(() => optionsFromSets(['maxDevice=3']), 'E_ARGUMENT', /--set maxDevice: unknown option \(did you mean "maxDevices"\?\)/);
    expectWavegateError(() => optionsFromSets(['tickMs']), 'E_ARGUMENT', /--set "tickMs": expected key=value/);
    expectWavegateError(() => optionsFromSets(['tickMs=fast']), 'E_ARGUMENT', /--set tickMs: expected an integer/);
  });

  it('names the file, the key and the problem for unknown keys, wrong types and bad syntax', () => {
    const unknown = file('unknown.yaml', 'maxDevice: 3\n');
    expectWavegateError(() => serveOptions({ config: unknown, model: ['a.wgm'] }), 'E_ARGUMENT', /config .*unknown.yaml: unknown option "maxDevice" \(did you mean "maxDevices"\?\)/);
    const wrong = file('wrong.json', JSON.stringify({ maxDevices: '10', models: [{ path: 'a.wgm' }] }));
    expectWavegateError(() => serveOptions({ config: wrong }), 'E_ARGUMENT', /config .*wrong.json.maxDevices: expected an integer in \[1, \d+\], got "10"/);
    const fsync = file('fsync.yaml', 'outboxFsync: sometimes\n');
    expectWavegateError(() => serveOptions({ config: fsync, model: ['a.wgm'] }), 'E_ARGUMENT', /fsync.yaml.outboxFsync: expected true or false, got "sometimes"/);
    const syntax = file('syntax.yaml', 'nodeId: a\nnodeId: b\n');
    expectWavegateError(() => serveOptions({ config: syntax }), 'E_ARGUMENT', /syntax.yaml: not valid YAML \(Map keys must be unique/);
    const list = file('list.yml', '- 1\n- 2\n');
    expectWavegateError(() => serveOptions({ config: list }), 'E_ARGUMENT', /list.yml: expected a YAML mapping/);
  });

  it('masks secrets in what it prints: password-like keys, URL passwords, PEM keys', () => {
    const masked = maskSecrets({ broker: 'mqtts://gw:s3cret@broker.local:8883', password: 'hunter2', tls: { keyPassphrase: 'x', ca: 'ca.pem' }, key: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----', models: [{ path: 'a.wgm' }] });
    expect(masked).toEqual({ broker: `mqtts://gw:${MASK}@broker.local:8883`, password: MASK, tls: { keyPassphrase: MASK, ca: 'ca.pem' }, key: MASK, models: [{ path: 'a.wgm' }] });
    expect(JSON.stringify(masked)).not.toMatch(/s3cret|hunter2|MIIE/);
  });

  it('wavegate serve --print-config prints the merged configuration, masked, and exits 0; a bad config exits 1 with one line', () => {
    const cfg = file('print.yaml', 'nodeId: gw-print\nbroker: mqtts://127.0.0.1:1\nusername: gw\npassword: topsecret\nmodels:\n  - path: m.wgm\n');
    const r = serveCli(['--config', cfg, '--print-config', '--set', 'tickMs=5'], { WAVEGATE_MAX_DEVICES: '42' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const printed = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({ nodeId: 'gw-print', maxDevices: 42, tickMs: 5, broker: 'mqtts://127.0.0.1:1', username: 'gw', password: MASK, httpPort: SERVE_HTTP_PORT, httpHost: '127.0.0.1', models: [{ path: join(dir, 'm.wgm') }] });
    expect(r.stdout).not.toContain('topsecret');
    const bad = serveCli(['--config', file('bad.yaml', 'maxDevice: 3\n'), '--model', 'm.wgm']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^wavegate: E_ARGUMENT: config .*bad.yaml: unknown option "maxDevice" \(did you mean "maxDevices"\?\)\n$/);
  }, 120_000);

  it('wavegate serve with a broker that cannot be reached: one E_UNREACHABLE line, exit 75 (a service manager retries it; a bad config exits 1)', () => {
    const model = 'fixtures/models/ecg-beat-gru-int8.wgm'; // spawned in the repository root
    const r = serveCli(['--model', model, '--broker', 'mqtt://127.0.0.1:1', '--http-port', '0']);
    expect(r.status).toBe(EXIT_TEMPFAIL);
    expect(r.stderr).toMatch(/^wavegate: E_UNREACHABLE: cannot reach the MQTT broker mqtt:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/m);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('wavegate:'))).toHaveLength(1);
  }, 120_000);
});

