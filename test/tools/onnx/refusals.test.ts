/**
 * Hand-built ONNX graphs: what the importer takes beyond PyTorch's exports (reverse direction,
 * GRU linear_before_reset=0, peepholes, zero initial states, layout=1, a sequence_lens that is T
 * everywhere) and every refusal, whose message must name the op, the node and the attribute or
 * input at fault.
 */
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../../tools/onnx/import.js';
import { onnx } from '../../../tools/onnx/proto.js';
import { referenceRun } from '../../../src/runtime/reference.js';
import { buildRnnClassifier, GraphBuilder, randomArray, seeded } from './graph-builder.js';
import { refusal } from './refusal.js';

describe('hand-built recurrent graphs that import', () => {
  it('keeps W, R, B exactly and maps direction, lbr and sizes', () => {
    for (const [op, direction] of [['LSTM', 'reverse'], ['GRU', 'forward'], ['GRU', 'bidirectional']] as const) {
      const { bytes, weights } = buildRnnClassifier({ op, I: 5, H: 7, classes: 3, direction, attrs: op === 'GRU' ? { linear_before_reset: { i: 0 } } : {} });
      const { model } = importOnnx(bytes);
      const name = `${op.toLowerCase()}0`;
      const D = direction === 'bidirectional' ? 2 : 1;
      const G = op === 'LSTM' ? 4 : 3;
      expect(model.metadata.layers[0]).toMatchObject({ type: op.toLowerCase(), direction, inputSize: 5, hiddenSize: 7 });
      if (op === 'GRU') expect(model.metadata.layers[0]).toMatchObject({ linearBeforeReset: false });
      expect(model.tensors.get(`${name}.W`)!.shape).toEqual([D, G * 7, 5]);
      expect(model.tensors.get(`${name}.W`)!.data).toEqual(weights.W);
      expect(model.tensors.get(`${name}.R`)!.data).toEqual(weights.R);
      expect(model.tensors.get(`${name}.B`)!.data).toEqual(weights.B);
      expect(model.metadata.layers.map((l) => l.type)).toEqual([op.toLowerCase(), 'pool', 'dense']);
      expect(model.metadata.output).toEqual({ activation: 'softmax', size: 3 });
    }
  });

  it('maps Y_h reshaped to [batch, 2H] to final_state, and MatMul + Add (bias first) to one dense', () => {
    const { model } = importOnnx(buildRnnClassifier({ op: 'LSTM', I: 3, H: 6, classes: 3, direction: 'bidirectional', pool: 'yh', head: 'matmul' }).bytes);
    expect(model.metadata.layers.map((l) => (l.type === 'pool' ? `pool:${l.mode}` : l.type))).toEqual(['lstm', 'pool:final_state', 'dense']);
    const viaGemm = importOnnx(buildRnnClassifier({ op: 'LSTM', I: 3, H: 6, classes: 3, direction: 'bidirectional', pool: 'yh' }).bytes).model;
    expect(model.tensors.get('dense0.W')!.data).toEqual(viaGemm.tensors.get('dense0.W')!.data);
    expect(model.tensors.get('dense0.b')!.data).toEqual(viaGemm.tensors.get('dense0.b')!.data);
  });

  it('ignores nodes off the path to the output, even unsupported ones', () => {
    const { bytes } = buildRnnClassifier({ op: 'GRU', I: 2, H: 3, classes: 2 });
    const m = onnx.ModelProto.decode(bytes);
    m.graph!.node!.push({ opType: 'Conv', name: 'dead_conv', input: ['x', 'W'], output: ['unused'] });
    expect(importOnnx(onnx.ModelProto.encode(m).finish()).model.metadata.layers[0].type).toBe('gru');
  });

  it('initializers listed as graph inputs (keep_initializers_as_inputs) are not runtime inputs', () => {
    const { bytes } = buildRnnClassifier({ op: 'LSTM', I: 2, H: 3, classes: 2 });
    const m = onnx.ModelProto.decode(bytes);
    for (const t of m.graph!.initializer!) m.graph!.input!.push({ name: t.name, type: { tensorType: { elemType: 1 } } });
    expect(importOnnx(onnx.ModelProto.encode(m).finish()).model.metadata.input.channels).toBe(2);
  });

  it('size-1 hidden and batch axes are not mistaken for unit axes in reshapes (H = 1)', () => {
    for (const direction of ['forward', 'bidirectional'] as const) {
      for (const pool of ['last', 'yh'] as const) {
        const { model } = importOnnx(buildRnnClassifier({ op: 'LSTM', I: 1, H: 1, classes: 2, direction, pool }).bytes);
        expect(model.metadata.layers[1]).toMatchObject({ type: 'pool', mode: pool === 'yh' ? 'final_state' : 'last' });
      }
    }
  });

  it('accepts all-zero initial states and all-zero peepholes (dropped: no P tensor)', () => {
    const { bytes } = buildRnnClassifier({ op: 'LSTM', I: 2, H: 3, classes: 2, initialH: new Float32Array(3), peepholes: new Float32Array(9) });
    const { model } = importOnnx(bytes);
    expect(model.metadata.layers[0].type).toBe('lstm');
    expect(model.metadata.layers[0]).not.toHaveProperty('peepholes');
    expect(model.tensors.has('lstm0.P')).toBe(false);
  });

  it('takes peepholes P [D, 3H] over bit for bit (both directions)', () => {
    const P = randomArray(2 * 9, seeded(3));
    const { model } = importOnnx(buildRnnClassifier({ op: 'LSTM', I: 2, H: 3, classes: 2, direction: 'bidirectional', peepholes: P }).bytes);
    expect(model.metadata.layers[0]).toMatchObject({ type: 'lstm', peepholes: true });
    expect(model.tensors.get('lstm0.P')).toMatchObject({ dtype: 'F32', shape: [2, 9], data: P });
  });

  /** x -> (Transpose unless layout=1) -> LSTM -> squeeze D -> last step -> Gemm -> Softmax, seeded weights. */
  function lstmGraph(o: { layout: 0 | 1; dims: (number | string)[]; seqLens?: number[]; peep?: boolean }): Uint8Array {
    const g = new GraphBuilder();
    const rnd = seeded(21);
    const [I, H] = [3, 4];
    g.init('W', [1, 4 * H, I], randomArray(4 * H * I, rnd));
    g.init('R', [1, 4 * H, H], randomArray(4 * H * H, rnd));
    g.init('B', [1, 8 * H], randomArray(8 * H, rnd, 0.2));
    g.init('fw', [2, H], randomArray(2 * H, rnd));
    const ins = [o.layout === 1 ? 'x' : 'xt', 'W', 'R', 'B', o.seqLens ? g.init('sl', [o.seqLens.length], o.seqLens, 'int32') : ''];
    if (o.peep) ins.push('', '', g.init('P', [1, 3 * H], randomArray(3 * H, rnd)));
    if (o.layout === 0) g.node('Transpose', ['x'], ['xt'], { perm: { ints: [1, 0, 2] } });
    g.node('LSTM', ins, ['Y', 'Y_h'], { hidden_size: { i: H }, layout: { i: o.layout } }, 'l0');
    // Y: [T, 1, B, H] (layout 0) or [B, T, 1, H] (layout 1) -> drop D -> the last time step.
    g.node('Squeeze', ['Y', g.constInts([o.layout === 1 ? 2 : 1])], ['s']);
    g.node('Gather', ['s', g.constInts([-1], true)], ['last'], { axis: { i: o.layout === 1 ? 1 : 0 } });
    g.node('Gemm', ['last', 'fw'], ['logits'], { transB: { i: 1 } });
    g.node('Softmax', ['logits'], ['probs'], { axis: { i: -1 } });
    return g.encode({ name: 'x', dims: o.dims }, 'probs');
  }

  it('layout=1 (batch-major X, Y, Y_h) imports as the same model as layout=0', () => {
    for (const peep of [false, true]) {
      const a = importOnnx(lstmGraph({ layout: 0, dims: ['b', 't', 3], peep }));
      const b = importOnnx(lstmGraph({ layout: 1, dims: ['b', 't', 3], peep }));
      expect(b.io.inputLayout).toBe('batch_first');
      expect(b.model.metadata.layers).toEqual(a.model.metadata.layers);
      for (const [name, t] of a.model.tensors) expect(b.model.tensors.get(name), name).toEqual(t);
      const x = randomArray(2 * 7 * 3, seeded(5), 1);
      expect(referenceRun(b.model, x, 2, 7).data).toEqual(referenceRun(a.model, x, 2, 7).data);
    }
  });

  it('a constant sequence_lens equal to a static T everywhere changes nothing and is taken', () => {
    const plain = importOnnx(lstmGraph({ layout: 0, dims: [2, 5, 3] }));
    const withLens = importOnnx(lstmGraph({ layout: 0, dims: [2, 5, 3], seqLens: [5, 5] }));
    expect(withLens.model.metadata.layers).toEqual(plain.model.metadata.layers);
    expect(withLens.model.metadata.input.window).toBe(5);
    expect(importOnnx(lstmGraph({ layout: 1, dims: [2, 5, 3], seqLens: [5, 5], peep: true })).model.metadata.layers[0]).toMatchObject({ peepholes: true });
  });

  it('refuses any other sequence_lens, and an undefined layout, naming the node and the input', () => {
    const short = refusal(lstmGraph({ layout: 0, dims: [2, 5, 3], seqLens: [5, 3] }));
    expect(short.code).toBe('E_ONNX_UNSUPPORTED');
    expect(short.message).toMatch(/LSTM at node 'l0': input 'sequence_lens' = \[5, 3\] has entry 1 = 3, not the full length T = 5/);
    const symbolic = refusal(lstmGraph({ layout: 0, dims: ['b', 't', 3], seqLens: [5, 5] }));
    expect(symbolic.code).toBe('E_ONNX_UNSUPPORTED');
    expect(symbolic.message).toMatch(/LSTM at node 'l0': input 'sequence_lens' is given but the sequence length is not static/);
    const batch = refusal(lstmGraph({ layout: 1, dims: [3, 5, 3], seqLens: [5, 5] }));
    expect(batch).toMatchObject({ code: 'E_ONNX_FORMAT', message: expect.stringMatching(/'sequence_lens' has 2 entries for batch size 3/) });
    const layout2 = refusal(buildRnnClassifier({ op: 'GRU', I: 2, H: 3, classes: 2, attrs: { layout: { i: 2 } } }).bytes);
    expect(layout2).toMatchObject({ code: 'E_ONNX_FORMAT', message: expect.stringMatching(/GRU at node '\/rnn\/GRU': attribute 'layout' = 2; ONNX defines 0/) });
  });
});

