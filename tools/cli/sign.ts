/**
 * `wavegate sign --model <m.wgm> --key <signer.pem> --out <signed.wgm>`: adds an ed25519 signature
 * (`wavegate.signature`, docs/model-format.md) to a model file, for the hosts that take signed
 * model updates over MQTT (docs/operations.md, "Model updates"). A workstation command: the
 * signing key never goes to a device; the device holds the public key only.
 *
 * The key is an ed25519 private key in PEM (PKCS#8), as `openssl genpkey -algorithm ed25519`
 * writes it. Prints the output file, its digest and the signer's public key (hex), so that the
 * key a host is given can be checked against the one that signed.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { WavegateError } from '../../src/errors.js';
import { decodeWgm } from '../../src/model/load.js';
import { signWgm } from '../../src/model/write.js';
import { runAction } from '../../src/cli/run-action.js';

export interface SignResult {
  out: string;
  digest: string;
  /** The signer's raw ed25519 public key, hex. */
  publicKey: string;
}

function readKey(path: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `--key ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new WavegateError('E_ARGUMENT', `--key ${path}: not an unencrypted private key in PEM (make one with: openssl genpkey -algorithm ed25519 -out signer.pem)`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new WavegateError('E_ARGUMENT', `--key ${path}: a ${key.asymmetricKeyType} key; model signatures are ed25519 (openssl genpkey -algorithm ed25519)`);
  return key;
}

/** Signs `model` with the key in `keyFile` and writes `out` (which may be `model` itself). */
export function signModelFile(model: string, keyFile: string, out: string): SignResult {
  const key = readKey(keyFile);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(model);
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `--model ${model}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const signed = signWgm(bytes, key, { source: model });
  writeFileSync(out, signed);
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return { out, digest: decodeWgm(signed, { source: out }).digest, publicKey: Buffer.from(spki.subarray(spki.length - 32)).toString('hex') };
}

export function registerSign(program: Command): Command {
  return program
    .command('sign')
    .description('sign a model file with an ed25519 key, for hosts that accept signed model updates (docs/operations.md)')
    .requiredOption('--model <m.wgm>', 'the model to sign')
    .requiredOption('--key <signer.pem>', 'ed25519 private key, PEM (openssl genpkey -algorithm ed25519 -out signer.pem)')
    .requiredOption('--out <signed.wgm>', 'where to write the signed model (may be --model itself)')
    .action(runAction((o: { model: string; key: string; out: string }) => {
      const r = signModelFile(o.model, o.key, o.out);
      process.stdout.write(`signed ${r.out}: sha256:${r.digest}, ed25519 key ${r.publicKey}\n`);
    }));
}
