/**
 * A model whose preprocessing ends in a spectrum stage (models/bearing-fault.wgm: one accelerometer
 * channel becomes 32 log band energies per 128 samples) served through a real mosquitto: sample
 * frames carry the stream's one channel, the host's chain makes the 7 x 32 windows, and every
 * window's scores equal the model's own chain and a session offline, for a 12 kHz device and a
 * 48 kHz one (decimated by the model's first stage). A frame with two channels is refused naming
 * the stream's count, not the network's.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeBinaryFrame } from '../../src/mqtt/frame-binary.js';
import { encodeJsonFrame } from '../../src/mqtt/frame-json.js';
import { WavegateHost } from '../../src/mqtt/host.js';
import { synthBearing, type BearingFault } from '../../tools/synth/bearing.js';
import { captureLogger, recorder, waitFor } from '../helpers/mqtt.js';
import { offlineScores, scoredByStream } from '../helpers/offline-scores.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { KERNELS, MOSQUITTO, needs } from '../helpers/needs.js';

const MODEL = 'models/bearing-fault.wgm';
const SECONDS = 2;
const T0 = 1_767_225_600_000;
const DEVICES: Array<{ name: string; fs: number; fault: BearingFault; seed: number }> = [
  { name: 'pump1', fs: 12000, fault: 'normal', seed: 1 },
  { name: 'pump2', fs: 12000, fault: 'inner', seed: 2 },
  { name: 'fan1', fs: 48000, fault: 'outer', seed: 3 },
];

needs(MOSQUITTO, KERNELS).describe('a spectrum-stage model through mosquitto', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => broker?.stop());

  it('scores every window of every stream as the model chain and a session do offline; frames count stream channels', async () => {
    const host = await WavegateHost.start({ models: [{ path: MODEL, name: 'bearing' }], broker: broker.url, nodeId: 'vib', backend: 'ref', log: captureLogger() });
    const scored = scoredByStream(host);
    const pub = await recorder(broker.url, 'wavegate/v1/_node/vib/errors');
    try {
      const signals = DEVICES.map((d) => synthBearing({ fs: d.fs, seconds: SECONDS, fault: d.fault, seed: d.seed }).signal);
      const expected = new Map(await Promise.all(DEVICES.map(async (d, i) => [`${d.name}/vib`, await offlineScores(MODEL, signals[i], d.fs)] as [string, number[][]])));
      // 100 ms frames; the 12 kHz devices speak binary, the 48 kHz one JSON.
      for (let k = 0; k < SECONDS * 10; k++) {
        for (const [i, d] of DEVICES.entries()) {
          const n = d.fs / 10;
          const f = { seq: k, t: T0 + k * 100, fs: d.fs, channels: 1, samples: signals[i].subarray(k * n, (k + 1) * n) };
          await pub.client.publishAsync(`wavegate/v1/${d.name}/vib/samples`, d.fs === 12000 ? Buffer.from(encodeBinaryFrame(f)) : encodeJsonFrame(f));
        }
      }
      const total = [...expected.values()].reduce((n, w) => n + w.length, 0);
      // 2 s at hop 256 samples: 7-frame windows from 1,024 samples on, about 90 a stream.
      expect(total).toBeGreaterThan(3 * 80);
      await waitFor(() => host.stats().windowsScored === total, `${total} windows scored`, 30_000);
      for (const [key, want] of expected) expect(scored.get(key), key).toEqual(want);
      expect(host.stats().rejected).toEqual({});

      // Two channels: the model takes one stream channel (its network's 32 are the bands).
      const two = { seq: 0, t: T0, fs: 12000, channels: 2, samples: new Float32Array(2400) };
      await pub.client.publishAsync('wavegate/v1/pump3/vib/samples', Buffer.from(encodeBinaryFrame(two)));
      await waitFor(() => (host.stats().rejected.E_FRAME_CHANNELS ?? 0) === 1, 'the two-channel frame refused', 10_000);
      await waitFor(() => pub.messages.length > 0, 'an error message', 10_000);
      expect(pub.messages[0].payload.toString()).toMatch(/frame has 2 channel\(s\), model bearing takes 1/);
    } finally {
      await host.stop();
      await pub.client.endAsync();
    }
  });
});
