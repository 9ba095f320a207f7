/**
 * The ECG model the demo and the MQTT load benchmark serve until the default models exist
 * (issue 8): the committed fixture student (fixtures/models/ecg-beat-gru-int8.wgm, trained on
 * synthetic beat windows: 0.5-40 Hz band-passed, 128 samples at 360 Hz, R peak at index 64)
 * with the format-v3 description of exactly that: raw input, preprocessing, beat windowing,
 * labels and detector defaults. Tensors are untouched (v3 keeps v2's layouts).
 */
import { loadWgm } from '../../src/model/load.js';
import { FORMAT_VERSION } from '../../src/model/schema.js';
import { writeWgm } from '../../src/model/write.js';

export const FIXTURE_ECG_MODEL = 'fixtures/models/ecg-beat-gru-int8.wgm';

export async function writeDemoEcgModel(path: string, source = FIXTURE_ECG_MODEL): Promise<string> {
  const m = await loadWgm(source);
  m.metadata = {
    ...m.metadata,
    formatVersion: FORMAT_VERSION,
    name: 'ecg-beat-gru-int8',
    description: 'demo ECG beat classifier (N, S, V): the fixture student described as a format-v3 beat model',
    input: {
      channels: 1,
      sampleRate: 360,
      window: 128,
      raw: { sampleRate: 360, units: 'mV', channels: ['MLII'] },
      preprocessing: [{ kind: 'bandpass', low: 0.5, high: 40, order: 2 }],
      windowing: { mode: 'beat', before: 64, after: 64, qrs: { detector: 'pan-tompkins' } },
    },
    labels: ['N', 'S', 'V'],
    detector: { thresholds: { S: 0.5, V: 0.5 }, normalLabels: ['N'], minDuration: 1, window: 1, hysteresis: 1, cooldown: 0 },
  };
  await writeWgm(path, { metadata: m.metadata, tensors: m.tensors });
  return path;
}
