/**
 * Hand-built ONNX graphs: what the importer takes beyond PyTorch's exports (reverse direction,
 * GRU linear_before_reset=0, zero P, zero initial states) and every refusal, whose message must
 * name the op, the node and the attribute or input at fault.
 */
import { describe, expect, it } from 'vitest';
import { isWavegateError } from '../../../src/errors.js';
import { importOnnx } from '../../../tools/onnx/import.js';
import { onnx } from '../../../tools/onnx/proto.js';
import { buildRnnClassifier, GraphBuilder } from './graph-builder.js';

function refusal(bytes: Uint8Array): { code: string; message: string } {
  try {
    importOnnx(bytes);
  } catch (e) {
    if (!isWavegateError(e)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('import succeeded, a refusal was expected');
}

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

  it('accepts all-zero initial states and all-zero peepholes', () => {
    const { bytes } = buildRnnClassifier({ op: 'LSTM', I: 2, H: 3, classes: 2, initialH: new Float32Array(3), peepholes: new Float32Array(9) });
    expect(importOnnx(bytes).model.metadata.layers[0].type).toBe('lstm');
  });
});

describe('refusals name op, node and attribute', () => {
  const cases: Array<[string, Parameters<typeof buildRnnClassifier>[0], RegExp]> = [
    ['peepholes', { op: 'LSTM', I: 2, H: 3, classes: 2, peepholes: new Float32Array(9).fill(0.1), nodeName: 'lstm_peep' }, /LSTM at node 'lstm_peep'.*'P' \(peephole/],
    ['clip', { op: 'LSTM', I: 2, H: 3, classes: 2, attrs: { clip: { f: 3 } }, nodeName: 'lstm_clip' }, /LSTM at node 'lstm_clip'.*'clip'/],
    ['input_forget', { op: 'LSTM', I: 2, H: 3, classes: 2, attrs: { input_forget: { i: 1 } } }, /LSTM at node '\/rnn\/LSTM'.*'input_forget'/],
    ['activations', { op: 'GRU', I: 2, H: 3, classes: 2, attrs: { activations: { strings: ['Sigmoid', 'Relu'] } } }, /GRU at node '\/rnn\/GRU'.*'activations' = \[Sigmoid, Relu\]/],
    ['activation_alpha', { op: 'LSTM', I: 2, H: 3, classes: 2, attrs: { activation_alpha: { floats: [0.5] } } }, /'activation_alpha'/],
    ['layout', { op: 'LSTM', I: 2, H: 3, classes: 2, attrs: { layout: { i: 1 } } }, /'layout'=1/],
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
