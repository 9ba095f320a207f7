/**
 * The host's operations endpoint (node:http, loopback by default): `GET /metrics` (Prometheus
 * text) and `GET /healthz` (JSON; 200 when the broker is connected, the models loaded and the
 * outbox not full, else 503 with the failing parts). prom-client is loaded here only, so a host
 * without the endpoint never pays for it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WavegateError } from '../errors.js';
import type { WavegateHost } from '../mqtt/host.js';

export interface OpsServer {
  /** http://host:port */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves /metrics and /healthz for `host` on `address:port` (0 picks a free port).
 * @throws E_ARGUMENT when the port cannot be bound
 */
export async function startOpsServer(host: WavegateHost, address: string, port: number): Promise<OpsServer> {
  const { createHostMetrics } = await import('./metrics.js');
  const metrics = createHostMetrics(host);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      const h = host.health();
      res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(h)}\n`);
    } else if (path === '/metrics') {
      metrics.text().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${e.message}\n`),
      );
    } else res.writeHead(404, { 'content-type': 'text/plain' }).end('wavegate: GET /metrics or /healthz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      metrics.close();
      reject(new WavegateError('E_ARGUMENT', `metrics and health endpoint: cannot listen on ${address}:${port}: ${e.code === 'EADDRINUSE' ? 'the port is in use (set httpPort, or --http-port)' : e.message}`));
    });
    server.listen(port, address, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        metrics.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
