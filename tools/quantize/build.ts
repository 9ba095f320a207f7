/**
 * The whole-model INT8 file (format version 4) from a float model and one activation scale per
 * quantized input (tools/quantize/collect.ts sites):
 *   - LSTM/GRU: W and R int8 per output row with F16 scales, biases pre-summed (Wb + Rb, folded as
 *     the cell uses them) and stored F16 (src/model/recurrent-params.ts int8RecurrentTensors);
 *     the input x at its static scale, or dynamic (per step) where that was chosen;
 *   - dense layers: W int8 per output row with F16 scales (src/model/formats.ts quantizeRowsS8),
 *     the bias F32, the input at its static scale; the first dense layer of a model with side
 *     features has a second static scale for its feature columns (the kernel's denseS8);
 *   - a dense layer whose choice is `float` stays f32 (select.ts: only where INT8 costs a class);
 *   - layer norms, the pool and the output activation stay as they are (f32).
 */
import { WavegateError } from '../../src/errors.js';
import { makeTensor, quantizeRowsS8 } from '../../src/model/formats.js';
import { int8RecurrentTensors } from '../../src/model/recurrent-params.js';
import { FORMAT_VERSION, type ActivationQuant, type LayerSpec, type Tensor, type WgmModel } from '../../src/model/schema.js';
import { tensorName } from '../../src/model/tensors.js';
import { siteKey, type QuantSite } from './collect.js';

/** The activation quantization chosen for one site: a static scale (with the method that gave it) or dynamic (recurrent inputs only). */
/** `float`: a dense layer kept in f32 (select.ts keeps one only where INT8 costs a class measurably). */
export type SiteChoice = { mode: 'static'; scale: number; method: string } | { mode: 'dynamic'; method: 'dynamic' } | { mode: 'float'; method: 'f32' };

function quant(c: SiteChoice): ActivationQuant {
  if (c.mode === 'float') throw new WavegateError('E_ARGUMENT', 'quantize: a float layer has no activation quantization');
  return c.mode === 'static' ? { mode: 'static', scale: c.scale, calibration: c.method } : { mode: 'dynamic' };
}

/** Returns the INT8 model; `choices` maps siteKey -> choice for every site of the model. */
export function buildInt8Model(model: WgmModel, choices: ReadonlyMap<string, SiteChoice>): WgmModel {
  const tensors = new Map<string, Tensor>(model.tensors);
  const f32 = (name: string) => {
    const t = tensors.get(name);
    if (!t || t.dtype !== 'F32') throw new WavegateError('E_ARGUMENT', `quantize: tensor ${name} must be F32 in the float model`);
    return t.data as Float32Array;
  };
  const choice = (site: QuantSite): SiteChoice => {
    const c = choices.get(siteKey(site));
    if (!c) throw new WavegateError('E_ARGUMENT', `quantize: no activation scale for ${siteKey(site)}`);
    return c;
  };
  const F = model.metadata.input.features?.names.length ?? 0;
  let firstDense = true;
  const layers: LayerSpec[] = model.metadata.layers.map((l) => {
    if (l.type === 'lstm' || l.type === 'gru') {
      if (l.precision !== 'f32') throw new WavegateError('E_ARGUMENT', `quantize: layer ${l.name} is already ${l.precision}; quantize the float model`);
      for (const [name, t] of int8RecurrentTensors(l, f32(tensorName.W(l.name)), f32(tensorName.R(l.name)), f32(tensorName.B(l.name)))) tensors.set(name, t);
      return { ...l, precision: 'int8', inputQuant: quant(choice({ layer: l.name, part: 'input', kind: 'recurrent' })) };
    }
    if (l.type !== 'dense') return l;
    if (l.precision === 'int8') throw new WavegateError('E_ARGUMENT', `quantize: layer ${l.name} is already int8; quantize the float model`);
    const withFeatures = firstDense && F > 0;
    firstDense = false;
    const input = choice({ layer: l.name, part: 'input', kind: 'dense' });
    // Kept in f32 (select.ts): its float tensors as they are.
    if (input.mode === 'float') return l;
    const { q, scaleBits } = quantizeRowsS8(f32(tensorName.denseW(l.name)), l.outFeatures, l.inFeatures, tensorName.denseW(l.name));
    tensors.set(tensorName.denseW(l.name), makeTensor('I8', [l.outFeatures, l.inFeatures], q));
    tensors.set(tensorName.Wscale(l.name), makeTensor('F16', [l.outFeatures], scaleBits));
    const features = withFeatures ? choice({ layer: l.name, part: 'features', kind: 'dense' }) : undefined;
    if (input.mode !== 'static' || (features && features.mode !== 'static')) throw new WavegateError('E_ARGUMENT', `quantize: dense layer ${l.name} needs static input scales`);
    return { ...l, precision: 'int8', inputQuant: quant(input), ...(features ? { featureQuant: quant(features) } : {}) };
  });
  return { metadata: { ...model.metadata, formatVersion: FORMAT_VERSION, layers }, tensors };
}
