/**
 * Constant folding and tensor reading: the layout arithmetic obeys the laws it must
 * (property tests), tensors read the same from raw_data and from typed fields, and PyTorch's
 * zero-initial-state glue folds to a `fill` with the symbolic batch size.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldNode, shapeOf, type Known } from '../../../tools/onnx/fold.js';
import { DT, readTensor, type NodeProto } from '../../../tools/onnx/proto.js';
import { gatherDims, remapData, reshapeDims, sliceDims, transposeDims } from '../../../tools/onnx/shape-ops.js';
import { SYMBOLIC_DIMS, type ConstValue } from '../../../tools/onnx/values.js';
import { onnx } from '../../../tools/onnx/proto.js';

const W = 'test';
const iota = (n: number) => Float64Array.from({ length: n }, (_, i) => i);
const size = (d: number[]) => d.reduce((a, b) => a * b, 1);

describe('shape ops (properties)', () => {
  const dimsArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });

  it('transposing by a permutation then by its inverse is the identity', () => {
    fc.assert(fc.property(dimsArb.chain((d) => fc.tuple(fc.constant(d), fc.shuffledSubarray(d.map((_, i) => i), { minLength: d.length, maxLength: d.length }))), ([dims, perm]) => {
      const data = iota(size(dims));
      const m1 = transposeDims(dims, perm, W);
      const t = remapData(data, dims, m1, W);
      const inv = perm.map((_, i) => perm.indexOf(i));
      const back = remapData(t, m1.dims, transposeDims(m1.dims, inv, W), W);
      expect(Array.from(back)).toEqual(Array.from(data));
    }));
  });

  it('reshape keeps row-major order (flatten then restore)', () => {
    fc.assert(fc.property(dimsArb, (dims) => {
      const data = iota(size(dims));
      const flat = reshapeDims(dims, [-1], false, W);
      expect(flat.dims).toEqual([size(dims)]);
      expect(Array.from(remapData(data, dims, flat, W))).toEqual(Array.from(data));
      const back = reshapeDims(flat.dims, dims, false, W);
      expect(Array.from(remapData(data, flat.dims, back, W))).toEqual(Array.from(data));
    }));
  });

  it('1-D Slice with a positive step equals Python slicing (JS slice + stride)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 12 }), fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 20 }), fc.integer({ min: 1, max: 3 }), (n, s, e, step) => {
      const data = iota(n);
      const m = sliceDims([n], [s], [e], [0], [step], W);
      const want = Array.from(data).slice(s, e).filter((_, i) => i % step === 0);
      expect(Array.from(remapData(data, [n], m, W))).toEqual(want);
    }));
  });

  it('INT64_MAX / INT64_MIN slice bounds clamp (PyTorch writes them for open ends)', () => {
    const m = sliceDims([SYMBOLIC_DIMS[1]], [-1], [9.223372036854776e18], [0], undefined, W);
    expect(m.ranges.get(0)).toEqual({ start: SYMBOLIC_DIMS[1] - 1, step: 1, count: 1 });
    const rev = sliceDims([5], [-1], [-9.223372036854776e18], [0], [-1], W);
    expect(Array.from(remapData(iota(5), [5], rev, W))).toEqual([4, 3, 2, 1, 0]);
  });

  it('Gather with index -k reads the same as index n-k', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), (n, k0) => {
      const k = ((k0 - 1) % n) + 1;
      const a = remapData(iota(n * 2), [n, 2], gatherDims([n, 2], 0, [], Float64Array.of(-k), W), W);
      const b = remapData(iota(n * 2), [n, 2], gatherDims([n, 2], 0, [], Float64Array.of(n - k), W), W);
      expect(Array.from(a)).toEqual(Array.from(b));
    }));
  });
});

function node(opType: string, attrs: NodeProto['attribute'] = []): NodeProto {
  return { opType, name: `/${opType}`, input: [], output: ['o'], attribute: attrs };
}
const ints = (v: number[], dims = [v.length]): ConstValue => ({ kind: 'const', elemType: DT.INT64, dims, data: Float64Array.from(v) });
const ctx = { where: 'test', opset: 14 };

describe('folding the PyTorch zero-state glue', () => {
  it('Shape -> Gather -> Unsqueeze -> Concat -> ConstantOfShape gives a zero fill of symbolic batch', () => {
    const xDims = [SYMBOLIC_DIMS[0], SYMBOLIC_DIMS[1], 3];
    const shape = shapeOf(xDims, node('Shape'));
    const [batch] = foldNode(node('Gather', [{ name: 'axis', i: 0 }]), [shape, ints([0], [])], ctx);
    expect(batch.dims).toEqual([]);
    const [b1] = foldNode(node('Unsqueeze'), [batch, ints([0])], ctx);
    const [dims] = foldNode(node('Concat', [{ name: 'axis', i: 0 }]), [ints([1]), b1, ints([13])], ctx);
    expect(Array.from((dims as ConstValue).data)).toEqual([1, SYMBOLIC_DIMS[0], 13]);
    const [zeros] = foldNode(node('ConstantOfShape'), [dims], ctx);
    expect(zeros).toEqual({ kind: 'fill', elemType: DT.FLOAT, dims: [1, SYMBOLIC_DIMS[0], 13], value: 0 });
    const [sliced] = foldNode(node('Slice'), [zeros, ints([0]), ints([1]), ints([0])], ctx) as Known[];
    expect(sliced).toMatchObject({ kind: 'fill', dims: [1, SYMBOLIC_DIMS[0], 13], value: 0 });
  });

  it('Cast to int64 truncates toward zero; arithmetic broadcasts', () => {
    const f: ConstValue = { kind: 'const', elemType: DT.FLOAT, dims: [3], data: Float64Array.of(-1.7, 0.2, 2.9) };
    const [c] = foldNode(node('Cast', [{ name: 'to', i: DT.INT64 }]), [f], ctx) as ConstValue[];
    expect(Array.from(c.data)).toEqual([-1, 0, 2]);
    const [s] = foldNode(node('Mul'), [ints([1, 2, 3]), ints([2], [])], ctx) as ConstValue[];
    expect(Array.from(s.data)).toEqual([2, 4, 6]);
  });
});

describe('tensor reading', () => {
  it('raw_data and float_data give the same values; int64 raw and typed agree', () => {
    fc.assert(fc.property(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 20 }), (vals) => {
      const f = Float32Array.from(vals);
      const raw = readTensor({ name: 'r', dims: [f.length], dataType: DT.FLOAT, rawData: new Uint8Array(f.buffer) });
      const typed = readTensor({ name: 't', dims: [f.length], dataType: DT.FLOAT, floatData: Array.from(f) });
      expect(Array.from(raw.data)).toEqual(Array.from(f));
      expect(Array.from(typed.data)).toEqual(Array.from(f));
    }));
    const i64 = new BigInt64Array([-1n, 7n, 9223372036854775807n]);
    const r = readTensor({ name: 'i', dims: [3], dataType: DT.INT64, rawData: new Uint8Array(i64.buffer) });
    expect(Array.from(r.data)).toEqual([-1, 7, 9223372036854775807]);
  });

  it('refuses external data and wrong byte counts with the tensor named', () => {
    expect(() => readTensor({ name: 'big', dims: [2], dataType: DT.FLOAT, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL })).toThrow(/'big': external tensor data/);
    expect(() => readTensor({ name: 'short', dims: [4], dataType: DT.FLOAT, rawData: new Uint8Array(8) })).toThrow(/'short': raw_data has 8 bytes, expected 16/);
  });
});
