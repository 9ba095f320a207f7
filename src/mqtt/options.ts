/**
 * Host options: one interface, each option documented with its unit and default, defaults in
 * one object ({@link DEFAULT_HOST_OPTIONS}), resolved and checked in one place (as MQTT.js's
 * IClientOptions / defaultConnectOptions). A config file (JSON, `--config`) holds the same keys;
 * command-line flags override it (src/cli/serve.ts).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { WavegateError } from '../errors.js';
import type { DetectorOverrides } from '../detect/config.js';
import type { BackendChoice } from '../runtime/options.js';
import type { Logger, LogLevel } from './log.js';
import { resolveModelUpdateOptions, type ModelUpdateOptions, type ResolvedModelUpdateOptions } from './model-update-options.js';
import { checkSecurityOptions, redactUrl, SECURITY_KEYS } from './security.js';
import { filterProblem, nameProblem } from './topics.js';

/** One model the host serves. */
export interface ModelConfig {
  /** The .wgm file. */
  path: string;
  /** Name in alerts and logs. Default: the file name without .wgm. */
  name?: string;
  /**
   * Topic filters over "<device>/<stream>" (MQTT wildcards + and #) that this model serves,
   * e.g. ["+/ecg"]. A model without `match` serves every stream no other model's `match` takes
   * (the first such model does).
   */
  match?: string[];
  /** Class labels, for models whose file has none. Default: the file's, else "class0", "class1", ... */
  labels?: string[];
  /** Detector settings over the model file's `detector` defaults (src/detect/config.ts). */
  detector?: DetectorOverrides;
}

/** What to do with the samples a gap lost (docs/mqtt-topics.md, "Gaps"). */
export type GapPolicy = 'reset' | 'zero-fill';

export interface HostOptions {
  /** Models to serve (at least one). */
  models: ModelConfig[];
  /** Broker URL, mqtt://host:port or mqtts://host:port. Default: none, an embedded broker is started. */
  broker?: string;
  /** Embedded broker: address to listen on. Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Embedded broker: TCP port (0 picks a free one). Default 1883. */
  port?: number;
  /** This host's name in `wavegate/v1/_node/<node-id>/...`. Default: the machine's host name, cleaned to the topic alphabet. */
  nodeId?: string;
  /** MQTT client id. Default `wavegate-<nodeId>`. */
  clientId?: string;
  /** MQTT protocol version to an external broker: 5 or 4 (3.1.1). Default 5. The embedded aedes broker speaks 3.1.1. */
  protocolVersion?: 4 | 5;
  /** QoS of the samples subscription. Default 0 (sensor streams are loss tolerant; gaps are detected by seq). */
  samplesQos?: 0 | 1;
  /** Largest sample-frame payload, bytes. Default 256 KiB. */
  maxPayloadBytes?: number;
  /** Most channels in a frame. Default 64. */
  maxChannels?: number;
  /** Most devices with live streams; frames from further devices are refused (E_DEVICE_LIMIT). Default 10000. */
  maxDevices?: number;
  /** Most streams per device (E_STREAM_LIMIT beyond). Default 16. */
  maxStreamsPerDevice?: number;
  /** A stream with no frame for this long (ms) is closed and its state slot reused. Default 60000. */
  idleTimeoutMs?: number;
  /** Gap handling. Default `reset`. */
  gapPolicy?: GapPolicy;
  /** `zero-fill`: the longest gap (ms) filled with zeros; longer gaps reset. Default 1000. */
  maxFillMs?: number;
  /** A frame whose timestamp is off the one its predecessor predicts by more than this (ms) plus one sample period is a discontinuity. Default 50. */
  timeToleranceMs?: number;
  /** Scoring tick (ms): each tick scores every ready window of every stream, one kernel call per model. Default 20. */
  tickMs?: number;
  /** Windows per kernel batch (Session maxBatch). Default 64. */
  maxBatch?: number;
  /** Most windows scored per model per tick (the rest wait for the next tick). Default 4096. */
  maxWindowsPerTick?: number;
  /** Most ready windows queued per model; beyond it the oldest are dropped and reported (E_DROPPED). Default 8192. */
  maxQueuedWindows?: number;
  /** At most one errors-topic message per (device, stream, code) per this many ms; all are counted. Default 1000. */
  errorReportIntervalMs?: number;
  /** Kernel build. Default `auto`. */
  backend?: BackendChoice;
  /** Log level of the default logger. Default `info`. */
  logLevel?: LogLevel;
  /**
   * Directory of the on-disk alert outbox (src/mqtt/outbox-disk.ts): alerts wait there until the
   * broker acknowledges them, across broker outages and host crashes. Default: none, alerts wait
   * in memory (lost if the host dies). One directory per node.
   */
  outboxDir?: string;
  /** Most pending alerts in the outbox; beyond, new alerts are refused (E_OUTBOX_FULL), stored ones kept. Default 100000. */
  outboxMaxAlerts?: number;
  /** Most bytes of pending alerts. Default 64 MiB. */
  outboxMaxBytes?: number;
  /** fsync the outbox once per scoring tick that stored alerts (survives power loss, not just a crash). Default true. */
  outboxFsync?: boolean;
  /** Alerts published and not yet acknowledged at a time (QoS 1 in flight). Default 32. */
  maxInflightAlerts?: number;
  /**
   * MQTT session expiry, seconds: how long the broker keeps this node's session (its subscription
   * and the QoS 1 frames queued for it) after a disconnect. 0: a clean session each connection.
   * Default 3600. MQTT 3.1.1 (the embedded broker): > 0 connects with clean=false.
   */
  sessionExpirySeconds?: number;
  /**
   * Port of the metrics and health endpoint (GET /metrics, GET /healthz; 0 picks a free one).
   * Default: off for the library; `wavegate serve` turns it on at 9464 unless configured.
   */
  httpPort?: number;
  /** Address of that endpoint. Default 127.0.0.1 (loopback only). */
  httpHost?: string;
  /**
   * Scale-out: the name of a group of hosts that split the fleet through the broker (MQTT 5
   * shared subscriptions, each device kept by one host; src/mqtt/share.ts, docs/operations.md).
   * Needs an external MQTT 5 broker and clean sessions (sessionExpirySeconds 0, the default
   * with a group). Default: none, this host takes every device.
   */
  shareGroup?: string;
  /** Longest graceful stop (SIGTERM): scoring what is queued, then waiting for the outbox to drain, ms. Default 10000. */
  shutdownTimeoutMs?: number;
  /** A logger to use instead of the default pino logger on stderr. */
  log?: Logger;

