/**
 * Builds small ONNX graphs by hand with onnx-proto, for what PyTorch cannot export
 * (peepholes, clip, reverse-only layers, GRU linear_before_reset=0, non-zero initial states)
 * and for malformed inputs. Weights are seeded so every test is reproducible.
 */
import { onnx, type NodeProto, type TensorProto } from '../../../tools/onnx/proto.js';
import { Rng } from '../../../tools/synth/rng.js';

export type Attr = { i: number } | { f: number } | { s: string } | { ints: number[] } | { floats: number[] } | { strings: string[] };

/** Uniform values in [-scale, scale) from the project's seeded generator (tools/synth/rng.ts). */
export function seeded(seed: number): (scale?: number) => number {
  const rng = new Rng(seed);
  return (scale = 1) => rng.uniform(-scale, scale);
}

export function randomArray(n: number, rnd: (s?: number) => number, scale = 0.5): Float32Array {
  return Float32Array.from({ length: n }, () => rnd(scale));
}

export interface GraphInputSpec {
  name: string;
  dims: (number | string)[];
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly inits: TensorProto[] = [];
  private counter = 0;

  /** Adds a float initializer (raw_data, little-endian) or an int64 / int32 one (typed field). */
  init(name: string, dims: number[], data: ArrayLike<number>, type: 'float' | 'int64' | 'int32' = 'float'): string {
    if (type === 'float') {
      const f = Float32Array.from(data);
      this.inits.push({ name, dims, dataType: 1, rawData: new Uint8Array(f.buffer) });
    } else if (type === 'int32') {
      this.inits.push({ name, dims, dataType: 6, int32Data: Array.from(data) });
    } else {
      this.inits.push({ name, dims, dataType: 7, int64Data: Array.from(data) });
    }
    return name;
  }

