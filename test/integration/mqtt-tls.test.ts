/**
 * The host on a broker that wants TLS and a password: a real mosquitto with a CA, broker and
 * client certificates made by openssl for this run, `require_certificate` (mutual TLS) and a
 * password file made with mosquitto_passwd. Checks that the host streams and alerts through it;
 * that every wrong certificate, key or password is one clear error (E_TLS, E_AUTH) and the CLI
 * exits once with status 1 rather than looping; that a TLS-only configuration refuses plaintext;
 * and that neither the password nor the private key ever shows in a log line or an error.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isWavegateError, type WavegateErrorCode } from '../../src/errors.js';
import { WavegateHost, type Alert } from '../../src/mqtt/host.js';
import type { HostOptions } from '../../src/mqtt/options.js';
import { writeLevelModel } from '../helpers/level-model.js';
import { MOSQUITTO_SUB, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { captureLogger, levelFrames, waitFor } from '../helpers/mqtt.js';
import { KERNELS, MOSQUITTO, MOSQUITTO_CLIENTS, OPENSSL, needs } from '../helpers/needs.js';
import { makeTestPki, passwordFile, tlsListener, type TestPki } from '../helpers/tls.js';

const T0 = 1_767_225_600_000;
const USER = 'gateway-1';
/** Fresh each run, so that finding it anywhere means it leaked from this run. */
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;

let dir: string;
let pki: TestPki;
let model: string;
let pwFile: string;
let mutual: Mosquitto; // TLS, client certificate required, password file
let wrongName: Mosquitto; // TLS with a certificate for another host name
let plain: Mosquitto; // plaintext, anonymous

/** Every line of the client key's PEM body: none may appear in any output. */
function secrets(): string[] {
  const body = readFileSync(pki.clientKey, 'utf8').split('\n').filter((l) => l.length > 0 && !l.startsWith('-----'));
  return [PASSWORD, ...body];
}

function expectNoSecret(text: string, where: string): void {
  for (const s of secrets()) expect(text.includes(s), `${where} holds a secret (${s.slice(0, 6)}...)`).toBe(false);
}

/** Everything an error carries: message, stack and causes. */
function errorText(e: unknown): string {
  const parts: string[] = [];
  for (let x = e as { message?: string; stack?: string; cause?: unknown } | undefined; x; x = x.cause as typeof x) parts.push(String(x.message), String(x.stack), JSON.stringify(x));
  return parts.join('\n');
}

const tlsUrl = (b: Mosquitto, host = '127.0.0.1') => `mqtts://${host}:${b.port}`;
const good = (): Partial<HostOptions> => ({ ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, username: USER, passwordFile: pwFile });