  // Broker security (src/mqtt/security.ts checks these; docs/operations.md, "Security").
  /** TLS: CA certificate(s) to verify the broker against (PEM file), instead of the system's CAs. Needs an mqtts:// broker. */
  ca?: string;
  /** TLS: client certificate (PEM file) for a broker that requires one (mutual TLS). Needs `key`. */
  cert?: string;
  /** TLS: the client certificate's private key (unencrypted PEM file; keep it mode 0600). Never logged. */
  key?: string;
  /** MQTT user name. */
  username?: string;
  /** MQTT password. Secret: never logged, masked in printed configs. Prefer passwordFile. */
  password?: string;
  /** File holding the MQTT password (its first line; a trailing newline is ignored). */
  passwordFile?: string;
  /** Refuse any broker connection that is not TLS (a plaintext mqtt:// URL, the embedded broker). Default false. */
  requireTls?: boolean;

  /** Signed model updates over MQTT (src/mqtt/model-update.ts). Default: off. */
  modelUpdates?: ModelUpdateOptions;
  /** Publish every scored window's outputs on `wavegate/v1/<device>/scores` (QoS 0). Default false. */
  publishScores?: boolean;
}

/** Options that stay optional once resolved (no default value). */
type UnsetByDefault = 'broker' | 'log' | 'clientId' | 'outboxDir' | 'httpPort' | 'shareGroup' | (typeof SECURITY_KEYS)[number] | 'modelUpdates';

export type ResolvedHostOptions = Required<Omit<HostOptions, UnsetByDefault>> & Pick<HostOptions, UnsetByDefault> & { clientId: string; modelUpdates?: ResolvedModelUpdateOptions };