describe('refusals name op, node and attribute', () => {
  const cases: Array<[string, Parameters<typeof buildRnnClassifier>[0], RegExp]> = [
    ['clip', { op: 'LSTM', I: 2, H: 3, classes: 2, attrs: { clip: { f: 3 } }, nodeName: 'lstm_clip' }, /LSTM at node 'lstm_clip'.*'clip'/],
    ['input_forget', { op: 'LSTM', I: 2, H: 3, classes: 2, attrs: { input_forget: { i: 1 } } }, /LSTM at node '\/rnn\/LSTM'.*'input_forget'/],
    ['activations', { op: 'GRU', I: 2, H: 3, classes: 2, attrs: { activations: { strings: ['Sigmoid', 'Relu'] } } }, /GRU at node '\/rnn\/GRU'.*'activations' = \[Sigmoid, Relu\]/],
    ['activation_alpha', { op: 'LSTM', I: 2, H: 3, classes: 2, attrs: { activation_alpha: { floats: [0.5] } } }, /'activation_alpha'/],
    ['non-zero initial_h', { op: 'GRU', I: 2, H: 3, classes: 2, initialH: new Float32Array(3).fill(0.5) }, /GRU at node '\/rnn\/GRU'.*'initial_h' is not all zeros/],
  ];
  for (const [what, opts, message] of cases) {
    it(what, () => {
      const r = refusal(buildRnnClassifier(opts).bytes);
      expect(r.code).toBe('E_ONNX_UNSUPPORTED');
      expect(r.message).toMatch(message);
    });
  }

  it('unknown op: "unsupported op <Op> at node <name>"', () => {
    const g = new GraphBuilder();
    g.node('Abs', ['x'], ['y'], {}, 'my_abs');
    expect(refusal(g.encode({ name: 'x', dims: ['b', 't', 2] }, 'y'))).toEqual({ code: 'E_ONNX_UNSUPPORTED', message: "unsupported op Abs at node 'my_abs'" });
  });

  it('custom domain ops are refused', () => {
    const g = new GraphBuilder();
    g.node('Transpose', ['x'], ['y'], {}, 'n');
    g.nodes[0].domain = 'com.microsoft';
    expect(refusal(g.encode({ name: 'x', dims: ['b', 't', 2] }, 'y')).message).toMatch(/unsupported op com\.microsoft\.Transpose at node 'n'/);
  });

  it('a graph with no recurrent layer is refused', () => {
    const g = new GraphBuilder();
    g.node('Identity', ['x'], ['y']);
    const r = refusal(g.encode({ name: 'x', dims: ['b', 't', 2] }, 'y'));
    expect(r.code).toBe('E_ONNX_UNSUPPORTED');
  });

  it('a rank-2 input is refused naming the input', () => {
    const { bytes } = buildRnnClassifier({ op: 'LSTM', I: 2, H: 3, classes: 2 });
    const g = new GraphBuilder();
    g.node('Identity', ['x'], ['y']);
    expect(refusal(g.encode({ name: 'sig', dims: ['t', 2] }, 'y')).message).toMatch(/input 'sig' has rank 2/);
    expect(bytes.length).toBeGreaterThan(0);
  });

  it('using the cell state Y_c is refused', () => {
    const g = new GraphBuilder();
    g.init('W', [1, 8, 2], new Float32Array(16));
    g.init('R', [1, 8, 2], new Float32Array(16));
    g.node('Transpose', ['x'], ['xt'], { perm: { ints: [1, 0, 2] } });
    g.node('LSTM', ['xt', 'W', 'R'], ['Y', 'Y_h', 'Y_c'], { hidden_size: { i: 2 } }, 'l0');
    g.node('Squeeze', ['Y_c', g.constInts([0])], ['c'], {}, 'sq');
    expect(refusal(g.encode({ name: 'x', dims: ['b', 't', 2] }, 'c')).message).toMatch(/Squeeze at node 'sq'.*Y_c/);
  });

  it('selecting a time step other than the last is refused', () => {
    const g = new GraphBuilder();
    g.init('W', [1, 8, 2], new Float32Array(16));
    g.init('R', [1, 8, 2], new Float32Array(16));
    g.node('Transpose', ['x'], ['xt'], { perm: { ints: [1, 0, 2] } });
    g.node('LSTM', ['xt', 'W', 'R'], ['Y', 'Y_h'], { hidden_size: { i: 2 } }, 'l0');
    g.node('Squeeze', ['Y', g.constInts([1])], ['s']);
    g.node('Gather', ['s', g.constInts([1], true)], ['second'], { axis: { i: 0 } }, 'pick_second');
    g.node('Gather', ['s', g.constInts([0], true)], ['first'], { axis: { i: 0 } }, 'pick_first');
    expect(refusal(g.encode({ name: 'x', dims: ['b', 't', 2] }, 'second')).message).toMatch(/Gather at node 'pick_second': selects time steps \[1\]/);
    // Step 0 is legal as the backward half of final_state, but not as a forward layer's pooling.
    expect(refusal(g.encode({ name: 'x', dims: ['b', 't', 2] }, 'first')).message).toMatch(/output 'first'.*\(got layer 0 dir 0 at the first step\)/);
  });

  /** x -> Transpose -> LSTM(I=2, H=2, direction) with zero weights: a base to hang wrong tails on. */
  function lstmBase(direction = 'forward'): { g: GraphBuilder; y: string; yh: string } {
    const g = new GraphBuilder();
    const D = direction === 'bidirectional' ? 2 : 1;
    g.init('W', [D, 8, 2], new Float32Array(D * 16));
    g.init('R', [D, 8, 2], new Float32Array(D * 16));
    g.node('Transpose', ['x'], ['xt'], { perm: { ints: [1, 0, 2] } });
    g.node('LSTM', ['xt', 'W', 'R'], ['Y', 'Y_h'], { hidden_size: { i: 2 }, direction: { s: direction } }, 'l0');
    return { g, y: 'Y', yh: 'Y_h' };
  }
  const X = { name: 'x', dims: ['b', 't', 2] as (string | number)[] };

  it('h_n of the backward direction alone is refused', () => {
    const { g, yh } = lstmBase('bidirectional');
    g.node('Gather', [yh, g.constInts([-1], true)], ['hb'], { axis: { i: 0 } }, 'h_last');
    g.init('fw', [2, 2], [1, 0, 0, 1]);
    g.node('Gemm', ['hb', 'fw'], ['o'], { transB: { i: 1 } }, 'fc');
    expect(refusal(g.encode(X, 'o')).message).toMatch(/Gemm at node 'fc'.*forward \+\+ backward h_n.*\(got layer 0 dir 1 at the first step\)/);
  });

  it('an activation straight after a recurrent layer is refused', () => {
    const { g, y } = lstmBase();
    g.node('Squeeze', [y, g.constInts([1])], ['s']);
    g.node('Relu', ['s'], ['r'], {}, 'relu_after_lstm');
    expect(refusal(g.encode(X, 'r')).message).toMatch(/Relu at node 'relu_after_lstm': Relu must follow a dense layer/);
  });

  it('pooling after a dense layer is refused', () => {
    const { g, y } = lstmBase();
    g.node('Squeeze', [y, g.constInts([1])], ['s']);
    g.init('w', [2, 3], new Float32Array(6));
    g.node('MatMul', ['s', 'w'], ['m']);
    g.node('Gather', ['m', g.constInts([-1], true)], ['p'], { axis: { i: 0 } }, 'late_pool');
    expect(refusal(g.encode(X, 'p')).message).toMatch(/late_pool.*after a dense/);
  });

  it('a second runtime input (initial state as graph input) is refused', () => {
    const { bytes } = buildRnnClassifier({ op: 'GRU', I: 2, H: 3, classes: 2 });
    const m = onnx.ModelProto.decode(bytes);
    m.graph!.input!.push({ name: 'h0', type: { tensorType: { elemType: 1 } } });
    expect(refusal(onnx.ModelProto.encode(m).finish()).message).toMatch(/2 runtime inputs \(x, h0\)/);
  });
});
