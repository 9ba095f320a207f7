/**
 * The public Model: a validated .wgm in memory, its plan, and a factory for sessions.
 * Many sessions (and many models) can live in one process; each session has its own kernel
 * instance, the compiled kernel module is shared.
 */
import { WavegateError } from '../errors.js';
import { DECODE_OPTIONS, decodeWgm, loadWgm, type DecodeOptions, type LoadedWgm } from '../model/load.js';
import type { Tensor, WgmMetadata, WgmModel } from '../model/schema.js';
import { int8ActivationScheme, layerParameterCount, layerTensorSpecs } from '../model/tensors.js';
import { validateModel } from '../model/validate.js';
import { instantiateKernel, relaxedSupport, type KernelBuild, type RelaxedSupport } from './backend.js';
import { formatMemoryLayout, layoutMemory, type MemoryLayout } from './memory.js';
import { resolveSessionOptions, type ResolvedSessionOptions, type SessionOptions } from './options.js';
import { buildPlan, type Plan } from './plan.js';
import { Session } from './session.js';
import { assertKnownOptions } from '../options-check.js';
import { DEFAULT_LIMITS } from '../model/limits.js';

export interface LayerReport {
  name: string;
  type: string;
  /** e.g. "lstm 2->32 bidirectional int8" */
  summary: string;
  parameters: number;
  /** Bytes of this layer's tensors in the file. */
  fileBytes: number;
  tensors: { name: string; dtype: string; shape: number[] }[];
}

export interface InspectReport {
  name?: string;
  digest?: string;
  channels: number;
  window?: number;
  outputSize: number;
  labels?: string[];
  layers: LayerReport[];
  parameterCount: number;
  /** Tensor bytes in the file. */
  weightFileBytes: number;
  streamable: boolean;
  /** Why push() refuses this model, when it does. */
  notStreamable?: string;
  /** Kernel memory a session with these options reserves. */
  memory: MemoryLayout & { options: ResolvedSessionOptions; text: string; backend: string };
  /** The kernel build a session with these options runs, and whether the relaxed build may run here (and why not). */
  kernel: { build: KernelBuild; file: string; relaxed: RelaxedSupport };
}

export class Model {
  readonly plan: Plan;
  private readonly sessions = new Set<Session>();

  constructor(
    private readonly model: WgmModel,
    /** The verified digest when loaded from a file. */
    readonly digest?: string,
  ) {
    this.plan = buildPlan(model.metadata);
  }

  get metadata(): WgmMetadata {
    return this.model.metadata;
  }

  get tensors(): ReadonlyMap<string, Tensor> {
    return this.model.tensors;
  }

  /** Creates a session (one kernel instance, everything reserved up front). */
  async createSession(opts: SessionOptions = {}): Promise<Session> {
    const s = await Session.create(this.model, opts, this.plan);
    this.sessions.add(s);
    return s;
  }

  /** Layers, shapes, parameter count, weight bytes, and kernel memory for the given session options. */
  async inspect(opts: SessionOptions = {}): Promise<InspectReport> {
    const meta = this.model.metadata;
    const layers: LayerReport[] = meta.layers.map((l) => {
      const specs = layerTensorSpecs(l, meta.formatVersion);
      const fileBytes = specs.reduce((n, s) => n + (this.model.tensors.get(s.name)?.data.byteLength ?? 0), 0);
      return { name: l.name, type: l.type, summary: summarize(l, meta.formatVersion), parameters: layerParameterCount(l), fileBytes, tensors: specs.map((s) => ({ name: s.name, dtype: s.dtype, shape: s.shape })) };
    });
    const resolved = resolveSessionOptions(meta, opts);
    const { build, exports } = await instantiateKernel(resolved.backend, { a8Int8: this.plan.a8Int8 });
    const layout = layoutMemory(this.plan, resolved, exports);
    return {
      name: meta.name,
      digest: this.digest,
      channels: meta.input.channels,
      window: meta.input.window,
      outputSize: meta.output.size,
      labels: meta.labels,
      layers,
      parameterCount: this.plan.parameterCount,
      weightFileBytes: layers.reduce((n, l) => n + l.fileBytes, 0),
      streamable: !this.plan.notStreamable,
      ...(this.plan.notStreamable ? { notStreamable: this.plan.notStreamable } : {}),
      memory: { ...layout, options: resolved, text: formatMemoryLayout(layout, resolved), backend: build },
      kernel: { build, file: `kernel-${build}.wasm`, relaxed: await relaxedSupport() },
    };
  }

  /** Disposes every session created from this model. */
  dispose(): void {
    for (const s of this.sessions) s.dispose();
    this.sessions.clear();
  }
}

function summarize(l: WgmMetadata['layers'][number], formatVersion: number): string {
  switch (l.type) {
    case 'lstm':
    case 'gru':
      return `${l.type} ${l.inputSize}->${l.hiddenSize} ${l.direction} ${l.precision}${l.type === 'lstm' && l.peepholes ? ' peepholes' : ''}${l.inputQuant ? ` (input ${l.inputQuant.mode}${l.inputQuant.scale ? ` scale ${l.inputQuant.scale}` : ''}, ${int8ActivationScheme(formatVersion) === 'a7' ? '7-bit activations, h scale per step' : '8-bit activations, h scale 1/127'})` : ''}`;
    case 'layernorm':
      return `layernorm ${l.size} eps ${l.epsilon}`;
    case 'pool':
      return `pool ${l.mode}`;
    case 'dense':
      return `dense ${l.inFeatures}->${l.outFeatures} ${l.activation}${l.precision === 'int8' ? ` int8 (input static scale ${l.inputQuant?.scale}${l.featureQuant ? `, features ${l.featureQuant.scale}` : ''})` : ''}`;
  }
}

export type LoadModelOptions = DecodeOptions;

/**
 * Loads and validates a model from a .wgm path, .wgm bytes, or an in-memory WgmModel (which is
 * validated too). Throws WavegateError (E_MODEL_*, E_NOT_FOUND) on anything wrong.
 */
export async function loadModel(source: string | Uint8Array | WgmModel, opts: LoadModelOptions = {}): Promise<Model> {
  assertKnownOptions(opts, DECODE_OPTIONS, 'loadModel() options');
  assertKnownOptions(opts.limits, Object.keys(DEFAULT_LIMITS), 'loadModel() options: limits');
  let loaded: WgmModel & Partial<LoadedWgm>;
  if (typeof source === 'string') loaded = await loadWgm(source, opts);
  else if (source instanceof Uint8Array) loaded = decodeWgm(source, opts);
  else if (source && typeof source === 'object' && 'metadata' in source) {
    validateModel(source, { source: opts.source ?? 'model', limits: opts.limits });
    loaded = source;
  } else throw new WavegateError('E_ARGUMENT', 'loadModel(): expected a path, .wgm bytes or a WgmModel');
  return new Model({ metadata: loaded.metadata, tensors: loaded.tensors }, loaded.digest);
}
