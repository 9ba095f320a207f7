/**
 * One direction of a recurrent layer's biases and INT8 scales, in the kernel ABI's terms,
 * whichever format version the file has.
 *
 * Loaded models keep their tensors as stored (a v1 file stays v1 in memory, so re-encoding or
 * re-signing it gives the same bytes back). This module is the one place that branches on the
 * version; the runtime's packing (src/runtime/prepare.ts) and the float64 emulation
 * (src/runtime/reference.ts) both read biases and scales through it.
 *
 * The kernel ABI (docs/kernel-abi.md): lstmS8/lstmF32 take B [4H] = Wb + Rb; gruS8/gruF32 take
 * Wb [3H] and Rb [3H], with Rb added to the recurrent term (inside r * (...) for the h gate when
 * linearBeforeReset). Version 2 INT8 files store the biases pre-summed, so they map to
 *   LSTM:            wb = B,                                  rb = 0
 *   GRU, lbr false:  wb = B,                                  rb = 0
 *   GRU, lbr true:   wb = [B_z, B_r, B_wh] (the first 3H),    rb = [0, 0, B_rh] (the last H)
 * and the kernel computes the same cell. Version 1 (and every f32 layer) stores Wb ++ Rb as ONNX.
 */
import { WavegateError } from '../errors.js';
import { f16ArrayToF32, f16BitsToNumber, numberToF16Bits } from './f16.js';
import { makeTensor, quantizeRowsS8 } from './formats.js';
import { FORMAT_VERSION, type GruLayerSpec, type LstmLayerSpec, type Tensor, type WgmModel } from './schema.js';
import { gateRows, int8BiasDType, summedBiasRows, tensorName, usesSummedInt8Layout } from './tensors.js';

export interface RecurrentBiases {
  /** Added to W x, per gate row [G]. */
  wb: Float32Array;
  /** Added to R h, per gate row [G] (zero where a version-2 file pre-summed it into wb). */
  rb: Float32Array;
}

function tensor(model: WgmModel, name: string): Tensor {
  const t = model.tensors.get(name);
  if (!t) throw new WavegateError('E_MODEL_FORMAT', `model tensor "${name}" is missing`);
  return t;
}

/** Biases of direction `d` as the pair (Wb, Rb) the GRU ABI takes; LSTM packs wb + rb. */
export function recurrentBiases(model: WgmModel, layer: LstmLayerSpec | GruLayerSpec, d: number): RecurrentBiases {
  const G = gateRows(layer);
  const t = tensor(model, tensorName.B(layer.name));
  // Version 4 stores INT8 biases F16 (tensors.ts int8BiasDType): widened to f32 exactly.
  const B = t.dtype === 'F16' ? f16ArrayToF32(t.data as Uint16Array) : (t.data as Float32Array);
  if (!usesSummedInt8Layout(layer, model.metadata.formatVersion)) {
    const base = d * 2 * G;
    return { wb: B.slice(base, base + G), rb: B.slice(base + G, base + 2 * G) };
  }
  const rows = summedBiasRows(layer);
  const own = B.subarray(d * rows, (d + 1) * rows);
  const wb = own.slice(0, G);
  const rb = new Float32Array(G);
  if (rows > G) rb.set(own.subarray(G), G - layer.hiddenSize); // GRU lbr: Rb_h after the 3H pre-summed rows
  return { wb, rb };
}

/** Per-row scales of W and R for direction `d` of an INT8 layer, widened to f32 (F16 in version 2). */
export function recurrentScales(model: WgmModel, layer: LstmLayerSpec | GruLayerSpec, d: number): { Ws: Float32Array; Rs: Float32Array } {
  const G = gateRows(layer);
  const widen = (name: string): Float32Array => {
    const t = tensor(model, name);
    const own = t.data.subarray(d * G, (d + 1) * G);
    return t.dtype === 'F16' ? f16ArrayToF32(own as Uint16Array) : Float32Array.from(own as Float32Array);
  };
  return { Ws: widen(tensorName.Wscale(layer.name)), Rs: widen(tensorName.Rscale(layer.name)) };
}