export const DEFAULT_HOST_OPTIONS = Object.freeze({
  host: '127.0.0.1',
  port: 1883,
  protocolVersion: 5 as 4 | 5,
  samplesQos: 0 as 0 | 1,
  maxPayloadBytes: 256 * 1024,
  maxChannels: 64,
  maxDevices: 10000,
  maxStreamsPerDevice: 16,
  idleTimeoutMs: 60_000,
  gapPolicy: 'reset' as GapPolicy,
  maxFillMs: 1000,
  timeToleranceMs: 50,
  tickMs: 20,
  maxBatch: 64,
  maxWindowsPerTick: 4096,
  maxQueuedWindows: 8192,
  errorReportIntervalMs: 1000,
  backend: 'auto' as BackendChoice,
  logLevel: 'info' as LogLevel,
  outboxMaxAlerts: 100_000,
  outboxMaxBytes: 64 << 20,
  outboxFsync: true,
  maxInflightAlerts: 32,
  sessionExpirySeconds: 3600 as number,
  shutdownTimeoutMs: 10_000,
  httpHost: '127.0.0.1',
  publishScores: false,
});

/** Every key a config may hold (HostOptions). */
export const HOST_OPTION_KEYS: ReadonlySet<string> = new Set<string>(['models', 'broker', 'clientId', 'log', ...Object.keys(DEFAULT_HOST_OPTIONS), 'nodeId', 'outboxDir', 'httpPort', 'shareGroup', ...SECURITY_KEYS, 'modelUpdates']);
const MODEL_KEYS = new Set(['path', 'name', 'match', 'labels', 'detector']);

function fail(where: string, problem: string): never {
  throw new WavegateError('E_ARGUMENT', `${where}: ${problem}`);
}

