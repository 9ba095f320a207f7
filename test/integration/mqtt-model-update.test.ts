/**
 * Signed model updates through a real mosquitto: two devices stream while models are published
 * to wavegate/v1/_node/<node>/model (the .wgm bytes, by our client and by Debian's mosquitto_pub,
 * and a {"url"} to a file). The host's scores topic shows every window exactly once across each
 * swap, which model version scored it, and that a window begun before a swap is finished by the
 * new model; refused updates (unsigned, signed by a stranger, tampered, not a .wgm, incompatible)
 * go to the errors topic and the log while the old model keeps serving.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WavegateHost, type Alert, type ErrorReport, type ModelsReport } from '../../src/mqtt/host.js';
import { encodeWgm } from '../../src/model/write.js';
import { levelModel } from '../helpers/level-model.js';
import { MOSQUITTO_PUB, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { captureLogger, levelFrames, recorder, waitFor } from '../helpers/mqtt.js';
import { KERNELS, MOSQUITTO, MOSQUITTO_CLIENTS, needs } from '../helpers/needs.js';

const T0 = 1_767_225_600_000;
const NODE = 'upd-node';
const MODEL_TOPIC = `wavegate/v1/_node/${NODE}/model`;

interface ScoresMessage {
  device: string;
  stream: string;
  model: string;
  modelVersion: string;
  start: number;
  end: number;
  seq: number;
  scores: number[];
}

let broker: Mosquitto;
let dir: string;

needs(MOSQUITTO, MOSQUITTO_CLIENTS, KERNELS).describe('signed model updates over MQTT (mosquitto)', () => {
  beforeAll(async () => {
    broker = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), 'wavegate-update-'));
  });
  afterAll(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hot-swaps signed models without losing a window; refuses the rest and keeps serving', async () => {
    const signer = generateKeyPairSync('ed25519');
    const stranger = generateKeyPairSync('ed25519');
    const pub = join(dir, 'signer.pub.pem');
    writeFileSync(pub, signer.publicKey.export({ type: 'spki', format: 'pem' }));
    const v1 = join(dir, 'level.wgm');
    writeFileSync(v1, encodeWgm(levelModel())); // the served file needs no signature
    // v2: other weights (gain 1), the same input spec, so chains and partial windows carry over
    const v2 = encodeWgm(levelModel({ gain: 1 }), { signingKey: signer.privateKey });
    // v3: windows of 25 samples: another input spec, so every stream restarts on the new chain
    const v3 = encodeWgm(levelModel({ window: 25, hop: 25 }), { signingKey: signer.privateKey });
    const v4File = join(dir, 'v4.wgm');
    writeFileSync(v4File, encodeWgm(levelModel({ gain: 1.5 }), { signingKey: signer.privateKey }));

    const log = captureLogger();
    const host = await WavegateHost.start({ models: [{ path: v1 }], broker: broker.url, nodeId: NODE, tickMs: 5, log, publishScores: true, errorReportIntervalMs: 0, modelUpdates: { keys: [pub], allowUrls: true } });
    const rec = await recorder(broker.url);
    const scores = () => rec.messages.filter((m) => m.topic.endsWith('/scores')).map((m) => JSON.parse(m.text) as ScoresMessage);
    const served = () => rec.json(`wavegate/v1/_node/${NODE}/models`) as ModelsReport[];
    const errors = () => rec.json(`wavegate/v1/_node/${NODE}/errors`) as ErrorReport[];
    const versions: string[] = [host.models[0].version];
    const frames = { a: levelFrames({ t0: T0, fs: 100, n: 25, frames: 40 }), b: levelFrames({ t0: T0, fs: 100, n: 25, frames: 40, anomaly: [300, 500] }) };
    const stream = async (from: number, to: number) => {
      for (let k = from; k < to; k++) for (const d of ['a', 'b'] as const) await rec.client.publishAsync(`wavegate/v1/${d}/vib/samples`, frames[d][k]);
    };
    const swapTo = async (payload: Buffer | string, how: 'client' | 'mosquitto_pub') => {
      const before = served().length;
      if (how === 'client') await rec.client.publishAsync(MODEL_TOPIC, payload, { qos: 1 });
      else {
        const f = join(dir, 'payload.bin');
        writeFileSync(f, payload);
        execFileSync(MOSQUITTO_PUB!, ['-h', '127.0.0.1', '-p', String(broker.port), '-q', '1', '-t', MODEL_TOPIC, '-f', f]);
      }
      await waitFor(() => served().length > before, 'the models topic to announce the new model');
      const now = served().at(-1)!.models[0];
      expect(now).toMatchObject({ name: 'level', source: 'update' });
      versions.push(now.version);
    };
    try {
      await waitFor(() => served().length > 0, 'the retained models report');
      expect(served()[0]).toMatchObject({ models: [{ name: 'level', version: versions[0], source: 'file' }] });

      // 9 frames of 25: windows 0-3 complete, window 4 half received
      await stream(0, 9);
      await waitFor(() => scores().length === 8, '8 windows scored by v1');
      await swapTo(Buffer.from(v2), 'mosquitto_pub');
      await stream(9, 24);
      await waitFor(() => scores().length === 24, '24 windows scored');
      for (const d of ['a', 'b']) {
        const mine = scores().filter((s) => s.device === d);
        // every window once, in order, none lost to the swap
        expect(mine.map((s) => (s.start - T0) / 500)).toEqual([...Array(12).keys()]);
        // windows 0-3 by v1; window 4, half received before the swap, and the rest by v2
        expect(mine.map((s) => s.modelVersion)).toEqual([...Array(4).fill(versions[0]), ...Array(8).fill(versions[1])]);
      }
      // v2's score of a level-1 window: sigmoid(20 tanh(1) - 10), not v1's sigmoid(20 tanh(2) - 10)
      const loud = scores().find((s) => s.device === 'b' && s.start === T0 + 3000)!;
      expect(loud.scores[1]).toBeCloseTo(1 / (1 + Math.exp(-(20 * Math.tanh(1) - 10))), 4);
      const alerts = rec.json('wavegate/v1/b/alerts') as Alert[];
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ start: T0 + 3000, modelVersion: versions[1] });
      expect(host.stats().streams).toBe(2);
      expect(log.entries.find((e) => e.msg === 'model updated')?.obj).toMatchObject({ model: 'level', version: versions[1], previous: versions[0], streamsKept: 2, streamsRestarted: 0 });

      // Refusals: each reported and logged; v2 serves on.
      const tampered = Buffer.from(v2);
      tampered[tampered.length - 1] ^= 0x01;
      const refusals: Array<[string, Buffer | string, string, RegExp]> = [
        ['unsigned', Buffer.from(encodeWgm(levelModel({ gain: 1.2 }))), 'E_MODEL_DIGEST', /carries no wavegate\.signature/],
        ['signed by a stranger', Buffer.from(encodeWgm(levelModel({ gain: 1.2 }), { signingKey: stranger.privateKey })), 'E_MODEL_DIGEST', /verifies with none of the 1 configured key\(s\) \(.*signer\.pub\.pem\)/],
        ['tampered after signing', tampered, 'E_MODEL_DIGEST', /digest mismatch/],
        ['not a .wgm', Buffer.from('\x89PNG\r\n\x1a\n this is an image'), 'E_MODEL_FORMAT', /not a \.wgm file/],
        ['for another sample rate', Buffer.from(encodeWgm(levelModel({ fs: 250 }), { signingKey: signer.privateKey })), 'E_MODEL_UNSUPPORTED', /stream .*\/vib \(100 Hz\) cannot feed the new model/],
        ['a URL that is not there', JSON.stringify({ url: pathToFileURL(join(dir, 'missing.wgm')).href }), 'E_NOT_FOUND', /missing\.wgm: ENOENT/],
      ];
      for (const [i, [, payload]] of refusals.entries()) {
        await rec.client.publishAsync(MODEL_TOPIC, payload, { qos: 1 });
        await waitFor(() => errors().length === i + 1, `refusal ${i + 1} on the errors topic`);
      }
      refusals.forEach(([what, , reason, pattern], i) => {
        expect(errors()[i], what).toMatchObject({ device: '_node', stream: 'model', code: 'E_MODEL_UPDATE', reason, model: 'level' });
        expect(errors()[i].message, what).toMatch(pattern);
      });
      expect(log.entries.filter((e) => e.msg === 'model update refused; the served model stays')).toHaveLength(refusals.length);
      expect(host.stats().rejected.E_MODEL_UPDATE).toBe(refusals.length);
      await stream(24, 28);
      await waitFor(() => scores().length === 28, '4 more windows');
      expect(scores().slice(24).map((s) => s.modelVersion)).toEqual(Array(4).fill(versions[1]));

      // v3 cuts windows of 25: each stream starts a new segment at its next frame
      await swapTo(Buffer.from(v3), 'client');
      expect(log.entries.filter((e) => e.msg === 'model updated').at(-1)?.obj).toMatchObject({ streamsKept: 0, streamsRestarted: 2 });
      await stream(28, 32);
      await waitFor(() => scores().length === 36, '8 windows of v3');
      const v3Windows = scores().slice(28).filter((s) => s.device === 'a');
      expect(v3Windows.map((s) => [s.start - T0, s.end - s.start, s.modelVersion])).toEqual([7000, 7250, 7500, 7750].map((t) => [t, 240, versions[2]]));

      // the {"url"} form, from a file
      await swapTo(JSON.stringify({ url: pathToFileURL(v4File).href }), 'client');
      expect(host.models[0].version).toBe(versions[3]);
      expect(host.models[0].path).toBe(pathToFileURL(v4File).href);
      // the same model again (a retained update seen on every reconnect): nothing happens
      await rec.client.publishAsync(MODEL_TOPIC, readFileSync(v4File), { qos: 1 });
      await waitFor(() => log.entries.some((e) => e.msg === 'model update: already serving this model'), 'the repeat to be ignored');
      expect(served().at(-1)!.models[0].version).toBe(versions[3]);
      expect(new Set(versions).size).toBe(4);
    } finally {
      await rec.client.endAsync();
      await host.stop();
    }
  }, 120_000);
});
