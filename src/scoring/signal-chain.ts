/**
 * The device's signal chain, as offline record scoring uses it: raw frames at the record's rate in,
 * model windows (with their sample index and side features) out. This file is the one adapter
 * between scoring and src/signal; everything it does is a call into src/signal.
 *
 * SWITCH: when src/signal offers one `createSignalChain(input, streamRate)` (preprocessing ->
 * fixed or beat windows -> RR features, from the model's metadata), `createRecordChain` becomes a
 * thin wrapper around it and the stage translation and RR lookup below go away.
 */
import { WavegateError } from '../errors.js';
import type { InputSpec, PreprocessingStage } from '../model/schema.js';
import { BeatStream, type Beat } from '../signal/beats.js';
import { buildPipeline, type Pipeline } from '../signal/pipeline.js';
import { QrsDetector } from '../signal/qrs.js';
import { WindowAssembler } from '../signal/window-assembler.js';

/** One model input the chain produced. */
export interface ChainWindow {
  /** [window, channels] at the model's rate. */
  data: Float32Array;
  /** The window's first sample (fixed windows) or its R peak (beat windows), in the stream's own samples. */
  sample: number;
  /** Side features, normalised as the model says (beat models with RR features). */
  features?: Float32Array;
}

export interface RecordChain {
  /** Rate of the frames `push` takes (the record's). */
  readonly streamRate: number;
  /** Rate after preprocessing (the model's). */
  readonly modelRate: number;
  /** Pushes interleaved frames [n, channels] at the stream rate; returns the windows they complete. */
  push(frames: Float32Array): ChainWindow[];
  /** Ends the stream (offline): returns what a detector still held back. */
  end(): ChainWindow[];
}

const RATE_STAGES = new Set(['decimate', 'resample']);

/**
 * The chain for a model's input spec and a stream of `streamRate` Hz. A stream at another rate than
 * the model's raw rate is accepted only when the model's stages change the rate (a `resample` or
 * `decimate` stage); otherwise E_INPUT names both rates.
 */
export function createRecordChain(input: InputSpec, streamRate: number, source = 'stream'): RecordChain {
  const windowing = input.windowing;
  if (!windowing) throw new WavegateError('E_MODEL_UNSUPPORTED', `${source}: the model does not say how its windows are cut (no input.windowing; import it with --dataset or --meta)`);
  if (windowing.mode === 'stream') throw new WavegateError('E_MODEL_UNSUPPORTED', `${source}: the model streams (input.windowing.mode "stream"); offline scoring cuts fixed or beat windows`);
  const stages = input.preprocessing ?? [];
  const rawRate = input.raw?.sampleRate;
  if (rawRate !== undefined && !sameRate(streamRate, rawRate) && !stages.some((s) => RATE_STAGES.has(s.kind))) {
    throw new WavegateError('E_INPUT', `${source}: sample rate ${streamRate} Hz differs from the model's ${rawRate} Hz (input.raw.sampleRate), and the model's preprocessing has no resample or decimate stage`);
  }
  const pipeline = buildPipeline({ ...input, preprocessing: stagesAtRate(stages, streamRate) }, streamRate);
  const toStream = (k: number) => Math.round((k * streamRate) / pipeline.info.outputRate);
  const features = input.features;
  if (features && features.kind !== 'rr') {
    throw new WavegateError('E_MODEL_UNSUPPORTED', `${source}: the model takes "${features.kind}" side features (${features.names.join(', ')}), which only the caller can supply (score --input with an .npz "features" array)`);
  }
  if (windowing.mode === 'fixed') {
    if (features) throw new WavegateError('E_MODEL_UNSUPPORTED', `${source}: RR side features need beat windows, the model cuts fixed windows`);
    return fixedChain(pipeline, windowing.window, windowing.hop, input.channels, streamRate, toStream);
  }
  const { detector, ...qrs } = windowing.qrs;
  if (detector !== 'pan-tompkins') throw new WavegateError('E_MODEL_UNSUPPORTED', `${source}: QRS detector ${JSON.stringify(detector)} is unknown`);
  const fs = pipeline.info.outputRate;
  const qrsDetector = new QrsDetector({ ...qrs, fs });
  const beats = new BeatStream({
    window: windowing.before + windowing.after,
    before: windowing.before,
    fs,
    channels: input.channels,
    localBeats: features?.localBeats,
    maxPeakDelay: qrsDetector.latencySamples + Math.ceil(fs),
  });
  const featureOf = features ? rrFeatureVector(features.names, features.normalize, source) : undefined;
  const toWindows = (list: Beat[]): ChainWindow[] => list.map((b) => ({ data: b.data, sample: toStream(b.r), ...(featureOf ? { features: featureOf(b.rr) } : {}) }));
  const firstChannel = (y: Float32Array) => (input.channels === 1 ? y : y.filter((_, i) => i % input.channels === 0));
  // BeatStream keeps samples for peaks up to maxPeakDelay late (the detector's latency plus 1 s), so
  // the chain is fed at most half a second at a time, whatever the caller pushes.
  const step = Math.max(1, Math.floor(streamRate / 2)) * input.channels;
  return {
    streamRate,
    modelRate: fs,
    push(frames) {
      const out: Beat[] = [];
      for (let i = 0; i < frames.length; i += step) {
        const y = pipeline.process(frames.subarray(i, i + step));
        out.push(...beats.pushSamples(y), ...beats.pushPeaks(qrsDetector.process(firstChannel(y))));
      }
      return toWindows(out);
    },
    end() {
      return toWindows(beats.pushPeaks(qrsDetector.flush()));
    },
  };
}

