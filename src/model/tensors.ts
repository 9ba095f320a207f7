/**
 * Which tensors each layer owns: name, dtype and exact shape, derived from the metadata alone.
 *
 * The validator checks a file against this, the writer's callers (tools/onnx, tools/quantize)
 * use the same names, and the runtime reads weights by these names. One table, one truth.
 */
import { FORMAT_VERSION, type LayerSpec, type TensorDType } from './schema.js';

export interface TensorSpec {
  name: string;
  dtype: TensorDType;
  shape: number[];
  /** What the tensor is, for messages: "input weights W (gates i, o, f, c)". */
  role: string;
  /** True for quantization scales (not model parameters). */
  scale?: boolean;
}

/** Rows of one direction's W/R for a recurrent layer: 4H for LSTM (i, o, f, c), 3H for GRU (z, r, h). */
export function gateRows(layer: { type: 'lstm' | 'gru'; hiddenSize: number }): number {
  return (layer.type === 'lstm' ? 4 : 3) * layer.hiddenSize;
}

/** Number of directions of a recurrent layer. */
export function directions(layer: { direction: string }): 1 | 2 {
  return layer.direction === 'bidirectional' ? 2 : 1;
}

/** Tensor names in one place: `${layer}.W`, `${layer}.W.scale`, ... (see schema.ts). */
export const tensorName = {
  W: (layer: string) => `${layer}.W`,
  R: (layer: string) => `${layer}.R`,
  B: (layer: string) => `${layer}.B`,
  Wscale: (layer: string) => `${layer}.W.scale`,
  Rscale: (layer: string) => `${layer}.R.scale`,
  /** LSTM peepholes [D, 3H], order i, o, f. */
  P: (layer: string) => `${layer}.P`,
  gamma: (layer: string) => `${layer}.gamma`,
  beta: (layer: string) => `${layer}.beta`,
  denseW: (layer: string) => `${layer}.W`,
  denseB: (layer: string) => `${layer}.b`,
} as const;

/**
 * Rows of one direction's bias `B` for an int8 layer of format version 2: the biases pre-summed
 * as the cell uses them. LSTM 4H (Wb + Rb); GRU 3H (Wb + Rb) without linear-before-reset, 4H with
 * it ([Wb_z + Rb_z, Wb_r + Rb_r, Wb_h, Rb_h]: Rb_h sits inside r * (Rh + Rb_h), so it stays apart).
 */
export function summedBiasRows(layer: { type: 'lstm' | 'gru'; hiddenSize: number; linearBeforeReset?: boolean }): number {
  if (layer.type === 'gru' && layer.linearBeforeReset) return 4 * layer.hiddenSize;
  return gateRows(layer);
}

/** Largest activation code of a scheme: 127 ('a8') or 63 ('a7'). */
export function int8ActivationQmax(scheme: 'a8' | 'a7'): number {
  return scheme === 'a7' ? 63 : 127;
}

/**
 * The format versions that introduced the whole-model INT8 of `wavegate quantize`: INT8 dense
 * layers and F16 biases of INT8 recurrent layers. Named here, and used only through these
 * constants, so that the version they belong to is one edit.
 */
export const INT8_DENSE_FROM_VERSION = 4;
export const F16_BIASES_FROM_VERSION = 4;

/**
 * Dtype of an INT8 recurrent layer's pre-summed biases `${name}.B`: F32 in versions 2 and 3, F16
 * from version 4 (rounded to nearest; the runtime widens them to f32 exactly). Half the bytes of
 * the biases, which at I = 1 and H = 64 are ~5% of an INT8 file; the f16 rounding (2^-11
 * relative) is an order below the int8 weight and activation rounding the same pre-activation sees.
 */
export function int8BiasDType(formatVersion: number): TensorDType {
  return formatVersion >= F16_BIASES_FROM_VERSION ? 'F16' : 'F32';
}

/** True when a recurrent layer stores the version-2 INT8 layout (F16 scales, pre-summed biases). */
export function usesSummedInt8Layout(layer: { precision: string }, formatVersion: number): boolean {
  return layer.precision === 'int8' && formatVersion >= 2;
}

