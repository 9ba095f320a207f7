/**
 * Builds the peers' benchmark models: one ONNX LSTM or GRU node (float), or ONNX Runtime's
 * `com.microsoft::DynamicQuantizeLSTM` (INT8 weights, activations quantized per call by ORT),
 * encoded with onnx-proto so no Python or download is involved.
 *
 * DynamicQuantizeLSTM (docs/ContribOperators.md in microsoft/onnxruntime) differs from ONNX LSTM in
 * its weight layout: W is [D, I, 4H] and R is [D, H, 4H] (transposed, like a MatMul B operand),
 * with per-channel scales and zero points of shape [D, 4H] along the 4H axis. Inputs, in order:
 * X, W, R, B, sequence_lens, initial_h, initial_c, P, W_scale, W_zero_point, R_scale, R_zero_point.
 * We quantize per output row, symmetric int8 (zero point 0), with wavegate's own reference
 * quantizer (src/model/formats.ts), so both runtimes hold the same integers and scales.
 *
 * ONNX Runtime has no DynamicQuantizeGRU: an INT8 GRU request is refused.
 */
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { WavegateError } from '../../src/errors.js';
import { quantizeRowsS8 } from '../../src/model/formats.js';
import { gateCount, type RnnWeights } from './weights.js';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;

export interface RnnOnnxOptions {
  /** Float ONNX LSTM/GRU, or the INT8 DynamicQuantizeLSTM (LSTM only). */
  precision: 'f32' | 'int8';
  /**
   * `final`: inputs X only, output Y_h (the window-mode job: one answer per sequence).
   * `stream`: inputs X, initial_h (and initial_c), outputs Y_h (and Y_c), so a caller carries
   *   the state of many streams between calls, as the streaming job does. Y (every step's h) is
   *   not requested: wavegate's push() returns the last step's output per stream by default, and
   *   the peer should not pay for writes the other side skips.
   */
  io: 'final' | 'stream';
}

/** Names of the graph inputs and outputs, for the workers. */
export const ONNX_IO = {
  x: 'X',
  initialH: 'initial_h',
  initialC: 'initial_c',
  y: 'Y',
  yH: 'Y_h',
  yC: 'Y_c',
} as const;

function tensor(name: string, dataType: number, dims: number[], data: ArrayBufferView): Onnx.ITensorProto {
  return {
    name,
    dataType,
    dims,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

function valueInfo(name: string, dims: (number | string)[]): Onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DT.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** [rows, cols] -> [cols, rows] (row-major), for DynamicQuantizeLSTM's [I, 4H] operand. */
function transposeS8(q: Int8Array, rows: number, cols: number): Int8Array {
  const out = new Int8Array(q.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = q[r * cols + c];
  return out;
}

function weightInitializers(w: RnnWeights, precision: 'f32' | 'int8'): Onnx.ITensorProto[] {
  const rows = gateCount(w.cell) * w.hiddenSize;
  const I = w.inputSize;
  const H = w.hiddenSize;
  const bias = tensor('B', DT.FLOAT, [1, 2 * rows], w.B);
  if (precision === 'f32') {
    return [tensor('W', DT.FLOAT, [1, rows, I], w.W), tensor('R', DT.FLOAT, [1, rows, H], w.R), bias];
  }
  const wq = quantizeRowsS8(w.W, rows, I);
  const rq = quantizeRowsS8(w.R, rows, H);
  const zeros = new Int8Array(rows);
  return [
    tensor('W', DT.INT8, [1, I, rows], transposeS8(wq.q, rows, I)),
    tensor('R', DT.INT8, [1, H, rows], transposeS8(rq.q, rows, H)),
    bias,
    tensor('W_scale', DT.FLOAT, [1, rows], wq.scales),
    tensor('W_zero_point', DT.INT8, [1, rows], zeros),
    tensor('R_scale', DT.FLOAT, [1, rows], rq.scales),
    tensor('R_zero_point', DT.INT8, [1, rows], zeros),
  ];
}

/** Encodes a one-node RNN model (batch and T are symbolic, so one file serves every batch and T). */
export function buildRnnOnnx(w: RnnWeights, options: RnnOnnxOptions): Uint8Array {
  const { precision, io } = options;
  if (precision === 'int8' && w.cell !== 'lstm') {
    throw new WavegateError(
      'E_ARGUMENT',
      'buildRnnOnnx: ONNX Runtime has no DynamicQuantizeGRU; an INT8 peer model exists only for LSTM',
    );
  }
  const H = w.hiddenSize;
  const lstm = w.cell === 'lstm';
  const stream = io === 'stream';
  const state = [1, 'batch', H];

  const nodeInputs = ['X', 'W', 'R', 'B', '', stream ? ONNX_IO.initialH : ''];
  if (lstm) nodeInputs.push(stream ? ONNX_IO.initialC : '');
  if (precision === 'int8') nodeInputs.push('', 'W_scale', 'W_zero_point', 'R_scale', 'R_zero_point');
  const nodeOutputs = stream ? ['', ONNX_IO.yH, ...(lstm ? [ONNX_IO.yC] : [])] : ['', ONNX_IO.yH];

  const attribute: Onnx.IAttributeProto[] = [{ name: 'hidden_size', type: AT.INT, i: H }];
  if (!lstm) attribute.push({ name: 'linear_before_reset', type: AT.INT, i: 1 });

  const graphInputs = [valueInfo(ONNX_IO.x, ['T', 'batch', w.inputSize])];
  if (stream) {
    graphInputs.push(valueInfo(ONNX_IO.initialH, state));
    if (lstm) graphInputs.push(valueInfo(ONNX_IO.initialC, state));
  }
  const graphOutputs = nodeOutputs
    .filter((n) => n !== '')
    .map((n) => valueInfo(n, n === ONNX_IO.y ? ['T', 1, 'batch', H] : state));

  const model: Onnx.IModelProto = {
    irVersion: 8,
    producerName: 'wavegate-bench',
    opsetImport: [{ domain: '', version: 14 }, ...(precision === 'int8' ? [{ domain: 'com.microsoft', version: 1 }] : [])],
    graph: {
      name: `${w.cell}_${precision}_${w.inputSize}x${H}`,
      node: [
        {
          name: 'rnn',
          opType: precision === 'int8' ? 'DynamicQuantizeLSTM' : lstm ? 'LSTM' : 'GRU',
          domain: precision === 'int8' ? 'com.microsoft' : '',
          input: nodeInputs,
          output: nodeOutputs,
          attribute,
        },
      ],
      initializer: weightInitializers(w, precision),
      input: graphInputs,
      output: graphOutputs,
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
