/**
 * A host process for the scale-out test: a WavegateHost with the options given as JSON in argv[2]
 * that prints one JSON line per scored window, ["<device>", <start>], after a first line
 * {"ready": "<health url>"}; SIGTERM stops it.
 *
 *   node --import tsx test/helpers/share-host.ts '{"models": [...], "broker": "...", "shareGroup": "g", ...}'
 */
import { WavegateHost, type HostOptions } from '../../src/mqtt/index.js';
import { createLogger } from '../../src/mqtt/log.js';

const options = JSON.parse(process.argv[2]) as HostOptions;
const host = await WavegateHost.start({ ...options, log: createLogger('warn') });
host.on('scored', (s) => process.stdout.write(`${JSON.stringify([s.device, s.start])}\n`));
process.stdout.write(`${JSON.stringify({ ready: `${host.httpUrl}/healthz` })}\n`);
process.once('SIGTERM', () => void host.stop().then(() => process.exit(0)));
