/**
 * The host's broker security: TLS (the CA to trust, a client certificate and key for mutual TLS)
 * and MQTT user name / password. The options themselves are HostOptions fields (src/mqtt/options.ts,
 * one options interface); this module checks them, reads the files, and turns a refused connection
 * into an error that says what is wrong (E_TLS, E_AUTH) instead of a socket message.
 *
 * Secrets (the password and the private key) are read at connect time and go only into mqtt.js's
 * connect options: no message, log entry or error built here contains them, a broker URL is only
 * ever shown with its user-info removed, and a printed config masks the password
 * (maskSecrets, src/ops/config.ts). docs/operations.md, "Security", is the user's side of this.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import { WavegateError } from '../errors.js';
import type { HostOptions } from './options.js';

/** What a masked secret prints as (here, and in printed configs: src/ops/config.ts). */
export const MASK = '********';

/** The option keys this module owns (for resolveHostOptions' unknown-key check). */
export const SECURITY_KEYS = ['ca', 'cert', 'key', 'username', 'password', 'passwordFile', 'requireTls'] as const;

/** The security fields of HostOptions (documented there), and the broker they apply to. */
export type SecurityOptions = Pick<HostOptions, 'broker' | (typeof SECURITY_KEYS)[number]>;

/** The broker URL with any user-info (user:password@) replaced, fit for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, `$1${MASK}@`);
}

function fail(where: string, problem: string): never {
  throw new WavegateError('E_ARGUMENT', `${where}: ${problem}`);
}

function isTlsUrl(url: string): boolean {
  return /^mqtts:\/\//i.test(url);
}

/**
 * Checks the security options against each other and the broker URL (no file is read here).
 * @throws E_ARGUMENT naming the option; never echoing a password
 */
export function checkSecurityOptions(o: SecurityOptions, source: string): void {
  for (const k of ['ca', 'cert', 'key', 'username', 'passwordFile'] as const) {
    const v = o[k];
    if (v !== undefined && (typeof v !== 'string' || v.length === 0)) fail(`${source}.${k}`, `expected ${k === 'username' ? 'a user name' : 'a file path'}, got ${JSON.stringify(v)}`);
  }
  if (o.password !== undefined && (typeof o.password !== 'string' || o.password.length === 0)) fail(`${source}.password`, 'expected a non-empty string (value not shown)');
  if (o.requireTls !== undefined && typeof o.requireTls !== 'boolean') fail(`${source}.requireTls`, `expected true or false, got ${JSON.stringify(o.requireTls)}`);
  if (o.broker !== undefined && typeof o.broker === 'string' && /^[a-z]+:\/\/[^@/]*@/i.test(o.broker)) {
    fail(`${source}.broker`, `${redactUrl(o.broker)} carries credentials in the URL; give them as username and passwordFile (or password) so that they are never shown`);
  }
  if ((o.cert === undefined) !== (o.key === undefined)) fail(`${source}.${o.cert === undefined ? 'cert' : 'key'}`, 'a client certificate needs its key and a key its certificate: give both cert and key');
  if (o.password !== undefined && o.passwordFile !== undefined) fail(`${source}.password`, 'give password or passwordFile, not both');
  if ((o.password !== undefined || o.passwordFile !== undefined) && o.username === undefined) fail(`${source}.username`, 'a password needs a user name');
  const tlsGiven = ['ca', 'cert', 'key'].filter((k) => o[k as keyof SecurityOptions] !== undefined);
  if (o.broker === undefined) {
    // The embedded broker listens in plain TCP and checks no credentials: it is for loopback use.
    if (o.requireTls) fail(`${source}.requireTls`, 'the embedded broker is plaintext on loopback; name a TLS broker (broker mqtts://host:port)');
    if (tlsGiven.length > 0) fail(`${source}.${tlsGiven[0]}`, 'TLS options apply to an external broker; name one (broker mqtts://host:port)');
    if (o.username !== undefined) fail(`${source}.username`, 'the embedded broker checks no credentials; user name and password are for an external broker (broker mqtt[s]://host:port)');
    return;
  }
  if (!isTlsUrl(o.broker)) {
    if (o.requireTls) fail(`${source}.broker`, `${redactUrl(o.broker)} is plaintext (mqtt://) but requireTls is set; use mqtts://`);
    if (tlsGiven.length > 0) fail(`${source}.broker`, `${redactUrl(o.broker)} is plaintext (mqtt://) but ${tlsGiven.join(', ')} ${tlsGiven.length > 1 ? 'are' : 'is'} given; use mqtts:// (a TLS option on a plaintext connection would be silently unused)`);
  }
}

