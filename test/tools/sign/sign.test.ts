/**
 * `wavegate sign` with keys made by openssl, as docs/operations.md tells an operator to: the
 * signature verifies with `openssl pkey -pubout`'s public key (what a host is given) and with no
 * other; a key of the wrong kind is refused naming the file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { decodeWgm } from '../../../src/model/load.js';
import { encodeWgm } from '../../../src/model/write.js';
import { signModelFile } from '../../../tools/cli/sign.js';
import { levelModel } from '../../helpers/level-model.js';
import { OPENSSL, needs } from '../../helpers/needs.js';

const dir = mkdtempSync(join(tmpdir(), 'wavegate-sign-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

needs(OPENSSL).describe('wavegate sign', () => {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

  it('signs with an openssl ed25519 key; the openssl public key verifies it, another does not', () => {
    openssl('genpkey', '-algorithm', 'ed25519', '-out', 'signer.pem');
    openssl('pkey', '-in', 'signer.pem', '-pubout', '-out', 'signer.pub.pem');
    openssl('genpkey', '-algorithm', 'ed25519', '-out', 'other.pem');
    openssl('pkey', '-in', 'other.pem', '-pubout', '-out', 'other.pub.pem');
    const model = join(dir, 'm.wgm');
    writeFileSync(model, encodeWgm(levelModel()));
    const r = signModelFile(model, join(dir, 'signer.pem'), join(dir, 'm.signed.wgm'));
    const signed = readFileSync(r.out);
    const pub = readFileSync(join(dir, 'signer.pub.pem'), 'utf8');
    expect(decodeWgm(signed, { publicKey: pub }).signatureVerified).toBe(true);
    expect(r.digest).toBe(decodeWgm(readFileSync(model)).digest); // the signature does not change the digest
    // the printed key is the raw public key in the SPKI PEM (its last 32 bytes)
    const der = Buffer.from(pub.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(r.publicKey).toBe(der.subarray(der.length - 32).toString('hex'));
    expect(() => decodeWgm(signed, { publicKey: readFileSync(join(dir, 'other.pub.pem'), 'utf8') })).toThrow(/does not verify/);
  });

  it('the command line: one line out; an RSA key refused naming the file', () => {
    const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/cli/main.ts', 'sign', ...args], { encoding: 'utf8' });
    const ok = cli(['--model', join(dir, 'm.wgm'), '--key', join(dir, 'signer.pem'), '--out', join(dir, 'cli.wgm')]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^signed .*cli\.wgm: sha256:[0-9a-f]{64}, ed25519 key [0-9a-f]{64}\n$/);
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', 'rsa.pem');
    const bad = cli(['--model', join(dir, 'm.wgm'), '--key', join(dir, 'rsa.pem'), '--out', join(dir, 'x.wgm')]);
    expect([bad.status, bad.stderr.trim()]).toEqual([1, `wavegate: E_ARGUMENT: --key ${join(dir, 'rsa.pem')}: a rsa key; model signatures are ed25519 (openssl genpkey -algorithm ed25519)`]);
  }, 60_000);
});