function int(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(where, `expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return v;
}

/** ` (did you mean "x"?)` when a known option is one or two edits from `key`. */
export function nearestKey(key: string): string {
  const near = (a: string, b: string): boolean => {
    if (Math.abs(a.length - b.length) > 2) return false;
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
    return prev[b.length] <= 2;
  };
  const hit = [...HOST_OPTION_KEYS].find((k) => near(key.toLowerCase(), k.toLowerCase()));
  return hit ? ` (did you mean "${hit}"?)` : '';
}

/** The machine's host name in the topic alphabet (a name topics can carry). */
export function defaultNodeId(): string {
  const h = hostname().replace(/[^A-Za-z0-9._-]/g, '-').replace(/^_+/, '').slice(0, 64);
  return h.length > 0 ? h : 'wavegate';
}

/**
 * Fills defaults and checks every option; `source` names where they came from in messages.
 * @throws E_ARGUMENT naming the option and the problem
 */
export function resolveHostOptions(opts: HostOptions, source = 'options'): ResolvedHostOptions {
  for (const k of Object.keys(opts)) if (!HOST_OPTION_KEYS.has(k)) fail(`${source}`, `unknown option "${k}"${nearestKey(k)}`);
  const o = { ...DEFAULT_HOST_OPTIONS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as HostOptions & typeof DEFAULT_HOST_OPTIONS;
  if (o.shareGroup !== undefined) {
    const sp = typeof o.shareGroup === 'string' ? nameProblem(o.shareGroup, 'node') : 'not a string';
    if (sp) fail(`${source}.shareGroup`, sp.replace('node name', 'group name'));
    if (o.broker === undefined) fail(`${source}.shareGroup`, 'a group of hosts shares an external MQTT 5 broker (set broker); the embedded one has no shared subscriptions');
    if (o.protocolVersion !== 5) fail(`${source}.shareGroup`, 'shared subscriptions and subscription identifiers need MQTT 5 (protocolVersion 5)');
    // A dead member's persistent session would keep taking its turn of the group's messages (mosquitto queues QoS 1 for it and drops QoS 0).
    if (opts.sessionExpirySeconds === undefined) o.sessionExpirySeconds = 0;
    else if (o.sessionExpirySeconds !== 0) fail(`${source}.sessionExpirySeconds`, 'must be 0 with shareGroup: a dead member\'s persistent session would keep taking its turn of the group\'s messages');
  }
  if (!Array.isArray(o.models) || o.models.length === 0) fail(`${source}.models`, 'name at least one model (--model <m.wgm>)');
  const names = new Set<string>();
  o.models.forEach((m, i) => {
    const at = `${source}.models[${i}]`;
    if (m === null || typeof m !== 'object') fail(at, 'expected an object {"path", ...}');
    for (const k of Object.keys(m)) if (!MODEL_KEYS.has(k)) fail(at, `unknown key "${k}" (path, name, match, labels, detector)`);
    if (typeof m.path !== 'string' || m.path.length === 0) fail(`${at}.path`, 'expected a .wgm file path');
    const name = m.name ?? modelName(m.path);
    if (typeof name !== 'string' || name.length === 0 || name.length > 64) fail(`${at}.name`, `expected 1-64 characters, got ${JSON.stringify(name)}`);
    if (names.has(name)) fail(`${at}.name`, `"${name}" names two models; give each a distinct name`);
    names.add(name);
    if (m.match !== undefined) {
      if (!Array.isArray(m.match) || m.match.length === 0) fail(`${at}.match`, 'expected a non-empty list of topic filters over "<device>/<stream>"');
      m.match.forEach((f, j) => {
        const p = typeof f === 'string' ? filterProblem(f) : 'not a string';
        if (p) fail(`${at}.match[${j}]`, p);
      });
    }
    if (m.labels !== undefined && (!Array.isArray(m.labels) || !m.labels.every((l) => typeof l === 'string'))) fail(`${at}.labels`, 'expected a list of strings');
    if (m.detector !== undefined && (m.detector === null || typeof m.detector !== 'object')) fail(`${at}.detector`, 'expected an object');
  });
  if (o.broker !== undefined && (typeof o.broker !== 'string' || !/^mqtts?:\/\/[^/\s]+/.test(o.broker))) fail(`${source}.broker`, `expected mqtt://host:port or mqtts://host:port, got ${JSON.stringify(typeof o.broker === 'string' ? redactUrl(o.broker) : o.broker)}`);
  checkSecurityOptions(o, source);
  if (typeof o.host !== 'string' || o.host.length === 0) fail(`${source}.host`, 'expected an address to listen on');
  int(o.port, `${source}.port`, 0, 65535);
  const nodeId = o.nodeId ?? defaultNodeId();
  const np = typeof nodeId === 'string' ? nameProblem(nodeId, 'node') : 'not a string';
  if (np) fail(`${source}.nodeId`, np);
  if (o.protocolVersion !== 4 && o.protocolVersion !== 5) fail(`${source}.protocolVersion`, `expected 4 or 5, got ${JSON.stringify(o.protocolVersion)}`);
  if (o.samplesQos !== 0 && o.samplesQos !== 1) fail(`${source}.samplesQos`, `expected 0 or 1, got ${JSON.stringify(o.samplesQos)}`);
  int(o.maxPayloadBytes, `${source}.maxPayloadBytes`, 64, 256 * 1024 * 1024);
  int(o.maxChannels, `${source}.maxChannels`, 1, 65535);
  int(o.maxDevices, `${source}.maxDevices`, 1, 1 << 24);
  int(o.maxStreamsPerDevice, `${source}.maxStreamsPerDevice`, 1, 1 << 16);
  int(o.idleTimeoutMs, `${source}.idleTimeoutMs`, 100, 7 * 86_400_000);
  if (o.gapPolicy !== 'reset' && o.gapPolicy !== 'zero-fill') fail(`${source}.gapPolicy`, `expected "reset" or "zero-fill", got ${JSON.stringify(o.gapPolicy)}`);
  int(o.maxFillMs, `${source}.maxFillMs`, 0, 3_600_000);
  int(o.timeToleranceMs, `${source}.timeToleranceMs`, 0, 3_600_000);
  int(o.tickMs, `${source}.tickMs`, 1, 10_000);
  int(o.maxBatch, `${source}.maxBatch`, 1, 65536);
  int(o.maxWindowsPerTick, `${source}.maxWindowsPerTick`, 1, 1 << 20);
  int(o.maxQueuedWindows, `${source}.maxQueuedWindows`, 1, 1 << 22);
  int(o.errorReportIntervalMs, `${source}.errorReportIntervalMs`, 0, 3_600_000);
  if (!['auto', 'simd', 'ref'].includes(o.backend)) fail(`${source}.backend`, `expected auto, simd or ref, got ${JSON.stringify(o.backend)}`);
  if (o.outboxDir !== undefined && (typeof o.outboxDir !== 'string' || o.outboxDir.length === 0)) fail(`${source}.outboxDir`, `expected a directory path, got ${JSON.stringify(o.outboxDir)}`);
  int(o.outboxMaxAlerts, `${source}.outboxMaxAlerts`, 1, 1 << 30);
  int(o.outboxMaxBytes, `${source}.outboxMaxBytes`, 4096, 2 ** 40);
  if (typeof o.outboxFsync !== 'boolean') fail(`${source}.outboxFsync`, `expected true or false, got ${JSON.stringify(o.outboxFsync)}`);
  int(o.maxInflightAlerts, `${source}.maxInflightAlerts`, 1, 65535);
  int(o.sessionExpirySeconds, `${source}.sessionExpirySeconds`, 0, 0xffffffff);
  int(o.shutdownTimeoutMs, `${source}.shutdownTimeoutMs`, 0, 3_600_000);
  if (o.httpPort !== undefined) int(o.httpPort, `${source}.httpPort`, 0, 65535);
  if (typeof o.httpHost !== 'string' || o.httpHost.length === 0) fail(`${source}.httpHost`, 'expected an address to listen on');
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(o.logLevel)) fail(`${source}.logLevel`, `expected debug, info, warn, error or silent, got ${JSON.stringify(o.logLevel)}`);
  if (typeof o.publishScores !== 'boolean') fail(`${source}.publishScores`, `expected true or false, got ${JSON.stringify(o.publishScores)}`);
  const modelUpdates = o.modelUpdates === undefined ? undefined : resolveModelUpdateOptions(o.modelUpdates, `${source}.modelUpdates`);
  const resolved = { ...o, nodeId, clientId: o.clientId ?? `wavegate-${nodeId}`, modelUpdates } as ResolvedHostOptions;
  // Readable by the connection only: JSON.stringify, util.inspect and loggers skip a non-enumerable key.
  if (resolved.password !== undefined) Object.defineProperty(resolved, 'password', { value: resolved.password, enumerable: false });
  return resolved;
}

