/**
 * Builds the wavegate side of a benchmark: a one-layer .wgm model holding exactly the weights of
 * the ONNX peer models (same seed, same ONNX layout), f32 or INT8 per-row, with no head, so the
 * model's output is the layer's hidden state (the peers output Y_h).
 *
 * INT8 uses the project's own reference quantizer (src/model/formats.ts), which onnx-build.ts uses
 * for DynamicQuantizeLSTM as well: both runtimes multiply the same int8 codes by the same scales
 * (f16 values; ONNX Runtime gets them widened to f32, which is exact).
 */
import { makeTensor } from '../../src/model/formats.js';
import { int8RecurrentTensors } from '../../src/model/recurrent-params.js';
import type { GruLayerSpec, LstmLayerSpec, Tensor, WgmModel } from '../../src/model/schema.js';
import { FORMAT_NAME, FORMAT_VERSION } from '../../src/model/schema.js';
import { encodeWgm } from '../../src/model/write.js';
import { gateCount, type RnnWeights } from './weights.js';

export const WGM_LAYER_NAME = 'rnn';

export function buildRnnWgmModel(w: RnnWeights, precision: 'f32' | 'int8'): WgmModel {
  const rows = gateCount(w.cell) * w.hiddenSize;
  const I = w.inputSize;
  const H = w.hiddenSize;
  const name = WGM_LAYER_NAME;
  const common = { name, inputSize: I, hiddenSize: H, direction: 'forward' as const, precision };
  const quant = precision === 'int8' ? { inputQuant: { mode: 'dynamic' as const } } : {};
  const layer: LstmLayerSpec | GruLayerSpec =
    w.cell === 'lstm'
      ? { type: 'lstm', ...common, ...quant }
      : { type: 'gru', ...common, linearBeforeReset: true, ...quant };
  // INT8: the current format's layout (F16 scales, pre-summed biases), via the shared builder.
  const tensors: Map<string, Tensor> =
    precision === 'f32'
      ? new Map([
          [`${name}.W`, makeTensor('F32', [1, rows, I], w.W)],
          [`${name}.R`, makeTensor('F32', [1, rows, H], w.R)],
          [`${name}.B`, makeTensor('F32', [1, 2 * rows], w.B)],
        ])
      : int8RecurrentTensors(layer, w.W, w.R, w.B);
  return {
    metadata: {
      format: FORMAT_NAME,
      formatVersion: FORMAT_VERSION,
      name: `bench-${w.cell}-${precision}-i${I}-h${H}`,
      input: { channels: I },
      layers: [layer],
      output: { activation: 'none', size: H },
      provenance: { producer: 'wavegate tools/bench' },
    },
    tensors,
  };
}

/** The model as .wgm bytes (validated by the writer with the loader's rules). */
export function buildRnnWgm(w: RnnWeights, precision: 'f32' | 'int8'): Uint8Array {
  return encodeWgm(buildRnnWgmModel(w, precision), { source: `bench ${w.cell} ${precision}` });
}
