import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WavegateHost } from '../../../src/mqtt/host.js';
import { readUpdateKeys, updateBytes, UpdateRefused, verifiedModel } from '../../../src/mqtt/model-update.js';
import { DEFAULT_MODEL_UPDATE_OPTIONS } from '../../../src/mqtt/model-update-options.js';
import { encodeWgm } from '../../../src/model/write.js';
import { parseTopic } from '../../../src/mqtt/topics.js';
import { levelModel } from '../../helpers/level-model.js';
import { captureLogger, levelFrames, recorder, waitFor } from '../../helpers/mqtt.js';
import { KERNELS, needs } from '../../helpers/needs.js';

const T0 = 1_767_225_600_000;
const dir = mkdtempSync(join(tmpdir(), 'wavegate-model-update-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const signer = generateKeyPairSync('ed25519');
const pubFile = join(dir, 'signer.pub.pem');
writeFileSync(pubFile, signer.publicKey.export({ type: 'spki', format: 'pem' }));
const opts = { ...DEFAULT_MODEL_UPDATE_OPTIONS, keys: [pubFile], allowUrls: true, maxBytes: 4096 };

async function refusal(p: Promise<unknown>): Promise<UpdateRefused> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UpdateRefused);
    return e as UpdateRefused;
  }
  throw new Error('expected a refusal');
}

describe('model update payloads', () => {
  let server: Server;
  let base: string;
  const model = encodeWgm(levelModel(), { signingKey: signer.privateKey });
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url!, 'http://x').pathname;
      if (path === '/m.wgm') res.end(Buffer.from(model));
      else if (path === '/big.wgm') res.end(Buffer.alloc(5000));
      else if (path === '/chunked.wgm') {
        res.write(Buffer.alloc(3000));
        res.end(Buffer.alloc(3000));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('routes model topics: the default and a named model; nothing else is one', () => {
    expect(parseTopic('wavegate/v1/_node/gw/model')).toEqual({ kind: 'model', node: 'gw', name: undefined });
    expect(parseTopic('wavegate/v1/_node/gw/model/ecg')).toEqual({ kind: 'model', node: 'gw', name: 'ecg' });
    expect(parseTopic('wavegate/v1/_node/gw/models').kind).toBe('other');
    expect(parseTopic('wavegate/v1/gw/model/samples').kind).toBe('samples');
  });

  it('takes the bytes as they are, fetches {"url"} from http: and file:, and bounds every size', async () => {
    expect((await updateBytes(model, opts)).from).toBe('payload');
    const viaHttp = await updateBytes(new TextEncoder().encode(JSON.stringify({ url: `${base}/m.wgm?token=secret` })), opts);
    expect([viaHttp.from, Buffer.from(viaHttp.bytes).equals(Buffer.from(model))]).toEqual([`${base}/m.wgm`, true]);
    const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
    expect((await refusal(updateBytes(new Uint8Array(5000), opts))).message).toMatch(/5000 bytes, over modelUpdates\.maxBytes \(4096\)/);
    expect((await refusal(updateBytes(enc({ url: `${base}/big.wgm` }), opts))).message).toMatch(/big\.wgm: 5000 bytes, over modelUpdates\.maxBytes/);
    expect((await refusal(updateBytes(enc({ url: `${base}/chunked.wgm` }), opts))).message).toMatch(/chunked\.wgm: more than modelUpdates\.maxBytes/);
    expect((await refusal(updateBytes(enc({ url: `${base}/nothing` }), opts))).message).toMatch(/nothing: HTTP 404/);
    expect((await refusal(updateBytes(enc({ url: 'ftp://x/m.wgm' }), opts))).message).toMatch(/only https:, http: and file: URLs/);
    expect((await refusal(updateBytes(enc({ url: `${base}/m.wgm`, extra: 1 }), opts))).message).toMatch(/must be \{"url": .*\} and nothing else/);
    expect((await refusal(updateBytes(enc({ url: `${base}/m.wgm` }), { ...opts, allowUrls: false }))).message).toMatch(/URL updates are off/);
    expect((await refusal(updateBytes(new TextEncoder().encode('{"url": '), opts))).message).toMatch(/neither a \.wgm file nor valid JSON/);
  });

  it('verifies before it interprets: a garbage header with a good digest position is still refused as not a .wgm', async () => {
    const keys = await readUpdateKeys([pubFile]);
    expect((await verifiedModel(model, keys, 'u', 1 << 20)).digest).toMatch(/^[0-9a-f]{64}$/);
    const r = await refusal(verifiedModel(new TextEncoder().encode('hello, not a model'), keys, 'u', 1 << 20));
    expect([r.reason, r.message]).toEqual(['E_MODEL_FORMAT', 'u: not a .wgm file (18 bytes; a .wgm starts with an 8-byte header length and a JSON header)']);
  });

  it('refuses key files that are not ed25519 public keys, naming the file', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const bad = join(dir, 'rsa.pub.pem');
    writeFileSync(bad, rsa.publicKey.export({ type: 'spki', format: 'pem' }));
    await expect(readUpdateKeys([bad])).rejects.toThrow(/modelUpdates\.keys: .*rsa\.pub\.pem .*not an ed25519 public key/);
    await expect(readUpdateKeys([join(dir, 'none.pem')])).rejects.toThrow(/none\.pem: no such file/);
  });
});

