/**
 * Writes a model description into an imported model's metadata, after checking that it fits the
 * graph: the channel count, the window length (when the graph's time axis is static), the side
 * features the first dense layer takes, the label count; and that the device can run the chain
 * it describes (stages, rates, QRS settings). Every refusal happens before anything is written.
 */
import { WavegateError } from '../../src/errors.js';
import type { InputSpec, WgmMetadata, WgmModel } from '../../src/model/schema.js';
import { channelsPerInputChannel, parseStages } from '../../src/model/stages.js';
import { checkDeviceChain } from '../../src/scoring/signal-chain.js';
import type { ModelDescription } from './description.js';
import type { DatasetFacts } from './from-dataset.js';

export interface DescriptionSources {
  /** From `--dataset`, with the file's name. */
  dataset?: { path: string; facts: DatasetFacts };
  /** From `--meta`, with the file's name; its fields win over the dataset's. */
  meta?: { path: string; description: ModelDescription };
  /** The ONNX file, for messages. */
  onnx: string;
}

/** Side features the graph's first dense layer takes beside the recurrent output (0 without). */
export function graphFeatureCount(meta: WgmMetadata): number {
  if (meta.input.features) return meta.input.features.names.length;
  let width = meta.input.channels;
  for (const l of meta.layers) {
    if (l.type === 'lstm' || l.type === 'gru') width = (l.direction === 'bidirectional' ? 2 : 1) * l.hiddenSize;
    if (l.type === 'dense') return Math.max(0, l.inFeatures - width);
  }
  return 0;
}

/** The merged description: the dataset's fields, then the meta file's over them, field by field. */
export function mergeDescriptions(sources: DescriptionSources): ModelDescription {
  const d = sources.dataset?.facts.description ?? {};
  const m = sources.meta?.description ?? {};
  const input = { ...d.input, ...m.input };
  const provenance = { ...d.provenance, ...m.provenance };
  return {
    ...d,
    ...m,
    ...(Object.keys(input).length > 0 ? { input } : {}),
    ...(Object.keys(provenance).length > 0 ? { provenance } : {}),
  };
}

/** Where a field came from, for messages: the meta file when it set it, else the dataset. */
function origin(sources: DescriptionSources, has: (d: ModelDescription) => boolean): string {
  if (sources.meta && has(sources.meta.description)) return sources.meta.path;
  if (sources.dataset) return `${sources.dataset.path} (dataset meta)`;
  return sources.meta?.path ?? 'description';
}

/**
 * Returns the model with `sources` written into its metadata (format v3 fields), or throws E_INPUT
 * naming the file, the field and the graph's value when they do not fit.
 */
