/**
 * `wavegate serve --model <m.wgm>... [--broker mqtt[s]://host:port] [--config <file>]`: the MQTT
 * streaming host (src/mqtt/host.ts). With no broker it starts an embedded one on 127.0.0.1:1883.
 * Runs until SIGINT or SIGTERM, then stops intake, scores what is queued, waits for the broker
 * to take the outbox's alerts (shutdownTimeoutMs), says "offline" and exits 0, within
 * shutdownTimeoutMs + EXIT_GRACE_MS at the latest.
 * docs/mqtt-topics.md has the topics, payloads and the two commands to try it.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { numberArg } from './option-parsers.js';
import { WavegateHost } from '../mqtt/host.js';
import type { LogLevel } from '../mqtt/log.js';
import { readHostConfig, resolveHostOptions, type GapPolicy, type HostOptions, type ModelConfig } from '../mqtt/options.js';
import { maskSecrets, optionsFromEnv, optionsFromSets } from '../ops/config.js';
import type { BackendChoice } from '../runtime/options.js';
import { runAction } from './run-action.js';

interface ServeFlags {
  model?: string[];
  broker?: string;
  config?: string;
  host?: string;
  port?: number;
  nodeId?: string;
  gapPolicy?: GapPolicy;
  maxDevices?: number;
  logLevel?: LogLevel;
  backend?: BackendChoice;
  ca?: string;
  cert?: string;
  key?: string;
  username?: string;
  passwordFile?: string;
  requireTls?: boolean;
  modelUpdateKey?: string[];
  publishScores?: boolean;
  outbox?: string;
  httpPort?: number;
  httpHost?: string;
  samplesQos?: 0 | 1;
  set?: string[];
  printConfig?: boolean;
}

/** `wavegate serve` turns the metrics and health endpoint on, at this port, unless configured (the library leaves it off). */
export const SERVE_HTTP_PORT = 9464;

/**
 * The layers, each over the one before: defaults, the config file (JSON or YAML), WAVEGATE_*
 * environment variables, flags (`--set key=value` first, then the named flags). `--model`
 * replaces the config's model list; a flag model that the config also lists (same file) keeps
 * the config's settings for it. A bad config file is reported as such, before the layers meet.
 * @throws E_NOT_FOUND, E_ARGUMENT naming the file, variable or flag at fault
 */
export function serveOptions(flags: ServeFlags, env: NodeJS.ProcessEnv = {}): HostOptions {
  const cfg: HostOptions = flags.config ? readHostConfig(flags.config) : { models: [] };
  if (flags.config) {
    // the file on its own: unknown keys and wrong types name the file (a model list may come from --model)
    const { log: _log, ...checkable } = cfg;
    resolveHostOptions({ ...checkable, models: Array.isArray(cfg.models) && cfg.models.length > 0 ? cfg.models : [{ path: '-' }] }, `config ${flags.config}`);
  }
  Object.assign(cfg, optionsFromEnv(env), optionsFromSets(flags.set ?? []));
  let models: ModelConfig[] = cfg.models ?? [];
  if (flags.model && flags.model.length > 0) {
    models = flags.model.map((path) => models.find((m) => typeof m?.path === 'string' && resolve(m.path) === resolve(path)) ?? { path });
  }
  const over: Partial<HostOptions> = { broker: flags.broker, host: flags.host, port: flags.port, nodeId: flags.nodeId, gapPolicy: flags.gapPolicy, maxDevices: flags.maxDevices, logLevel: flags.logLevel, backend: flags.backend, outboxDir: flags.outbox, httpPort: flags.httpPort, httpHost: flags.httpHost, samplesQos: flags.samplesQos };
  Object.assign(over, { ca: flags.ca, cert: flags.cert, key: flags.key, username: flags.username, passwordFile: flags.passwordFile, requireTls: flags.requireTls, publishScores: flags.publishScores });
  if (flags.modelUpdateKey && flags.modelUpdateKey.length > 0) over.modelUpdates = { ...(cfg.modelUpdates ?? {}), keys: flags.modelUpdateKey };
  const merged: HostOptions = { ...cfg, models };
  for (const [k, v] of Object.entries(over)) if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
  merged.httpPort ??= SERVE_HTTP_PORT;
  return merged;
}

/** After SIGTERM the process exits at the latest shutdownTimeoutMs plus this (the disconnect and the endpoint's close). */
export const EXIT_GRACE_MS = 5000;

