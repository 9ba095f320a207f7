/**
 * Layout ops on activation values: Transpose, Squeeze, Unsqueeze, Reshape, Flatten, Gather,
 * Slice, Concat and ReduceMean, interpreted by what they do to the tagged axes:
 *
 *   - Y [T, D, B, H] -> squeeze D, or transpose + reshape merging (D, H) into 2H -> per-step features
 *   - Gather/Slice selecting the last time step                     -> pooling 'last'
 *   - ReduceMean over the time axis                                 -> pooling 'mean'
 *   - Gather/Slice/Concat/Reshape over the D axis of Y_h values     -> pooling 'final_state' (checked at the head)
 *   - anything else that would mix batch, time and features        -> E_ONNX_UNSUPPORTED
 */
import { WavegateError } from '../../src/errors.js';
import { Attributes, type NodeProto } from './proto.js';
import { intsOf, type FoldContext } from './fold.js';
import { axisOf, concatDims, gatherDims, reshapeDims, sliceDims, squeezeDims, transposeDims, unsqueezeDims } from './shape-ops.js';
import { sizeOf, type ActValue, type AxisTag, type RnnPart, type Value } from './values.js';
import { poolSeq } from './head.js';

function refuse(where: string, msg: string): never {
  throw new WavegateError('E_ONNX_UNSUPPORTED', `${where}: ${msg}`);
}

/** Result of matching a Reshape's output axes to groups of input axes. */
interface Regroup {
  tags: AxisTag[];
  /** True when a (D, F) pair was merged into one feature axis (direction-major = fwd ++ bwd). */
  mergedDF: boolean;
  /** True when a size-1 D axis was dropped. */
  droppedD: boolean;
}

const DROPPABLE = new Set<AxisTag>(['U', 'D']);

function regroup(inDims: number[], inTags: AxisTag[], outDims: number[], where: string): Regroup {
  // Size-1 unit and direction axes carry no data: drop them first, so that a size-1 feature or
  // batch axis is never mistaken for one (H = 1, batch 1), and re-insert units where the output has them.
  const kept = inDims.flatMap((d, i) => (d === 1 && DROPPABLE.has(inTags[i]) ? [] : [i]));
  const droppedD = inTags.some((t, i) => t === 'D' && !kept.includes(i));
  const tags: AxisTag[] = [];
  let mergedDF = false;
  let i = 0;
  for (let j = 0; j < outDims.length; j++) {
    if (outDims[j] === 1 && (i >= kept.length || inDims[kept[i]] !== 1)) {
      tags.push('U');
      continue;
    }
    if (i >= kept.length) refuse(where, `reshape to [${outDims}] does not map onto the input axes [${inTags}]`);
    const group: number[] = [kept[i++]];
    let prod = inDims[group[0]];
    while (prod < outDims[j] && i < kept.length) {
      prod *= inDims[kept[i]];
      group.push(kept[i++]);
    }
    if (prod !== outDims[j]) refuse(where, `reshape to [${outDims}] splits axis ${inTags[group[0]]}; only merging direction into features is supported`);
    // Size-1 axes that follow (H = 1 features) belong to this group unless the next output axis takes them.
    while (i < kept.length && inDims[kept[i]] === 1 && !(j + 1 < outDims.length && outDims[j + 1] === 1)) group.push(kept[i++]);
    const gt = group.map((g) => inTags[g]);
    if (gt.length === 1) tags.push(gt[0]);
    else if (gt.length === 2 && gt[0] === 'D' && gt[1] === 'F') {
      tags.push('F');
      mergedDF = true;
    } else refuse(where, `reshape merges axes (${gt.join(', ')}); only (direction, features) -> features is supported`);
  }
  if (i < kept.length) refuse(where, `reshape to [${outDims}] drops axis ${inTags[kept[i]]}`);
  return { tags, mergedDF, droppedD };
}