function fixedChain(pipeline: Pipeline, window: number, hop: number, channels: number, streamRate: number, toStream: (k: number) => number): RecordChain {
  const assembler = new WindowAssembler({ length: window, hop, channels });
  let seq = 0;
  return {
    streamRate,
    modelRate: pipeline.info.outputRate,
    push(frames) {
      return assembler.push(seq++, pipeline.process(frames)).map((w) => ({ data: w.data, sample: toStream(w.start) }));
    },
    end() {
      return [];
    },
  };
}

function sameRate(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * b;
}

/**
 * Canonical rate stages name only their target (`decimate {to}`, `resample {to}`: from whatever
 * rate arrives); today's pipeline wants `from` as well, so it is filled in with the rate at that
 * point. A decimate by 1 (the record is already at the target rate) is dropped.
 */
function stagesAtRate(stages: readonly PreprocessingStage[], streamRate: number): PreprocessingStage[] {
  let rate = streamRate;
  const out: PreprocessingStage[] = [];
  for (const s of stages) {
    if (!RATE_STAGES.has(s.kind)) {
      out.push(s);
      continue;
    }
    const to = s.to as number;
    if (!(sameRate(rate, to) && s.kind === 'decimate')) out.push({ ...s, from: rate });
    rate = to;
  }
  return out;
}

/** RR features by name, in the order `beats.ts` computes them (seconds). */
const RR_INDEX: Record<string, number> = { preRR: 0, postRR: 1, localRR: 2, averageRR: 3 };

/** Picks and normalises the model's RR features from a beat's [pre, post, local, average] vector. */
function rrFeatureVector(names: readonly string[], normalize: { mean: number[]; std: number[] } | undefined, source: string): (rr: Float32Array) => Float32Array {
  const index = names.map((n) => {
    const i = RR_INDEX[n];
    if (i === undefined) throw new WavegateError('E_MODEL_UNSUPPORTED', `${source}: RR feature ${JSON.stringify(n)} is unknown (known: ${Object.keys(RR_INDEX).join(', ')})`);
    return i;
  });
  return (rr) => {
    const f = new Float32Array(index.length);
    index.forEach((i, k) => {
      f[k] = normalize ? (rr[i] - normalize.mean[k]) / normalize.std[k] : rr[i];
    });
    return f;
  };
}

/** Reports a problem at a field path and never returns (the caller decides code and file name). */
export type FieldFail = (path: string, problem: string) => never;

/**
 * The canonical stage kinds and their parameters (docs/signals.md), for files that describe a model
 * (`import --meta`, dataset metadata). SWITCH: the stage parser in src/model/stages.ts replaces this table.
 */
