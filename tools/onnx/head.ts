/**
 * The head after the recurrent stack: pooling, dense layers (Gemm, MatMul + Add), their
 * activations, layer norm (the fused op and PyTorch's decomposed ReduceMean/Sub/Pow/Sqrt/Div
 * form) and the final Softmax/Sigmoid, which becomes `metadata.output.activation`.
 */
import { WavegateError } from '../../src/errors.js';
import { makeTensor } from '../../src/model/formats.js';
import type { DenseActivation, DenseLayerSpec, LayerNormSpec, LayerSpec, Pooling } from '../../src/model/schema.js';
import { Attributes, type NodeProto } from './proto.js';
import type { FoldContext } from './fold.js';
import { broadcastDims } from './shape-ops.js';
import { denseOverSide } from './side-features.js';
import { pipeWith, type ActValue, type ConstValue, type Pipe, type Value } from './values.js';

function refuse(where: string, msg: string): never {
  throw new WavegateError('E_ONNX_UNSUPPORTED', `${where}: ${msg}`);
}

/** Adds the pool layer to a per-step value of the recurrent stack. */
export function poolSeq(act: ActValue, mode: Pooling, where: string): ActValue {
  if (act.pipe.pooling) refuse(where, `second pooling (${mode}) after '${act.pipe.pooling}'`);
  // Layer norms before the pool are per step (the runtime runs them on every step); dense layers are not allowed there.
  if (act.pipe.denseCount > 0) refuse(where, `pooling '${mode}' after a dense layer; pool the recurrent output first`);
  const pipe = pipeWith(act.pipe, { type: 'pool', name: 'pool', mode }, {}, { pooling: mode });
  return { ...act, pipe, stage: { type: 'feat', perStep: false } };
}

/**
 * Turns a value the head consumes into features: per-step recurrent output (no pooling),
 * or final hidden states that must be exactly [forward, backward] of the last layer (h_n).
 */
export function asFeatures(act: ActValue, where: string): ActValue {
  const st = act.stage;
  if (st.type === 'feat') return act;
  if (st.type === 'seq') return { ...act, stage: { type: 'feat', perStep: true } };
  if (st.type === 'yh' && st.dparts?.length === 1 && act.dims[act.axes.indexOf('D')] === 1) {
    // Y_h of a one-direction layer used as it is ([1, B, H], or [B, 1, H] with layout=1): its
    // direction axis holds one entry, so it is a unit axis over that direction's final state.
    return asFeatures({ ...act, axes: act.axes.map((t) => (t === 'D' ? 'U' : t)), stage: { type: 'yh', dparts: null, fparts: st.dparts } }, where);
  }
  if (st.type === 'yh') {
    if (!st.fparts || act.axes.includes('D')) refuse(where, 'final hidden state still has its direction axis; select or concatenate directions first');
    const last = act.pipe.rnnCount - 1;
    const spec = act.pipe.layers[act.pipe.lastRnn ?? -1] as { direction?: string } | undefined;
    const dirs = spec?.direction === 'bidirectional' ? 2 : 1;
    const whole = st.fparts.length === dirs && st.fparts.every((p, k) => p.layer === last && p.dir === k);
    const ends = (d: number) => (d === 1 || spec?.direction === 'reverse' ? 'first' : 'last');
    const isLast = whole && st.fparts.every((p) => p.t === 'last');
    const isFinal = whole && st.fparts.every((p) => p.t === ends(p.dir));
    // A forward-only layer fits both; name the pooling after what the graph used (h_n or y[:, -1]).
    const fromYh = st.fparts.every((p) => p.src === 'Y_h');
    const mode: Pooling | undefined = isFinal && (fromYh || !isLast) ? 'final_state' : isLast ? 'last' : undefined;
    if (!mode) {
      const got = st.fparts.map((p) => `layer ${p.layer} dir ${p.dir} at the ${p.t} step`).join(' ++ ');
      refuse(where, `final hidden state must be the last layer's ${dirs === 2 ? 'forward ++ backward' : ''} h_n, or every direction at the last step (got ${got})`);
    }
    return { ...poolSeq(act, mode, where), dims: act.dims, axes: act.axes };
  }
  if (st.type === 'rnnY') return refuse(where, 'recurrent output Y must drop its direction axis (Squeeze, or Transpose+Reshape for bidirectional) first');
  if (st.type === 'input') return refuse(where, 'the model input must go through a recurrent layer first');
  return refuse(where, `incomplete layer-norm pattern (${st.type}) used by another op`);
}

