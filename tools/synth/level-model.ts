/**
 * A "level detector" model with hand-set weights, so MQTT tests and the chaos run know exactly which
 * windows alert. A one-unit GRU whose update gate is shut (bias -20) computes h_t = tanh(gain x_t);
 * mean pooling and a dense head give, with a softmax over [normal, anomaly],
 *
 *   score(anomaly) = sigmoid(20 * mean_t tanh(gain * x_t) - 10)
 *
 * so a window of x = 0 scores 4.5e-5 and a window of x = 1 (gain 2) scores 0.9999. Format v3,
 * fixed windows, detector defaults in the file.
 */
import { writeWgm } from '../../src/model/write.js';
import { FORMAT_VERSION, type DetectorDefaults, type Tensor, type WgmModel } from '../../src/model/schema.js';

export interface LevelModelSpec {
  /** Sample rate in Hz. Default 100. */
  fs?: number;
  /** Window and hop in samples. Default 50 and 50. */
  window?: number;
  hop?: number;
  gain?: number;
  detector?: DetectorDefaults;
  /** `stream`: streaming windowing (Session.push), pool `last`. Default `fixed`. */
  mode?: 'fixed' | 'stream';
}

const f32 = (shape: number[], values: number[]): Tensor => ({ dtype: 'F32', shape, data: Float32Array.from(values) });

export function levelModel(spec: LevelModelSpec = {}): WgmModel {
  const fs = spec.fs ?? 100, window = spec.window ?? 50, hop = spec.hop ?? 50, gain = spec.gain ?? 2;
  const stream = spec.mode === 'stream';
  const tensors = new Map<string, Tensor>([
    // gate rows z, r, h; one unit, one input
    ['gru0.W', f32([1, 3, 1], [0, 0, gain])],
    ['gru0.R', f32([1, 3, 1], [0, 0, 0])],
    ['gru0.B', f32([1, 6], [-20, 0, 0, 0, 0, 0])],
    ['head.W', f32([2, 1], [0, 20])],
    ['head.b', f32([2], [0, -10])],
  ]);
  return {
    metadata: {
      format: 'wavegate-model',
      formatVersion: FORMAT_VERSION,
      name: 'level',
      input: {
        channels: 1,
        sampleRate: fs,
        ...(stream ? {} : { window, hop }),
        raw: { sampleRate: fs, units: 'mV', channels: ['x'] },
        windowing: stream ? { mode: 'stream' } : { mode: 'fixed', window, hop },
      },
      layers: [
        { type: 'gru', name: 'gru0', inputSize: 1, hiddenSize: 1, direction: 'forward', linearBeforeReset: true, precision: 'f32' },
        { type: 'pool', name: 'pool', mode: stream ? 'last' : 'mean' },
        { type: 'dense', name: 'head', inFeatures: 1, outFeatures: 2, activation: 'none' },
      ],
      output: { activation: 'softmax', size: 2 },
      labels: ['normal', 'anomaly'],
      detector: spec.detector ?? { thresholds: { anomaly: 0.5 }, normalLabels: ['normal'], minDuration: 2, window: 3, hysteresis: 2, cooldown: 0 },
      provenance: { producer: 'tools/synth/level-model.ts' },
    },
    tensors,
  };
}

export async function writeLevelModel(path: string, spec: LevelModelSpec = {}): Promise<string> {
  await writeWgm(path, levelModel(spec));
  return path;
}
