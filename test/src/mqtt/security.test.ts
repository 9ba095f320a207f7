import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { inspect } from 'node:util';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveOptions } from '../../../src/cli/serve.js';
import { readHostConfig, resolveHostOptions, type HostOptions } from '../../../src/mqtt/options.js';
import { connectFailure, readCredentials, redactUrl, sendsCredentialsInClear } from '../../../src/mqtt/security.js';
import { expectWavegateError } from '../../helpers/expect-error.js';

const dir = mkdtempSync(join(tmpdir(), 'wavegate-security-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 'hunter2-do-not-print';
const m = [{ path: 'a.wgm' }];

describe('broker security options', () => {
  it.each<[string, Partial<HostOptions>, RegExp]>([
    ['TLS files with the embedded broker', { ca: 'ca.pem' }, /options\.ca: TLS options apply to an external broker/],
    ['requireTls with the embedded broker', { requireTls: true }, /options\.requireTls: the embedded broker is plaintext/],
    ['a user name with the embedded broker', { username: 'u', password: SECRET }, /options\.username: the embedded broker checks no credentials/],
    ['requireTls with mqtt://', { broker: 'mqtt://b:1883', requireTls: true }, /options\.broker: mqtt:\/\/b:1883 is plaintext \(mqtt:\/\/\) but requireTls is set/],
    ['a CA with mqtt://', { broker: 'mqtt://b:1883', ca: 'ca.pem' }, /but ca is given; use mqtts:\/\//],
    ['a certificate without its key', { broker: 'mqtts://b:8883', cert: 'c.pem' }, /options\.key: a client certificate needs its key/],
    ['a key without its certificate', { broker: 'mqtts://b:8883', key: 'k.pem' }, /options\.cert: a client certificate needs its key/],
    ['a password without a user name', { broker: 'mqtts://b:8883', password: SECRET }, /options\.username: a password needs a user name/],
    ['password and passwordFile', { broker: 'mqtts://b:8883', username: 'u', password: SECRET, passwordFile: 'p' }, /give password or passwordFile, not both/],
    ['credentials in the URL', { broker: `mqtts://u:${SECRET}@b:8883` }, /options\.broker: mqtts:\/\/\*{8}@b:8883 carries credentials in the URL/],
    ['a password that is not a string', { broker: 'mqtts://b:8883', username: 'u', password: 42 as unknown as string }, /options\.password: expected a non-empty string \(value not shown\)/],
    ['requireTls not a boolean', { broker: 'mqtts://b:8883', requireTls: 'yes' as unknown as boolean }, /options\.requireTls: expected true or false/],
  ])('refuses %s, naming the option', (_name, opts, pattern) => {
    expectWavegateError(() => resolveHostOptions({ models: m, ...opts }), 'E_ARGUMENT', pattern);
    try {
      resolveHostOptions({ models: m, ...opts });
    } catch (e) {
      expect((e as Error).message).not.toContain(SECRET);
    }
  });

  it('takes a consistent TLS configuration; a bad broker URL is shown without its user-info', () => {
    const o = resolveHostOptions({ models: m, broker: 'mqtts://b:8883', ca: 'ca.pem', cert: 'c.pem', key: 'k.pem', username: 'u', passwordFile: 'p', requireTls: true });
    expect(o).toMatchObject({ ca: 'ca.pem', cert: 'c.pem', key: 'k.pem', username: 'u', passwordFile: 'p', requireTls: true });
    expectWavegateError(() => resolveHostOptions({ models: m, broker: `http://u:${SECRET}@b` }), 'E_ARGUMENT', /broker: expected mqtt:\/\/host:port or mqtts:\/\/host:port, got "http:\/\/\*{8}@b"/);
    expect(redactUrl(`mqtts://user:${SECRET}@host:8883/x`)).toBe('mqtts://********@host:8883/x');
    expect(redactUrl('mqtts://host:8883')).toBe('mqtts://host:8883');
  });

  it('keeps a password in the resolved options out of JSON, inspection and spreads', () => {
    const o = resolveHostOptions({ models: m, broker: 'mqtts://b:8883', username: 'u', password: SECRET });
    expect(o.password).toBe(SECRET);
    expect(readCredentials(o).password?.toString()).toBe(SECRET);
    expect(JSON.stringify(o)).not.toContain(SECRET);
    expect(inspect(o, { depth: 5 })).not.toContain(SECRET);
    expect(JSON.stringify({ ...o })).not.toContain(SECRET);
  });

  it('warns of credentials in clear only off loopback and off TLS', () => {
    expect(sendsCredentialsInClear({ broker: 'mqtt://10.0.0.5:1883', username: 'u' })).toBe(true);
    expect(sendsCredentialsInClear({ broker: 'mqtt://127.0.0.1:1883', username: 'u' })).toBe(false);
    expect(sendsCredentialsInClear({ broker: 'mqtt://localhost:1883', username: 'u' })).toBe(false);
    expect(sendsCredentialsInClear({ broker: 'mqtts://10.0.0.5:8883', username: 'u' })).toBe(false);
    expect(sendsCredentialsInClear({ broker: 'mqtt://10.0.0.5:1883' })).toBe(false);
  });

  it('reads the password file (first line) and names missing or empty files', () => {
    const pw = join(dir, 'pw');
    writeFileSync(pw, `${SECRET}\n`);
    expect(readCredentials({ broker: 'mqtt://127.0.0.1:1', username: 'u', passwordFile: pw }).password?.toString()).toBe(SECRET);
    writeFileSync(pw, '');
    expectWavegateError(() => readCredentials({ broker: 'mqtt://127.0.0.1:1', username: 'u', passwordFile: pw }), 'E_ARGUMENT', /passwordFile .*pw: the file is empty/);
    expectWavegateError(() => readCredentials({ broker: 'mqtts://b:1', ca: join(dir, 'none.pem') }), 'E_NOT_FOUND', /ca .*none\.pem: cannot read the CA certificate \(no such file\)/);
    writeFileSync(join(dir, 'junk.pem'), 'not a certificate');
    expectWavegateError(() => readCredentials({ broker: 'mqtts://b:1', ca: join(dir, 'junk.pem') }), 'E_TLS', /ca .*junk\.pem: not a PEM certificate/);
  });

  it('classifies refused connections: MQTT 3.1.1 and 5 credential refusals are E_AUTH, an unreachable broker E_UNREACHABLE, anything unknown E_ARGUMENT', () => {
    const refused = Object.assign(new Error('Connection refused: Bad username or password'), { code: 4 });
    const e = connectFailure(refused, { username: 'u', password: SECRET }, 'mqtts://b:8883');
    expect(e.code).toBe('E_AUTH');
    expect(e.message).toBe('MQTT broker mqtts://b:8883 refused user "u": Connection refused: Bad username or password (check username and password, and the broker\'s ACL)');
    expect(connectFailure(Object.assign(new Error('x'), { code: 135 }), {}, 'mqtt://b:1').message).toMatch(/refused an anonymous client/);
    const other = connectFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), {}, 'mqtt://127.0.0.1:1');
    expect([other.code, other.message]).toEqual(['E_UNREACHABLE', 'cannot reach the MQTT broker mqtt://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1 (is it running, and is this address and port right?)']);
    for (const code of ['ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']) expect(connectFailure(Object.assign(new Error(code), { code }), {}, 'mqtt://gw:1883').code).toBe('E_UNREACHABLE');
    expect(connectFailure(new Error('connack timeout'), {}, 'mqtt://gw:1883').code).toBe('E_UNREACHABLE');
    expect(connectFailure(Object.assign(new Error('weird'), { code: 'EWEIRD' }), {}, 'mqtt://gw:1883').code).toBe('E_ARGUMENT');
  });

  it('config files: TLS and key paths are relative to the file; flags add to them', () => {
    const cfg = join(dir, 'host.json');
    writeFileSync(cfg, JSON.stringify({ models: [{ path: 'm.wgm' }], broker: 'mqtts://b:8883', ca: 'tls/ca.pem', cert: '/etc/c.pem', key: 'tls/k.pem', passwordFile: 'pw', username: 'u', modelUpdates: { keys: ['signer.pub.pem'] } }));
    const o = readHostConfig(cfg);
    expect(o).toMatchObject({ ca: `${dir}/tls/ca.pem`, cert: '/etc/c.pem', key: `${dir}/tls/k.pem`, passwordFile: `${dir}/pw`, modelUpdates: { keys: [`${dir}/signer.pub.pem`] } });
    const flags = serveOptions({ config: cfg, requireTls: true, modelUpdateKey: ['/k/other.pem'], publishScores: true });
    expect(flags).toMatchObject({ requireTls: true, publishScores: true, modelUpdates: { keys: ['/k/other.pem'] }, ca: `${dir}/tls/ca.pem` });
  });
});

describe('modelUpdates option', () => {
  it.each<[string, unknown, RegExp]>([
    ['no keys', { keys: [] }, /modelUpdates\.keys: name at least one ed25519 public key/],
    ['an unknown key', { keys: ['k.pem'], allowUrl: true }, /modelUpdates: unknown key "allowUrl"/],
    ['a tiny maxBytes', { keys: ['k.pem'], maxBytes: 10 }, /modelUpdates\.maxBytes: expected an integer in \[1024/],
    ['not an object', ['k.pem'], /modelUpdates: expected an object/],
  ])('refuses %s', (_name, modelUpdates, pattern) => {
    expectWavegateError(() => resolveHostOptions({ models: m, modelUpdates: modelUpdates as HostOptions['modelUpdates'] }), 'E_ARGUMENT', pattern);
  });

  it('fills defaults: off unless given; 16 MiB, no URLs', () => {
    expect(resolveHostOptions({ models: m }).modelUpdates).toBeUndefined();
    expect(resolveHostOptions({ models: m, modelUpdates: { keys: ['k.pem'] } }).modelUpdates).toEqual({ keys: ['k.pem'], maxBytes: 16 * 1024 * 1024, allowUrls: false, fetchTimeoutMs: 30_000 });
  });
});
