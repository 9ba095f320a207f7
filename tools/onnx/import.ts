/**
 * ONNX -> wavegate model import.
 *
 * The graph is interpreted symbolically in node order (ONNX requires topological order):
 * constants are folded (fold.ts), layout ops on activations are read as what they do to the
 * tagged axes (layout-act.ts), recurrent nodes become layers (rnn.ts) and the head becomes
 * pool/dense/layernorm layers (head.ts). Whatever the graph output turns out to be must be a
 * complete wavegate model; every other op is refused with `unsupported op <Op> at node '<name>'`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { WavegateError } from '../../src/errors.js';
import { FORMAT_NAME, FORMAT_VERSION, type Tensor, type WgmMetadata, type WgmModel } from '../../src/model/schema.js';
import { sha256Hex } from '../../src/model/digest.js';
import { packageVersion } from '../../src/package-version.js';
import { layerParameterCount } from '../../src/model/tensors.js';
import { decodeModel, readTensor, toNumber, type NodeProto } from './proto.js';
import { foldNode, shapeOf, type FoldContext, type Known } from './fold.js';
import { checkSidePending, sideNode } from './side-features.js';
import { layoutAct } from './layout-act.js';
import { asFeatures, headAct } from './head.js';
import { recurrentNode } from './rnn.js';
import { quantizeRecurrentWeights } from './int8.js';
import { constValue, SYMBOLIC_DIMS, type ActValue, type SideValue, type Value } from './values.js';

export interface ImportOptions {
  /** Label for error messages and provenance `sourceFile` (default: "<onnx>"). */
  source?: string;
  /** Quantize recurrent weights to per-row int8, dynamic input quantization (default: false). */
  int8?: boolean;
  /** Model name written to metadata (default: the ONNX graph name, else the source base name). */
  name?: string;
  /** `input.window` (default: the ONNX input's time dimension when it is static, else absent). */
  window?: number;
  /** Extra provenance fields merged over the computed ones (default: none). */
  provenance?: Record<string, unknown>;
}

/** How the ONNX model's input and output are laid out, for callers that feed it (verify, tests). */
export interface OnnxIo {
  inputName: string;
  outputName: string;
  /** 'batch_first' = [batch, time, channels]; 'time_first' = [time, batch, channels]. */
  inputLayout: 'batch_first' | 'time_first';
  /** Static input dims (null where symbolic), in the ONNX input's own order. */
  inputDims: (number | null)[];
  /** True when the output has a time axis (no pooling): one output row per step. */
  perStep: boolean;
  /** The side-feature input [batch, featureCount], when the model has one (input.features). */
  featuresName?: string;
  featureCount?: number;
}

export interface ImportResult {
  model: WgmModel;
  io: OnnxIo;
}

function producerName(): string {
  return `wavegate ${packageVersion()} import`;
}

type GraphProto = NonNullable<ReturnType<typeof decodeModel>['graph']>;
type InputProto = NonNullable<GraphProto['input']>[number];
type GraphInput = { name: string; dims: number[]; declared: (number | null)[] };

/** Declared dims of an input (null where symbolic); float32 only. */
function declaredDims(inp: InputProto, source: string): (number | null)[] {
  const elem = inp.type?.tensorType?.elemType;
  if (elem !== undefined && elem !== null && elem !== 1) throw new WavegateError('E_ONNX_UNSUPPORTED', `${source}: input '${inp.name}' has element type ${elem}; only float32 is supported`);
  return (inp.type?.tensorType?.shape?.dim ?? []).map((d) => {
    const v = d.dimValue === null || d.dimValue === undefined ? 0 : toNumber(d.dimValue as number);
    return v > 0 ? v : null;
  });
}

/**
 * The runtime inputs: the signal window (rank 3), and optionally side features [batch, F]
 * (rank 2, F static) that join the head (side-features.ts). Anything else is refused.
 */
