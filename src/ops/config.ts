/**
 * The host's configuration in layers: built-in defaults < the config file (JSON or YAML,
 * readHostConfig) < environment variables < command-line flags. This module holds the two
 * middle layers' parsing and the masked print-out; src/cli/serve.ts puts the layers together.
 *
 * Environment: `WAVEGATE_<OPTION>` with the option's name in upper snake case
 * (`maxDevices` -> `WAVEGATE_MAX_DEVICES`, `broker` -> `WAVEGATE_BROKER`), for every scalar
 * option (not `models`). Other WAVEGATE_* variables (WAVEGATE_DATA, ...) belong to other tools
 * and are left alone. `--set key=value` on the command line takes the same values.
 */
import { WavegateError } from '../errors.js';
import { DEFAULT_HOST_OPTIONS, HOST_OPTION_KEYS, nearestKey, type HostOptions } from '../mqtt/options.js';
import { MASK } from '../mqtt/security.js';

/** Options that are not scalars, or not settable from outside. */
const NOT_SCALAR = new Set(['models', 'log']);
/** Integer options that have no default to take the type from. */
const INTEGER_WITHOUT_DEFAULT = new Set(['httpPort']);

/** `maxDevices` -> `WAVEGATE_MAX_DEVICES`. */
export function envName(key: string): string {
  return `WAVEGATE_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

type Kind = 'integer' | 'boolean' | 'string';

function kindOf(key: string): Kind {
  const d = (DEFAULT_HOST_OPTIONS as Record<string, unknown>)[key];
  if (typeof d === 'number' || INTEGER_WITHOUT_DEFAULT.has(key)) return 'integer';
  if (typeof d === 'boolean') return 'boolean';
  return 'string';
}

/** A text value (environment, --set) as the option's type. @throws E_ARGUMENT naming `where` */
export function parseScalar(key: string, text: string, where: string): string | number | boolean {
  switch (kindOf(key)) {
    case 'integer': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isInteger(n)) throw new WavegateError('E_ARGUMENT', `${where}: expected an integer, got ${JSON.stringify(text)}`);
      return n;
    }
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(text)) return true;
      if (/^(false|0|no|off)$/i.test(text)) return false;
      throw new WavegateError('E_ARGUMENT', `${where}: expected true or false, got ${JSON.stringify(text)}`);
    default:
      return text;
  }
}

/** The settable scalar option keys. */
export function scalarKeys(): string[] {
  return [...HOST_OPTION_KEYS].filter((k) => !NOT_SCALAR.has(k));
}

/** Options set by WAVEGATE_* variables of `env`. @throws E_ARGUMENT naming the variable */
export function optionsFromEnv(env: NodeJS.ProcessEnv): Partial<HostOptions> {
  const out: Record<string, unknown> = {};
  for (const key of scalarKeys()) {
    const v = env[envName(key)];
    if (v !== undefined) out[key] = parseScalar(key, v, `environment ${envName(key)}`);
  }
  return out as Partial<HostOptions>;
}

/** Options from `--set key=value` flags. @throws E_ARGUMENT for an unknown key or a bad value */
export function optionsFromSets(sets: string[]): Partial<HostOptions> {
  const out: Record<string, unknown> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    const key = eq > 0 ? s.slice(0, eq) : s;
    if (eq <= 0) throw new WavegateError('E_ARGUMENT', `--set ${JSON.stringify(s)}: expected key=value`);
    if (!scalarKeys().includes(key)) throw new WavegateError('E_ARGUMENT', `--set ${key}: unknown option${nearestKey(key)} (settable: ${scalarKeys().join(', ')})`);
    out[key] = parseScalar(key, s.slice(eq + 1), `--set ${key}`);
  }
  return out as Partial<HostOptions>;
}

/** Keys whose values are secrets (any option whose name says password, secret, token or passphrase). */
const SECRET = /password|passphrase|secret|token/i;
export { MASK };

/**
 * A copy of `options` safe to print or log: secret values replaced by {@link MASK}, the password
 * of a URL's user info too (mqtt://user:pass@host), PEM key material anywhere.
 */
export function maskSecrets<T>(options: T): T {
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'string') {
      if (SECRET.test(key)) return MASK;
      if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v)) return MASK;
      return v.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@/\s]*@/i, `$1${MASK}@`);
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET.test(k) && x !== undefined ? MASK : walk(x, k)]));
    return v;
  };
  return walk(options, '') as T;
}