/** Starts the host and resolves once it has stopped (on SIGINT/SIGTERM). */
export async function serve(flags: ServeFlags): Promise<void> {
  const options = serveOptions(flags, process.env);
  if (flags.printConfig) {
    const full = resolveHostOptions(options);
    const { log: _log, ...resolved } = full;
    // The resolved password is not enumerable (never logged): shown here as set, masked.
    const shown = full.password === undefined ? resolved : { ...resolved, password: full.password };
    process.stdout.write(`${JSON.stringify(maskSecrets(shown), null, 2)}\n`);
    return;
  }
  // Signals are taken from the start: one that comes while the host is starting stops it as soon as it has started.
  let signalled: number | undefined;
  let onSignal: (code: number) => void = (code) => (signalled ??= code);
  const sigint = () => onSignal(0);
  const sigterm = () => onSignal(0);
  process.once('SIGINT', sigint);
  process.once('SIGTERM', sigterm);
  let host: WavegateHost;
  try {
    host = await WavegateHost.start(options);
  } catch (e) {
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
    throw e;
  }
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = (code: number) => {
      if (stopping) return;
      stopping = true;
      process.exitCode = code;
      // The last resort: whatever still holds the process, it exits this long after the signal.
      setTimeout(() => {
        process.stderr.write(`wavegate: still stopping ${host.options.shutdownTimeoutMs + EXIT_GRACE_MS} ms after the signal; exiting\n`);
        process.exit(code);
      }, host.options.shutdownTimeoutMs + EXIT_GRACE_MS).unref();
      host.stop().then(done, (e: unknown) => {
        process.stderr.write(`wavegate: error while stopping: ${(e as Error).message}\n`);
        process.exitCode = 1;
        done();
      });
    };
    onSignal = stop;
    host.once('fatal', (e) => {
      process.stderr.write(`wavegate: internal error: ${e.message}\n`);
      stop(70);
    });
    if (host.outbox.kind === 'memory') host.log.warn({ outbox: 'memory' }, 'alerts wait in memory: they survive broker outages but not a crash of this host (give --outbox <dir> to keep them on disk)');
    process.stderr.write(`wavegate: serving ${host.models.map((m) => m.name).join(', ')} on ${host.brokerUrl} as node ${host.nodeId}${host.httpUrl ? `, metrics ${host.httpUrl}/metrics` : ''} (Ctrl-C stops)\n`);
    if (signalled !== undefined) stop(signalled);
  });
}

export function registerServe(program: Command): Command {
  return program
    .command('serve')
    .description('stream sensor samples from MQTT through models and publish alerts (embedded broker on 127.0.0.1 unless --broker)')
    .option('--model <m.wgm...>', 'model file(s) to serve; the first without a config "match" serves every stream')
    .option('--broker <url>', 'broker to connect to, mqtt://host:port or mqtts://host:port (default: start an embedded one)')
    .option('--config <file>', 'config file, JSON or YAML (.yaml, .yml): host options, models with match/labels/detector (docs/operations.md)')
    .option('--set <key=value...>', 'any scalar option, over the config file and WAVEGATE_* variables (e.g. --set maxQueuedWindows=4096)')
    .option('--print-config', 'print the merged configuration (defaults, file, environment, flags; secrets masked) and exit')
    .option('--host <addr>', 'embedded broker: address to listen on (default 127.0.0.1)')
    .option('--port <n>', 'embedded broker: TCP port (default 1883)', numberArg({ integer: true, min: 0, max: 65535 }))
    .option('--node-id <id>', 'name in wavegate/v1/_node/<id>/... (default: the host name)')
    .option('--gap-policy <policy>', 'reset or zero-fill (default reset)')
    .option('--max-devices <n>', 'most live devices (default 10000)', numberArg({ integer: true, min: 1 }))
    .option('--log-level <level>', 'debug, info, warn, error or silent (default info)')
    .option('--backend <name>', 'kernel build: auto, simd or ref (default auto)')
    .option('--ca <file>', 'TLS: CA certificate (PEM) to verify an mqtts:// broker against')
    .option('--cert <file>', 'TLS: client certificate (PEM) for a broker that requires one; needs --key')
    .option('--key <file>', 'TLS: the client certificate\'s private key (PEM)')
    .option('--username <name>', 'MQTT user name')
    .option('--password-file <file>', 'file holding the MQTT password (never given on the command line)')
    .option('--require-tls', 'refuse a plaintext broker (mqtt://, or the embedded one)')
    .option('--model-update-key <pub.pem...>', 'accept signed model updates on wavegate/v1/_node/<id>/model, signed by these ed25519 public keys')
    .option('--publish-scores', 'publish every scored window on wavegate/v1/<device>/scores')
    .option('--outbox <dir>', 'directory of the on-disk alert outbox (default: alerts wait in memory)')
    .option('--http-port <n>', 'port of GET /metrics and /healthz (default 9464; 0 picks a free one)', numberArg({ integer: true, min: 0, max: 65535 }))
    .option('--http-host <addr>', 'address of the metrics and health endpoint (default 127.0.0.1)')
    .option('--samples-qos <n>', 'QoS of the samples subscription, 0 or 1 (default 0; 1 with a persistent session loses no acknowledged frame)', numberArg({ integer: true, min: 0, max: 1 }))
    .action(runAction((flags: ServeFlags) => serve(flags)));
}
