/**
 * Constant folding of the glue exporters put around recurrent layers: Constant, Shape,
 * Gather, Slice, Concat, Reshape, Squeeze/Unsqueeze, Transpose, ConstantOfShape, Cast,
 * Identity and small integer/float arithmetic on known values.
 *
 * `fill` values (all elements equal, shape possibly symbolic) go through layout ops by their
 * dims alone, so zero initial states built from Shape(x) are recognised as zeros without ever
 * materialising a tensor of sentinel size.
 */
import { WavegateError } from '../../src/errors.js';
import { Attributes, DT, readTensor, type NodeProto } from './proto.js';
import {
  broadcastDims, concatDims, gatherDims, remapData, reshapeDims, sliceDims, squeezeDims, stridesOf, transposeDims, unflatten, unsqueezeDims, type Mapped,
} from './shape-ops.js';
import { isSymbolic, sizeOf, type ConstValue, type FillValue, type Value } from './values.js';

export type Known = ConstValue | FillValue;

export interface FoldContext {
  /** The node's label for messages: `<OpType> at node '<name>'`. */
  where: string;
  opset: number;
}

const INT_TYPES: ReadonlySet<number> = new Set([DT.INT8, DT.UINT8, DT.INT16, DT.UINT16, DT.INT32, DT.UINT32, DT.INT64, DT.UINT64]);

function fmt(where: string, msg: string): never {
  throw new WavegateError('E_ONNX_FORMAT', `${where}: ${msg}`);
}

/** A const whose integer values are needed (shapes, axes, indices). */
export function intsOf(v: Value | undefined, where: string, what: string): number[] {
  if (!v || v.kind !== 'const') throw new WavegateError('E_ONNX_UNSUPPORTED', `${where}: ${what} must be a constant known at import time`);
  return Array.from(v.data);
}

/** Materialises a fill with concrete dims (used only when an op needs data, e.g. as a shape). */
export function toConst(v: Known, where: string): ConstValue {
  if (v.kind === 'const') return v;
  if (v.dims.some(isSymbolic) || sizeOf(v.dims) > 1 << 24) fmt(where, `cannot materialise a ${v.dims.join('x')} constant`);
  return { kind: 'const', elemType: v.elemType, dims: v.dims, data: new Float64Array(sizeOf(v.dims)).fill(v.value) };
}

function mapped(v: Known, m: Mapped, where: string): Known {
  if (v.kind === 'fill') return { ...v, dims: m.dims };
  return { kind: 'const', elemType: v.elemType, dims: m.dims, data: remapData(v.data, v.dims, m, where) };
}

function castValue(x: number, to: number): number {
  if (to === DT.BOOL) return x !== 0 ? 1 : 0;
  if (INT_TYPES.has(to)) return Math.trunc(x);
  if (to === DT.FLOAT) return Math.fround(x);
  return x;
}

function elementwise(op: string, a: Known, b: Known | undefined, where: string): Known {
  const f: Record<string, (x: number, y: number) => number> = {
    Add: (x, y) => x + y, Sub: (x, y) => x - y, Mul: (x, y) => x * y,
    Div: (x, y) => (INT_TYPES.has(a.elemType) ? Math.trunc(x / y) : x / y),
    Pow: (x, y) => x ** y, Equal: (x, y) => (x === y ? 1 : 0), Max: (x, y) => Math.max(x, y), Min: (x, y) => Math.min(x, y),
    Neg: (x) => -x, Sqrt: (x) => Math.sqrt(x), Abs: (x) => Math.abs(x), Not: (x) => (x ? 0 : 1),
  };
  const fn = f[op];
  const elemType = op === 'Equal' ? DT.BOOL : a.elemType;
  const round = (x: number) => (elemType === DT.FLOAT ? Math.fround(x) : x);
  const bb = b ?? a;
  const dims = broadcastDims(a.dims, bb.dims, where);
  const uniform = (v: Known): number | undefined => (v.kind === 'fill' ? v.value : v.data.every((x) => x === v.data[0]) && v.data.length > 0 ? v.data[0] : undefined);
  if (a.kind === 'fill' || bb.kind === 'fill') {
    const ua = uniform(a);
    const ub = uniform(bb);
    if (ua === undefined || ub === undefined) fmt(where, 'elementwise op mixes a symbolic-shape fill with a non-uniform constant');
    return { kind: 'fill', elemType, dims, value: round(fn(ua, ub)) };
  }
  const n = sizeOf(dims);
  const out = new Float64Array(n);
  const os = stridesOf(dims);
  const idx = (v: ConstValue, multi: number[]) => {
    const off = dims.length - v.dims.length;
    const s = stridesOf(v.dims);
    let k = 0;
    v.dims.forEach((d, i) => (k += (d === 1 ? 0 : multi[i + off]) * s[i]));
    return k;
  };
  for (let i = 0; i < n; i++) {
    const m = unflatten(i, dims, os);
    out[i] = round(fn(a.data[idx(a, m)], bb.data[idx(bb as ConstValue, m)]));
  }
  return { kind: 'const', elemType, dims, data: out };
}

