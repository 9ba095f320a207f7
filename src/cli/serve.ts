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
  outbox?: string;
  httpPort?: number;
  httpHost?: string;
  samplesQos?: 0 | 1;
}

/** `wavegate serve` turns the metrics and health endpoint on, at this port, unless configured (the library leaves it off). */
export const SERVE_HTTP_PORT = 9464;

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
  const over: Partial<HostOptions> = { broker: flags.broker, host: flags.host, port: flags.port, nodeId: flags.nodeId, gapPolicy: flags.gapPolicy, maxDevices: flags.maxDevices, logLevel: flags.logLevel, backend: flags.backend, outboxDir: flags.outbox, httpPort: flags.httpPort, httpHost: flags.httpHost, samplesQos: flags.samplesQos };
  const merged: HostOptions = { ...cfg, models };
  for (const [k, v] of Object.entries(over)) if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
  merged.httpPort ??= SERVE_HTTP_PORT;
  return merged;
}

/** Starts the host and resolves once it has stopped (on SIGINT/SIGTERM). */
export async function serve(flags: ServeFlags): Promise<void> {
  const host = await WavegateHost.start(serveOptions(flags));
  process.stderr.write(`wavegate: serving ${host.models.map((m) => m.name).join(', ')} on ${host.brokerUrl} as node ${host.nodeId}${host.httpUrl ? `, metrics ${host.httpUrl}/metrics` : ''} (Ctrl-C stops)\n`);
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
    .option('--outbox <dir>', 'directory of the on-disk alert outbox (default: alerts wait in memory)')
    .option('--http-port <n>', 'port of GET /metrics and /healthz (default 9464; 0 picks a free one)', integer('http-port'))
    .option('--http-host <addr>', 'address of the metrics and health endpoint (default 127.0.0.1)')
    .option('--samples-qos <n>', 'QoS of the samples subscription, 0 or 1 (default 0; 1 with a persistent session loses no acknowledged frame)', integer('samples-qos'))
    .action(runAction((flags: ServeFlags) => serve(flags)));
}
