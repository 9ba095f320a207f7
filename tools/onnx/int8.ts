/**
 * `--int8` for imported models: recurrent weights W and R become int8 per output row
 * (symmetric, src/model/formats.ts quantizeRowsS8) with their F32 scale tensors; biases stay F32,
 * the input of each recurrent layer is quantized dynamically (per step and stream) until the
 * quantization toolchain calibrates static scales; the dense head stays f32 (it is small and
 * runs once per window).
 */
import { makeTensor, quantizeRowsS8 } from '../../src/model/formats.js';
import type { LayerSpec, Tensor, WgmModel } from '../../src/model/schema.js';

/** Returns a copy of `model` whose LSTM/GRU layers are INT8 (other layers untouched). */
export function quantizeRecurrentWeights(model: WgmModel): WgmModel {
  const tensors = new Map<string, Tensor>(model.tensors);
  const layers: LayerSpec[] = model.metadata.layers.map((layer) => {
    if ((layer.type !== 'lstm' && layer.type !== 'gru') || layer.precision === 'int8') return layer;
    for (const which of ['W', 'R'] as const) {
      const key = `${layer.name}.${which}`;
      const t = tensors.get(key)!;
      const [d, rows, cols] = t.shape;
      const { q, scales } = quantizeRowsS8(t.data as Float32Array, d * rows, cols);
      tensors.set(key, makeTensor('I8', [d, rows, cols], q));
      tensors.set(`${key}.scale`, makeTensor('F32', [d, rows], scales));
    }
    return { ...layer, precision: 'int8', inputQuant: { mode: 'dynamic' } };
  });
  return { metadata: { ...model.metadata, layers }, tensors };
}
