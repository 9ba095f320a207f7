/**
 * A second graph input of side features [batch, F], joined with the pooled recurrent output by
 * Concat(axis=1) right before the first dense layer: PyTorch's
 *
 *     z = torch.cat([h_last, f], dim=1)
 *     y = nn.Linear(H + F, K)(z)            # exported as Concat + Gemm (or MatMul + Add)
 *
 * becomes `input.features` (kind `external`, names f0..f{F-1}) and a first dense layer with
 * inFeatures = pooled width + F; the runtime writes the vector into the pooled rows' tail columns.
 * `torch.cat([f, h_last])` is taken too: the dense weight's columns are reordered so that the
 * pooled block comes first, as the runtime lays the row out. Identity, Dropout, Cast to float and
 * shape-preserving Reshape/Flatten may sit on either side; every other use of the second input
 * (per-step features, arithmetic on it, a second join) is refused, naming the node.
 */
import { WavegateError } from '../../src/errors.js';
import { Attributes, DT, type NodeProto } from './proto.js';
import { intsOf, type FoldContext } from './fold.js';
import { axisOf, reshapeDims } from './shape-ops.js';
import { asFeatures } from './head.js';
import { isSymbolic, type ActValue, type SideValue, type Value } from './values.js';

const USE = 'side features may only join the pooled recurrent output through Concat(axis=1) right before the first dense layer, as torch.cat([h, f], dim=1) + nn.Linear';

function refuse(where: string, msg: string): never {
  throw new WavegateError('E_ONNX_UNSUPPORTED', `${where}: ${msg}`);
}

/** Ops that pass a value through unchanged (the dense weight still sees the same columns). */
const PASS_THROUGH = new Set(['Identity', 'Dropout']);

/** A node with the side-feature input among its inputs. */
export function sideNode(node: NodeProto, ins: (Value | undefined)[], ctx: FoldContext): Value {
  const op = node.opType ?? '';
  const where = ctx.where;
  const side = ins.find((v): v is SideValue => v?.kind === 'side')!;
  const what = `input '${side.name}' (side features [batch, ${side.count}])`;
  if (ins[0] === side && (PASS_THROUGH.has(op) || (op === 'Cast' && new Attributes(node).int('to') === DT.FLOAT))) return side;
  if (ins[0] === side && (op === 'Reshape' || op === 'Flatten')) {
    const target = op === 'Reshape'
      ? reshapeDims(side.dims, intsOf(ins[1], where, 'shape'), (new Attributes(node).int('allowzero') ?? 0) === 1, where).dims
      : [side.dims[0], side.dims.slice(1).reduce((a, b) => a * b, 1)];
    if (target.length === 2 && target[0] === side.dims[0] && target[1] === side.count) return side;
    refuse(where, `reshapes ${what} to [${target.map((d) => (isSymbolic(d) ? 'batch' : d))}]; ${USE}`);
  }
  if (op !== 'Concat') refuse(where, `uses ${what}; ${USE}`);
  const present = ins.filter((v): v is Value => v !== undefined);
  const acts = present.filter((v): v is ActValue => v.kind === 'act');
  if (present.length !== 2 || acts.length !== 1) refuse(where, `joins ${what} with ${present.length - 1} other value(s); ${USE}`);
  const axis = axisOf(new Attributes(node).int('axis') ?? 0, 2, where);
  if (axis !== 1) refuse(where, `joins ${what} along axis ${axis}; ${USE}`);
  return joinSide(acts[0], side, present[0] === side, where);
}

/** Concat(pooled, side) -> the pooled features with F more columns, waiting for the first dense layer. */
function joinSide(act: ActValue, side: SideValue, sideFirst: boolean, where: string): ActValue {
  if (act.stage.type === 'seq' || act.stage.type === 'rnnY' || (act.stage.type === 'feat' && act.stage.perStep)) {
    refuse(where, `joins input '${side.name}' with the per-step recurrent output (axes [${act.axes.join(', ')}]); pool it first (last step or h_n): ${USE}`);
  }
  const f = asFeatures(act, where);
  if (f.pipe.side) refuse(where, `joins side features a second time (after '${f.pipe.side.input}'); ${USE}`);
  if (f.pipe.denseCount > 0) refuse(where, `joins input '${side.name}' after a dense layer; ${USE}`);
  if (f.dims.length !== 2 || f.axes.join() !== 'B,F') refuse(where, `joins input '${side.name}' with a value of axes [${f.axes.join(', ')}]; expected the pooled [batch, features]`);
  const batch = f.dims[0];
  const sb = side.dims[0];
  if (!isSymbolic(sb) && !isSymbolic(batch) && sb !== batch) refuse(where, `input '${side.name}' has batch ${sb}, the signal ${batch}`);
  const pipe = { ...f.pipe, side: { input: side.name, count: side.count, first: sideFirst, pending: true } };
  return { ...f, pipe, dims: [batch, f.dims[1] + side.count], stage: { type: 'feat', perStep: false } };
}

/** Refuses ops other than a dense layer (or a pass-through) on the Concat of side features. */
export function checkSidePending(node: NodeProto, ins: (Value | undefined)[], where: string): void {
  const op = node.opType ?? '';
  const pending = ins.find((v): v is ActValue => v?.kind === 'act' && v.pipe.side?.pending === true);
  if (!pending) return;
  if (op === 'Gemm' || op === 'MatMul' || PASS_THROUGH.has(op) || op === 'Cast' || op === 'Reshape' || op === 'Flatten') return;
  refuse(where, `${op} on the Concat of pooled output and input '${pending.pipe.side!.input}'; ${USE}`);
}

/**
 * The first dense layer's weight [out, in] over the Concat: reordered to [pooled ++ side] when
 * the graph put the side features first. Returns the pipe's side record as joined.
 */
export function denseOverSide(act: ActValue, w: Float32Array, inF: number, outF: number, where: string): { w: Float32Array; side: NonNullable<ActValue['pipe']['side']> } | undefined {
  const s = act.pipe.side;
  if (!s?.pending) return undefined;
  if (act.dims[act.dims.length - 1] !== inF) refuse(where, `dense layer over the Concat of side features takes ${inF} inputs, the Concat has ${act.dims[act.dims.length - 1]}`);
  const joined = { ...s, pending: false };
  if (!s.first) return { w, side: joined };
  const F = s.count;
  const W = inF - F;
  const out = new Float32Array(w.length);
  for (let o = 0; o < outF; o++) {
    out.set(w.subarray(o * inF + F, (o + 1) * inF), o * inF);
    out.set(w.subarray(o * inF, o * inF + F), o * inF + W);
  }
  return { w: out, side: joined };
}