/** The broker host of a URL, without brackets. */
function urlHost(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}

/** True when credentials would cross the network in clear: a plaintext URL to a host other than loopback. */
export function sendsCredentialsInClear(o: SecurityOptions): boolean {
  if (o.broker === undefined || isTlsUrl(o.broker) || o.username === undefined) return false;
  const h = urlHost(o.broker);
  return !(h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.')));
}

function readFile(path: string, what: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new WavegateError('E_NOT_FOUND', `${option} ${path}: cannot read the ${what} (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'read error')})`);
  }
}

/** The mqtt.js connect options for TLS and credentials (files read now). */
export interface BrokerCredentials {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  username?: string;
  password?: Buffer;
  rejectUnauthorized?: boolean;
}

/**
 * Reads the CA, certificate, key and password files and checks that they load as TLS material
 * (a certificate and a key that do not belong together are refused here, before any connection).
 * @throws E_NOT_FOUND (a file cannot be read), E_TLS (not PEM, or cert and key do not match)
 */
export function readCredentials(o: SecurityOptions): BrokerCredentials {
  const out: BrokerCredentials = {};
  if (o.username !== undefined) out.username = o.username;
  if (o.password !== undefined) out.password = Buffer.from(o.password, 'utf8');
  if (o.passwordFile !== undefined) {
    const text = readFile(o.passwordFile, 'password', 'passwordFile').toString('utf8').replace(/\r?\n$/, '');
    if (text.length === 0) throw new WavegateError('E_ARGUMENT', `passwordFile ${o.passwordFile}: the file is empty`);
    out.password = Buffer.from(text, 'utf8');
  }
  if (o.broker === undefined || !isTlsUrl(o.broker)) return out;
  out.rejectUnauthorized = true; // never configurable: a TLS connection that trusts anyone is not one
  if (o.ca !== undefined) out.ca = readFile(o.ca, 'CA certificate', 'ca');
  if (o.cert !== undefined) out.cert = readFile(o.cert, 'client certificate', 'cert');
  if (o.key !== undefined) out.key = readFile(o.key, 'client key', 'key');
  const check = (what: string, make: () => void) => {
    try {
      make();
    } catch (e) {
      // OpenSSL's reason strings (e.g. "key values mismatch") name the problem, never the key's bytes.
      const reason = (e as { reason?: string }).reason ?? (e as Error).message;
      throw new WavegateError('E_TLS', `${what}: ${reason}`);
    }
  };
  const pem = (buf: Buffer, label: RegExp) => label.test(buf.toString('latin1'));
  if (out.ca && !pem(out.ca, /-----BEGIN CERTIFICATE-----/)) throw new WavegateError('E_TLS', `ca ${o.ca}: not a PEM certificate (no "BEGIN CERTIFICATE" block)`);
  if (out.cert && !pem(out.cert, /-----BEGIN CERTIFICATE-----/)) throw new WavegateError('E_TLS', `cert ${o.cert}: not a PEM certificate (no "BEGIN CERTIFICATE" block)`);
  if (out.key && pem(out.key, /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/)) throw new WavegateError('E_TLS', `key ${o.key}: the key is encrypted; give an unencrypted key (openssl pkey -in key.pem -out plain.pem) and protect it by file permissions`);
  if (out.key && !pem(out.key, /-----BEGIN (EC |RSA )?PRIVATE KEY-----/)) throw new WavegateError('E_TLS', `key ${o.key}: not a PEM private key (no "BEGIN PRIVATE KEY" block)`);
  if (out.ca) check(`ca ${o.ca}: not a PEM certificate`, () => createSecureContext({ ca: out.ca }));
  if (out.cert && out.key) {
    check(`cert ${o.cert}: not a PEM certificate`, () => createSecureContext({ cert: out.cert }));
    check(`key ${o.key}: not an unencrypted PEM private key, or not the key of cert ${o.cert}`, () => createSecureContext({ cert: out.cert, key: out.key }));
  }
  return out;
}