  /** Adds a node; returns its output names. */
  node(op: string, inputs: string[], outputs: number | string[], attrs: Record<string, Attr> = {}, name?: string): string[] {
    const id = this.counter++;
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, k) => `${op.toLowerCase()}${id}_out${k}`) : outputs;
    const attribute = Object.entries(attrs).map(([n, v]) => {
      if ('i' in v) return { name: n, type: onnx.AttributeProto.AttributeType.INT, i: v.i };
      if ('f' in v) return { name: n, type: onnx.AttributeProto.AttributeType.FLOAT, f: v.f };
      if ('s' in v) return { name: n, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(v.s) };
      if ('ints' in v) return { name: n, type: onnx.AttributeProto.AttributeType.INTS, ints: v.ints };
      if ('floats' in v) return { name: n, type: onnx.AttributeProto.AttributeType.FLOATS, floats: v.floats };
      return { name: n, type: onnx.AttributeProto.AttributeType.STRINGS, strings: v.strings.map((s) => new TextEncoder().encode(s)) };
    });
    this.nodes.push({ opType: op, name: name ?? `/${op.toLowerCase()}_${id}`, input: inputs, output: outs, attribute });
    return outs;
  }

  /** An int64 Constant node holding `values` (dims [] when scalar). */
  constInts(values: number[], scalar = false): string {
    const name = `const${this.counter++}`;
    const t = { dims: scalar ? [] : [values.length], dataType: 7, int64Data: values };
    this.nodes.push({ opType: 'Constant', name: `/Constant_${name}`, input: [], output: [name], attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t }] });
    return name;
  }

  /** Encodes the graph; `input` may list several runtime inputs (e.g. the signal and side features). */
  encode(input: GraphInputSpec | GraphInputSpec[], output: string, opset = 14): Uint8Array {
    const shapeOf = (i: GraphInputSpec) => ({ dim: i.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) });
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'wavegate-test',
      opsetImport: [{ domain: '', version: opset }],
      graph: {
        name: 'test_graph',
        node: this.nodes,
        initializer: this.inits,
        input: (Array.isArray(input) ? input : [input]).map((i) => ({ name: i.name, type: { tensorType: { elemType: 1, shape: shapeOf(i) } } })),
        output: [{ name: output, type: { tensorType: { elemType: 1 } } }],
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

export interface RnnModelOptions {
  op: 'LSTM' | 'GRU';
  I: number;
  H: number;
  classes: number;
  direction?: 'forward' | 'reverse' | 'bidirectional';
  /** Extra/override attributes of the recurrent node. */
  attrs?: Record<string, Attr>;
  /** Optional extra inputs by ONNX slot name; values are initializers. */
  initialH?: Float32Array;
  peepholes?: Float32Array;
  seed?: number;
  /** Node name of the recurrent node (default "/rnn/LSTM" or "/rnn/GRU"). */
  nodeName?: string;
  /** `last`: Gather the last step of Y (default); `yh`: Squeeze Y_h, as tf2onnx writes return_sequences=False. */
  pool?: 'last' | 'yh';
  /** `gemm` (default) or `matmul`: MatMul with a [in, out] weight then Add of the bias, as Keras Dense exports. */
  head?: 'gemm' | 'matmul';
}

/**
 * x [batch, time, I] -> Transpose -> LSTM/GRU -> (Squeeze | Transpose+Reshape) -> Gather last step
 * -> Gemm (transB=1) -> Softmax: the shape of a PyTorch classifier, written by hand.
 */
export function buildRnnClassifier(o: RnnModelOptions): { bytes: Uint8Array; weights: { W: Float32Array; R: Float32Array; B: Float32Array } } {
  const g = new GraphBuilder();
  const rnd = seeded(o.seed ?? 7);
  const D = o.direction === 'bidirectional' ? 2 : 1;
  const G = o.op === 'LSTM' ? 4 : 3;
  const W = randomArray(D * G * o.H * o.I, rnd);
  const R = randomArray(D * G * o.H * o.H, rnd);
  const B = randomArray(D * 2 * G * o.H, rnd, 0.2);
  g.init('W', [D, G * o.H, o.I], W);
  g.init('R', [D, G * o.H, o.H], R);
  g.init('B', [D, 2 * G * o.H], B);
  g.init('fc.weight', [o.classes, D * o.H], randomArray(o.classes * D * o.H, rnd));
  g.init('fc.bias', [o.classes], randomArray(o.classes, rnd, 0.1));
  const inputs = ['xt', 'W', 'R', 'B', ''];
  if (o.initialH) inputs.push(g.init('h0', [D, 1, o.H], o.initialH));
  if (o.peepholes) {
    while (inputs.length < 7) inputs.push('');
    inputs.push(g.init('P', [D, 3 * o.H], o.peepholes));
  }
  g.node('Transpose', ['x'], ['xt'], { perm: { ints: [1, 0, 2] } });
  const attrs: Record<string, Attr> = { hidden_size: { i: o.H }, direction: { s: o.direction ?? 'forward' }, ...(o.attrs ?? {}) };
  const [y, yh] = g.node(o.op, inputs, o.op === 'LSTM' ? 3 : 2, attrs, o.nodeName ?? `/rnn/${o.op}`);
  let last: string;
  if (o.pool === 'yh') {
    // [D, B, H] -> [B, D, H] -> [B, D*H]: forward ++ backward final states.
    const [t] = g.node('Transpose', [yh], 1, { perm: { ints: [1, 0, 2] } });
    last = g.node('Reshape', [t, g.constInts([0, -1])], 1)[0];
  } else {
    let seq: string;
    if (D === 1) seq = g.node('Squeeze', [y, g.constInts([1])], 1)[0];
    else {
      const [t] = g.node('Transpose', [y], 1, { perm: { ints: [0, 2, 1, 3] } });
      seq = g.node('Reshape', [t, g.constInts([0, 0, -1])], 1)[0];
    }
    last = g.node('Gather', [seq, g.constInts([-1], true)], 1, { axis: { i: 0 } })[0];
  }
  let logits: string;
  if (o.head === 'matmul') {
    const fcw = g.inits.find((t) => t.name === 'fc.weight')!;
    const w = new Float32Array(new Uint8Array(fcw.rawData!).buffer.slice(0));
    const wt = new Float32Array(w.length);
    const inF = D * o.H;
    for (let c = 0; c < o.classes; c++) for (let k = 0; k < inF; k++) wt[k * o.classes + c] = w[c * inF + k];
    g.init('fc.weight_t', [inF, o.classes], wt);
    const [mm] = g.node('MatMul', [last, 'fc.weight_t'], 1, {}, '/fc/MatMul');
    logits = g.node('Add', ['fc.bias', mm], 1, {}, '/fc/Add')[0];
  } else {
    logits = g.node('Gemm', [last, 'fc.weight', 'fc.bias'], 1, { transB: { i: 1 }, alpha: { f: 1 }, beta: { f: 1 } }, '/fc/Gemm')[0];
  }
  g.node('Softmax', [logits], ['probs'], { axis: { i: -1 } });
  return { bytes: g.encode({ name: 'x', dims: ['batch', 'time', o.I] }, 'probs'), weights: { W, R, B } };
}