needs(KERNELS).describe('model updates of streaming models (embedded broker)', () => {
  it('moves every stream to the new model: slots kept, new streams still get one, windows go on', async () => {
    const v1 = join(dir, 'stream.wgm');
    writeFileSync(v1, encodeWgm(levelModel({ mode: 'stream' })));
    const log = captureLogger();
    const host = await WavegateHost.start({ models: [{ path: v1 }], port: 0, nodeId: 'n1', tickMs: 5, log, maxDevices: 3, maxStreamsPerDevice: 1, modelUpdates: { keys: [pubFile] } });
    const rec = await recorder(host.brokerUrl);
    // Streaming: each tick joins a stream's queued chunks into one push, so count chunks queued and wait for the queue to empty.
    const scores: number[] = [];
    host.on('scored', (s) => scores.push(s.scores[1]));
    const done = (chunks: number) => () => host.stats().windowsQueued === chunks && host.models[0].queue.length === 0;
    const frames = levelFrames({ t0: T0, fs: 100, n: 25, frames: 8, anomaly: [0, 200] });
    const level1 = (gain: number) => 1 / (1 + Math.exp(-(20 * Math.tanh(gain) - 10)));
    try {
      for (let k = 0; k < 4; k++) for (const d of ['a', 'b']) await rec.client.publishAsync(`wavegate/v1/${d}/x/samples`, frames[k]);
      await waitFor(done(8), '8 chunks scored');
      expect(scores.at(-1)).toBeCloseTo(level1(2), 4);
      const before1 = scores.length;
      const before = host.models[0];
      const slots = [...host.streams.values()].map((s) => s.slot).sort();
      await rec.client.publishAsync('wavegate/v1/_node/n1/model', Buffer.from(encodeWgm(levelModel({ mode: 'stream', gain: 1 }), { signingKey: signer.privateKey })));
      await waitFor(() => host.models[0] !== before, 'the swap');
      expect([...host.streams.values()].map((s) => s.slot).sort()).toEqual(slots);
      for (let k = 4; k < 8; k++) for (const d of ['a', 'b', 'c']) await rec.client.publishAsync(`wavegate/v1/${d}/x/samples`, frames[k]);
      await waitFor(done(20), '12 more chunks');
      expect(new Set([...host.streams.values()].map((s) => s.slot)).size).toBe(3); // c got a slot of its own
      for (const x of scores.slice(before1)) expect(x).toBeCloseTo(level1(1), 4);
      expect(log.entries.find((e) => e.msg === 'model updated')?.obj).toMatchObject({ streamsKept: 2, streamsRestarted: 0 });
      // from streaming to fixed windows: streams restart on the new chain and give up their slots
      await rec.client.publishAsync('wavegate/v1/_node/n1/model', Buffer.from(encodeWgm(levelModel(), { signingKey: signer.privateKey })));
      await waitFor(() => host.models[0].mode === 'fixed', 'the swap to fixed windows');
      expect([...host.streams.values()].map((s) => s.slot)).toEqual([-1, -1, -1]);
      expect(log.entries.filter((e) => e.msg === 'model updated').at(-1)?.obj).toMatchObject({ streamsKept: 0, streamsRestarted: 3 });
    } finally {
      await rec.client.endAsync();
      await host.stop();
    }
  }, 30_000);
});
