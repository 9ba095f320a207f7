/**
 * Runs the float model over calibration windows and collects the values entering every layer
 * that becomes INT8: each recurrent layer's input x (every step; one scale per layer), and each
 * dense layer's input row, whose side-feature columns (the first dense layer of a model with
 * input.features) are a statistic of their own. The float model is the project's one float
 * reference (src/runtime/reference.ts, its `tap`), so the values are what the trained network
 * computes, in float64, before any rounding.
 */
import type { WgmModel } from '../../src/model/schema.js';
import { referenceForward } from '../../src/runtime/reference.js';
import { ActivationStats } from './calibrate.js';

/** One quantized input of the model: a layer's input columns, or the side-feature columns of the first dense layer. */
export interface QuantSite {
  /** The layer's name. */
  layer: string;
  /** `input`: the layer's input (the pooled columns for the first dense layer of a model with side features); `features`: the side-feature columns. */
  part: 'input' | 'features';
  kind: 'recurrent' | 'dense';
}

export const siteKey = (s: QuantSite): string => (s.part === 'features' ? `${s.layer}.features` : s.layer);

/** The model's quantized inputs in network order. */
export function quantSites(model: WgmModel): QuantSite[] {
  const sites: QuantSite[] = [];
  const F = model.metadata.input.features?.names.length ?? 0;
  let firstDense = true;
  for (const l of model.metadata.layers) {
    if (l.type === 'lstm' || l.type === 'gru') sites.push({ layer: l.name, part: 'input', kind: 'recurrent' });
    if (l.type === 'dense') {
      sites.push({ layer: l.name, part: 'input', kind: 'dense' });
      if (firstDense && F > 0) sites.push({ layer: l.name, part: 'features', kind: 'dense' });
      firstDense = false;
    }
  }
  return sites;
}

/** Windows laid out as datasets store them: x [N, T, C] and, for a model with side features, features [N, F]. */
export interface Windows {
  x: Float32Array;
  n: number;
  t: number;
  c: number;
  features?: Float32Array;
}

/**
 * Statistics of every site over the windows `indices` (each from zero state, as window mode runs
 * them). `seed` seeds the reservoirs. `onWindow` reports progress.
 */
export function collectActivations(model: WgmModel, w: Windows, indices: readonly number[], seed: number, onWindow?: (done: number) => void): Map<string, ActivationStats> {
  const sites = quantSites(model);
  const stats = new Map(sites.map((s, i) => [siteKey(s), new ActivationStats(undefined, seed + i)]));
  const F = model.metadata.input.features?.names.length ?? 0;
  const firstDense = model.metadata.layers.find((l) => l.type === 'dense')?.name;
  const { t: T, c: C } = w;
  indices.forEach((n, done) => {
    const xs = Array.from({ length: T }, (_, t) => w.x.subarray((n * T + t) * C, (n * T + t + 1) * C));
    const features = F > 0 ? w.features!.subarray(n * F, (n + 1) * F) : undefined;
    referenceForward(model, xs, new Map(), features, {
      tap: (layer, inputs) => {
        const split = layer.type === 'dense' && layer.name === firstDense ? layer.inFeatures - F : Infinity;
        const main = stats.get(layer.name)!;
        for (const v of inputs) {
          main.add(v, 0, Math.min(split, v.length));
          if (split < v.length) stats.get(`${layer.name}.features`)!.add(v, split, v.length);
        }
      },
    });
    onWindow?.(done + 1);
  });
  return stats;
}
