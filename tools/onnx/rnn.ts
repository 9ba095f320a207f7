/**
 * ONNX LSTM and GRU nodes -> wavegate recurrent layers.
 *
 * The tensors are taken over in ONNX layout (W [D, G*H, I], R [D, G*H, H], B [D, 2*G*H]) with
 * the ONNX gate order (LSTM i, o, f, c; GRU z, r, h): the .wgm schema and the kernel use the
 * same conventions, so nothing is permuted. Everything the kernel does not compute is refused
 * with the node and attribute named: peepholes, clip, input_forget, non-default activations,
 * layout=1, sequence_lens and non-zero initial states.
 */
import { WavegateError } from '../../src/errors.js';
import { makeTensor } from '../../src/model/formats.js';
import type { Direction, GruLayerSpec, LstmLayerSpec } from '../../src/model/schema.js';
import { Attributes, type NodeProto } from './proto.js';
import type { FoldContext } from './fold.js';
import { pipeWith, type ActValue, type AxisTag, type Value } from './values.js';

function refuse(where: string, msg: string): never {
  throw new WavegateError('E_ONNX_UNSUPPORTED', `${where}: ${msg}`);
}

const DEFAULT_ACTIVATIONS: Record<'LSTM' | 'GRU', string[]> = { LSTM: ['sigmoid', 'tanh', 'tanh'], GRU: ['sigmoid', 'tanh'] };

function checkAttributes(op: 'LSTM' | 'GRU', at: Attributes, directions: number, where: string): void {
  const acts = at.strings('activations');
  if (acts && acts.length > 0) {
    const want = Array.from({ length: directions }, () => DEFAULT_ACTIVATIONS[op]).flat();
    if (acts.length !== want.length || acts.some((a, i) => a.toLowerCase() !== want[i])) {
      refuse(where, `attribute 'activations' = [${acts.join(', ')}] is not supported; only the defaults [${want.join(', ')}]`);
    }
  }
  for (const name of ['activation_alpha', 'activation_beta']) {
    if ((at.floats(name)?.length ?? 0) > 0) refuse(where, `attribute '${name}' is not supported`);
  }
  if (at.has('clip')) refuse(where, `attribute 'clip' (cell clipping at ${at.float('clip')}) is not supported`);
  if ((at.int('input_forget') ?? 0) !== 0) refuse(where, "attribute 'input_forget'=1 (coupled input and forget gates) is not supported");
  if ((at.int('layout') ?? 0) !== 0) refuse(where, "attribute 'layout'=1 (batch-major X and Y) is not supported; PyTorch and tf2onnx export layout 0");
}

function isZero(v: Value | undefined): boolean {
  if (!v) return true;
  if (v.kind === 'fill') return v.value === 0;
  if (v.kind === 'const') return v.data.every((x) => x === 0);
  return false;
}

function f32Tensor(v: Value | undefined, dims: number[], where: string, what: string) {
  if (!v || v.kind !== 'const') refuse(where, `${what} must be a constant (initializer)`);
  if (v.dims.length !== dims.length || v.dims.some((d, i) => d !== dims[i])) {
    throw new WavegateError('E_ONNX_FORMAT', `${where}: ${what} has shape [${v.dims}], expected [${dims}]`);
  }
  return makeTensor('F32', dims, Float32Array.from(v.data));
}

