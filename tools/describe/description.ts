/**
 * A model description: what `wavegate import` writes into a model's format-v3 metadata beside what
 * the ONNX graph says (docs/onnx-import.md, "Describing the model"). It comes from a `--meta` JSON
 * file, or from a dataset's `meta` (from-dataset.ts), and has the shape of the metadata it fills:
 *
 *   {
 *     "name": "ecg-beat-gru", "description": "...",
 *     "input": {
 *       "raw": {"sampleRate": 360, "units": "mV", "channels": ["MLII"]},
 *       "sampleRate": 360,                                   (optional: the chain's output rate)
 *       "preprocessing": [{"kind": "bandpass", "low": 0.5, "high": 40, "order": 2}],
 *       "windowing": {"mode": "beat", "before": 64, "after": 64, "qrs": {"detector": "pan-tompkins"}},
 *       "features": {"kind": "rr", "names": ["preRR", "postRR"], "localBeats": 10}
 *     },
 *     "labels": ["N", "S", "V"],
 *     "detector": {"thresholds": {"S": 0.6, "V": 0.5}, "normalLabels": ["N"], "minDuration": 2, "window": 3},
 *     "provenance": {"dataset": {"sha256": "...", "split": "DS1", "source": "mitdb"}}
 *   }
 *
 * The parser is strict: an unknown key, a wrong type or an impossible value is an E_FILE_FORMAT
 * error naming the file and the field (`meta.json: input.windowing.before: ...`). What the graph
 * decides (channel count, window length when static, layers, output size) is not written here.
 */
import { WavegateError } from '../../src/errors.js';
import type { DatasetProvenance, DetectorDefaults, FeatureSpec, PreprocessingStage, QrsSettings, RawInputSpec, WindowingSpec } from '../../src/model/schema.js';
import { checkStages, QRS_SETTING_NAMES, type FieldFail } from '../../src/scoring/signal-chain.js';

export interface ModelDescription {
  name?: string;
  description?: string;
  input?: {
    raw?: RawInputSpec;
    sampleRate?: number;
    preprocessing?: PreprocessingStage[];
    windowing?: WindowingSpec;
    features?: FeatureSpec;
  };
  labels?: string[];
  detector?: DetectorDefaults;
  provenance?: { dataset?: DatasetProvenance; calibrationSet?: string; metrics?: Record<string, number> };
}

/** Keys the graph decides, with the reason given when a description names them. */
const FROM_GRAPH: Record<string, string> = {
  channels: 'the channel count comes from the ONNX graph; name the channels in input.raw.channels',
  window: 'the window length comes from input.windowing (and must fit the graph)',
  hop: 'the hop comes from input.windowing',
  channelNames: 'channel names go in input.raw.channels',
  layers: 'layers come from the ONNX graph',
  output: 'the output comes from the ONNX graph',
  format: 'written by wavegate',
  formatVersion: 'written by wavegate',
};

class Fields {
  constructor(readonly source: string) {}

  readonly fail: FieldFail = (path, problem) => {
    throw new WavegateError('E_FILE_FORMAT', `${this.source}: ${path}: ${problem}`);
  };

  object(v: unknown, path: string, known: readonly string[]): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, `expected an object, got ${describe(v)}`);
    for (const k of Object.keys(v)) {
      if (known.includes(k)) continue;
      const at = path === '(root)' ? k : `${path}.${k}`;
      this.fail(at, FROM_GRAPH[k] && (path === '(root)' || path === 'input') ? `not allowed here: ${FROM_GRAPH[k]}` : `unknown key (known: ${known.join(', ')})`);
    }
    return v as Record<string, unknown>;
  }

  str(v: unknown, path: string): string {
    if (typeof v !== 'string' || v.trim() === '') this.fail(path, `expected a non-empty string, got ${describe(v)}`);
    return v;
  }

  num(v: unknown, path: string, min: number, max: number, openMin = false): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, `expected a number, got ${describe(v)}`);
    if (v < min || v > max || (openMin && v === min)) this.fail(path, `${v} is out of range ${openMin ? '(' : '['}${min}, ${max}]`);
    return v;
  }

  int(v: unknown, path: string, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(path, `expected an integer, got ${describe(v)}`);
    return this.num(v, path, min, max);
  }

  names(v: unknown, path: string): string[] {
    if (!Array.isArray(v) || v.length === 0) this.fail(path, `expected a non-empty array of names, got ${describe(v)}`);
    v.forEach((s, i) => this.str(s, `${path}[${i}]`));
    const dup = v.find((s, i) => v.indexOf(s) !== i);
    if (dup !== undefined) this.fail(path, `${JSON.stringify(dup)} appears twice`);
    return v as string[];
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}