export function applyDescription(model: WgmModel, sources: DescriptionSources): WgmModel {
  const desc = mergeDescriptions(sources);
  const meta = model.metadata;
  const onnx = sources.onnx;
  const refuse = (from: string, problem: string): never => {
    throw new WavegateError('E_INPUT', `${from}: ${problem}`);
  };
  const inputOrigin = (key: keyof NonNullable<ModelDescription['input']>) => origin(sources, (x) => x.input?.[key] !== undefined);
  const di = desc.input ?? {};
  const input: InputSpec = { ...meta.input };

  if (di.raw) {
    // After a spectrum stage each raw channel is `bands` network channels.
    const perChannel = channelsPerInputChannel(parseStages(di.preprocessing ?? meta.input.preprocessing ?? []));
    if (di.raw.channels.length * perChannel !== meta.input.channels) {
      const bands = perChannel > 1 ? ` x ${perChannel} spectrum bands` : '';
      refuse(inputOrigin('raw'), `input.raw.channels names ${di.raw.channels.length} channel(s) (${di.raw.channels.join(', ')})${bands}; the graph of ${onnx} takes ${meta.input.channels}`);
    }
    input.raw = di.raw;
    input.channelNames = [...di.raw.channels];
  }
  const ds = sources.dataset?.facts;
  if (ds && ds.channels !== meta.input.channels) refuse(sources.dataset!.path, `windows have ${ds.channels} channel(s) (x [N, T, ${ds.channels}]); the graph of ${onnx} takes ${meta.input.channels}`);

  if (di.windowing) {
    const w = di.windowing;
    const length = w.mode === 'fixed' ? w.window : w.mode === 'beat' ? w.before + w.after : undefined;
    if (length !== undefined) {
      if (meta.input.window !== undefined && meta.input.window !== length) {
        refuse(inputOrigin('windowing'), `input.windowing makes windows of ${length} samples; the graph of ${onnx} takes ${meta.input.window} (a static time axis)`);
      }
      if (ds && ds.window !== length) refuse(sources.dataset!.path, `windows are ${ds.window} samples long (x [N, ${ds.window}, C]), but its windowing says ${length}`);
      input.window = length;
      if (w.mode === 'fixed') input.hop = w.hop;
      else delete input.hop;
    }
    input.windowing = w;
  }

  const graphF = graphFeatureCount(meta);
  const described = di.features;
  if (graphF > 0 && !described) {
    refuse(sources.meta?.path ?? sources.dataset?.path ?? onnx, `the graph of ${onnx} takes ${graphF} side feature(s) beside the recurrent output; describe them in input.features (names, kind)`);
  }
  if (described) {
    const fromMeta = sources.meta?.description.input?.features !== undefined;
    if (graphF === 0 && fromMeta) refuse(sources.meta!.path, `input.features names ${described.names.length} side feature(s); the graph of ${onnx} takes none`);
    if (graphF > 0 && described.names.length !== graphF) {
      refuse(inputOrigin('features'), `input.features names ${described.names.length} side feature(s) (${described.names.join(', ')}); the graph of ${onnx} takes ${graphF}`);
    }
    // A dataset may carry features a model was trained without: the model then takes none.
    if (graphF > 0) input.features = described;
  }

  if (di.preprocessing) input.preprocessing = di.preprocessing;
  if (input.raw) {
    let rate: number;
    try {
      rate = checkDeviceChain({ ...input, sampleRate: undefined }, 'device chain');
    } catch (e) {
      if (!(e instanceof WavegateError)) throw e;
      return refuse(inputOrigin('preprocessing'), `the device cannot run this input description: ${e.message}`);
    }
    if (di.sampleRate !== undefined && Math.abs(di.sampleRate - rate) > 1e-9 * rate) {
      refuse(inputOrigin('sampleRate'), `input.sampleRate is ${di.sampleRate} Hz, but the preprocessing turns ${input.raw.sampleRate} Hz into ${rate} Hz`);
    }
    input.sampleRate = rate;
  } else if (di.sampleRate !== undefined) input.sampleRate = di.sampleRate;

  const labels = desc.labels;
  if (labels && labels.length !== meta.output.size) {
    refuse(origin(sources, (x) => x.labels !== undefined), `labels has ${labels.length} entries (${labels.join(', ')}); the graph of ${onnx} outputs ${meta.output.size}`);
  }
  const thresholds = Object.keys(desc.detector?.thresholds ?? {});
  const unknown = [...thresholds, ...(desc.detector?.normalLabels ?? [])].find((l) => !(labels ?? meta.labels ?? []).includes(l));
  if (desc.detector && unknown !== undefined) refuse(origin(sources, (x) => x.detector !== undefined), `detector names class ${JSON.stringify(unknown)}, which is not among the labels`);

  const metadata: WgmMetadata = {
    ...meta,
    ...(desc.name ? { name: desc.name } : {}),
    ...(desc.description ? { description: desc.description } : {}),
    input,
    ...(labels ? { labels } : {}),
    ...(desc.detector ? { detector: desc.detector } : {}),
    provenance: { ...meta.provenance, ...desc.provenance },
  };
  return { metadata, tensors: model.tensors };
}
