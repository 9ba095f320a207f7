/**
 * `wavegate simulate --devices N --signal ecg|vibration [--record <path>] [--rate <x>] [--duration <s>]
 *  [--broker <url>] [--truth <file.jsonl>]`: publishes a synthetic or recorded fleet to a broker
 * in real time (or faster) and writes the ground truth, one JSON line per known anomaly
 * {"device", "stream", "class", "start", "end"} (ms since the epoch, the frames' time base), so
 * that alert recall and latency can be measured. A workstation command: it uses tools/synth.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { numberArg } from '../../src/cli/option-parsers.js';
import { runAction } from '../../src/cli/run-action.js';
import { publishFleet } from '../sim/publisher.js';
import { deviceSignals, type SignalKind } from '../sim/sources.js';
import { truthRows } from '../sim/truth.js';

interface SimulateFlags {
  devices: number;
  signal: SignalKind;
  record?: string;
  rate: number;
  duration: number;
  broker: string;
  truth?: string;
  format: 'json' | 'binary';
  frameMs: number;
  seed: number;
}

export async function simulate(o: SimulateFlags): Promise<void> {
  const signals = deviceSignals({ signal: o.signal, devices: o.devices, duration: o.duration, record: o.record, seed: o.seed });
  const t0 = Date.now();
  const truth = truthRows(signals, t0, o.frameMs);
  if (o.truth) writeFileSync(o.truth, truth.map((t) => JSON.stringify(t)).join('\n') + (truth.length > 0 ? '\n' : ''));
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.stderr.write(`wavegate: simulating ${o.devices} ${o.signal} device(s), ${o.duration} s at ${o.rate === 0 ? 'full speed' : `${o.rate}x real time`} to ${o.broker}; ${truth.length} known anomalies${o.truth ? ` -> ${o.truth}` : ''}\n`);
  const r = await publishFleet({ url: o.broker, signals, rate: o.rate, frameMs: o.frameMs, format: o.format, t0, abort: abort.signal });
  process.stderr.write(`wavegate: published ${r.frames} frames (${(r.bytes / 1e6).toFixed(1)} MB) in ${(r.wallMs / 1000).toFixed(1)} s; at most ${r.maxBehindMs.toFixed(0)} ms behind schedule\n`);
}

export function registerSimulate(program: Command): Command {
  return program
    .command('simulate')
    .description('publish a simulated or recorded sensor fleet to an MQTT broker, with the ground truth of its anomalies')
    .option('--devices <n>', 'devices to simulate', numberArg({ integer: true, min: 1 }), 10)
    .option('--signal <kind>', 'ecg (360 Hz, S/V premature beats), vibration (12 kHz, bearing faults) or level (100 Hz, single 0.5 s blocks at 1: the chaos run)', 'ecg')
    .option('--record <path>', 'replay a recording: an MIT-BIH record (ecg) or a CWRU .mat file (vibration)')
    .option('--rate <x>', 'time scale: 1 real time, 10 ten times faster, 0 as fast as possible', numberArg({ min: 0 }), 1)
    .option('--duration <s>', 'seconds of signal per device', numberArg({ above: 0 }), 60)
    .option('--broker <url>', 'broker URL', 'mqtt://127.0.0.1:1883')
    .option('--truth <file.jsonl>', 'write the known anomalies, one JSON line each')
    .option('--format <enc>', 'frame encoding: binary or json', 'binary')
    .option('--frame-ms <ms>', 'milliseconds of signal per frame', numberArg({ integer: true, min: 1 }), 100)
    .option('--seed <n>', 'seed of the synthetic generators', numberArg({ integer: true }), 1)
    .action(runAction((o: SimulateFlags) => simulate(o)));
}
