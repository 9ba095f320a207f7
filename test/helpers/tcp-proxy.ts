/**
 * A TCP proxy on a free loopback port in front of a broker, whose client-to-broker direction can
 * be held: the host keeps receiving frames but nothing it publishes reaches the broker (no
 * PUBACK comes back), as on a network that has stopped delivering one way. Held bytes are
 * buffered and go through, in order, on resume().
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

export interface TcpProxy {
  url: string;
  hold(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let held = false;
  const pairs: Array<{ client: Socket; upstream: Socket; pending: Buffer[] }> = [];
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = { client, upstream, pending: [] as Buffer[] };
    pairs.push(pair);
    client.on('data', (d: Buffer) => (held ? pair.pending.push(d) : upstream.write(d)));
    upstream.on('data', (d: Buffer) => client.write(d));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    hold: () => (held = true),
    resume: () => {
      held = false;
      for (const p of pairs) for (const d of p.pending.splice(0)) p.upstream.write(d);
    },
    close: () =>
      new Promise<void>((r) => {
        for (const p of pairs) (p.client.destroy(), p.upstream.destroy());
        server.close(() => r());
      }),
  };
}