/** Maps an LSTM or GRU node. Returns the values of its outputs Y, Y_h (and Y_c, refused if used). */
export function recurrentNode(node: NodeProto, inputs: (Value | undefined)[], ctx: FoldContext): (ActValue | undefined)[] {
  const op = node.opType as 'LSTM' | 'GRU';
  const where = ctx.where;
  const at = new Attributes(node);
  const x = inputs[0];
  if (!x || x.kind !== 'act') refuse(where, 'input X must come from the model input or a previous recurrent layer');
  const pipe = x.pipe;
  if (pipe.pooling || pipe.denseCount > 0) refuse(where, 'recurrent layer after pooling or a dense layer');

  const dirName = at.string('direction') || 'forward';
  if (dirName !== 'forward' && dirName !== 'reverse' && dirName !== 'bidirectional') refuse(where, `attribute 'direction' = '${dirName}'`);
  const direction = dirName as Direction;
  const D = direction === 'bidirectional' ? 2 : 1;
  checkAttributes(op, at, D, where);

  const G = op === 'LSTM' ? 4 : 3;
  const w = inputs[1];
  if (!w || w.kind !== 'const' || w.dims.length !== 3) refuse(where, 'W must be a constant [D, G*H, I] tensor');
  const I = w.dims[2];
  const H = at.int('hidden_size') ?? w.dims[1] / G;
  if (!Number.isInteger(H) || H <= 0 || w.dims[0] !== D || w.dims[1] !== G * H) {
    throw new WavegateError('E_ONNX_FORMAT', `${where}: W shape [${w.dims}] does not match direction=${direction}, hidden_size=${H}`);
  }

  // Bind X's axes: ONNX X is [T, B, I].
  let inputAxes: Partial<{ inputTimeAxis: number; inputBatchAxis: number }> = {};
  if (x.stage.type === 'input') {
    const idx = (t: AxisTag) => Number(t.slice(1));
    if (x.axes.length !== 3 || idx(x.axes[2]) !== 2) refuse(where, 'the model input must be [batch, time, channels] or [time, batch, channels] with channels last');
    inputAxes = { inputTimeAxis: idx(x.axes[0]), inputBatchAxis: idx(x.axes[1]) };
  } else if (x.stage.type !== 'seq' || x.axes.join() !== 'T,B,F') {
    refuse(where, `input X must be the previous layer's output as [time, batch, features] (got ${x.stage.type} [${x.axes.join(', ')}])`);
  }
  if (x.dims[2] !== I) throw new WavegateError('E_ONNX_FORMAT', `${where}: X has ${x.dims[2]} features, W expects ${I}`);

  if (inputs[4]) refuse(where, "input 'sequence_lens' is not supported (all sequences in a batch have the same length)");
  if (!isZero(inputs[5])) refuse(where, "input 'initial_h' is not all zeros; non-zero initial states are not supported");
  if (op === 'LSTM' && !isZero(inputs[6])) refuse(where, "input 'initial_c' is not all zeros; non-zero initial states are not supported");
  if (op === 'LSTM' && inputs[7]) {
    if (!isZero(inputs[7])) refuse(where, "input 'P' (peephole weights) is not supported");
  }

  const k = pipe.rnnCount;
  const name = `${op.toLowerCase()}${k}`;
  const tensors = {
    [`${name}.W`]: f32Tensor(w, [D, G * H, I], where, 'W'),
    [`${name}.R`]: f32Tensor(inputs[2], [D, G * H, H], where, 'R'),
    [`${name}.B`]: inputs[3] ? f32Tensor(inputs[3], [D, 2 * G * H], where, 'B') : makeTensor('F32', [D, 2 * G * H], new Float32Array(D * 2 * G * H)),
  };
  const spec: LstmLayerSpec | GruLayerSpec = op === 'LSTM'
    ? { type: 'lstm', name, inputSize: I, hiddenSize: H, direction, precision: 'f32' }
    : { type: 'gru', name, inputSize: I, hiddenSize: H, direction, linearBeforeReset: (at.int('linear_before_reset') ?? 0) !== 0, precision: 'f32' };
  const next = pipeWith(pipe, spec, tensors, { ...inputAxes, rnnCount: k + 1, lastRnn: pipe.layers.length });
  const [T, B] = [x.dims[0], x.dims[1]];
  const y: ActValue = { kind: 'act', dims: [T, D, B, H], axes: ['T', 'D', 'B', 'F'], stage: { type: 'rnnY', directions: D }, pipe: next };
  // Y_h: the state each direction ends in: forward at t = T-1, backward (or reverse-only) at t = 0.
  const parts = Array.from({ length: D }, (_, d) => ({ layer: k, dir: d, t: (d === 1 || direction === 'reverse' ? 'first' : 'last') as 'first' | 'last', src: 'Y_h' as const }));
  const yh: ActValue = { kind: 'act', dims: [D, B, H], axes: ['D', 'B', 'F'], stage: { type: 'yh', dparts: parts, fparts: null }, pipe: next };
  return [y, yh, undefined];
}