/** A layer norm's input: per-step recurrent output stays per step (it may feed another layer or a pool). */
function lnInput(act: ActValue, where: string): ActValue {
  return act.stage.type === 'seq' ? act : asFeatures(act, where);
}

function featureSize(act: ActValue, where: string): number {
  if (act.axes[act.axes.length - 1] !== 'F') refuse(where, `features must be the last axis (axes are [${act.axes.join(', ')}])`);
  return act.dims[act.dims.length - 1];
}

function replaceLast(pipe: Pipe, layer: LayerSpec, tensors: Record<string, ReturnType<typeof makeTensor>> = {}): Pipe {
  const p = pipeWith(pipe, null, tensors);
  return { ...p, layers: [...pipe.layers.slice(0, -1), layer] };
}

function addDense(act: ActValue, weight: Float32Array, b: Float32Array, inF: number, outF: number, openBias: boolean, where: string): ActValue {
  const name = `dense${act.pipe.denseCount}`;
  const spec: DenseLayerSpec = { type: 'dense', name, inFeatures: inF, outFeatures: outF, activation: 'none' };
  // Over a Concat of side features: columns as the runtime lays the row out, [pooled ++ side].
  const side = denseOverSide(act, weight, inF, outF, where);
  const w = side?.w ?? weight;
  const patch = { denseCount: act.pipe.denseCount + 1, ...(side ? { side: side.side } : {}) };
  const pipe = pipeWith(act.pipe, spec, { [`${name}.W`]: makeTensor('F32', [outF, inF], w), [`${name}.b`]: makeTensor('F32', [outF], b) }, patch);
  const st = act.stage as { perStep: boolean };
  return { ...act, pipe, dims: [...act.dims.slice(0, -1), outF], stage: { type: 'feat', perStep: st.perStep, open: openBias ? 'dense-bias' : undefined } };
}

function vectorOf(c: ConstValue, n: number, where: string, what: string): Float32Array {
  const dims = c.dims.filter((d) => d !== 1);
  if (c.data.length === 1) return new Float32Array(n).fill(c.data[0]);
  if (dims.length !== 1 || dims[0] !== n) refuse(where, `${what} of shape [${c.dims}] does not broadcast as a [${n}] vector`);
  return Float32Array.from(c.data);
}

/** Gemm: Y = alpha * A B' + beta * C with A the activation [rows, in]. */
function gemm(node: NodeProto, act: ActValue, inputs: (Value | undefined)[], ctx: FoldContext): ActValue {
  const where = ctx.where;
  const at = new Attributes(node);
  if ((at.int('transA') ?? 0) !== 0) refuse(where, 'attribute transA=1 is not supported');
  const wv = inputs[1];
  if (!wv || wv.kind !== 'const' || wv.dims.length !== 2) refuse(where, 'Gemm weight B must be a constant matrix');
  if (act.dims.length !== 2) refuse(where, `Gemm input has rank ${act.dims.length}, expected [batch, features]`);
  const inF = featureSize(act, where);
  const transB = (at.int('transB') ?? 0) === 1;
  const [r, c] = wv.dims;
  const outF = transB ? r : c;
  if ((transB ? c : r) !== inF) refuse(where, `weight [${wv.dims}] (transB=${+transB}) does not take ${inF} input features`);
  const alpha = at.float('alpha') ?? 1;
  const beta = at.float('beta') ?? 1;
  const w = new Float32Array(outF * inF);
  for (let o = 0; o < outF; o++) for (let i = 0; i < inF; i++) w[o * inF + i] = alpha * wv.data[transB ? o * inF + i : i * outF + o];
  const cv = inputs[2];
  let b = new Float32Array(outF);
  if (cv) {
    if (cv.kind !== 'const') refuse(where, 'Gemm bias C must be constant');
    b = vectorOf(cv, outF, where, 'bias C').map((v) => beta * v);
  }
  return addDense(act, w, b, inF, outF, false, where);
}

