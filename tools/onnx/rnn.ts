/**
 * ONNX LSTM and GRU nodes -> wavegate recurrent layers.
 *
 * The tensors are taken over in ONNX layout (W [D, G*H, I], R [D, G*H, H], B [D, 2*G*H], LSTM
 * peepholes P [D, 3H]) with the ONNX gate order (LSTM i, o, f, c; GRU z, r, h): the .wgm schema
 * and the kernel use the same conventions, so nothing is permuted. `layout` 0 (X [T, B, I]) and
 * 1 (X [B, T, I], batch-major Y and Y_h) both map onto the same layer; `sequence_lens` is taken
 * when it is a constant whose every entry is the (static) sequence length, i.e. when it changes
 * nothing. Everything the kernel does not compute is refused with the node and attribute named:
 * clip, input_forget, non-default activations, other sequence_lens and non-zero initial states.
 */
import { WavegateError } from '../../src/errors.js';
import { makeTensor } from '../../src/model/formats.js';
import type { Direction, GruLayerSpec, LstmLayerSpec } from '../../src/model/schema.js';
import { Attributes, type NodeProto } from './proto.js';
import type { FoldContext } from './fold.js';
import { isSymbolic, pipeWith, type ActValue, type AxisTag, type Value } from './values.js';

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
  const layout = at.int('layout') ?? 0;
  if (layout !== 0 && layout !== 1) throw new WavegateError('E_ONNX_FORMAT', `${where}: attribute 'layout' = ${layout}; ONNX defines 0 (time-major) and 1 (batch-major)`);
}

/**
 * sequence_lens: taken only when it cannot change the result: a constant whose every entry is
 * the sequence length T, with T static (a symbolic T could be anything at run time).
 */
function checkSequenceLens(v: Value | undefined, T: number, B: number, where: string): void {
  if (!v) return;
  const what = "input 'sequence_lens'";
  if (isSymbolic(T)) refuse(where, `${what} is given but the sequence length is not static; wavegate runs every sequence of a batch for all T steps, so only a constant sequence_lens equal to a fixed T is supported`);
  if (v.kind === 'fill') {
    if (v.value !== T) refuse(where, `${what} is ${v.value} for every sequence, not the full length T = ${T}; shorter sequences are not supported (every sequence runs all T steps)`);
    return;
  }
  if (v.kind !== 'const') refuse(where, `${what} must be a constant (initializer) equal to T = ${T} for every sequence; lengths computed at run time are not supported`);
  if (v.dims.length !== 1) throw new WavegateError('E_ONNX_FORMAT', `${where}: ${what} has shape [${v.dims}], expected [batch_size]`);
  if (!isSymbolic(B) && v.dims[0] !== B) throw new WavegateError('E_ONNX_FORMAT', `${where}: ${what} has ${v.dims[0]} entries for batch size ${B}`);
  const short = v.data.findIndex((n) => n !== T);
  if (short >= 0) {
    const shown = v.data.length > 8 ? `${v.data.slice(0, 8).join(', ')}, ...` : v.data.join(', ');
    refuse(where, `${what} = [${shown}] has entry ${short} = ${v.data[short]}, not the full length T = ${T}; shorter sequences are not supported (every sequence runs all T steps)`);
  }
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

  // Bind X's axes: ONNX X is [T, B, I] (layout 0) or [B, T, I] (layout 1).
  const batchMajor = (at.int('layout') ?? 0) === 1;
  const [tAxis, bAxis] = batchMajor ? [1, 0] : [0, 1];
  let inputAxes: Partial<{ inputTimeAxis: number; inputBatchAxis: number }> = {};
  if (x.stage.type === 'input') {
    const idx = (t: AxisTag) => Number(t.slice(1));
    if (x.axes.length !== 3 || idx(x.axes[2]) !== 2) refuse(where, 'the model input must be [batch, time, channels] or [time, batch, channels] with channels last');
    inputAxes = { inputTimeAxis: idx(x.axes[tAxis]), inputBatchAxis: idx(x.axes[bAxis]) };
  } else if (x.stage.type !== 'seq' || x.axes.join() !== (batchMajor ? 'B,T,F' : 'T,B,F')) {
    refuse(where, `input X must be the previous layer's output as ${batchMajor ? '[batch, time, features] (layout=1)' : '[time, batch, features]'} (got ${x.stage.type} [${x.axes.join(', ')}])`);
  }
  if (x.dims[2] !== I) throw new WavegateError('E_ONNX_FORMAT', `${where}: X has ${x.dims[2]} features, W expects ${I}`);
  const [T, B] = [x.dims[tAxis], x.dims[bAxis]];

  checkSequenceLens(inputs[4], T, B, where);
  if (!isZero(inputs[5])) refuse(where, "input 'initial_h' is not all zeros; non-zero initial states are not supported");
  if (op === 'LSTM' && !isZero(inputs[6])) refuse(where, "input 'initial_c' is not all zeros; non-zero initial states are not supported");
  // Peepholes: an all-zero P changes nothing and is dropped; any other P becomes the layer's `${name}.P`.
  const peepholes = op === 'LSTM' && !isZero(inputs[7]);

  const k = pipe.rnnCount;
  const name = `${op.toLowerCase()}${k}`;
  const tensors = {
    [`${name}.W`]: f32Tensor(w, [D, G * H, I], where, 'W'),
    [`${name}.R`]: f32Tensor(inputs[2], [D, G * H, H], where, 'R'),
    [`${name}.B`]: inputs[3] ? f32Tensor(inputs[3], [D, 2 * G * H], where, 'B') : makeTensor('F32', [D, 2 * G * H], new Float32Array(D * 2 * G * H)),
    ...(peepholes ? { [`${name}.P`]: f32Tensor(inputs[7], [D, 3 * H], where, "P (peephole weights)") } : {}),
  };
  const spec: LstmLayerSpec | GruLayerSpec = op === 'LSTM'
    ? { type: 'lstm', name, inputSize: I, hiddenSize: H, direction, precision: 'f32', ...(peepholes ? { peepholes: true } : {}) }
    : { type: 'gru', name, inputSize: I, hiddenSize: H, direction, linearBeforeReset: (at.int('linear_before_reset') ?? 0) !== 0, precision: 'f32' };
  const next = pipeWith(pipe, spec, tensors, { ...inputAxes, rnnCount: k + 1, lastRnn: pipe.layers.length });
  // Y is [T, D, B, H] (layout 1: [B, T, D, H]); Y_h is [D, B, H] (layout 1: [B, D, H]).
  const y: ActValue = batchMajor
    ? { kind: 'act', dims: [B, T, D, H], axes: ['B', 'T', 'D', 'F'], stage: { type: 'rnnY', directions: D }, pipe: next }
    : { kind: 'act', dims: [T, D, B, H], axes: ['T', 'D', 'B', 'F'], stage: { type: 'rnnY', directions: D }, pipe: next };
  // Y_h: the state each direction ends in: forward at t = T-1, backward (or reverse-only) at t = 0.
  const parts = Array.from({ length: D }, (_, d) => ({ layer: k, dir: d, t: (d === 1 || direction === 'reverse' ? 'first' : 'last') as 'first' | 'last', src: 'Y_h' as const }));
  const stage = { type: 'yh' as const, dparts: parts, fparts: null };
  const yh: ActValue = batchMajor
    ? { kind: 'act', dims: [B, D, H], axes: ['B', 'D', 'F'], stage, pipe: next }
    : { kind: 'act', dims: [D, B, H], axes: ['D', 'B', 'F'], stage, pipe: next };
  return [y, yh, undefined];
}
