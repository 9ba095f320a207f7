/**
 * The committed fixture models served through a real mosquitto, fed synthetic ECG (tools/synth)
 * at 360 Hz by several devices in JSON and binary frames: every window is scored, in batches
 * across streams, and each window's scores equal the offline session's on the same samples.
 * Two models side by side, routed by the config's `match` (INT8 for "ecg", float for "ecg-f32").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBinaryFrame } from '../../src/mqtt/frame-binary.js';
import { encodeJsonFrame } from '../../src/mqtt/frame-json.js';
import { WavegateHost } from '../../src/mqtt/host.js';
import { loadModel } from '../../src/runtime/model.js';
import { synthEcg } from '../../tools/synth/ecg.js';
import { captureLogger, recorder, waitFor } from '../helpers/mqtt.js';
import { mosquittoInstalled, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { kernelsBuilt } from '../src/runtime/helpers.js';

const INT8 = 'fixtures/models/ecg-beat-gru-int8.wgm';
const F32 = 'fixtures/models/ecg-beat-gru.wgm';
const FS = 360;
const SECONDS = 8;
const FRAME = 36; // 100 ms per frame
const WINDOW = 128; // the fixture models' input.window (no windowing in these v1/v2 files: fixed, hop = window)
const DEVICES = 4;
const T0 = 1_767_225_600_000;

describe.skipIf(!mosquittoInstalled || !kernelsBuilt)('fixture ECG models through mosquitto', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => broker?.stop());

  it('scores every window of every stream exactly as the offline session does', async () => {
    const host = await WavegateHost.start({
      models: [{ path: INT8, name: 'ecg-int8', labels: ['N', 'S', 'V'] }, { path: F32, name: 'ecg-f32', labels: ['N', 'S', 'V'], match: ['+/ecg-f32'] }],
      broker: broker.url,
      nodeId: 'fixture',
      backend: 'ref',
      log: captureLogger(),
    });
    const scored = new Map<string, Array<{ start: number; scores: number[] }>>();
    host.on('scored', (s) => {
      const k = `${s.device}/${s.stream}`;
      if (!scored.has(k)) scored.set(k, []);
      scored.get(k)!.push({ start: s.start, scores: Array.from(s.scores) });
    });
    const pub = await recorder(broker.url, 'nothing/#');
    const signals = Array.from({ length: DEVICES }, (_, d) => synthEcg({ fs: FS, seconds: SECONDS, seed: 100 + d, premature: { V: 0.1 } }).signal);
    try {
      const frames = (FS * SECONDS) / FRAME;
      for (let k = 0; k < frames; k++) {
        for (let d = 0; d < DEVICES; d++) {
          const samples = signals[d].subarray(k * FRAME, (k + 1) * FRAME);
          const f = { seq: k, t: T0 + k * 100, fs: FS, channels: 1, samples };
          // even devices speak JSON, odd ones binary; device 0 also feeds the float model
          const payload = d % 2 === 0 ? encodeJsonFrame(f) : Buffer.from(encodeBinaryFrame(f));
          await pub.client.publishAsync(`wavegate/v1/dev${d}/ecg/samples`, payload);
          if (d === 0) await pub.client.publishAsync('wavegate/v1/dev0/ecg-f32/samples', payload);
        }
      }
      const perStream = Math.floor((FS * SECONDS) / WINDOW);
      await waitFor(() => host.stats().windowsScored === perStream * (DEVICES + 1), `${perStream * (DEVICES + 1)} windows scored`, 30_000);
      const stats = host.stats();
      expect(stats.rejected).toEqual({});
      expect(stats.gaps).toBe(0);
      // windows of several streams share kernel calls
      expect(stats.windowsScored / stats.kernelCalls).toBeGreaterThan(1);

      for (const [path, key, d] of [[INT8, 'dev1/ecg', 1], [INT8, 'dev2/ecg', 2], [F32, 'dev0/ecg-f32', 0]] as const) {
        const model = await loadModel(path);
        const session = await model.createSession({ backend: 'ref', maxBatch: 64 });
        const offline = session.run(signals[d].subarray(0, perStream * WINDOW), perStream);
        const got = scored.get(key)!;
        expect(got.map((g) => g.start)).toEqual(Array.from({ length: perStream }, (_, k) => T0 + (k * WINDOW * 1000) / FS));
        got.forEach((g, k) => expect(g.scores, `${key} window ${k}`).toEqual(Array.from(offline.subarray(k * 3, k * 3 + 3))));
        model.dispose();
      }
    } finally {
      await host.stop();
      await pub.client.endAsync();
    }
  });
});