function matmul(act: ActValue, wv: Value | undefined, where: string): ActValue {
  if (!wv || wv.kind !== 'const' || wv.dims.length !== 2) refuse(where, 'MatMul with an activation needs a constant [in, out] weight as its second input');
  const inF = featureSize(act, where);
  const [r, outF] = wv.dims;
  if (r !== inF) refuse(where, `weight [${wv.dims}] does not take ${inF} input features`);
  const w = new Float32Array(outF * inF);
  for (let o = 0; o < outF; o++) for (let i = 0; i < inF; i++) w[o * inF + i] = wv.data[i * outF + o];
  return addDense(act, w, new Float32Array(outF), inF, outF, true, where);
}

function addLayerNorm(act: ActValue, gamma: Float32Array, beta: Float32Array, epsilon: number, open: 'ln-gamma' | undefined): ActValue {
  const size = gamma.length;
  const name = `ln${act.pipe.lnCount}`;
  const spec: LayerNormSpec = { type: 'layernorm', name, size, epsilon };
  const pipe = pipeWith(act.pipe, spec, { [`${name}.gamma`]: makeTensor('F32', [size], gamma), [`${name}.beta`]: makeTensor('F32', [size], beta) }, { lnCount: act.pipe.lnCount + 1 });
  if (act.stage.type === 'seq') return { ...act, pipe, stage: { type: 'seq', open } }; // per step, before any pooling
  const perStep = act.stage.type === 'feat' ? act.stage.perStep : false;
  return { ...act, pipe, stage: { type: 'feat', perStep, open } };
}

const ACTIVATIONS: Record<string, DenseActivation> = { Relu: 'relu', Tanh: 'tanh', Sigmoid: 'sigmoid' };

