/**
 * Small self-describing bearing models for the CWRU evaluation tests (written to a folder, as the
 * CLI takes files): fixed 1024-sample windows of the drive-end channel at 12 kHz, the CWRU default
 * stage list (the 48 kHz normal baseline decimated by 4).
 *
 * - `writeBearingClassifier`: a GRU-8 with seeded random weights and 10 softmax outputs labelled
 *   with the 10-class task: its figures are chance-level; the tests check structure and arithmetic.
 * - `writeBearingAnomaly`: a hand-set one-output model that scores vibration energy. GRU-2 with
 *   its update gate shut (bias -12, so h_t = n_t) and no recurrence, candidate weights +-a and bias
 *   -c: h = (tanh(a x - c), tanh(-a x - c)), whose mean over the window grows with |x|; a dense
 *   sigmoid head turns the sum into a score. Faults shake harder than the normal baseline, so its
 *   AUROC is far from 0.5, which makes the anomaly path's figures non-trivial.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTensor } from '../../../src/model/formats.js';
import { CWRU_LABELS_10 } from '../../../src/labels/cwru.js';
import { FORMAT_NAME, FORMAT_VERSION, type InputSpec, type LayerSpec, type Tensor, type WgmModel } from '../../../src/model/schema.js';
import { encodeWgm } from '../../../src/model/write.js';
import { Rng } from '../../../tools/synth/rng.js';

export const BEARING_WINDOW = 1024;
export const BEARING_HOP = 512;

const INPUT: InputSpec = {
  channels: 1,
  sampleRate: 12000,
  window: BEARING_WINDOW,
  hop: BEARING_HOP,
  channelNames: ['DE'],
  raw: { sampleRate: 12000, units: 'g', channels: ['DE'] },
  preprocessing: [{ kind: 'decimate', to: 12000 }],
  windowing: { mode: 'fixed', window: BEARING_WINDOW, hop: BEARING_HOP },
};

function gruModel(name: string, H: number, W: Float32Array, R: Float32Array, B: Float32Array, head: { W: Float32Array; b: Float32Array; out: number; activation: 'softmax' | 'sigmoid' }, extra: Partial<WgmModel['metadata']>): WgmModel {
  const layers: LayerSpec[] = [
    { type: 'gru', name: 'gru', inputSize: 1, hiddenSize: H, direction: 'forward', linearBeforeReset: true, precision: 'f32' },
    { type: 'pool', name: 'pool', mode: head.activation === 'sigmoid' ? 'mean' : 'last' },
    { type: 'dense', name: 'fc', inFeatures: H, outFeatures: head.out, activation: 'none' },
  ];
  const tensors = new Map<string, Tensor>([
    ['gru.W', makeTensor('F32', [1, 3 * H, 1], W)],
    ['gru.R', makeTensor('F32', [1, 3 * H, H], R)],
    ['gru.B', makeTensor('F32', [1, 6 * H], B)],
    ['fc.W', makeTensor('F32', [head.out, H], head.W)],
    ['fc.b', makeTensor('F32', [head.out], head.b)],
  ]);
  return {
    metadata: { format: FORMAT_NAME, formatVersion: FORMAT_VERSION, name, input: INPUT, layers, output: { activation: head.activation, size: head.out }, ...extra },
    tensors,
  };
}

function random(n: number, rng: Rng, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.uint32() / 2 ** 32 - 0.5) * 2 * scale);
}

/** A 10-class bearing classifier with random weights; returns its path. */
export function writeBearingClassifier(dir: string, seed = 5): string {
  const rng = new Rng(seed);
  const H = 8;
  const m = gruModel('bearing-random', H, random(3 * H, rng, 1), random(3 * H * H, rng, 0.5), random(6 * H, rng, 0.2),
    { W: random(10 * H, rng, 1), b: random(10, rng, 0.1), out: 10, activation: 'softmax' },
    { labels: [...CWRU_LABELS_10], detector: { threshold: 0.5, normalLabels: ['normal'], minDuration: 2, window: 3 } });
  const path = join(dir, 'bearing-random.wgm');
  writeFileSync(path, encodeWgm(m, { source: path }));
  return path;
}

/** The energy-scoring anomaly model (one sigmoid output); returns its path. */
export function writeBearingAnomaly(dir: string, options: { threshold?: number; labels?: string[] } = {}): string {
  const a = 5, c = 2, k = 4, beta = 6;
  const W = new Float32Array([0, 0, 0, 0, a, -a]); // rows z1 z2 r1 r2 n1 n2
  const B = new Float32Array([-12, -12, 0, 0, -c, -c, 0, 0, 0, 0, 0, 0]); // Wb z r n, then Rb z r n
  const m = gruModel('bearing-energy', 2, W, new Float32Array(12), B, { W: new Float32Array([k, k]), b: new Float32Array([beta]), out: 1, activation: 'sigmoid' },
    { ...(options.labels ? { labels: options.labels } : {}), detector: { threshold: options.threshold ?? 0.5, minDuration: 1, window: 1 } });
  const path = join(dir, 'bearing-energy.wgm');
  writeFileSync(path, encodeWgm(m, { source: path }));
  return path;
}
