/**
 * Bad input through a real mosquitto while good devices stream: every kind of bad frame is
 * refused, counted under its own code and reported on the errors topic, and the good devices'
 * windows and alerts are exactly those of a run without any bad input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { encodeBinaryFrame } from '../../src/mqtt/frame-binary.js';
import { WavegateHost, type Alert } from '../../src/mqtt/host.js';
import { captureLogger, levelFrames, recorder, waitFor } from '../helpers/mqtt.js';
import { writeLevelModel } from '../helpers/level-model.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { KERNELS, MOSQUITTO, needs } from '../helpers/needs.js';

const T0 = 1_767_225_600_000;
const FRAMES = 40; // per good device: 40 frames of 25 samples at 100 Hz = 20 windows of 50
/** Good devices and where each is at level 1 (sample ranges): two of them have two episodes. */
const GOOD: Record<string, Array<[number, number]>> = { g1: [], g2: [[100, 300], [600, 800]], g3: [[450, 700]], g4: [] };

function goodFrames(device: string): string[] {
  const eps = GOOD[device];
  return Array.from({ length: FRAMES }, (_, k) => {
    const samples = Array.from({ length: 25 }, (_, i) => (eps.some(([a, b]) => k * 25 + i >= a && k * 25 + i < b) ? 1 : 0));
    return JSON.stringify({ seq: k, t: T0 + k * 250, fs: 100, samples });
  });
}

/** Each bad input: the device it comes from, the payload, and the code it must be refused with. */
function badInputs(): Array<{ device: string; payload: string | Buffer; code: string; topic?: string }> {
  const bin = (o: Partial<Parameters<typeof encodeBinaryFrame>[0]> = {}) => Buffer.from(encodeBinaryFrame({ seq: 0, t: T0, fs: 100, channels: 1, samples: new Array(25).fill(0), ...o }));
  const wrongDtype = bin();
  wrongDtype[5] = 7;
  const nan = bin({ samples: [0, 0, Number.NaN, ...new Array(22).fill(0)] });
  return [
    { device: 'b-garbage', payload: Buffer.from([0x00, 0xff, 0x13, 0x37, 0x42]), code: 'E_FRAME_MALFORMED' },
    { device: 'b-json', payload: '{"seq": 0, "t": ', code: 'E_FRAME_MALFORMED' },
    { device: 'b-trunc', payload: bin().subarray(0, 60), code: 'E_FRAME_TRUNCATED' },
    { device: 'b-dtype', payload: wrongDtype, code: 'E_FRAME_DTYPE' },
    { device: 'b-ragged', payload: JSON.stringify({ seq: 0, t: T0, fs: 100, samples: [[1, 2], [3]] }), code: 'E_FRAME_LENGTH' },
    { device: 'b-nan', payload: nan, code: 'E_FRAME_NONFINITE' },
    { device: 'b-inf', payload: `{"seq":0,"t":${T0},"fs":100,"samples":[0,1e999]}`, code: 'E_FRAME_NONFINITE' },
    { device: 'b-field', payload: JSON.stringify({ seq: 'one', t: T0, fs: 100, samples: [0] }), code: 'E_FRAME_FIELD' },
    { device: 'b-huge', payload: JSON.stringify({ seq: 0, t: T0, fs: 100, samples: new Array(100_000).fill(0.123) }), code: 'E_FRAME_TOO_LARGE' },
    { device: 'b-rate', payload: JSON.stringify({ seq: 0, t: T0, fs: 250, samples: new Array(25).fill(0) }), code: 'E_FRAME_RATE' },
    { device: 'b-chan', payload: JSON.stringify({ seq: 0, t: T0, fs: 100, samples: [[0, 0], [0, 0]] }), code: 'E_FRAME_CHANNELS' },
    { device: '_b-topic', payload: JSON.stringify({ seq: 0, t: T0, fs: 100, samples: [0] }), code: 'E_TOPIC' },
  ];
}

async function publishAll(client: MqttClient, topic: string, frames: Array<string | Buffer>): Promise<void> {
  for (const f of frames) await client.publishAsync(topic, f);
}