function graphInputs(graph: GraphProto, source: string): { signal: GraphInput; side?: SideValue } {
  const inits = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((i) => !inits.has(i.name ?? ''));
  const names = inputs.map((i) => i.name).join(', ');
  const ranks = inputs.map((i) => (i.type?.tensorType?.shape?.dim ?? []).length);
  // With two inputs, the rank-2 one is the side features; a lone input is the signal whatever its rank.
  const sides = inputs.length === 2 ? inputs.filter((_, k) => ranks[k] === 2) : [];
  const signals = inputs.filter((i) => !sides.includes(i));
  if (inputs.length === 0 || inputs.length > 2 || signals.length !== 1) {
    throw new WavegateError('E_ONNX_UNSUPPORTED', `${source}: model has ${inputs.length} runtime inputs (${names}); supported are the signal window [batch, time, channels] and, optionally, side features [batch, F] joined by Concat before the first dense layer; initial states must be zeros inside the graph`);
  }
  const inp = signals[0];
  const declared = declaredDims(inp, source);
  if (declared.length !== 3) throw new WavegateError('E_ONNX_UNSUPPORTED', `${source}: input '${inp.name}' has rank ${declared.length}; expected [batch, time, channels] or [time, batch, channels]`);
  const signal = { name: inp.name ?? '', declared, dims: declared.map((d, i) => d ?? SYMBOLIC_DIMS[i]) };
  if (sides.length === 0) return { signal };
  const [batch, count] = declaredDims(sides[0], source);
  if (!count) throw new WavegateError('E_ONNX_UNSUPPORTED', `${source}: side-feature input '${sides[0].name}' needs a static feature count, [batch, F]`);
  return { signal, side: { kind: 'side', name: sides[0].name ?? '', dims: [batch ?? SYMBOLIC_DIMS[3], count], count } };
}

/** Imports ONNX bytes into an in-memory wavegate model. */
export function importOnnx(bytes: Uint8Array, opts: ImportOptions = {}): ImportResult {
  const source = opts.source ?? '<onnx>';
  const proto = decodeModel(bytes, source);
  const graph = proto.graph!;
  const opset = Math.max(0, ...(proto.opsetImport ?? []).filter((o) => !o.domain || o.domain === 'ai.onnx').map((o) => toNumber(o.version as number)));

  const values = new Map<string, Value>();
  const poisoned = new Map<string, string>();
  for (const t of graph.initializer ?? []) values.set(t.name ?? '', constValue(readTensor(t)));
  const { signal: gi, side } = graphInputs(graph, source);
  if (side) values.set(side.name, side);
  const input: ActValue = {
    kind: 'act', dims: gi.dims, axes: ['x0', 'x1', 'x2'], stage: { type: 'input' },
    pipe: { layers: [], tensors: new Map<string, Tensor>(), rnnCount: 0, denseCount: 0, lnCount: 0 },
  };
  values.set(gi.name, input);

  const outs = graph.output ?? [];
  if (outs.length !== 1) throw new WavegateError('E_ONNX_UNSUPPORTED', `${source}: model has ${outs.length} outputs; exactly one (the scores) is supported`);
  const outName = outs[0].name ?? '';
  const needed = neededNodes(graph.node ?? [], outName);

  for (const node of graph.node ?? []) {
    if (!needed.has(node)) continue; // off the path to the output: never computed, never judged
    const op = node.opType ?? '';
    const ctx: FoldContext = { where: `${op} at node '${node.name ?? ''}'`, opset };
    if (node.domain && node.domain !== 'ai.onnx') throw new WavegateError('E_ONNX_UNSUPPORTED', `unsupported op ${node.domain}.${op} at node '${node.name ?? ''}'`);
    const ins = (node.input ?? []).map((n) => {
      if (n === '') return undefined;
      const why = poisoned.get(n);
      if (why) throw new WavegateError('E_ONNX_UNSUPPORTED', `${ctx.where}: uses '${n}', ${why}`);
      const v = values.get(n);
      if (!v) throw new WavegateError('E_ONNX_FORMAT', `${ctx.where}: input '${n}' is not produced by any earlier node`);
      return v;
    });
    const outs = evalNode(node, ins, ctx);
    (node.output ?? []).forEach((name, i) => {
      const v = outs[i];
      if (v) values.set(name, v);
      else if (name) poisoned.set(name, `output ${i} of ${ctx.where}, which wavegate does not compute (e.g. the LSTM cell state Y_c)`);
    });
  }

  const outVal = values.get(outName);
  if (!outVal || outVal.kind !== 'act') {
    throw new WavegateError('E_ONNX_UNSUPPORTED', `${source}: output '${outName}' ${poisoned.get(outName) ?? 'does not depend on the input'}`);
  }
  const fin = asFeatures(outVal, `output '${outName}'`);
  const tags = fin.axes.filter((t) => t !== 'U');
  const perStep = tags.includes('T');
  if (!(tags.join() === 'B,F' || tags.join() === 'T,B,F' || tags.join() === 'B,T,F')) {
    throw new WavegateError('E_ONNX_UNSUPPORTED', `${source}: output '${outName}' has axes [${fin.axes.join(', ')}]; expected [batch, classes] (or per step [batch, time, classes])`);
  }

  if (side && !fin.pipe.side) throw new WavegateError('E_ONNX_UNSUPPORTED', `${source}: side-feature input '${side.name}' does not reach output '${outName}' through Concat + a dense layer`);
  if (fin.pipe.side?.pending) throw new WavegateError('E_ONNX_UNSUPPORTED', `${source}: the Concat of side features '${fin.pipe.side.input}' must feed a dense layer (Gemm or MatMul)`);
  return { model: buildModel(fin, proto, gi, bytes, opts), io: ioOf(fin, gi, outName, perStep) };
}