/** Parses a --meta file's text; `source` (the file name) prefixes every message. */
export function parseDescriptionText(text: string, source: string): ModelDescription {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new WavegateError('E_FILE_FORMAT', `${source}: not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return parseDescription(json, source);
}

/** Checks an untrusted description object field by field and returns it typed. */
export function parseDescription(raw: unknown, source: string): ModelDescription {
  const f = new Fields(source);
  const root = f.object(raw, '(root)', ['name', 'description', 'input', 'labels', 'detector', 'provenance']);
  const out: ModelDescription = {};
  if (root.name !== undefined) out.name = f.str(root.name, 'name');
  if (root.description !== undefined) out.description = f.str(root.description, 'description');
  if (root.labels !== undefined) out.labels = f.names(root.labels, 'labels');
  if (root.input !== undefined) {
    const input = f.object(root.input, 'input', ['raw', 'sampleRate', 'preprocessing', 'windowing', 'features']);
    out.input = {};
    if (input.raw !== undefined) {
      const r = f.object(input.raw, 'input.raw', ['sampleRate', 'units', 'channels']);
      out.input.raw = { sampleRate: f.num(r.sampleRate, 'input.raw.sampleRate', 0, 1e9, true), units: f.str(r.units, 'input.raw.units'), channels: f.names(r.channels, 'input.raw.channels') };
    }
    if (input.sampleRate !== undefined) out.input.sampleRate = f.num(input.sampleRate, 'input.sampleRate', 0, 1e9, true);
    if (input.preprocessing !== undefined) out.input.preprocessing = checkStages(input.preprocessing, 'input.preprocessing', f.fail);
    if (input.windowing !== undefined) out.input.windowing = windowing(f, input.windowing);
    if (input.features !== undefined) out.input.features = features(f, input.features);
  }
  if (root.detector !== undefined) out.detector = detector(f, root.detector, out.labels);
  if (root.provenance !== undefined) {
    const p = f.object(root.provenance, 'provenance', ['dataset', 'calibrationSet', 'metrics']);
    out.provenance = {};
    if (p.dataset !== undefined) out.provenance.dataset = datasetProvenance(f, p.dataset);
    if (p.calibrationSet !== undefined) out.provenance.calibrationSet = f.str(p.calibrationSet, 'provenance.calibrationSet');
    if (p.metrics !== undefined) {
      const m = f.object(p.metrics, 'provenance.metrics', Object.keys(p.metrics as object));
      out.provenance.metrics = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, f.num(v, `provenance.metrics.${k}`, -Number.MAX_VALUE, Number.MAX_VALUE)]));
    }
  }
  return out;
}

const MAX_WINDOW = 1 << 20;

function windowing(f: Fields, v: unknown): WindowingSpec {
  const mode = f.object(v, 'input.windowing', ['mode', 'window', 'hop', 'before', 'after', 'qrs']).mode;
  if (mode === 'fixed') {
    const w = f.object(v, 'input.windowing', ['mode', 'window', 'hop']);
    return { mode, window: f.int(w.window, 'input.windowing.window', 1, MAX_WINDOW), hop: f.int(w.hop, 'input.windowing.hop', 1, MAX_WINDOW) };
  }
  if (mode === 'beat') {
    const w = f.object(v, 'input.windowing', ['mode', 'before', 'after', 'qrs']);
    const before = f.int(w.before, 'input.windowing.before', 0, MAX_WINDOW);
    const after = f.int(w.after, 'input.windowing.after', 1, MAX_WINDOW);
    const q = f.object(w.qrs ?? { detector: 'pan-tompkins' }, 'input.windowing.qrs', ['detector', ...QRS_SETTING_NAMES]);
    if (q.detector !== 'pan-tompkins') f.fail('input.windowing.qrs.detector', `expected "pan-tompkins" (the one detector there is), got ${describe(q.detector)}`);
    for (const [k, x] of Object.entries(q)) {
      if (k === 'detector') continue;
      if (k === 'band') {
        if (!Array.isArray(x) || x.length !== 2) f.fail('input.windowing.qrs.band', `expected [low, high] in Hz, got ${describe(x)}`);
        x.forEach((b, i) => f.num(b, `input.windowing.qrs.band[${i}]`, 0, 1e6, true));
        if (x[0] >= x[1]) f.fail('input.windowing.qrs.band', `low ${x[0]} Hz must be below high ${x[1]} Hz`);
      } else f.num(x, `input.windowing.qrs.${k}`, 0, 1e6, true);
    }
    return { mode, before, after, qrs: q as QrsSettings };
  }
  if (mode === 'stream') {
    f.object(v, 'input.windowing', ['mode']);
    return { mode };
  }
  return f.fail('input.windowing.mode', `expected "fixed", "beat" or "stream", got ${describe(mode)}`);
}

function features(f: Fields, v: unknown): FeatureSpec {
  const o = f.object(v, 'input.features', ['kind', 'names', 'localBeats', 'normalize']);
  if (o.kind !== 'rr' && o.kind !== 'external') f.fail('input.features.kind', `expected "rr" (RR intervals from the device's QRS detections) or "external" (supplied by the caller), got ${describe(o.kind)}`);
  const names = f.names(o.names, 'input.features.names');
  const spec: FeatureSpec = { kind: o.kind, names };
  if (o.kind === 'rr') spec.localBeats = o.localBeats === undefined ? 10 : f.int(o.localBeats, 'input.features.localBeats', 1, 1000);
  else if (o.localBeats !== undefined) f.fail('input.features.localBeats', 'only RR features (kind "rr") have a local RR mean');
  if (o.normalize !== undefined) {
    const n = f.object(o.normalize, 'input.features.normalize', ['mean', 'std']);
    const list = (key: 'mean' | 'std') => {
      const a = n[key];
      if (!Array.isArray(a) || a.length !== names.length) f.fail(`input.features.normalize.${key}`, `expected ${names.length} numbers, one per feature`);
      return a.map((x, i) => (key === 'std' ? f.num(x, `input.features.normalize.std[${i}]`, 0, 3.4e38, true) : f.num(x, `input.features.normalize.mean[${i}]`, -3.4e38, 3.4e38)));
    };
    spec.normalize = { mean: list('mean'), std: list('std') };
  }
  return spec;
}

function detector(f: Fields, v: unknown, labels: string[] | undefined): DetectorDefaults {
  const d = f.object(v, 'detector', ['thresholds', 'threshold', 'normalLabels', 'minDuration', 'window', 'hysteresis', 'cooldown']);
  const out: DetectorDefaults = {};
  const known = (label: string, path: string) => {
    if (labels && !labels.includes(label)) f.fail(path, `${JSON.stringify(label)} is not one of the labels [${labels.join(', ')}]`);
  };
  if (d.thresholds !== undefined) {
    const t = f.object(d.thresholds, 'detector.thresholds', Object.keys(d.thresholds as object));
    out.thresholds = {};
    for (const [label, x] of Object.entries(t)) {
      known(label, `detector.thresholds.${label}`);
      out.thresholds[label] = f.num(x, `detector.thresholds.${label}`, 0, 1);
    }
  }
  if (d.threshold !== undefined) out.threshold = f.num(d.threshold, 'detector.threshold', 0, 1);
  if (d.normalLabels !== undefined) {
    out.normalLabels = f.names(d.normalLabels, 'detector.normalLabels');
    out.normalLabels.forEach((l, i) => known(l, `detector.normalLabels[${i}]`));
  }
  if (d.minDuration !== undefined) out.minDuration = f.int(d.minDuration, 'detector.minDuration', 1, 1e9);
  if (d.window !== undefined) {
    out.window = f.int(d.window, 'detector.window', 1, 1e9);
    if (out.window < (out.minDuration ?? 1)) f.fail('detector.window', `${out.window} windows cannot hold minDuration ${out.minDuration} positives`);
  }
  if (d.hysteresis !== undefined) out.hysteresis = f.int(d.hysteresis, 'detector.hysteresis', 0, 1e9);
  if (d.cooldown !== undefined) out.cooldown = f.num(d.cooldown, 'detector.cooldown', 0, 1e9);
  return out;
}

function datasetProvenance(f: Fields, v: unknown): DatasetProvenance {
  const d = f.object(v, 'provenance.dataset', ['sha256', 'split', 'source', 'file', 'records']);
  const sha256 = f.str(d.sha256, 'provenance.dataset.sha256');
  if (!/^[0-9a-f]{64}$/.test(sha256)) f.fail('provenance.dataset.sha256', 'expected 64 lowercase hex digits (the SHA-256 of the dataset file)');
  const out: DatasetProvenance = { sha256, split: f.str(d.split, 'provenance.dataset.split') };
  if (d.source !== undefined) out.source = f.str(d.source, 'provenance.dataset.source');
  if (d.file !== undefined) out.file = f.str(d.file, 'provenance.dataset.file');
  if (d.records !== undefined) out.records = f.names(d.records, 'provenance.dataset.records');
  return out;
}