/**
 * Activation codes of a file's INT8 layers (docs/model-format.md): versions 1-3 quantize x (and a
 * dense layer's input) to [-127, 127] and h at the fixed scale 1/127 ('a8', kernel scheme QS_A8);
 * version 4 quantizes to [-63, 63], h (and a GRU's r*h) at its own dynamic scale max|h| / 63 per
 * step and stream ('a7', QS_A7), which relaxed SIMD's 8-bit dot product computes exactly
 * (docs/kernel-abi.md). Weights are the same. The runtime's plan and the quantizer's calibration
 * (tools/quantize) both ask here.
 */
export function int8ActivationScheme(formatVersion: number): 'a8' | 'a7' {
  return formatVersion >= 4 ? 'a7' : 'a8';
}

/**
 * The tensors a layer requires, with the exact dtype and shape, for the file's `formatVersion`
 * (version 1 and 2 differ for int8 recurrent layers only). Assumes numeric fields already validated.
 */
export function layerTensorSpecs(layer: LayerSpec, formatVersion: number = FORMAT_VERSION): TensorSpec[] {
  switch (layer.type) {
    case 'lstm':
    case 'gru': {
      const D = directions(layer);
      const G = gateRows(layer);
      const gates = layer.type === 'lstm' ? 'i, o, f, c' : 'z, r, h';
      const wDtype: TensorDType = layer.precision === 'int8' ? 'I8' : 'F32';
      const v2 = usesSummedInt8Layout(layer, formatVersion);
      const bias = v2
        ? { shape: [D, summedBiasRows(layer)], role: layer.type === 'gru' && layer.linearBeforeReset ? 'biases [Wb_z + Rb_z, Wb_r + Rb_r, Wb_h, Rb_h]' : 'biases Wb + Rb' }
        : { shape: [D, 2 * G], role: 'biases Wb ++ Rb' };
      const specs: TensorSpec[] = [
        { name: tensorName.W(layer.name), dtype: wDtype, shape: [D, G, layer.inputSize], role: `input weights (gates ${gates})` },
        { name: tensorName.R(layer.name), dtype: wDtype, shape: [D, G, layer.hiddenSize], role: `recurrent weights (gates ${gates})` },
        { name: tensorName.B(layer.name), dtype: v2 ? int8BiasDType(formatVersion) : 'F32', ...bias },
      ];
      if (layer.type === 'lstm' && layer.peepholes) {
        specs.push({ name: tensorName.P(layer.name), dtype: 'F32', shape: [D, 3 * layer.hiddenSize], role: 'peephole weights (i, o, f)' });
      }
      if (layer.precision === 'int8') {
        const sDtype: TensorDType = v2 ? 'F16' : 'F32';
        specs.push(
          { name: tensorName.Wscale(layer.name), dtype: sDtype, shape: [D, G], role: 'per-row scales of W', scale: true },
          { name: tensorName.Rscale(layer.name), dtype: sDtype, shape: [D, G], role: 'per-row scales of R', scale: true },
        );
      }
      return specs;
    }
    case 'layernorm':
      return [
        { name: tensorName.gamma(layer.name), dtype: 'F32', shape: [layer.size], role: 'layer norm scale' },
        { name: tensorName.beta(layer.name), dtype: 'F32', shape: [layer.size], role: 'layer norm shift' },
      ];
    case 'dense': {
      const int8 = layer.precision === 'int8';
      const specs: TensorSpec[] = [
        { name: tensorName.denseW(layer.name), dtype: int8 ? 'I8' : 'F32', shape: [layer.outFeatures, layer.inFeatures], role: 'dense weights [out, in]' },
        { name: tensorName.denseB(layer.name), dtype: 'F32', shape: [layer.outFeatures], role: 'dense bias' },
      ];
      if (int8) specs.push({ name: tensorName.Wscale(layer.name), dtype: 'F16', shape: [layer.outFeatures], role: 'per-row scales of the dense weights', scale: true });
      return specs;
    }
    case 'pool':
      return [];
  }
}

/**
 * Number of scalar parameters of a layer (int8 weights count once; scales are not parameters).
 * Counted on the version-1 layout (both bias vectors, as ONNX and PyTorch count them), so the
 * figure describes the architecture and does not change with the file version.
 */
export function layerParameterCount(layer: LayerSpec): number {
  let n = 0;
  for (const s of layerTensorSpecs(layer, 1)) {
    if (s.scale) continue;
    n += s.shape.reduce((a, b) => a * b, 1);
  }
  return n;
}
