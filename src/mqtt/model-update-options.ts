/**
 * The `modelUpdates` host option: signed model updates over MQTT (src/mqtt/model-update.ts does
 * them; docs/operations.md, "Model updates", and docs/mqtt-topics.md, "Model updates", describe them).
 * Off unless given; given, it needs at least one ed25519 public key.
 */
import { WavegateError } from '../errors.js';

export interface ModelUpdateOptions {
  /** ed25519 public keys (SPKI PEM files, as `openssl pkey -pubout` writes) whose signatures are accepted. At least one. */
  keys: string[];
  /** Largest update accepted, bytes (the .wgm, or what a URL returns). Default 16 MiB. */
  maxBytes?: number;
  /** Also take `{"url": "https://..."}` (or http:, file:) payloads and fetch the model from there. Default false: the .wgm bytes only. */
  allowUrls?: boolean;
  /** Longest fetch of a URL update, ms. Default 30000. */
  fetchTimeoutMs?: number;
}

export type ResolvedModelUpdateOptions = Required<ModelUpdateOptions>;

export const DEFAULT_MODEL_UPDATE_OPTIONS = Object.freeze({
  maxBytes: 16 * 1024 * 1024,
  allowUrls: false,
  fetchTimeoutMs: 30_000,
});

const KEYS = new Set(['keys', 'maxBytes', 'allowUrls', 'fetchTimeoutMs']);

function fail(where: string, problem: string): never {
  throw new WavegateError('E_ARGUMENT', `${where}: ${problem}`);
}

/**
 * Fills defaults and checks the option (files are read when the host starts).
 * @throws E_ARGUMENT naming the key and the problem
 */
export function resolveModelUpdateOptions(v: ModelUpdateOptions, where: string): ResolvedModelUpdateOptions {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(where, 'expected an object {"keys": ["signer.pub.pem"], ...}');
  for (const k of Object.keys(v)) if (!KEYS.has(k)) fail(where, `unknown key "${k}" (keys, maxBytes, allowUrls, fetchTimeoutMs)`);
  const o = { ...DEFAULT_MODEL_UPDATE_OPTIONS, ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) } as ResolvedModelUpdateOptions;
  if (!Array.isArray(o.keys) || o.keys.length === 0) fail(`${where}.keys`, 'name at least one ed25519 public key file (PEM): updates are accepted only when signed by one of them');
  o.keys.forEach((k, i) => {
    if (typeof k !== 'string' || k.length === 0) fail(`${where}.keys[${i}]`, `expected a PEM file path, got ${JSON.stringify(k)}`);
  });
  if (!Number.isInteger(o.maxBytes) || o.maxBytes < 1024 || o.maxBytes > 256 * 1024 * 1024) fail(`${where}.maxBytes`, `expected an integer in [1024, ${256 * 1024 * 1024}], got ${JSON.stringify(o.maxBytes)}`);
  if (typeof o.allowUrls !== 'boolean') fail(`${where}.allowUrls`, `expected true or false, got ${JSON.stringify(o.allowUrls)}`);
  if (!Number.isInteger(o.fetchTimeoutMs) || o.fetchTimeoutMs < 100 || o.fetchTimeoutMs > 600_000) fail(`${where}.fetchTimeoutMs`, `expected an integer in [100, 600000], got ${JSON.stringify(o.fetchTimeoutMs)}`);
  return { ...o, keys: [...o.keys] };
}