needs(MOSQUITTO, MOSQUITTO_CLIENTS, OPENSSL, KERNELS).describe('the host over TLS with a client certificate and a password (mosquitto)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wavegate-tls-'));
    pki = makeTestPki(dir);
    model = await writeLevelModel(join(dir, 'level.wgm'));
    pwFile = join(dir, 'password.txt');
    writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
    const passwords = passwordFile(dir, USER, PASSWORD);
    [mutual, wrongName, plain] = await Promise.all([
      startMosquitto(tlsListener(pki, { mutual: true, passwords })),
      startMosquitto(tlsListener(pki, { mutual: false, cert: pki.wrongNameCert, key: pki.wrongNameKey })),
      startMosquitto(),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([mutual?.stop(), wrongName?.stop(), plain?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams and alerts through mutual TLS with a password; mosquitto_sub reads the alert with the same certificates', async () => {
    const log = captureLogger();
    const host = await WavegateHost.start({ models: [{ path: model }], broker: tlsUrl(mutual), nodeId: 'tls-node', tickMs: 5, log, logLevel: 'debug', ...good() });
    const sub = spawn(MOSQUITTO_SUB!, ['-h', '127.0.0.1', '-p', String(mutual.port), '--cafile', pki.ca, '--cert', pki.clientCert, '--key', pki.clientKey, '-u', USER, '-P', PASSWORD, '-t', 'wavegate/v1/+/alerts', '-C', '1', '-W', '30'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let subOut = '', subErr = '';
    sub.stdout.on('data', (d: Buffer) => (subOut += d.toString()));
    sub.stderr.on('data', (d: Buffer) => (subErr += d.toString()));
    let device: MqttClient | undefined;
    try {
      device = await connectAsync(tlsUrl(mutual), { ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey), username: USER, password: PASSWORD, reconnectPeriod: 0 });
      await new Promise((r) => setTimeout(r, 300)); // mosquitto_sub subscribed
      for (const f of levelFrames({ t0: T0, fs: 100, n: 25, frames: 16, anomaly: [100, 300] })) await device.publishAsync('wavegate/v1/pump-1/vib/samples', f);
      await new Promise((r) => sub.once('close', r)); // its output read to the end
      expect(sub.exitCode, subErr).toBe(0);
      expect(JSON.parse(subOut) as Alert).toMatchObject({ device: 'pump-1', class: 'anomaly', start: T0 + 1000, end: T0 + 1990 });
    } finally {
      await device?.endAsync();
      await host.stop();
      if (sub.exitCode === null) sub.kill();
    }
    expect(log.entries.some((e) => e.msg === 'connected')).toBe(true);
    expectNoSecret(JSON.stringify(log.entries), 'the host log');
    expectNoSecret(JSON.stringify(host.options), 'host.options');
    expectNoSecret(mutual.log(), 'the broker log');
  }, 60_000);

  const refusals: Array<[string, () => { url: () => string } & Partial<HostOptions>, WavegateErrorCode, RegExp]> = [
    ['a broker certificate from a CA the host does not trust', () => ({ url: () => tlsUrl(mutual), ...good(), ca: pki.otherCa }), 'E_TLS', /certificate is not trusted .*signed by the CA in ca .*other-ca\.crt/],
    ['a broker certificate for another host name', () => ({ url: () => tlsUrl(wrongName), ...good() }), 'E_TLS', /does not match the host name "127\.0\.0\.1" \(it names DNS:elsewhere\.invalid\)/],
    ['no client certificate where the broker requires one', () => ({ url: () => tlsUrl(mutual), ca: pki.ca, username: USER, passwordFile: pwFile }), 'E_TLS', /requires a client certificate: give cert and key/],
    ['a client certificate from a CA the broker does not trust', () => ({ url: () => tlsUrl(mutual), ...good(), cert: pki.strangerCert, key: pki.strangerKey }), 'E_TLS', /refused the client certificate|requires a client certificate|TLS failed/],
    ['a client key that is not the certificate\'s', () => ({ url: () => tlsUrl(mutual), ...good(), key: pki.serverKey }), 'E_TLS', /key .*server\.key: .*not the key of cert .*client\.crt/],
    ['a wrong password', () => ({ url: () => tlsUrl(mutual), ...good(), passwordFile: undefined, password: `${PASSWORD}x` }), 'E_AUTH', /refused user "gateway-1": .*(Not authorized|Bad User Name or Password).*check username and password/],
    ['TLS to a plaintext listener', () => ({ url: () => tlsUrl(plain), ca: pki.ca }), 'E_TLS', /closed the connection during the TLS handshake \(ECONNRESET\); is it a TLS listener|TLS failed .*is it a TLS listener/],
    ['a plaintext URL with requireTls', () => ({ url: () => plain.url, requireTls: true, username: USER, password: PASSWORD }), 'E_ARGUMENT', /broker: mqtt:\/\/127\.0\.0\.1:\d+ is plaintext \(mqtt:\/\/\) but requireTls is set; use mqtts:\/\//],
    ['a plaintext URL with TLS files', () => ({ url: () => plain.url, ...good() }), 'E_ARGUMENT', /is plaintext \(mqtt:\/\/\) but ca, cert, key are given; use mqtts:\/\//],
    ['credentials inside the URL', () => ({ url: () => `mqtts://${USER}:${PASSWORD}@127.0.0.1:${mutual.port}`, ca: pki.ca }), 'E_ARGUMENT', /mqtts:\/\/\*+@127\.0\.0\.1:\d+ carries credentials in the URL/],
  ];

  it.each(refusals)('%s: one clear error, no secret in it or the log', async (_name, make, code, pattern) => {
    const { url, ...rest } = make();
    const log = captureLogger();
    const t0 = Date.now();
    let error: unknown;
    try {
      const host = await WavegateHost.start({ models: [{ path: model }], broker: url(), nodeId: 'tls-bad', log, logLevel: 'debug', ...rest });
      await host.stop();
    } catch (e) {
      error = e;
    }
    expect(isWavegateError(error, code), errorText(error)).toBe(true);
    expect((error as Error).message).toMatch(pattern);
    // the first failure ends it: no reconnecting in a loop (mqtt.js would retry every second)
    expect(Date.now() - t0).toBeLessThan(8000);
    expectNoSecret(errorText(error), 'the error');
    expectNoSecret(JSON.stringify(log.entries), 'the host log');
  }, 30_000);

  it('wavegate serve with a broker certificate it cannot trust: one line on stderr, exit 1, no secret; the password from a config file', () => {
    const config = join(dir, 'serve.json');
    writeFileSync(config, JSON.stringify({ models: [{ path: model }], broker: tlsUrl(mutual), ca: pki.otherCa, cert: pki.clientCert, key: pki.clientKey, username: USER, password: PASSWORD, httpPort: 0 }));
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/device-main.ts', 'serve', '--config', config, '--log-level', 'debug'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(Date.now() - t0).toBeLessThan(30_000);
    const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('wavegate:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^wavegate: E_TLS: MQTT broker mqtts:\/\/127\.0\.0\.1:\d+: the broker's certificate is not trusted/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expectNoSecret(r.stdout + r.stderr, 'wavegate serve output');
  }, 60_000);
});
