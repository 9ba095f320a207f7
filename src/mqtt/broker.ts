/**
 * The embedded broker: aedes on a loopback TCP port, so that `wavegate serve` runs the whole
 * system with no broker installed. It speaks MQTT 3.1.1 (aedes has no MQTT 5 yet), which is all
 * the host needs from it; use a real broker (mosquitto, EMQX, HiveMQ) for anything else.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { WavegateError } from '../errors.js';

export interface EmbeddedBroker {
  /** mqtt://host:port to connect to. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts aedes on `host:port` (port 0 picks a free port).
 * @throws E_ARGUMENT when the port is taken or the address cannot be bound
 */
export async function startEmbeddedBroker(host: string, port: number): Promise<EmbeddedBroker> {
  // Loaded only here: a host on an external broker never pays for aedes.
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker();
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      aedes.close();
      reject(new WavegateError('E_ARGUMENT', `embedded broker: cannot listen on ${host}:${port}: ${e.code === 'EADDRINUSE' ? 'the port is in use (pass --port, or --broker to use the broker already there)' : e.message}`));
    });
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `mqtt://${urlHost}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        aedes.close(() => server.close(() => resolve()));
      }),
  };
}
