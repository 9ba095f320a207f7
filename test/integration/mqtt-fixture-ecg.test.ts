/**
 * The committed demo models (self-describing beat models: band-pass, QRS detection, N/S/V)
 * served through a real mosquitto, fed synthetic ECG (tools/synth) at 360 Hz by several devices
 * in JSON and binary frames: each stream's beats are scored, in batches across streams, with
 * exactly the scores the model's own chain and a session give offline (the signal contract held
 * end to end). Two models side by side, routed by the config's `match`: INT8 for "ecg", float
 * for "ecg-f32".
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeBinaryFrame } from '../../src/mqtt/frame-binary.js';
import { encodeJsonFrame } from '../../src/mqtt/frame-json.js';
import { WavegateHost } from '../../src/mqtt/host.js';
import { synthEcg } from '../../tools/synth/ecg.js';
import { captureLogger, recorder, waitFor } from '../helpers/mqtt.js';
import { offlineScores, scoredByStream } from '../helpers/offline-scores.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { KERNELS, MOSQUITTO, needs } from '../helpers/needs.js';

const INT8 = 'fixtures/models/ecg-beat-gru-int8.wgm';
const F32 = 'fixtures/models/ecg-beat-gru.wgm';
const FS = 360;
const SECONDS = 12;
const FRAME = 36; // 100 ms per frame
const DEVICES = 4;
const T0 = 1_767_225_600_000;

needs(MOSQUITTO, KERNELS).describe('demo models through mosquitto', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => broker?.stop());

  it('scores every beat of every stream exactly as the model chain and a session do offline', async () => {
    const host = await WavegateHost.start({
      models: [{ path: INT8, name: 'ecg-int8' }, { path: F32, name: 'ecg-f32', match: ['+/ecg-f32'] }],
      broker: broker.url,
      nodeId: 'fixture',
      backend: 'ref',
      log: captureLogger(),
    });
    const scored = scoredByStream(host);
    const pub = await recorder(broker.url, 'nothing/#');
    const signals = Array.from({ length: DEVICES }, (_, d) => synthEcg({ fs: FS, seconds: SECONDS, seed: 100 + d, premature: { V: 0.1 } }).signal);
    try {
      const expected = new Map<string, number[][]>([
        ['dev0/ecg-f32', await offlineScores(F32, signals[0], FS)],
        ...(await Promise.all(signals.map(async (s, d) => [`dev${d}/ecg`, await offlineScores(INT8, s, FS)] as [string, number[][]]))),
      ]);
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
      const total = [...expected.values()].reduce((n, w) => n + w.length, 0);
      expect(total).toBeGreaterThan(DEVICES * 8);
      await waitFor(() => host.stats().windowsScored === total, `${total} beats scored`, 30_000);
      const stats = host.stats();
      expect(stats.rejected).toEqual({});
      expect(stats.gaps).toBe(0);
      // windows of several streams share kernel calls
      expect(stats.windowsScored / stats.kernelCalls).toBeGreaterThan(1);
      for (const [key, want] of expected) expect(scored.get(key), key).toEqual(want);
    } finally {
      await host.stop();
      await pub.client.endAsync();
    }
  });
});