/** Scales of a whole scale tensor as f32 (all directions), for dequantizing: F16 widens exactly. */
export function scaleTensorToF32(t: Tensor): Float32Array {
  return t.dtype === 'F16' ? f16ArrayToF32(t.data as Uint16Array) : (t.data as Float32Array);
}

/**
 * The version-2 INT8 bias tensor from ONNX's Wb ++ Rb ([D, 2G] flat): per direction, the sums in
 * f32 (as ONNX Runtime and the kernel's LSTM path add them), Rb_h kept apart for GRU with
 * linearBeforeReset (see the module comment).
 */
export function presumBiases(layer: LstmLayerSpec | GruLayerSpec, B: Float32Array, D: number): Float32Array {
  const G = gateRows(layer);
  const H = layer.hiddenSize;
  const rows = summedBiasRows(layer);
  if (B.length !== D * 2 * G) throw new WavegateError('E_ARGUMENT', `presumBiases: ${layer.name}.B has ${B.length} elements, expected ${D * 2 * G} (Wb ++ Rb)`);
  const out = new Float32Array(D * rows);
  for (let d = 0; d < D; d++) {
    const src = d * 2 * G;
    const dst = d * rows;
    const summed = rows > G ? 2 * H : G; // GRU lbr: only z and r rows are summed
    for (let r = 0; r < summed; r++) out[dst + r] = B[src + r] + B[src + G + r];
    if (rows > G) {
      out.set(B.subarray(src + 2 * H, src + G), dst + 2 * H); // Wb_h
      out.set(B.subarray(src + G + 2 * H, src + 2 * G), dst + G); // Rb_h
    }
  }
  return out;
}

/**
 * The tensors of an INT8 recurrent layer in the current format from its f32 ONNX tensors: I8
 * codes and F16 per-row scales (quantizeRowsS8), biases pre-summed and stored in
 * int8BiasDType(formatVersion) (F16 from version 4, rounded to nearest; F32 for versions 2 and 3).
 * W [D, G, I], R [D, G, H], B [D, 2G] (Wb ++ Rb).
 */
export function int8RecurrentTensors(layer: LstmLayerSpec | GruLayerSpec, W: Float32Array, R: Float32Array, B: Float32Array, formatVersion = FORMAT_VERSION): Map<string, Tensor> {
  const D = layer.direction === 'bidirectional' ? 2 : 1;
  const G = gateRows(layer);
  const out = new Map<string, Tensor>();
  const q = (name: string, w: Float32Array, cols: number) => {
    const { q: codes, scaleBits } = quantizeRowsS8(w, D * G, cols, name);
    out.set(name, makeTensor('I8', [D, G, cols], codes));
    out.set(`${name}.scale`, makeTensor('F16', [D, G], scaleBits));
  };
  q(tensorName.W(layer.name), W, layer.inputSize);
  q(tensorName.R(layer.name), R, layer.hiddenSize);
  const summed = presumBiases(layer, B, D);
  const biasName = tensorName.B(layer.name);
  out.set(biasName, int8BiasDType(formatVersion) === 'F16' ? makeTensor('F16', [D, summedBiasRows(layer)], f16Biases(summed, biasName)) : makeTensor('F32', [D, summedBiasRows(layer)], summed));
  return out;
}

/** Biases as nearest binary16; a bias beyond the f16 range (65504) is refused, naming the tensor (no trained model has one). */
export function f16Biases(b: Float32Array, what: string): Uint16Array {
  const bits = new Uint16Array(b.length);
  for (let i = 0; i < b.length; i++) {
    bits[i] = numberToF16Bits(b[i]);
    if (!Number.isFinite(f16BitsToNumber(bits[i]))) throw new WavegateError('E_ARGUMENT', `${what}: element ${i} is ${b[i]}, beyond the f16 range of INT8 biases (|b| <= 65504)`);
  }
  return bits;
}
