/**
 * Checks the `wavegate` metadata object of a .wgm file: types, ranges, known layer types and
 * the layer chain. Pure function over untrusted JSON; every failure is a WavegateError naming
 * the file and the field path, e.g. `m.wgm: layers[2] "gru1".inputSize: 16 does not match ...`.
 */
import { WavegateError } from '../errors.js';
import { FORMAT_NAME, FORMAT_VERSION, OLDEST_FORMAT_VERSION } from './schema.js';
import type { LayerSpec, WgmMetadata } from './schema.js';
import { DEFAULT_LIMITS, type ModelLimits } from './limits.js';
import { INT8_DENSE_FROM_VERSION } from './tensors.js';
import { chainRates, channelsPerInputChannel, parseStages, type Stage } from './stages.js';
import { compileRrFeatureNames } from '../signal/rr-features.js';

/** Layer names become tensor name prefixes: keep them printable, short and unambiguous. */
const LAYER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,127}$/;

class Checker {
  constructor(readonly source: string) {}

  fail(path: string, problem: string, code: 'E_MODEL_FORMAT' | 'E_MODEL_UNSUPPORTED' = 'E_MODEL_FORMAT'): never {
    throw new WavegateError(code, `${this.source}: metadata ${path}: ${problem}`);
  }

  object(v: unknown, path: string): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, `expected an object, got ${describe(v)}`);
    return v as Record<string, unknown>;
  }

  int(v: unknown, path: string, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(path, `expected an integer, got ${describe(v)}`);
    if (v < min || v > max) this.fail(path, `${v} is out of range [${min}, ${max}]`);
    return v;
  }

  num(v: unknown, path: string, min: number, max: number, openMin = false): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, `expected a finite number, got ${describe(v)}`);
    if (v < min || v > max || (openMin && v === min)) this.fail(path, `${v} is out of range ${openMin ? '(' : '['}${min}, ${max}]`);
    return v;
  }

  str(v: unknown, path: string): string {
    if (typeof v !== 'string') this.fail(path, `expected a string, got ${describe(v)}`);
    return v;
  }

  oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
    if (typeof v !== 'string' || !allowed.includes(v as T)) this.fail(path, `expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describe(v)}`);
    return v as T;
  }

  strArray(v: unknown, path: string): string[] {
    if (!Array.isArray(v)) this.fail(path, `expected an array of strings, got ${describe(v)}`);
    v.forEach((s, i) => this.str(s, `${path}[${i}]`));
    return v as string[];
  }

  optional<T>(obj: Record<string, unknown>, key: string, path: string, check: (v: unknown, p: string) => T): T | undefined {
    return obj[key] === undefined ? undefined : check(obj[key], `${path}.${key}`);
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

const RECURRENT = ['lstm', 'gru'] as const;
const LAYER_TYPES = ['lstm', 'gru', 'layernorm', 'pool', 'dense'] as const;

/**
 * Validates untrusted metadata and returns it typed. Checks the layer chain: each layer's input
 * size equals the previous output size (a bidirectional layer outputs 2H), recurrent layers come
 * first (layer norm may sit between them), then at most one pool, then layer norm / dense layers;
 * the final feature count equals `output.size`, and `labels`, if present, has `output.size` entries.
 */
export function validateMetadata(raw: unknown, source: string, limits: ModelLimits = DEFAULT_LIMITS): WgmMetadata {
  const c = new Checker(source);
  const m = c.object(raw, '(root)');
  if (m.format !== FORMAT_NAME) c.fail('format', `expected "${FORMAT_NAME}", got ${describe(m.format)}`);
  const version = c.int(m.formatVersion, 'formatVersion', OLDEST_FORMAT_VERSION, Number.MAX_SAFE_INTEGER);
  if (version > FORMAT_VERSION) {
    c.fail('formatVersion', `file is version ${version}; this runtime reads versions up to ${FORMAT_VERSION} (upgrade wavegate)`, 'E_MODEL_UNSUPPORTED');
  }
  c.optional(m, 'name', '', (v, p) => c.str(v, p));
  c.optional(m, 'description', '', (v, p) => c.str(v, p));

  const input = c.object(m.input, 'input');
  const channels = c.int(input.channels, 'input.channels', 1, limits.maxFeatures);
  c.optional(input, 'sampleRate', 'input', (v, p) => c.num(v, p, 0, 1e9, true));
  c.optional(input, 'window', 'input', (v, p) => c.int(v, p, 1, limits.maxWindow));
  c.optional(input, 'hop', 'input', (v, p) => c.int(v, p, 1, limits.maxWindow));
  // The stage schema (src/model/stages.ts): strict from version 3; versions 1 and 2 have their keys mapped.
  // A spectrum stage makes `bands` network channels of each stream channel: names and
  // per-channel statistics describe the stream's.
  const parse = (streamChannels?: number): Stage[] | undefined =>
    input.preprocessing === undefined ? undefined : parseStages(input.preprocessing, { legacy: version < 3, channels: streamChannels, source });
  const perChannel = channelsPerInputChannel(parse() ?? []);
  if (channels % perChannel !== 0) c.fail('input.channels', `${channels} is not a whole number of stream channels of ${perChannel} spectrum bands each`);
  const streamChannels = channels / perChannel;
  const stages = parse(streamChannels);
  const channelNames = c.optional(input, 'channelNames', 'input', (v, p) => c.strArray(v, p));
  if (channelNames && channelNames.length !== streamChannels) c.fail('input.channelNames', `has ${channelNames.length} names for ${streamChannels} channels`);
  checkRaw(c, input, streamChannels);
  if (stages) checkChainRates(c, input, stages);
  checkWindowing(c, input, limits);
  if (perChannel > 1 && (input.windowing as { mode?: unknown } | undefined)?.mode === 'beat') {
    c.fail('input.windowing.mode', 'beat windows need a signal to detect R peaks in; a spectrum stage hands on band values (use fixed or stream windowing)', 'E_MODEL_UNSUPPORTED');
  }
  const featureCount = checkFeatures(c, input, limits);

  const output = c.object(m.output, 'output');
  c.oneOf(output.activation, 'output.activation', ['softmax', 'sigmoid', 'none'] as const);
  const outSize = c.int(output.size, 'output.size', 1, limits.maxFeatures);
  const labels = c.optional(m, 'labels', '', (v, p) => c.strArray(v, p));
  if (labels && labels.length !== outSize) c.fail('labels', `has ${labels.length} labels for output.size ${outSize}`);

  if (m.detector !== undefined) {
    const d = c.object(m.detector, 'detector');
    c.optional(d, 'threshold', 'detector', (v, p) => c.num(v, p, 0, 1));
    c.optional(d, 'hysteresis', 'detector', (v, p) => c.int(v, p, 0, 1e9));
    const minDuration = c.optional(d, 'minDuration', 'detector', (v, p) => c.int(v, p, 1, 1e9));
    const window = c.optional(d, 'window', 'detector', (v, p) => c.int(v, p, 1, 1e9));
    if (window !== undefined && window < (minDuration ?? 1)) c.fail('detector.window', `${window} is less than minDuration ${minDuration}`);
    c.optional(d, 'cooldown', 'detector', (v, p) => c.num(v, p, 0, 1e9));
    const thresholds = c.optional(d, 'thresholds', 'detector', (v, p) => c.object(v, p));
    for (const [label, v] of Object.entries(thresholds ?? {})) {
      if (labels && !labels.includes(label)) c.fail(`detector.thresholds.${label}`, `names no class of labels [${labels.join(', ')}]`);
      c.num(v, `detector.thresholds.${label}`, 0, 1);
    }
    const normal = c.optional(d, 'normalLabels', 'detector', (v, p) => c.strArray(v, p));
    for (const label of normal ?? []) if (labels && !labels.includes(label)) c.fail('detector.normalLabels', `"${label}" names no class of labels [${labels.join(', ')}]`);
  }
  if (m.provenance !== undefined) {
    const p = c.object(m.provenance, 'provenance');
    for (const k of ['sourceSha256', 'sourceFile', 'producer', 'createdAt', 'calibrationSet', 'datasetSplit']) {
      c.optional(p, k, 'provenance', (v, path) => c.str(v, path));
    }
    if (p.dataset !== undefined) {
      const d = c.object(p.dataset, 'provenance.dataset');
      const sha = c.str(d.sha256, 'provenance.dataset.sha256');
      if (!/^[0-9a-f]{64}$/.test(sha)) c.fail('provenance.dataset.sha256', 'expected 64 lowercase hex digits');
      c.str(d.split, 'provenance.dataset.split');
      c.optional(d, 'source', 'provenance.dataset', (v, path) => c.str(v, path));
      c.optional(d, 'file', 'provenance.dataset', (v, path) => c.str(v, path));
      c.optional(d, 'records', 'provenance.dataset', (v, path) => c.strArray(v, path));
    }
    if (p.metrics !== undefined) {
      const metrics = c.object(p.metrics, 'provenance.metrics');
      for (const [k, v] of Object.entries(metrics)) c.num(v, `provenance.metrics.${k}`, -Number.MAX_VALUE, Number.MAX_VALUE);
    }
  }

  if (!Array.isArray(m.layers)) c.fail('layers', `expected an array, got ${describe(m.layers)}`);
  const layers = m.layers as unknown[];
  if (layers.length === 0) c.fail('layers', 'is empty; a model needs at least one recurrent layer');
  if (layers.length > limits.maxLayers) c.fail('layers', `has ${layers.length} layers; the limit is ${limits.maxLayers}`);
  checkLayerChain(c, layers, channels, outSize, limits, featureCount, version);
  const meta = raw as WgmMetadata;
  // What loads is what runs: the returned metadata carries the canonical stages (legacy keys mapped).
  return stages ? { ...meta, input: { ...meta.input, preprocessing: stages } } : meta;
}

/**
 * Version 3 (input.raw present): the raw rate must pass through every stage (cut-offs below
 * Nyquist, integer decimation factors) and arrive at input.sampleRate, the rate the network takes.
 */
function checkChainRates(c: Checker, input: Record<string, unknown>, stages: Stage[]): void {
  if (input.raw === undefined) return;
  const rawRate = (input.raw as { sampleRate: number }).sampleRate;
  const walk = chainRates(stages, rawRate);
  if ('problem' in walk) c.fail(`input.preprocessing[${walk.index}]`, `${walk.problem} (from input.raw.sampleRate ${rawRate} Hz)`);
  if (input.sampleRate !== undefined && input.sampleRate !== walk.outputRate) {
    c.fail('input.sampleRate', `${String(input.sampleRate)} Hz differs from the ${walk.outputRate} Hz the preprocessing makes of input.raw.sampleRate ${rawRate} Hz`);
  }
}

/** input.raw: the sensor's rate, units and channel names (version 3); `channels` counts the stream's. */
function checkRaw(c: Checker, input: Record<string, unknown>, channels: number): void {
  if (input.raw === undefined) return;
  const r = c.object(input.raw, 'input.raw');
  c.num(r.sampleRate, 'input.raw.sampleRate', 0, 1e9, true);
  c.str(r.units, 'input.raw.units');
  const names = c.strArray(r.channels, 'input.raw.channels');
  if (names.length !== channels) c.fail('input.raw.channels', `has ${names.length} names for ${channels} channels`);
}

/** input.windowing: fixed, beat or stream, consistent with input.window / input.hop (version 3). */
function checkWindowing(c: Checker, input: Record<string, unknown>, limits: ModelLimits): void {
  if (input.windowing === undefined) return;
  const w = c.object(input.windowing, 'input.windowing');
  const mode = c.oneOf(w.mode, 'input.windowing.mode', ['fixed', 'beat', 'stream'] as const);
  if (mode === 'fixed') {
    const window = c.int(w.window, 'input.windowing.window', 1, limits.maxWindow);
    const hop = c.int(w.hop, 'input.windowing.hop', 1, limits.maxWindow);
    if (input.window !== undefined && input.window !== window) c.fail('input.windowing.window', `${window} differs from input.window ${String(input.window)}`);
    if (input.hop !== undefined && input.hop !== hop) c.fail('input.windowing.hop', `${hop} differs from input.hop ${String(input.hop)}`);
  } else if (mode === 'beat') {
    const before = c.int(w.before, 'input.windowing.before', 0, limits.maxWindow);
    const after = c.int(w.after, 'input.windowing.after', 1, limits.maxWindow);
    if (input.window !== undefined && input.window !== before + after) {
      c.fail('input.windowing', `before ${before} + after ${after} differs from input.window ${String(input.window)}`);
    }
    const q = c.object(w.qrs, 'input.windowing.qrs');
    c.oneOf(q.detector, 'input.windowing.qrs.detector', ['pan-tompkins'] as const);
    for (const [k, v] of Object.entries(q)) {
      if (k === 'detector') continue;
      if (Array.isArray(v)) v.forEach((x, i) => c.num(x, `input.windowing.qrs.${k}[${i}]`, 0, 1e9));
      else c.num(v, `input.windowing.qrs.${k}`, 0, 1e9);
    }
  }
}

/** input.features: side features into the head; returns their count (0 without). */
function checkFeatures(c: Checker, input: Record<string, unknown>, limits: ModelLimits): number {
  if (input.features === undefined) return 0;
  const f = c.object(input.features, 'input.features');
  const kind = c.oneOf(f.kind, 'input.features.kind', ['rr', 'external'] as const);
  const names = c.strArray(f.names, 'input.features.names');
  if (names.length === 0 || names.length > limits.maxFeatures) c.fail('input.features.names', `needs 1..${limits.maxFeatures} names, got ${names.length}`);
  if (kind === 'rr') {
    c.int(f.localBeats, 'input.features.localBeats', 1, 1000);
    // The names must be RR features the device can compute (src/signal/rr-features.ts).
    try {
      compileRrFeatureNames(names);
    } catch (e) {
      c.fail('input.features', (e as Error).message);
    }
  }
  else if (f.localBeats !== undefined) c.fail('input.features.localBeats', 'is only meaningful for kind "rr"');
  if (f.normalize !== undefined) {
    const n = c.object(f.normalize, 'input.features.normalize');
    for (const key of ['mean', 'std'] as const) {
      if (!Array.isArray(n[key]) || (n[key] as unknown[]).length !== names.length) {
        c.fail(`input.features.normalize.${key}`, `expected ${names.length} numbers (one per feature)`);
      }
      (n[key] as unknown[]).forEach((v, i) => (key === 'std' ? c.num(v, `input.features.normalize.std[${i}]`, 0, 3.4e38, true) : c.num(v, `input.features.normalize.mean[${i}]`, -3.4e38, 3.4e38)));
    }
  }
  return names.length;
}

/** Per-layer fields and the chain: sizes, order, names. */
function checkLayerChain(c: Checker, layers: unknown[], channels: number, outSize: number, limits: ModelLimits, featureCount = 0, version = FORMAT_VERSION): void {
  const names = new Set<string>();
  let features = channels;
  let seenRecurrent = false;
  let seenPool = false;
  let seenDense = false;
  layers.forEach((rawLayer, i) => {
    const at = `layers[${i}]`;
    const L = c.object(rawLayer, at);
    const type = L.type;
    if (typeof type !== 'string' || !(LAYER_TYPES as readonly string[]).includes(type)) {
      c.fail(`${at}.type`, `unknown layer type ${describe(type)}; this runtime knows ${LAYER_TYPES.join(', ')}`, 'E_MODEL_UNSUPPORTED');
    }
    const name = c.str(L.name, `${at}.name`);
    if (!LAYER_NAME.test(name)) c.fail(`${at}.name`, `${describe(name)} must match ${LAYER_NAME} (it prefixes tensor names)`);
    if (names.has(name)) c.fail(`${at}.name`, `duplicate layer name "${name}"`);
    names.add(name);
    const here = `${at} "${name}"`;
    const expectIn = (field: string, v: number) => {
      if (v !== features) c.fail(`${here}.${field}`, `${v} does not match the previous layer's output size ${features}${i === 0 ? ' (input.channels)' : ''}`);
    };

    if ((RECURRENT as readonly string[]).includes(type as string)) {
      if (seenPool || seenDense) c.fail(`${here}.type`, `recurrent layer after a ${seenPool ? 'pool' : 'dense'} layer; recurrent layers come first`);
      const inputSize = c.int(L.inputSize, `${here}.inputSize`, 1, limits.maxFeatures);
      const hidden = c.int(L.hiddenSize, `${here}.hiddenSize`, 1, limits.maxHidden);
      const dir = c.oneOf(L.direction, `${here}.direction`, ['forward', 'reverse', 'bidirectional'] as const);
      const precision = c.oneOf(L.precision, `${here}.precision`, ['f32', 'int8'] as const);
      if (type === 'gru' && typeof L.linearBeforeReset !== 'boolean') c.fail(`${here}.linearBeforeReset`, `expected a boolean, got ${describe(L.linearBeforeReset)}`);
      if (L.peepholes !== undefined) {
        if (type !== 'lstm') c.fail(`${here}.peepholes`, 'is only meaningful for an lstm layer');
        if (typeof L.peepholes !== 'boolean') c.fail(`${here}.peepholes`, `expected a boolean, got ${describe(L.peepholes)}`);
        if (L.peepholes && version < 3) c.fail(`${here}.peepholes`, `needs format version 3 (the file is version ${version})`);
      }
      if (L.inputQuant !== undefined) {
        if (precision !== 'int8') c.fail(`${here}.inputQuant`, 'is only meaningful for precision "int8"');
        const q = c.object(L.inputQuant, `${here}.inputQuant`);
        const mode = c.oneOf(q.mode, `${here}.inputQuant.mode`, ['static', 'dynamic'] as const);
        if (mode === 'static') c.num(q.scale, `${here}.inputQuant.scale`, 0, 3.4e38, true);
        else if (q.scale !== undefined) c.fail(`${here}.inputQuant.scale`, 'must be absent in dynamic mode');
        c.optional(q, 'calibration', `${here}.inputQuant`, (v, p) => c.str(v, p));
      }
      expectIn('inputSize', inputSize);
      features = (dir === 'bidirectional' ? 2 : 1) * hidden;
      seenRecurrent = true;
    } else if (type === 'layernorm') {
      if (!seenRecurrent) c.fail(`${here}.type`, 'layer norm before the first recurrent layer is not supported', 'E_MODEL_UNSUPPORTED');
      const size = c.int(L.size, `${here}.size`, 1, limits.maxFeatures);
      c.num(L.epsilon, `${here}.epsilon`, 0, 1, true);
      expectIn('size', size);
    } else if (type === 'pool') {
      if (!seenRecurrent) c.fail(`${here}.type`, 'pool before any recurrent layer');
      if (seenPool) c.fail(`${here}.type`, 'a second pool layer; at most one is allowed');
      if (seenDense) c.fail(`${here}.type`, 'pool after a dense layer; pool sits between the recurrent stack and the head');
      c.oneOf(L.mode, `${here}.mode`, ['last', 'final_state', 'mean'] as const);
      seenPool = true;
    } else {
      if (!seenRecurrent) c.fail(`${here}.type`, 'dense layer before any recurrent layer', 'E_MODEL_UNSUPPORTED');
      const inF = c.int(L.inFeatures, `${here}.inFeatures`, 1, limits.maxFeatures);
      const outF = c.int(L.outFeatures, `${here}.outFeatures`, 1, limits.maxFeatures);
      c.oneOf(L.activation, `${here}.activation`, ['none', 'relu', 'tanh', 'sigmoid'] as const);
      checkDenseQuant(c, L, here, version, !seenDense && featureCount > 0);
      // Side features join the first dense layer's input: [pooled recurrent output ++ features].
      if (!seenDense && featureCount > 0) {
        if (inF !== features + featureCount) c.fail(`${here}.inFeatures`, `${inF} does not match the pooled output ${features} + ${featureCount} side features (input.features)`);
      } else expectIn('inFeatures', inF);
      features = outF;
      seenDense = true;
    }
  });
  if (!seenRecurrent) c.fail('layers', 'has no recurrent (lstm/gru) layer');
  if (featureCount > 0 && !seenDense) c.fail('input.features', 'side features need a dense layer after the recurrent stack to enter');
  if (features !== outSize) c.fail('output.size', `${outSize} does not match the last layer's output size ${features}`);
}

/**
 * A dense layer's precision and input scales (version 4): an `int8` layer has a static
 * `inputQuant`, and `featureQuant` exactly when it is the first dense layer of a model with side
 * features (its feature columns get their own scale); an f32 layer has neither.
 */
function checkDenseQuant(c: Checker, L: Record<string, unknown>, here: string, version: number, takesFeatures: boolean): void {
  const precision = L.precision === undefined ? 'f32' : c.oneOf(L.precision, `${here}.precision`, ['f32', 'int8'] as const);
  if (L.precision !== undefined && version < INT8_DENSE_FROM_VERSION) c.fail(`${here}.precision`, `a dense layer's precision needs format version ${INT8_DENSE_FROM_VERSION} (the file is version ${version})`);
  const staticScale = (field: 'inputQuant' | 'featureQuant') => {
    const q = c.object(L[field], `${here}.${field}`);
    if (q.mode !== 'static') c.fail(`${here}.${field}.mode`, `must be "static" for a dense layer (its scales are calibrated), got ${describe(q.mode)}`);
    c.num(q.scale, `${here}.${field}.scale`, 0, 3.4e38, true);
    c.optional(q, 'calibration', `${here}.${field}`, (v, p) => c.str(v, p));
  };
  for (const field of ['inputQuant', 'featureQuant'] as const) {
    const wanted = precision === 'int8' && (field === 'inputQuant' || takesFeatures);
    if (L[field] === undefined) {
      if (wanted) c.fail(`${here}.${field}`, `is required for an int8 dense layer${field === 'featureQuant' ? ' that takes side features' : ''}`);
    } else if (!wanted) {
      c.fail(`${here}.${field}`, precision !== 'int8' ? 'is only meaningful for precision "int8"' : 'is only meaningful for the first dense layer of a model with side features');
    } else staticScale(field);
  }
}

/** Narrowing helper for code that walks validated layers. */
export function isRecurrent(l: LayerSpec): l is Extract<LayerSpec, { type: 'lstm' | 'gru' }> {
  return l.type === 'lstm' || l.type === 'gru';
}