/** After an op removed or merged the D axis, turn Y into per-step features and Y_h slices into feature parts. */
function afterDirectionChange(act: ActValue, dims: number[], axes: AxisTag[], r: { mergedDF: boolean; droppedD: boolean }, where: string): ActValue {
  const st = act.stage;
  if (st.type === 'rnnY') {
    const dAxisGone = !axes.includes('D');
    if (!dAxisGone) return { ...act, dims, axes };
    if (st.directions === 2 && !r.mergedDF) refuse(where, 'bidirectional Y must keep both directions (concatenate forward and backward features)');
    return { ...act, dims, axes, stage: { type: 'seq' } };
  }
  if (st.type === 'yh' && !axes.includes('D') && st.dparts) {
    return { ...act, dims, axes, stage: { type: 'yh', dparts: null, fparts: st.dparts } };
  }
  return { ...act, dims, axes };
}

function checkNotAfterOutput(act: ActValue, where: string): void {
  if (act.pipe.outputActivation) refuse(where, `no op may follow the final ${act.pipe.outputActivation}`);
}

/** Handles a layout op whose data input is an activation. */
export function layoutAct(node: NodeProto, inputs: (Value | undefined)[], ctx: FoldContext): ActValue | undefined {
  const op = node.opType ?? '';
  const at = new Attributes(node);
  const where = ctx.where;
  const act = inputs[0] as ActValue;
  if (act.kind !== 'act') return undefined;
  const inputStage = act.stage.type === 'input';
  switch (op) {
    case 'Identity':
    case 'Dropout':
      return act;
    case 'Cast':
      return act; // the kernel computes in f32; a Cast between float types changes nothing it can see
    case 'Transpose': {
      const m = transposeDims(act.dims, at.ints('perm'), where);
      return { ...act, dims: m.dims, axes: m.perm.map((p) => act.axes[p]) };
    }
    case 'Squeeze': {
      if (inputStage) refuse(where, 'Squeeze on the model input is not supported (give the input as [batch, time, channels] or [time, batch, channels])');
      const axes = ctx.opset >= 13 ? (inputs[1] ? intsOf(inputs[1], where, 'axes') : undefined) : at.ints('axes');
      const m = squeezeDims(act.dims, axes ?? act.dims.flatMap((d, i) => (d === 1 && DROPPABLE.has(act.axes[i]) ? [i] : [])), where);
      for (const a of m.removed) if (!DROPPABLE.has(act.axes[a])) refuse(where, `squeezes the ${act.axes[a]} axis`);
      const tags = act.axes.filter((_, i) => !m.removed.includes(i));
      return afterDirectionChange(act, m.dims, tags, { mergedDF: false, droppedD: m.removed.some((a) => act.axes[a] === 'D') }, where);
    }
    case 'Unsqueeze': {
      if (inputStage) refuse(where, 'Unsqueeze on the model input is not supported');
      const axes = ctx.opset >= 13 ? intsOf(inputs[1], where, 'axes') : at.ints('axes') ?? [];
      const m = unsqueezeDims(act.dims, axes, where);
      const tags: AxisTag[] = [];
      let k = 0;
      for (let i = 0; i < m.dims.length; i++) tags.push(m.inserted.includes(i) ? 'U' : act.axes[k++]);
      return { ...act, dims: m.dims, axes: tags };
    }
    case 'Reshape':
    case 'Flatten': {
      if (inputStage) refuse(where, `${op} on the model input is not supported`);
      let target: number[];
      if (op === 'Reshape') target = reshapeDims(act.dims, intsOf(inputs[1], where, 'shape'), (at.int('allowzero') ?? 0) === 1, where).dims;
      else {
        const a = axisOf(at.int('axis') ?? 1, act.dims.length + 1, where);
        target = [sizeOf(act.dims.slice(0, a)), sizeOf(act.dims.slice(a))];
      }
      const r = regroup(act.dims, act.axes, target, where);
      return afterDirectionChange(act, target, r.tags, r, where);
    }
    case 'Gather':
    case 'Slice': {
      if (inputStage) refuse(where, `${op} on the model input is not supported`);
      checkNotAfterOutput(act, where);
      return selectAct(act, op, inputs, at, ctx);
    }
    case 'ReduceMean': {
      const axes = ctx.opset >= 18 && inputs[1] ? intsOf(inputs[1], where, 'axes') : at.ints('axes');
      const keep = (at.int('keepdims') ?? 1) === 1;
      if (!axes || axes.length !== 1) refuse(where, 'ReduceMean must reduce exactly one axis (time for mean pooling, features for layer norm)');
      const a = axisOf(axes[0], act.dims.length, where);
      if (act.axes[a] === 'T' && act.stage.type === 'feat') refuse(where, 'mean over time (pooling) after a dense or layer-norm layer; pool the recurrent output first');
      if (act.axes[a] === 'T' && act.stage.type === 'seq') {
        const pooled = poolSeq(act, 'mean', where);
        const dims = keep ? act.dims.map((d, i) => (i === a ? 1 : d)) : act.dims.filter((_, i) => i !== a);
        const tags: AxisTag[] = keep ? act.axes.map((t, i) => (i === a ? 'U' : t)) : act.axes.filter((_, i) => i !== a);
        return { ...pooled, dims, axes: tags };
      }
      return undefined; // a features-axis mean: the layer-norm pattern (head.ts) handles it
    }
    case 'Concat': {
      const acts = inputs.filter((v): v is Value => v !== undefined);
      if (!acts.every((v): v is ActValue => v.kind === 'act' && v.stage.type === 'yh')) refuse(where, 'Concat of activations is supported only for final hidden states (h_n) and direction blocks of one time step');
      const c = concatDims(acts.map((v) => v.dims), at.int('axis') ?? 0, where);
      const tag = act.axes[c.axis];
      // h_n of a stack concatenates every layer's Y_h: keep the pipe that contains them all.
      const deepest = acts.reduce((m, v) => (v.pipe.rnnCount > m.pipe.rnnCount ? v : m), acts[0]);
      const parts = (key: 'dparts' | 'fparts') => acts.flatMap((v) => {
        const st = v.stage as { dparts: RnnPart[] | null; fparts: RnnPart[] | null };
        const p = st[key];
        if (!p) refuse(where, `Concat of h_n values along ${tag} with mismatched layouts`);
        return p;
      });
      if (tag === 'D') return { ...deepest, dims: c.dims, stage: { type: 'yh', dparts: parts('dparts'), fparts: null } };
      if (tag === 'F') {
        if (acts.some((v) => v.pipe !== act.pipe)) refuse(where, 'Concat joins states of different paths through the model');
        return { ...deepest, dims: c.dims, stage: { type: 'yh', dparts: null, fparts: parts('fparts') } };
      }
      return refuse(where, `Concat of h_n values along the ${tag} axis`);
    }
    default:
      return undefined;
  }
}