const STAGE_KEYS: Record<string, { required: string[]; optional: string[] }> = {
  bandpass: { required: ['low', 'high', 'order'], optional: [] },
  highpass: { required: ['cutoff', 'order'], optional: [] },
  lowpass: { required: ['cutoff', 'order'], optional: [] },
  baseline: { required: ['windows'], optional: [] },
  decimate: { required: ['to'], optional: [] },
  resample: { required: ['to'], optional: [] },
  normalize: { required: ['mean', 'std'], optional: [] },
};

/** QRS detector settings a beat model may carry (src/signal/qrs.ts QrsOptions other than fs). */
export const QRS_SETTING_NAMES = ['band', 'integration', 'refractory', 'tWaveWindow', 'thresholdFactor', 'searchBack', 'learning', 'latency', 'slopeFactor', 'lookahead', 'tWaveHeight', 'refine'] as const;

function positive(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

/** Checks stage kinds, keys and values; `path` is the list's field path, e.g. `input.preprocessing`. */
export function checkStages(stages: unknown, path: string, fail: FieldFail): PreprocessingStage[] {
  if (!Array.isArray(stages)) fail(path, 'expected an array of stages');
  stages.forEach((raw, i) => {
    const at = `${path}[${i}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(at, 'expected a stage object {kind, ...}');
    const s = raw as Record<string, unknown>;
    const keys = typeof s.kind === 'string' ? STAGE_KEYS[s.kind] : undefined;
    if (!keys) fail(`${at}.kind`, `${JSON.stringify(s.kind)} is not a stage kind (${Object.keys(STAGE_KEYS).join(', ')})`);
    for (const k of Object.keys(s)) {
      if (k !== 'kind' && !keys.required.includes(k) && !keys.optional.includes(k)) fail(`${at}.${k}`, `unknown parameter of a ${s.kind} stage (it takes ${[...keys.required, ...keys.optional].join(', ') || 'none'})`);
    }
    for (const k of keys.required) if (s[k] === undefined) fail(`${at}.${k}`, `missing (a ${s.kind} stage takes ${keys.required.join(', ')})`);
    for (const k of ['low', 'high', 'cutoff', 'to']) if (s[k] !== undefined && !positive(s[k])) fail(`${at}.${k}`, `expected a frequency in Hz > 0, got ${JSON.stringify(s[k])}`);
    if (s.kind === 'bandpass' && (s.low as number) >= (s.high as number)) fail(`${at}.high`, `${s.high} Hz must be above low ${s.low} Hz`);
    if (s.order !== undefined && !(Number.isInteger(s.order) && (s.order as number) >= 1 && (s.order as number) <= 12)) fail(`${at}.order`, `expected an integer 1..12, got ${JSON.stringify(s.order)}`);
    if (s.windows !== undefined && !(Array.isArray(s.windows) && s.windows.length === 2 && s.windows.every(positive))) fail(`${at}.windows`, `expected two durations in seconds > 0, got ${JSON.stringify(s.windows)}`);
    if (s.kind === 'normalize') {
      for (const k of ['mean', 'std'] as const) {
        const v = s[k];
        const list = Array.isArray(v) ? v : [v];
        if (list.length === 0 || !list.every((x) => typeof x === 'number' && Number.isFinite(x))) fail(`${at}.${k}`, `expected a number or one per channel, got ${JSON.stringify(v)}`);
        if (k === 'std' && !list.every(positive)) fail(`${at}.std`, 'must be > 0');
      }
    }
  });
  return stages as PreprocessingStage[];
}

/**
 * Builds the device chain of `input` at its raw rate (without running it), so that a model is never
 * written with stages, rates or detector settings the device refuses. Returns the chain's output rate.
 */
export function checkDeviceChain(input: InputSpec, source: string): number {
  const rawRate = input.raw?.sampleRate;
  if (rawRate === undefined) throw new WavegateError('E_MODEL_FORMAT', `${source}: input.raw.sampleRate is missing`);
  if (input.windowing?.mode === 'stream' || !input.windowing) {
    return buildPipeline({ ...input, preprocessing: stagesAtRate(input.preprocessing ?? [], rawRate) }, rawRate).info.outputRate;
  }
  // External features come from the caller at run time; the chain itself needs only the rest.
  const forChain = input.features?.kind === 'external' ? { ...input, features: undefined } : input;
  return createRecordChain(forChain, rawRate, source).modelRate;
}
