/**
 * `wavegate serve --model <m.wgm>... [--broker mqtt[s]://host:port] [--config <file>]`: the MQTT
 * streaming host (src/mqtt/host.ts). With no broker it starts an embedded one on 127.0.0.1:1883.
 * Runs until SIGINT or SIGTERM, then scores what is queued, says "offline" and exits 0.
 * docs/mqtt-topics.md has the topics, payloads and the two commands to try it.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { WavegateHost } from '../mqtt/host.js';
import type { LogLevel } from '../mqtt/log.js';
import { readHostConfig, type GapPolicy, type HostOptions, type ModelConfig } from '../mqtt/options.js';
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
}

function integer(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`--${name}: expected an integer, got ${JSON.stringify(v)}`);
    return n;
  };
}

/**
 * The config file's options with the flags over them. `--model` replaces the config's model list;
 * a flag model that the config also lists (same file) keeps the config's settings for it.
 */
export function serveOptions(flags: ServeFlags): HostOptions {
  const cfg: HostOptions = flags.config ? readHostConfig(flags.config) : { models: [] };
  let models: ModelConfig[] = cfg.models ?? [];
  if (flags.model && flags.model.length > 0) {
    models = flags.model.map((path) => models.find((m) => typeof m?.path === 'string' && resolve(m.path) === resolve(path)) ?? { path });
  }
  const over: Partial<HostOptions> = { broker: flags.broker, host: flags.host, port: flags.port, nodeId: flags.nodeId, gapPolicy: flags.gapPolicy, maxDevices: flags.maxDevices, logLevel: flags.logLevel, backend: flags.backend };
  Object.assign(over, { ca: flags.ca, cert: flags.cert, key: flags.key, username: flags.username, passwordFile: flags.passwordFile, requireTls: flags.requireTls, publishScores: flags.publishScores });
  if (flags.modelUpdateKey && flags.modelUpdateKey.length > 0) over.modelUpdates = { ...(cfg.modelUpdates ?? {}), keys: flags.modelUpdateKey };
  const merged: HostOptions = { ...cfg, models };
  for (const [k, v] of Object.entries(over)) if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
  return merged;
}

/** Starts the host and resolves once it has stopped (on SIGINT/SIGTERM). */
export async function serve(flags: ServeFlags): Promise<void> {
  const host = await WavegateHost.start(serveOptions(flags));
  process.stderr.write(`wavegate: serving ${host.models.map((m) => m.name).join(', ')} on ${host.brokerUrl} as node ${host.nodeId} (Ctrl-C stops)\n`);
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = (code: number) => {
      if (stopping) return;
      stopping = true;
      process.exitCode = code;
      host.stop().then(done, (e: unknown) => {
        process.stderr.write(`wavegate: error while stopping: ${(e as Error).message}\n`);
        process.exitCode = 1;
        done();
      });
    };
    process.once('SIGINT', () => stop(0));
    process.once('SIGTERM', () => stop(0));
    host.once('fatal', (e) => {
      process.stderr.write(`wavegate: internal error: ${e.message}\n`);
      stop(70);
    });
  });
}

export function registerServe(program: Command): Command {
  return program
    .command('serve')
    .description('stream sensor samples from MQTT through models and publish alerts (embedded broker on 127.0.0.1 unless --broker)')
    .option('--model <m.wgm...>', 'model file(s) to serve; the first without a config "match" serves every stream')
    .option('--broker <url>', 'broker to connect to, mqtt://host:port or mqtts://host:port (default: start an embedded one)')
    .option('--config <file>', 'JSON config file: host options, models with match/labels/detector (docs/mqtt-topics.md)')
    .option('--host <addr>', 'embedded broker: address to listen on (default 127.0.0.1)')
    .option('--port <n>', 'embedded broker: TCP port (default 1883)', integer('port'))
    .option('--node-id <id>', 'name in wavegate/v1/_node/<id>/... (default: the host name)')
    .option('--gap-policy <policy>', 'reset or zero-fill (default reset)')
    .option('--max-devices <n>', 'most live devices (default 10000)', integer('max-devices'))
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
    .action(runAction((flags: ServeFlags) => serve(flags)));
}
