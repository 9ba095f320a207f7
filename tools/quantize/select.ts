/**
 * The choice of calibration method, by measurement. Every quantized input (site) gets a candidate
 * scale from each method of calibrate.ts (and recurrent inputs the dynamic per-step scale as one
 * more candidate); the INT8 model is built and run on held-out windows (not the ones the
 * statistics came from) and compared with the float model's outputs there (agreement.ts).
 *
 * Sites are decided one at a time in network order (a coordinate search): all start at the
 * MSE-optimal scale, then each site takes the candidate with the best agreement (more top-1
 * agreement, then smaller mean |diff|; ties keep the earlier candidate in the order minmax,
 * p99.9, p99.99, mse, dynamic) while the others hold their current choice. A site's candidates
 * interact with the others only through the outputs, so one pass is enough; its figures are
 * all kept for the file's provenance and the printed report.
 *
 * Then the per-class check (worstClassLoss, below): the selection windows are grouped by the float
 * model's top-1 class; where INT8 changes the top-1 of more than CLASS_LOSS_TOLERANCE of some
 * class's windows, the dense layers are tried in f32, the last (the logits) first, and one stays
 * f32 when that lowers the worst class's loss. Overall agreement weighs classes by their windows,
 * so a small class (CWRU's normal baseline is 4.5 % of the windows) can lose a fifth of its windows
 * while the total moves by a point; the bar is per class.
 */
import type { WgmModel } from '../../src/model/schema.js';
import { agreement, compareAgreement, modelOutputs, type Agreement } from './agreement.js';
import { buildInt8Model, type SiteChoice } from './build.js';
import { CALIBRATION_METHODS, chooseScale, type ActivationStats } from './calibrate.js';
import { quantSites, siteKey, type QuantSite, type Windows } from './collect.js';

export interface Candidate {
  choice: SiteChoice;
  agreement: Agreement;
}

export interface SiteSelection {
  site: QuantSite;
  candidates: Candidate[];
  chosen: SiteChoice;
}

export interface Selection {
  choices: Map<string, SiteChoice>;
  sites: SiteSelection[];
  /** The chosen model's agreement on the held-out windows. */
  heldOut: Agreement;
  model: WgmModel;
}

/**
 * Chooses every site's scale. `floatOut` are the float model's outputs on `heldOut` (same order);
 * `qmax` the activation code range (127 or 63); `onStep` reports each evaluated candidate.
 */
export async function selectScales(
  float: WgmModel, stats: ReadonlyMap<string, ActivationStats>, w: Windows, heldOut: readonly number[], floatOut: Float32Array, qmax: number,
  onStep?: (site: QuantSite, c: Candidate) => void,
  opts: { allInt8?: boolean } = {},
): Promise<Selection> {
  const size = float.metadata.output.size;
  const sites = quantSites(float);
  const options = new Map<string, SiteChoice[]>();
  for (const site of sites) {
    const s = stats.get(siteKey(site))!;
    const list: SiteChoice[] = [];
    for (const method of CALIBRATION_METHODS) list.push({ mode: 'static', scale: chooseScale(s, method, qmax), method });
    if (site.kind === 'recurrent') list.push({ mode: 'dynamic', method: 'dynamic' });
    options.set(siteKey(site), list);
  }
  const choices = new Map<string, SiteChoice>(sites.map((s) => [siteKey(s), options.get(siteKey(s))!.find((c) => c.method === 'mse') ?? options.get(siteKey(s))![0]]));
  const cache = new Map<string, Agreement>();
  const measure = async (): Promise<{ a: Agreement; model: WgmModel }> => {
    // Methods that give the same scales give the same model: measured once.
    const key = JSON.stringify([...choices.values()].map((c) => (c.mode === 'static' ? c.scale : c.mode)));
    const model = buildInt8Model(float, choices);
    let a = cache.get(key);
    if (!a) {
      a = agreement(floatOut, await modelOutputs(model, w, heldOut), size);
      cache.set(key, a);
    }
    return { a, model };
  };
  const results: SiteSelection[] = [];
  for (const site of sites) {
    const key = siteKey(site);
    const candidates: Candidate[] = [];
    for (const c of options.get(key)!) {
      choices.set(key, c);
      const cand = { choice: c, agreement: (await measure()).a };
      candidates.push(cand);
      onStep?.(site, cand);
    }
    let best = candidates[0];
    for (const c of candidates) if (compareAgreement(c.agreement, best.agreement) < 0) best = c;
    choices.set(key, best.choice);
    results.push({ site, candidates, chosen: best.choice });
  }
  let final = await measure();
  const floatTop1 = top1(floatOut, size);
  let loss = worstClassLoss(floatTop1, await modelOutputs(final.model, w, heldOut), size);
  const dense = opts.allInt8 ? [] : results.filter((r) => r.site.kind === 'dense' && r.site.part === 'input').reverse();
  for (const r of dense) {
    if (loss <= CLASS_LOSS_TOLERANCE) break;
    const key = siteKey(r.site);
    const was = choices.get(key)!;
    const keep: SiteChoice = { mode: 'float', method: 'f32' };
    choices.set(key, keep);
    const trial = await measure();
    const trialLoss = worstClassLoss(floatTop1, await modelOutputs(trial.model, w, heldOut), size);
    const cand = { choice: keep, agreement: trial.a };
    r.candidates.push(cand);
    onStep?.(r.site, cand);
    if (trialLoss < loss) {
      r.chosen = keep;
      // The layer's side-feature range goes with it.
      for (const f of results) if (f.site.layer === r.site.layer && f.site.part === 'features') { choices.set(siteKey(f.site), keep); f.chosen = keep; }
      loss = trialLoss;
      final = trial;
    } else {
      choices.set(key, was);
    }
  }
  final = await measure();
  return { choices, sites: results, heldOut: final.a, model: final.model };
}

/**
 * The largest share of one class's windows (the class the float model gives them) whose top-1 INT8
 * changes, above which a dense layer is tried in f32: the 0.5 points of sensitivity.
 */
export const CLASS_LOSS_TOLERANCE = 0.005;
/** Classes with fewer selection windows are not judged: one window of them is more than 5 points. */
export const MIN_CLASS_WINDOWS = 20;

const top1 = (out: Float32Array, size: number): number[] => {
  const n = out.length / size;
  return Array.from({ length: n }, (_, i) => {
    let b = 0;
    for (let j = 1; j < size; j++) if (out[i * size + j] > out[i * size + b]) b = j;
    return b;
  });
};

/** Over the classes the float model predicts (with at least MIN_CLASS_WINDOWS windows): the largest fraction of a class's windows whose INT8 top-1 differs. */
export function worstClassLoss(floatTop1: readonly number[], int8Out: Float32Array, size: number): number {
  const q = top1(int8Out, size);
  const n = new Map<number, number>();
  const lost = new Map<number, number>();
  floatTop1.forEach((c, i) => {
    n.set(c, (n.get(c) ?? 0) + 1);
    if (q[i] !== c) lost.set(c, (lost.get(c) ?? 0) + 1);
  });
  let worst = 0;
  for (const [c, k] of n) if (k >= MIN_CLASS_WINDOWS) worst = Math.max(worst, (lost.get(c) ?? 0) / k);
  return worst;
}
