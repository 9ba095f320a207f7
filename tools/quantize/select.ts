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
    const key = JSON.stringify([...choices.values()].map((c) => (c.mode === 'static' ? c.scale : 'dynamic')));
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
  const final = await measure();
  return { choices, sites: results, heldOut: final.a, model: final.model };
}