needs(MOSQUITTO, KERNELS).describe('bad input through mosquitto', () => {
  let broker: Mosquitto;
  let dir: string;
  let model: string;

  beforeAll(async () => {
    broker = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), 'wavegate-bad-input-'));
    model = await writeLevelModel(join(dir, 'level.wgm'));
  });
  afterAll(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Streams the good devices (and, when `bad`, everything else) and returns the host's alerts and counts. */
  async function run(node: string, bad: boolean) {
    // maxDevices: the four good devices, b-rate and b-chan (refused after their state exists), b-seq
    const host = await WavegateHost.start({ models: [{ path: model }], broker: broker.url, nodeId: node, tickMs: 5, maxDevices: 7, errorReportIntervalMs: 0, log: captureLogger() });
    const rec = await recorder(broker.url);
    const goodPub = await recorder(broker.url, 'nothing/#');
    const badPub = await recorder(broker.url, 'nothing/#');
    try {
      const good = Object.keys(GOOD).map((d) => ({ topic: `wavegate/v1/${d}/ecg/samples`, frames: goodFrames(d) }));
      const goodDone = (async () => {
        for (let k = 0; k < FRAMES; k++) for (const g of good) await goodPub.client.publishAsync(g.topic, g.frames[k]);
      })();
      let expectedRefusals = 0;
      if (bad) {
        for (const b of badInputs()) {
          await badPub.client.publishAsync(`wavegate/v1/${b.device}/ecg/samples`, b.payload);
          expectedRefusals++;
        }
        // a device whose frames repeat and go back
        const seqFrames = levelFrames({ t0: T0, fs: 100, n: 25, frames: 6 });
        await publishAll(badPub.client, 'wavegate/v1/b-seq/ecg/samples', [seqFrames[0], seqFrames[1], seqFrames[2], seqFrames[2], seqFrames[1], seqFrames[3]]);
        expectedRefusals += 2;
        await goodDone;
        await waitFor(() => host.stats().framesAccepted >= FRAMES * 4 + 4, 'good frames accepted');
        // devices beyond the cap, once the seven are live
        for (const d of ['b-new1', 'b-new2']) await badPub.client.publishAsync(`wavegate/v1/${d}/ecg/samples`, levelFrames({ t0: T0, fs: 100, n: 25, frames: 1 })[0]);
        expectedRefusals += 2;
        await waitFor(() => Object.values(host.stats().rejected).reduce((a, b) => a + (b ?? 0), 0) === expectedRefusals, `${expectedRefusals} refusals`);
        await waitFor(() => rec.json(`wavegate/v1/_node/${node}/errors`).length === expectedRefusals, 'every refusal on the errors topic');
      }
      await goodDone;
      await waitFor(() => host.stats().windowsScored >= (FRAMES / 2) * 4 + (bad ? 2 : 0), 'every good window scored');
      await new Promise((r) => setTimeout(r, 200));
      const alerts = Object.keys(GOOD).flatMap((d) => rec.json(`wavegate/v1/${d}/alerts`) as Alert[]);
      return { alerts, stats: host.stats(), errors: rec.json(`wavegate/v1/_node/${node}/errors`) as Array<{ device: string; code: string; message: string }>, log: broker.log() };
    } finally {
      await host.stop();
      await Promise.all([rec.client.endAsync(), goodPub.client.endAsync(), badPub.client.endAsync()]);
    }
  }

  it('refuses each bad input under its code, reports it, and leaves the good devices untouched', async () => {
    const clean = await run('clean', false);
    const dirty = await run('dirty', true);
    // the host connects to mosquitto as an MQTT 5 client
    expect(dirty.log).toMatch(/as wavegate-dirty \(p5,/);

    // good devices: g2 has two episodes, g3 one; the same alerts (ids included) with and without bad input
    const key = (a: Alert) => `${a.device} ${a.class} ${a.start} ${a.end} ${a.seq} ${a.id}`;
    expect(clean.alerts.map((a) => [a.device, a.start - T0, a.end - T0])).toEqual([['g2', 1000, 1990], ['g2', 6000, 6990], ['g3', 4500, 5490]]);
    expect(dirty.alerts.map(key).sort()).toEqual(clean.alerts.map(key).sort());

    const expected: Record<string, number> = {};
    for (const b of badInputs()) expected[b.code] = (expected[b.code] ?? 0) + 1;
    Object.assign(expected, { E_SEQ_DUPLICATE: 1, E_SEQ_ORDER: 1, E_DEVICE_LIMIT: 2 });
    expect(dirty.stats.rejected).toEqual(expected);
    expect(clean.stats.rejected).toEqual({});
    // one report per refusal, naming device, stream and code
    const reported: Record<string, number> = {};
    for (const e of dirty.errors) reported[e.code] = (reported[e.code] ?? 0) + 1;
    expect(reported).toEqual(expected);
    expect(dirty.errors.find((e) => e.device === 'b-huge')?.message).toMatch(/over the limit of 262144/);
    expect(dirty.errors.find((e) => e.device === 'b-new1')?.message).toMatch(/maxDevices/);
    expect(dirty.stats.windowsDropped).toBe(0);
  });
});