/** X.509 verification results (OpenSSL's names, as Node reports them) meaning "the broker's certificate is not trusted". */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);

/** MQTT CONNACK codes that refuse the credentials: 3.1.1 return codes 4, 5; MQTT 5 reason codes 134, 135. */
const AUTH_REFUSED = new Set([4, 5, 134, 135]);

/** Network-level failures: the broker is down, still booting, or out of reach; trying later may work. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET']);

/**
 * Turns a failed connection into an error that names the broker (user-info removed) and the
 * cause, with what to check: E_TLS for certificate problems, E_AUTH for refused credentials,
 * E_ARGUMENT for anything else (unreachable, refused). Messages never hold a secret.
 */
export function connectFailure(e: unknown, o: SecurityOptions, url: string): WavegateError {
  const err = e as NodeJS.ErrnoException & { code?: string | number; reason?: string };
  const at = `MQTT broker ${redactUrl(url)}`;
  const code = err?.code;
  const why = err?.reason ?? err?.message ?? String(e);
  if (typeof code === 'number' && AUTH_REFUSED.has(code)) {
    const who = o.username !== undefined ? `user ${JSON.stringify(o.username)}` : 'an anonymous client (no username given)';
    return new WavegateError('E_AUTH', `${at} refused ${who}: ${why} (check username and password, and the broker's ACL)`);
  }
  if (typeof code === 'string') {
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      const names = (e as { cert?: { subjectaltname?: string; subject?: { CN?: string } } }).cert;
      const listed = names?.subjectaltname ?? (names?.subject?.CN ? `CN=${names.subject.CN}` : 'no names');
      return new WavegateError('E_TLS', `${at}: the broker's certificate does not match the host name ${JSON.stringify(urlHost(url))} (it names ${listed}); connect by a name the certificate lists, or reissue it`);
    }
    if (UNTRUSTED.has(code)) {
      return new WavegateError('E_TLS', `${at}: the broker's certificate is not trusted (${code}: ${why}); ${o.ca ? `is it signed by the CA in ca ${o.ca}?` : 'give the CA that signed it (ca)'}`);
    }
    if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return new WavegateError('E_TLS', `${at}: the broker's certificate is outside its validity period (${code}); check the certificate and this machine's clock`);
    if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' || /certificate required/i.test(why)) {
      return new WavegateError('E_TLS', `${at} requires a client certificate: give cert and key`);
    }
    if (/^ERR_SSL_(SSLV3|TLSV1\d?)_ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|DECRYPT_ERROR|ACCESS_DENIED)/.test(code)) {
      return new WavegateError('E_TLS', `${at} refused the client certificate (${why}); is cert ${o.cert ?? '(none)'} signed by a CA the broker trusts?`);
    }
    if (isTlsUrl(url) && (code === 'ECONNRESET' || code === 'EPIPE')) {
      return new WavegateError('E_TLS', `${at} closed the connection during the TLS handshake (${code}); is it a TLS listener (a plaintext one would take mqtt://), and does it accept this client's certificate?`);
    }
    if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO') {
      return new WavegateError('E_TLS', `${at}: TLS failed (${code}: ${why}); is it a TLS listener, and are ca, cert and key the right ones?`);
    }
  }
  if ((typeof code === 'string' && UNREACHABLE.has(code)) || /connack timeout/i.test(why)) {
    return new WavegateError('E_UNREACHABLE', `cannot reach the ${at}: ${why} (is it running, and is this address and port right?)`, { cause: e });
  }
  return new WavegateError('E_ARGUMENT', `cannot connect to the ${at}: ${why}`, { cause: e });
}