/** The nodes the output depends on (walking producers back from it). */
function neededNodes(nodes: NodeProto[], output: string): Set<NodeProto> {
  const producer = new Map<string, NodeProto>();
  for (const n of nodes) for (const o of n.output ?? []) if (o) producer.set(o, n);
  const needed = new Set<NodeProto>();
  const stack = [output];
  while (stack.length > 0) {
    const n = producer.get(stack.pop()!);
    if (!n || needed.has(n)) continue;
    needed.add(n);
    for (const i of n.input ?? []) if (i) stack.push(i);
  }
  return needed;
}

function ioOf(fin: ActValue, gi: GraphInput, outputName: string, perStep: boolean): OnnxIo {
  return {
    inputName: gi.name, outputName, perStep, inputDims: gi.declared,
    inputLayout: fin.pipe.inputBatchAxis === 0 ? 'batch_first' : 'time_first',
    ...(fin.pipe.side ? { featuresName: fin.pipe.side.input, featureCount: fin.pipe.side.count } : {}),
  };
}

function evalNode(node: NodeProto, ins: (Value | undefined)[], ctx: FoldContext): (Value | undefined)[] {
  const op = node.opType ?? '';
  if (op === 'Shape' && ins[0]) return [shapeOf(ins[0].dims, node)];
  if (ins.some((v) => v?.kind === 'side')) return [sideNode(node, ins, ctx)];
  if (!ins.some((v) => v?.kind === 'act')) return foldNode(node, ins as (Known | undefined)[], ctx);
  checkSidePending(node, ins, ctx.where);
  if (op === 'LSTM' || op === 'GRU') return recurrentNode(node, ins, ctx);
  const out = layoutAct(node, ins, ctx) ?? headAct(node, ins, ctx);
  if (!out) throw new WavegateError('E_ONNX_UNSUPPORTED', `unsupported op ${op} at node '${node.name ?? ''}'`);
  return [out];
}

