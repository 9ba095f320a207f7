/**
 * `--int8` for imported models: recurrent weights W and R become int8 per output row
 * (symmetric, src/model/formats.ts quantizeRowsS8) with F16 scale tensors, and the biases are
 * stored pre-summed as the cell uses them (format version 2, src/model/recurrent-params.ts);
 * the input of each recurrent layer is quantized dynamically (per step and stream) until the
 * quantization toolchain calibrates static scales; the dense head stays f32 (it is small and
 * runs once per window).
 */
import { int8RecurrentTensors } from '../../src/model/recurrent-params.js';
import { FORMAT_VERSION, type LayerSpec, type Tensor, type WgmModel } from '../../src/model/schema.js';
import { tensorName } from '../../src/model/tensors.js';

/** Returns a copy of `model` (format version 2) whose LSTM/GRU layers are INT8 (other layers untouched). */
export function quantizeRecurrentWeights(model: WgmModel): WgmModel {
  const tensors = new Map<string, Tensor>(model.tensors);
  const layers: LayerSpec[] = model.metadata.layers.map((layer) => {
    if ((layer.type !== 'lstm' && layer.type !== 'gru') || layer.precision === 'int8') return layer;
    const f32 = (name: string) => tensors.get(name)!.data as Float32Array;
    const q = int8RecurrentTensors(layer, f32(tensorName.W(layer.name)), f32(tensorName.R(layer.name)), f32(tensorName.B(layer.name)));
    for (const [name, t] of q) tensors.set(name, t);
    return { ...layer, precision: 'int8', inputQuant: { mode: 'dynamic' } };
  });
  // The int8 layout is version 2's; an f32 model of version 1 handed in is upgraded with it.
  return { metadata: { ...model.metadata, formatVersion: FORMAT_VERSION, layers }, tensors };
}