/** Gather/Slice on an activation: time-step selection (pooling 'last'), direction selection (h_n), or identity. */
function selectAct(act: ActValue, op: string, inputs: (Value | undefined)[], at: Attributes, ctx: FoldContext): ActValue {
  const where = ctx.where;
  let axis: number;
  let picked: number[];
  let dims: number[];
  let dropAxis = false;
  if (op === 'Gather') {
    const ind = inputs[1];
    if (!ind || ind.kind !== 'const') refuse(where, 'gather indices must be constant');
    const m = gatherDims(act.dims, at.int('axis') ?? 0, ind.dims, ind.data, where);
    axis = m.axis;
    picked = m.picked;
    dims = m.dims;
    dropAxis = ind.dims.length === 0;
    if (ind.dims.length > 1) refuse(where, 'gather with multi-dimensional indices');
  } else {
    const m = ctx.opset >= 10
      ? sliceDims(act.dims, intsOf(inputs[1], where, 'starts'), intsOf(inputs[2], where, 'ends'), inputs[3] ? intsOf(inputs[3], where, 'axes') : undefined, inputs[4] ? intsOf(inputs[4], where, 'steps') : undefined, where)
      : sliceDims(act.dims, at.ints('starts') ?? [], at.ints('ends') ?? [], at.ints('axes'), undefined, where);
    const changed = [...m.ranges].filter(([a, r]) => !(r.start === 0 && r.step === 1 && r.count === act.dims[a]));
    if (changed.length === 0) return act;
    if (changed.length > 1) refuse(where, 'slice over more than one axis');
    const [a, r] = changed[0];
    axis = a;
    picked = Array.from({ length: r.count }, (_, k) => r.start + k * r.step);
    dims = m.dims;
  }
  const tag = act.axes[axis];
  const axes = dropAxis ? act.axes.filter((_, i) => i !== axis) : act.axes;
  if (tag === 'T' && act.stage.type === 'seq') {
    // One end of the sequence: every direction of the last layer at that step. head.ts decides
    // later whether the blocks kept form pooling 'last' or 'final_state'.
    const n = act.dims[axis];
    const at: RnnPart['t'] | undefined = picked.length === 1 && picked[0] === n - 1 ? 'last' : picked.length === 1 && picked[0] === 0 ? 'first' : undefined;
    if (!at) refuse(where, `selects time steps [${picked.slice(0, 4)}] of ${n}; only the last step (pooling 'last') or the ends used by 'final_state' are supported`);
    if (act.pipe.denseCount > 0) refuse(where, 'time-step selection (pooling) after a dense layer; pool the recurrent output first');
    const spec = act.pipe.layers[act.pipe.lastRnn ?? -1] as { direction?: string } | undefined;
    const dirs = spec?.direction === 'bidirectional' ? 2 : 1;
    const fparts: RnnPart[] = Array.from({ length: dirs }, (_, d) => ({ layer: act.pipe.rnnCount - 1, dir: d, t: at, src: 'Y' }));
    return { ...act, dims, axes: dropAxis ? axes : act.axes.map((t, i) => (i === axis ? 'U' : t)), stage: { type: 'yh', dparts: null, fparts } };
  }
  if (tag === 'F' && act.stage.type === 'yh' && act.stage.fparts && !act.axes.includes('D')) {
    // Whole direction blocks only, e.g. y[:, -1, :H] (forward) and y[:, 0, H:] (backward).
    const H = act.dims[axis] / act.stage.fparts.length;
    const step1 = picked.every((p, k) => k === 0 || p === picked[k - 1] + 1);
    if (!step1 || picked.length % H !== 0 || picked[0] % H !== 0) refuse(where, `slices features [${picked[0]}..${picked[picked.length - 1]}] across direction blocks of ${H}`);
    const fparts = act.stage.fparts.slice(picked[0] / H, (picked[0] + picked.length) / H);
    return { ...act, dims, axes, stage: { type: 'yh', dparts: null, fparts } };
  }
  if (tag === 'T' && act.stage.type === 'feat') refuse(where, 'time-step selection (pooling) after a dense or layer-norm layer; pool the recurrent output first');
  if (tag === 'D' && act.stage.type === 'yh' && act.stage.dparts) {
    const dparts = picked.map((k) => act.stage.type === 'yh' && act.stage.dparts ? act.stage.dparts[k] : refuse(where, 'bad h_n'));
    if (dropAxis) return { ...act, dims, axes, stage: { type: 'yh', dparts: null, fparts: dparts } };
    return { ...act, dims, axes, stage: { type: 'yh', dparts, fparts: null } };
  }
  if (tag === 'U' || (picked.length === act.dims[axis] && picked.every((p, k) => p === k))) return { ...act, dims, axes };
  return refuse(where, `${op} on the ${tag} axis of a ${act.stage.type} value is not supported`);
}