/** Handles a head op with at least one activation input; undefined when the op is not a head op. */
export function headAct(node: NodeProto, inputs: (Value | undefined)[], ctx: FoldContext): ActValue | undefined {
  const op = node.opType ?? '';
  const where = ctx.where;
  const at = new Attributes(node);
  const a = inputs[0];
  const b = inputs[1];
  const actIn = [a, b].find((v): v is ActValue => v?.kind === 'act');
  if (!actIn) return undefined;
  if (actIn.pipe.outputActivation) refuse(where, `no op may follow the final ${actIn.pipe.outputActivation}`);
  const st = actIn.stage;

  // Decomposed layer norm, as PyTorch exports nn.LayerNorm below opset 17.
  if (op === 'ReduceMean' && (st.type === 'lnSq')) return { ...actIn, dims: actIn.dims, stage: { type: 'lnVar', source: st.source } };
  if (op === 'ReduceMean') {
    const f = lnInput(actIn, where);
    const axesIn = inputs[1];
    const axes = ctx.opset >= 18 && axesIn?.kind === 'const' ? Array.from(axesIn.data) : at.ints('axes') ?? [];
    if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== f.dims.length - 1)) refuse(where, 'ReduceMean over an axis other than time or features');
    return { ...f, stage: { type: 'lnMean', source: f, origin: actIn } };
  }
  if (op === 'Sub' && b?.kind === 'act' && b.stage.type === 'lnMean' && a?.kind === 'act') {
    const src = b.stage.source;
    const origin = b.stage.origin ?? src;
    if (a !== src && a !== origin && a.pipe !== src.pipe && a.pipe !== origin.pipe) refuse(where, 'layer-norm pattern subtracts the mean of a different tensor');
    return { ...src, stage: { type: 'lnCentered', source: src } };
  }
  if ((op === 'Pow' && st.type === 'lnCentered' && b?.kind === 'const' && b.data[0] === 2) || (op === 'Mul' && st.type === 'lnCentered' && a === b)) {
    return { ...actIn, stage: { type: 'lnSq', source: (st as { source: ActValue }).source } };
  }
  if (op === 'Add' && st.type === 'lnVar' && b?.kind === 'const' && b.data.length === 1) {
    return { ...actIn, stage: { type: 'lnVar', source: st.source, epsilon: b.data[0] + (st.epsilon ?? 0) } };
  }
  if (op === 'Sqrt' && st.type === 'lnVar') return { ...actIn, stage: { type: 'lnStd', source: st.source, epsilon: st.epsilon ?? 0 } };
  if (op === 'Div' && a?.kind === 'act' && a.stage.type === 'lnCentered' && b?.kind === 'act' && b.stage.type === 'lnStd') {
    if (a.stage.source !== b.stage.source) refuse(where, 'layer-norm pattern divides by the deviation of a different tensor');
    const src = a.stage.source;
    const n = featureSize(src, where);
    return addLayerNorm(src, new Float32Array(n).fill(1), new Float32Array(n), b.stage.epsilon ?? 0, 'ln-gamma');
  }
  if (st.type.startsWith('ln')) refuse(where, `${op} inside a layer-norm pattern is not recognised`);

  switch (op) {
    case 'LayerNormalization': {
      const f = lnInput(actIn, where);
      const axis = at.int('axis') ?? -1;
      if (axis !== -1 && axis !== f.dims.length - 1) refuse(where, `LayerNormalization over axis ${axis}; only the features axis is supported`);
      const n = featureSize(f, where);
      const sc = inputs[1];
      const bi = inputs[2];
      if (!sc || sc.kind !== 'const' || (bi && bi.kind !== 'const')) refuse(where, 'LayerNormalization scale and bias must be constants');
      const beta = bi && bi.kind === 'const' ? vectorOf(bi, n, where, 'bias') : new Float32Array(n);
      return addLayerNorm(f, vectorOf(sc, n, where, 'scale'), beta, at.float('epsilon') ?? 1e-5, undefined);
    }
    case 'Gemm':
      if (a?.kind !== 'act') refuse(where, 'Gemm with a constant first input');
      return gemm(node, asFeatures(a, where), inputs, ctx);
    case 'MatMul':
      if (a?.kind !== 'act') refuse(where, 'MatMul with the activation as second input is not supported');
      return matmul(asFeatures(a, where), b, where);
    case 'Add':
    case 'Mul': {
      const c = a?.kind === 'const' ? a : b?.kind === 'const' ? b : undefined;
      if (!c) refuse(where, `${op} of two activations is not supported`);
      if (op === 'Mul' && a?.kind !== 'act') refuse(where, 'Mul with the constant first');
      if ((st.type !== 'feat' && st.type !== 'seq') || !st.open) refuse(where, `${op} with a constant is supported only as a dense bias or layer-norm scale/shift`);
      broadcastDims(actIn.dims, c.dims, where);
      const last = actIn.pipe.layers[actIn.pipe.layers.length - 1];
      if (op === 'Add' && st.open === 'dense-bias' && last.type === 'dense') {
        const name = last.name;
        const bias = actIn.pipe.tensors.get(`${name}.b`)!.data as Float32Array;
        const add = vectorOf(c, last.outFeatures, where, 'bias');
        const pipe = replaceLast(actIn.pipe, last, { [`${name}.b`]: makeTensor('F32', [last.outFeatures], bias.map((v, i) => v + add[i])) });
        return { ...actIn, pipe, stage: { ...st, open: undefined } };
      }
      if (last.type === 'layernorm' && (st.open === 'ln-gamma' || st.open === 'ln-beta')) {
        const key = op === 'Mul' ? 'gamma' : 'beta';
        if (op === 'Mul' && st.open !== 'ln-gamma') refuse(where, 'second Mul after layer norm');
        const vec = vectorOf(c, last.size, where, key);
        const pipe = replaceLast(actIn.pipe, last, { [`${last.name}.${key}`]: makeTensor('F32', [last.size], vec) });
        return { ...actIn, pipe, stage: { ...st, open: op === 'Mul' ? 'ln-beta' : undefined } };
      }
      return refuse(where, `${op} with a constant after ${last.type} is not supported`);
    }
    case 'Relu':
    case 'Tanh':
    case 'Sigmoid': {
      const f = asFeatures(actIn, where);
      const last = f.pipe.layers[f.pipe.layers.length - 1];
      if (last.type === 'dense' && last.activation === 'none') {
        const pipe = replaceLast(f.pipe, { ...last, activation: ACTIVATIONS[op] });
        return { ...f, pipe, stage: { type: 'feat', perStep: (f.stage as { perStep: boolean }).perStep } };
      }
      if (op === 'Sigmoid') return { ...f, pipe: { ...f.pipe, outputActivation: 'sigmoid' } };
      return refuse(where, `${op} must follow a dense layer (Gemm or MatMul)`);
    }
    case 'Softmax': {
      const f = asFeatures(actIn, where);
      const axis = at.int('axis') ?? (ctx.opset >= 13 ? -1 : 1);
      if (axis !== -1 && axis !== f.dims.length - 1) refuse(where, `Softmax over axis ${axis}; only the features axis is supported`);
      return { ...f, pipe: { ...f.pipe, outputActivation: 'softmax' } };
    }
    default:
      return undefined;
  }
}
