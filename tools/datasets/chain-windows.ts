/**
 * How every dataset builder (MIT-BIH, CWRU, synthetic) makes its windows: each recording goes
 * through the device's own signal chain (src/signal/chain.ts) built from the stage list the
 * dataset records, so the windows and features of a dataset are what a device computes on the
 * same raw recording (test/tools/datasets/contract.test.ts holds them to the same bits).
 *
 * Side features take two passes: the chain runs without feature normalisation and the raw float32
 * rows are kept; their statistics over the whole dataset (or a training set's, for a test set)
 * become `input.features.normalize`; then every row is normalised with the device's own
 * normalizeFeatures. A device given that input spec computes the same normalised values.
 */
import { WavegateError } from '../../src/errors.js';
import type { InputSpec } from '../../src/model/schema.js';
import { createSignalChain, type ChainWindow } from '../../src/signal/chain.js';
import { featureStats, normalizeFeatures } from '../../src/signal/rr-features.js';

/**
 * One recording through the chain, in chunks (so that no more than about 4 MiB of windows are
 * pending at a time and a dataset size limit stops a build before memory runs out), then flushed
 * (the end of a recording). With `peaks` (raw sample indices, increasing), beat windows sit on
 * those peaks instead of the detector's. Each window goes to `onWindow`, in order. Chunking does
 * not change the windows (tested in test/src/signal/chain.test.ts). Returns the frames produced
 * at the model rate.
 */
export function chainWindows(input: InputSpec, rate: number, frames: Float32Array, onWindow: (w: ChainWindow) => void, peaks?: ArrayLike<number>): number {
  const chain = createSignalChain(input, rate, peaks ? { peaks: 'given' } : {});
  const c = chain.streamChannels;
  const w = input.windowing;
  const perChunk = w?.mode === 'fixed' ? Math.max(1, Math.min(65536, w.hop * Math.max(1, Math.floor(2 ** 20 / (w.window * chain.channels))))) : 65536;
  if (peaks) chain.pushPeaks(peaks).forEach(onWindow);
  for (let f = 0; f * c < frames.length; f += perChunk) chain.push(frames.subarray(f * c, (f + perChunk) * c)).forEach(onWindow);
  chain.flush().forEach(onWindow);
  return chain.framesOut;
}

/** The input spec of the first pass: side features without normalisation. */
export function rawFeaturesInput(input: InputSpec): InputSpec {
  if (!input.features) return input;
  const { normalize: _drop, ...features } = input.features;
  return { ...input, features };
}

/**
 * Normalises raw feature rows ([n, f] row-major) with `given` statistics (a training set's) or,
 * by default, the rows' own; returns the normalised rows and the statistics used.
 */
export function normalizeDatasetFeatures(raw: Float32Array, f: number, given?: { mean: number[]; std: number[] }): { features: Float32Array; normalize: { mean: number[]; std: number[] } } {
  if (given && (given.mean.length !== f || given.std.length !== f)) {
    throw new WavegateError('E_ARGUMENT', `feature normalisation has ${given.mean.length}/${given.std.length} values for ${f} features`);
  }
  const normalize = given ?? featureStats(raw, f);
  const features = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i += f) features.set(normalizeFeatures(raw.subarray(i, i + f), normalize), i);
  return { features, normalize };
}