function buildModel(fin: ActValue, proto: ReturnType<typeof decodeModel>, gi: GraphInput, bytes: Uint8Array, opts: ImportOptions): WgmModel {
  const pipe = fin.pipe;
  const layers = [...pipe.layers];
  let activation: WgmMetadata['output']['activation'] = pipe.outputActivation ?? 'none';
  const last = layers[layers.length - 1];
  // A Sigmoid closing the graph reads better as the output activation than as a dense activation.
  if (activation === 'none' && last?.type === 'dense' && last.activation === 'sigmoid') {
    layers[layers.length - 1] = { ...last, activation: 'none' };
    activation = 'sigmoid';
  }
  const first = layers.find((l) => l.type === 'lstm' || l.type === 'gru') as { inputSize: number } | undefined;
  if (!first) throw new WavegateError('E_ONNX_UNSUPPORTED', `${opts.source ?? '<onnx>'}: no LSTM or GRU layer found`);
  const timeDim = gi.declared[pipe.inputTimeAxis ?? 0];
  const window = opts.window ?? (timeDim ?? undefined);
  const source = opts.source ?? '<onnx>';
  const metadata: WgmMetadata = {
    format: FORMAT_NAME,
    formatVersion: FORMAT_VERSION,
    name: opts.name ?? (proto.graph?.name || basename(source).replace(/\.onnx$/i, '')),
    input: {
      channels: first.inputSize,
      ...(window ? { window } : {}),
      // Side features the caller supplies; `wavegate import --dataset/--meta` names them.
      ...(pipe.side ? { features: { kind: 'external' as const, names: Array.from({ length: pipe.side.count }, (_, i) => `f${i}`) } } : {}),
    },
    layers,
    output: { activation, size: fin.dims[fin.dims.length - 1] },
    provenance: {
      sourceSha256: sha256Hex(bytes),
      sourceFile: basename(source),
      producer: producerName(),
      onnxProducer: `${proto.producerName ?? ''} ${proto.producerVersion ?? ''}`.trim(),
      onnxOpset: Math.max(0, ...(proto.opsetImport ?? []).map((o) => toNumber(o.version as number))),
      onnxInputLayout: pipe.inputBatchAxis === 0 ? 'batch_first' : 'time_first',
      ...(opts.provenance ?? {}),
    },
  };
  const model: WgmModel = { metadata, tensors: new Map(pipe.tensors) };
  return opts.int8 ? quantizeRecurrentWeights(model) : model;
}

/** Imports an ONNX file from disk (E_NOT_FOUND when it does not exist). */
export function importOnnxFile(path: string, opts: ImportOptions = {}): ImportResult {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WavegateError('E_NOT_FOUND', `${path}: no such file`, { cause: e });
    throw new WavegateError('E_NOT_FOUND', `${path}: cannot read (${code ?? (e as Error).message})`, { cause: e });
  }
  return importOnnx(bytes, { source: path, ...opts });
}

/**
 * Number of parameters (weight and bias elements, both ONNX bias vectors, as `wavegate inspect`
 * counts them; scales are not parameters) and a one-line description.
 */
export function describeModel(model: WgmModel): { params: number; summary: string } {
  const params = model.metadata.layers.reduce((n, l) => n + layerParameterCount(l), 0);
  const side = model.metadata.input.features?.names.length ?? 0;
  const firstDense = model.metadata.layers.find((l) => l.type === 'dense');
  const parts = model.metadata.layers.map((l) => {
    if (l.type === 'lstm' || l.type === 'gru') return `${l.type}(${l.inputSize}->${l.hiddenSize}${l.direction === 'bidirectional' ? ' bi' : l.direction === 'reverse' ? ' rev' : ''}${l.type === 'lstm' && l.peepholes ? ' peepholes' : ''}${l.precision === 'int8' ? ' int8' : ''})`;
    // The first dense layer of a model with side features reads [pooled ++ features]: shown as "pooled+F".
    const inF = l === firstDense && side > 0 ? `${(l as { inFeatures: number }).inFeatures - side}+${side}` : undefined;
    if (l.type === 'dense') return `dense(${inF ?? l.inFeatures}->${l.outFeatures}${l.activation !== 'none' ? ' ' + l.activation : ''}${l.precision === 'int8' ? ' int8' : ''})`;
    if (l.type === 'pool') return `pool(${l.mode})`;
    return `layernorm(${l.size})`;
  });
  const out = model.metadata.output;
  return { params, summary: `${parts.join(' > ')}${out.activation !== 'none' ? ' > ' + out.activation : ''}` };
}
