/**
 * A throwaway PKI for the TLS tests, made with the openssl command line (Debian's openssl): a CA,
 * a broker certificate for 127.0.0.1 and localhost, a client certificate, and the wrong things the
 * tests need (a second CA nobody trusts, a broker certificate for another name), plus a mosquitto
 * password file made with mosquitto_passwd. P-256 keys: instant to generate. Valid for 2 days.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  ca: string;
  /** Broker certificate and key, signed by `ca`, for IP 127.0.0.1 and DNS localhost. */
  serverCert: string;
  serverKey: string;
  /** Broker certificate signed by `ca` that names only elsewhere.invalid. */
  wrongNameCert: string;
  wrongNameKey: string;
  /** Client certificate and key signed by `ca`. */
  clientCert: string;
  clientKey: string;
  /** A CA that signed none of the above. */
  otherCa: string;
  /** Client certificate and key signed by `otherCa` (a broker trusting `ca` refuses it). */
  strangerCert: string;
  strangerKey: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function key(dir: string, name: string): string {
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
  return join(dir, `${name}.key`);
}

function selfSignedCa(dir: string, name: string, cn: string): string {
  key(dir, name);
  openssl(dir, ['req', '-x509', '-new', '-key', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return join(dir, `${name}.crt`);
}

function signed(dir: string, name: string, ca: string, cn: string, ext: string): string {
  key(dir, name);
  openssl(dir, ['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
  return join(dir, `${name}.crt`);
}

/** Makes the PKI in `dir` (which must exist). */
export function makeTestPki(dir: string): TestPki {
  const ca = selfSignedCa(dir, 'ca', 'wavegate test CA');
  const otherCa = selfSignedCa(dir, 'other-ca', 'some other CA');
  const server = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth';
  const client = 'extendedKeyUsage=clientAuth';
  return {
    dir,
    ca,
    serverCert: signed(dir, 'server', 'ca', '127.0.0.1', server),
    serverKey: join(dir, 'server.key'),
    wrongNameCert: signed(dir, 'wrong-name', 'ca', 'elsewhere.invalid', 'subjectAltName=DNS:elsewhere.invalid\nextendedKeyUsage=serverAuth'),
    wrongNameKey: join(dir, 'wrong-name.key'),
    clientCert: signed(dir, 'client', 'ca', 'wavegate-host', client),
    clientKey: join(dir, 'client.key'),
    otherCa,
    strangerCert: signed(dir, 'stranger', 'other-ca', 'stranger', client),
    strangerKey: join(dir, 'stranger.key'),
  };
}

/** mosquitto_passwd (package mosquitto) next to the broker, or on PATH. */
const MOSQUITTO_PASSWD = ['/usr/bin/mosquitto_passwd', '/usr/sbin/mosquitto_passwd'].find((p) => existsSync(p)) ?? 'mosquitto_passwd';

/** A mosquitto password file with one user, made by mosquitto_passwd (the password never on disk in clear). */
export function passwordFile(dir: string, user: string, password: string): string {
  const path = join(dir, 'mosquitto.passwd');
  execFileSync(MOSQUITTO_PASSWD, ['-c', '-b', path, user, password], { stdio: ['ignore', 'ignore', 'pipe'] });
  return path;
}

/** mosquitto.conf lines for a TLS listener with the given broker certificate. `mutual`: clients must present a certificate signed by the CA. */
export function tlsListener(pki: TestPki, opts: { mutual: boolean; passwords?: string; cert?: string; key?: string }): string[] {
  return [
    `cafile ${pki.ca}`,
    `certfile ${opts.cert ?? pki.serverCert}`,
    `keyfile ${opts.key ?? pki.serverKey}`,
    `require_certificate ${opts.mutual}`,
    ...(opts.passwords ? ['allow_anonymous false', `password_file ${opts.passwords}`] : []),
  ];
}