/** Folds one node whose inputs are all known. Returns its outputs, or throws E_ONNX_UNSUPPORTED. */
export function foldNode(node: NodeProto, inputs: (Value | undefined)[], ctx: FoldContext): Known[] {
  const at = new Attributes(node);
  const where = ctx.where;
  const x = inputs[0] as Known | undefined;
  const op = node.opType ?? '';
  const need = (): Known => x ?? fmt(where, 'missing input 0');
  switch (op) {
    case 'Constant': {
      const t = at.tensor('value');
      if (t) return [{ kind: 'const', ...readTensor(t, `${node.name}.value`) }];
      const fv = at.float('value_float');
      if (fv !== undefined) return [{ kind: 'const', elemType: DT.FLOAT, dims: [], data: Float64Array.of(fv) }];
      const fvs = at.floats('value_floats');
      if (fvs !== undefined) return [{ kind: 'const', elemType: DT.FLOAT, dims: [fvs.length], data: Float64Array.from(fvs) }];
      const iv = at.int('value_int');
      if (iv !== undefined) return [{ kind: 'const', elemType: DT.INT64, dims: [], data: Float64Array.of(iv) }];
      const ivs = at.ints('value_ints');
      if (ivs !== undefined) return [{ kind: 'const', elemType: DT.INT64, dims: [ivs.length], data: Float64Array.from(ivs) }];
      throw new WavegateError('E_ONNX_UNSUPPORTED', `${where}: Constant without a tensor, float(s) or int(s) value`);
    }
    case 'Identity':
    case 'Dropout':
      return [need()];
    case 'Cast': {
      const to = at.int('to') ?? DT.FLOAT;
      const v = need();
      if (v.kind === 'fill') return [{ ...v, elemType: to, value: castValue(v.value, to) }];
      return [{ kind: 'const', elemType: to, dims: v.dims, data: v.data.map((e) => castValue(e, to)) }];
    }
    case 'ConstantOfShape': {
      const shape = intsOf(x, where, 'shape');
      const t = at.tensor('value');
      const val = t ? readTensor(t, `${node.name}.value`) : { elemType: DT.FLOAT, data: Float64Array.of(0), dims: [1] };
      const fill: FillValue = { kind: 'fill', elemType: val.elemType, dims: shape, value: val.data[0] ?? 0 };
      return [shape.some(isSymbolic) ? fill : toConst(fill, where)];
    }
    case 'Transpose':
      return [mapped(need(), transposeDims(need().dims, at.ints('perm'), where), where)];
    case 'Squeeze': {
      const axes = ctx.opset >= 13 ? (inputs[1] ? intsOf(inputs[1], where, 'axes') : undefined) : at.ints('axes');
      return [mapped(need(), squeezeDims(need().dims, axes, where), where)];
    }
    case 'Unsqueeze': {
      const axes = ctx.opset >= 13 ? intsOf(inputs[1], where, 'axes') : at.ints('axes') ?? [];
      return [mapped(need(), unsqueezeDims(need().dims, axes, where), where)];
    }
    case 'Reshape':
      return [mapped(need(), reshapeDims(need().dims, intsOf(inputs[1], where, 'shape'), (at.int('allowzero') ?? 0) === 1, where), where)];
    case 'Flatten': {
      const v = need();
      const a = at.int('axis') ?? 1;
      const ax = a < 0 ? a + v.dims.length : a;
      return [mapped(v, reshapeDims(v.dims, [sizeOf(v.dims.slice(0, ax)), sizeOf(v.dims.slice(ax))], false, where), where)];
    }
    case 'Slice': {
      const v = need();
      const m = ctx.opset >= 10
        ? sliceDims(v.dims, intsOf(inputs[1], where, 'starts'), intsOf(inputs[2], where, 'ends'), inputs[3] ? intsOf(inputs[3], where, 'axes') : undefined, inputs[4] ? intsOf(inputs[4], where, 'steps') : undefined, where)
        : sliceDims(v.dims, at.ints('starts') ?? [], at.ints('ends') ?? [], at.ints('axes'), undefined, where);
      return [mapped(v, m, where)];
    }
    case 'Gather': {
      const v = need();
      const ind = inputs[1];
      if (!ind || ind.kind !== 'const') throw new WavegateError('E_ONNX_UNSUPPORTED', `${where}: gather indices must be constant`);
      return [mapped(v, gatherDims(v.dims, at.int('axis') ?? 0, ind.dims, ind.data, where), where)];
    }
    case 'Concat': {
      const parts = inputs.filter((p): p is Known => p !== undefined);
      const c = concatDims(parts.map((p) => p.dims), at.int('axis') ?? 0, where);
      if (parts.every((p) => p.kind === 'fill' && p.value === (parts[0] as FillValue).value)) {
        return [{ kind: 'fill', elemType: parts[0].elemType, dims: c.dims, value: (parts[0] as FillValue).value }];
      }
      const consts = parts.map((p) => toConst(p, where));
      const out = new Float64Array(sizeOf(c.dims));
      const os = stridesOf(c.dims);
      for (let i = 0; i < out.length; i++) {
        const m = unflatten(i, c.dims, os);
        let k = consts.length - 1;
        while (c.offsets[k] > m[c.axis]) k--;
        const src = [...m];
        src[c.axis] -= c.offsets[k];
        const s = stridesOf(consts[k].dims);
        out[i] = consts[k].data[src.reduce((acc, e, j) => acc + e * s[j], 0)];
      }
      return [{ kind: 'const', elemType: parts[0].elemType, dims: c.dims, data: out }];
    }
    case 'Expand': {
      const v = need();
      const dims = broadcastDims(v.dims, intsOf(inputs[1], where, 'shape'), where);
      if (v.kind === 'fill') return [{ ...v, dims }];
      const ones: Known = { kind: 'fill', elemType: v.elemType, dims, value: 0 };
      return [elementwise('Add', v, dims.some(isSymbolic) ? ones : toConst(ones, where), where)];
    }
    case 'Add': case 'Sub': case 'Mul': case 'Div': case 'Pow': case 'Equal': case 'Max': case 'Min':
      return [elementwise(op, need(), inputs[1] as Known, where)];
    case 'Neg': case 'Sqrt': case 'Abs': case 'Not':
      return [elementwise(op, need(), undefined, where)];
    case 'Where': {
      const [c, a, b] = inputs.map((v) => toConst(v as Known, where));
      const dims = broadcastDims(broadcastDims(c.dims, a.dims, where), b.dims, where);
      const pick = (v: ConstValue, i: number) => v.data[v.data.length === 1 ? 0 : i];
      if ([c, a, b].some((v) => v.data.length !== 1 && sizeOf(v.dims) !== sizeOf(dims))) fmt(where, 'Where with partial broadcasting is not folded');
      const data = new Float64Array(sizeOf(dims)).map((_, i) => (pick(c, i) ? pick(a, i) : pick(b, i)));
      return [{ kind: 'const', elemType: a.elemType, dims, data }];
    }
    default:
      throw new WavegateError('E_ONNX_UNSUPPORTED', `unsupported op ${op} at node '${node.name ?? ''}'`);
  }
}

/** Shape(x) for any value (constant, fill or activation): dims, sentinels included. */
export function shapeOf(dims: number[], node: NodeProto): ConstValue {
  const at = new Attributes(node);
  const r = dims.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const s = clamp(at.int('start') ?? 0);
  const e = clamp(at.int('end') ?? r);
  const d = dims.slice(s, Math.max(s, e));
  return { kind: 'const', elemType: DT.INT64, dims: [d.length], data: Float64Array.from(d) };
}