/** A model's default name: its file name without directory and .wgm. */
export function modelName(path: string): string {
  return path.replace(/^.*[\\/]/, '').replace(/\.wgm$/i, '');
}

/**
 * Reads a config file holding HostOptions keys (model paths relative to the file): JSON, or
 * YAML when its name ends in .yaml or .yml (YAML 1.2: duplicate keys are an error).
 * @throws E_NOT_FOUND, E_ARGUMENT naming the file and the problem
 */
export function readHostConfig(path: string): HostOptions {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `config ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const yaml = /\.ya?ml$/i.test(path);
  let raw: unknown;
  try {
    raw = yaml ? parseYaml(text, { prettyErrors: true }) : JSON.parse(text);
  } catch (e) {
    throw new WavegateError('E_ARGUMENT', `config ${path}: not valid ${yaml ? 'YAML' : 'JSON'} (${(e as Error).message.split('\n')[0]})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new WavegateError('E_ARGUMENT', `config ${path}: expected ${yaml ? 'a YAML mapping' : 'a JSON object'} of host options`);
  const cfg = raw as HostOptions;
  if ('log' in cfg) throw new WavegateError('E_ARGUMENT', `config ${path}: "log" is not a config key (use logLevel)`);
  const dir = path.replace(/[^\\/]*$/, '');
  for (const k of ['ca', 'cert', 'key', 'passwordFile'] as const) {
    const v = cfg[k];
    if (typeof v === 'string' && v.length > 0 && !v.startsWith('/')) cfg[k] = `${dir}${v}`;
  }
  const mu = cfg.modelUpdates;
  if (mu && typeof mu === 'object' && Array.isArray(mu.keys)) mu.keys = mu.keys.map((k) => (typeof k === 'string' && k.length > 0 && !k.startsWith('/') ? `${dir}${k}` : k));
  if (Array.isArray(cfg.models)) {
    cfg.models = cfg.models.map((m) => (m && typeof m === 'object' && typeof m.path === 'string' && !m.path.startsWith('/') ? { ...m, path: `${dir}${m.path}` } : m));
  }
  return cfg;
}
