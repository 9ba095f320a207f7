/**
 * RR-interval side features, computed from R-peak positions: the one module that datasets and
 * devices both call (the dataset builders through the same signal chain a device runs), so a
 * model's side features are computed in training exactly as in service.
 *
 * Base features of beat b (R peaks r[0], r[1], ... in samples at `fs` Hz), in seconds:
 *   preRR      r[b] - r[b-1]
 *   postRR     r[b+1] - r[b]          the next beat's R must be known: a beat whose features use
 *                                     postRR comes out one beat later (about 0.6-1 s of latency)
 *   localRR    mean of the pre-RRs of the last `localBeats` beats, b included (fewer at the start)
 *   averageRR  running mean of every pre-RR of the stream so far (beats 1..b): causal, since a
 *              device cannot see the rest of the record
 *   medianRR   median of the pre-RRs of the last `localBeats` beats, b included (the mean of the two
 *              middle ones for an even count): the local rhythm without the pull of a few short
 *              (ectopic) or long (pause) intervals, which a mean takes in
 *   priorRR    the pre-RR of beat b-1, r[b-1] - r[b-2] (beat 1, which has none: its own preRR), so
 *              preRR/priorRR is the shortening against the interval just before, whatever the
 *              patient's average rhythm is
 * Ratios: a name "a/b" of two different base names is their quotient, e.g. preRR/localRR (how
 * premature the beat is against the local rhythm) or postRR/preRR (a compensatory pause).
 * A model selects features by name (`input.features.names`), in vector order.
 *
 * Beat-shape features (patient-adaptive morphology; computed by the beat stream, beats.ts, from the
 * beat window itself, so only where there are beat windows): the beat against the patient's own
 * recent beats, a running template T of the beats that are not premature (preRR >= TEMPLATE_MIN_RR x
 * averageRR, so that the patient's ectopic beats stay out of it; the first beat always enters):
 * the mean of the first TEMPLATE_BEATS such beats, then an exponential mean with weight
 * 1 / TEMPLATE_BEATS, updated after each beat's features are taken:
 *   templateCorr  Pearson correlation of the beat's first channel with T (1 for the first beat)
 *   templateAmp   ln of the beat's standard deviation over T's (0 for the first beat)
 *   templateDiff  standard deviation of (beat - T), both mean-removed, over T's (0 for the first)
 * A normal beat of a patient whose every beat is wide still looks like the template; a V beat of a
 * patient with narrow normal beats does not: the remedy for inter-patient morphology differences.
 *
 * Every row needs a previous beat, so the first beat of a stream has none. Values are computed in
 * float64 and rounded to float32 (the raw feature); normalisation, when the model carries it, is
 * then fround((raw - mean) / std) per feature in float64. Datasets compute raw rows first, take
 * their statistics, then apply {@link normalizeFeatures}: the same function the stream applies,
 * hence the same bits.
 */
import { WavegateError } from '../errors.js';

export const RR_BASE_FEATURES = ['preRR', 'postRR', 'localRR', 'averageRR', 'medianRR', 'priorRR'] as const;
export type RrBaseFeature = (typeof RR_BASE_FEATURES)[number];
/** Beat-shape features: the beat window against the stream's running template (beats.ts). */
export const BEAT_SHAPE_FEATURES = ['templateCorr', 'templateAmp', 'templateDiff'] as const;
export type BeatShapeFeature = (typeof BEAT_SHAPE_FEATURES)[number];
/** Beats in the running template: the plain mean of the first ones, then the weight of each new one is 1 / TEMPLATE_BEATS. */
export const TEMPLATE_BEATS = 16;
/** A beat enters the template only when it is not premature: preRR at least this share of averageRR (the first beat always). */
export const TEMPLATE_MIN_RR = 0.9;

/** The default selection of `wavegate dataset build` for MIT-BIH (de Chazal's four and the two prematurity ratios). */
export const DEFAULT_RR_FEATURES: readonly string[] = ['preRR', 'postRR', 'localRR', 'averageRR', 'preRR/localRR', 'postRR/localRR'];
/** Default beats in the local mean. */
export const DEFAULT_LOCAL_BEATS = 10;

export interface RrFeatureSpec {
  /** Feature names in vector order: base names or ratios "a/b". */
  names: readonly string[];
  /** Beats in the local mean (localRR). */
  localBeats: number;
  /** Optional per-feature normalisation f' = (f - mean) / std. */
  normalize?: { mean: readonly number[]; std: readonly number[] };
}

/** One beat's features. */
export interface RrRow {
  /** Ordinal of the beat among the peaks pushed (0 = the first). */
  beat: number;
  /** Its R peak (the sample index pushed). */
  r: number;
  /** Feature values in `names` order (normalised when the spec says so). */
  values: Float32Array;
  /** With beat-shape names: whether the beat may enter the running template (not premature: preRR >= 0.9 averageRR). */
  templateOk?: boolean;
}

const BASE_INDEX: Record<RrBaseFeature, number> = { preRR: 0, postRR: 1, localRR: 2, averageRR: 3, medianRR: 4, priorRR: 5 };

/** A compiled name: [a] or [a, b] (a / b) into the RR base vector, or ['shape', k] into BEAT_SHAPE_FEATURES. */
export type CompiledFeature = [number] | [number, number] | ['shape', number];

/** Each name compiled ({@link CompiledFeature}). Throws E_MODEL_FORMAT naming the bad name. */
export function compileRrFeatureNames(names: readonly string[], path = 'input.features.names'): CompiledFeature[] {
  if (names.length === 0) throw new WavegateError('E_MODEL_FORMAT', `${path}: no feature names`);
  const seen = new Set<string>();
  return names.map((name, i) => {
    if (seen.has(name)) throw new WavegateError('E_MODEL_FORMAT', `${path}[${i}]: duplicate feature "${name}"`);
    seen.add(name);
    const shape = BEAT_SHAPE_FEATURES.indexOf(name as BeatShapeFeature);
    if (shape >= 0) return ['shape', shape] as CompiledFeature;
    const parts = name.split('/');
    const bad = parts.length > 2 || parts.some((p) => !(p in BASE_INDEX)) || (parts.length === 2 && parts[0] === parts[1]);
    if (bad) {
      throw new WavegateError('E_MODEL_FORMAT', `${path}[${i}]: unknown RR feature ${JSON.stringify(name)} (known: ${RR_BASE_FEATURES.join(', ')}, or a ratio "a/b" of two of them; beat shape: ${BEAT_SHAPE_FEATURES.join(', ')})`);
    }
    return parts.map((p) => BASE_INDEX[p as RrBaseFeature]) as [number] | [number, number];
  });
}

/** Checks a spec (names, localBeats, normalize lengths and values); returns the compiled names. */
function checkSpec(spec: RrFeatureSpec): CompiledFeature[] {
  const compiled = compileRrFeatureNames(spec.names);
  if (!Number.isInteger(spec.localBeats) || spec.localBeats < 1) {
    throw new WavegateError('E_MODEL_FORMAT', `input.features.localBeats: expected an integer >= 1, got ${spec.localBeats}`);
  }
  if (spec.normalize) {
    const { mean, std } = spec.normalize;
    if (mean.length !== compiled.length || std.length !== compiled.length) {
      throw new WavegateError('E_MODEL_FORMAT', `input.features.normalize: mean/std hold ${mean.length}/${std.length} values for ${compiled.length} features`);
    }
    std.forEach((s, i) => {
      if (!(Number.isFinite(s) && s > 0) || !Number.isFinite(mean[i])) throw new WavegateError('E_MODEL_FORMAT', `input.features.normalize: feature ${i} has mean ${mean[i]}, std ${s} (need finite, std > 0)`);
    });
  }
  return compiled;
}

/** fround((raw - mean) / std) per feature, in float64: the one normalisation of side features. */
export function normalizeFeatures(raw: Float32Array, normalize: { mean: readonly number[]; std: readonly number[] }): Float32Array {
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = (raw[i] - normalize.mean[i]) / normalize.std[i];
  return out;
}

/**
 * Mean and (population) standard deviation of each of `f` features over `rows` (row-major
 * [n, f]), in float64; a feature constant over the set gets std 1 (it then only shifts).
 */
export function featureStats(rows: Float32Array, f: number): { mean: number[]; std: number[] } {
  const n = f > 0 ? rows.length / f : 0;
  const mean = new Array<number>(f).fill(0);
  const std = new Array<number>(f).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) mean[j] += rows[i * f + j];
  for (let j = 0; j < f; j++) mean[j] /= Math.max(1, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) std[j] += (rows[i * f + j] - mean[j]) ** 2;
  for (let j = 0; j < f; j++) {
    const s = Math.sqrt(std[j] / Math.max(1, n));
    std[j] = s > 0 && Number.isFinite(s) ? s : 1;
  }
  return { mean, std };
}

/**
 * Streaming RR features: push R peaks in increasing order, one at a time; each push returns the
 * row it completes, if any (with postRR: the previous beat's; without: this beat's). With
 * beat-shape names the row is raw (not normalised) and holds NaN in their places: the beat
 * stream fills them from the window and then normalises ({@link BeatShapeTemplate}).
 */
export class RrFeatureStream {
  /** Whether a row waits for the next beat (a name uses postRR). */
  readonly needsNextBeat: boolean;
  /** Whether a name uses medianRR: the sort per beat is skipped otherwise (the host runs one stream per device). */
  private readonly needsMedian: boolean;
  /** Positions of beat-shape names in the row, and which feature each is ([] without). */
  readonly shapeSlots: ReadonlyArray<{ index: number; feature: number }>;
  readonly names: readonly string[];
  private readonly compiled: CompiledFeature[];
  private readonly localBeats: number;
  private readonly normalize: RrFeatureSpec['normalize'];
  private count = 0;
  private prevR = Number.NEGATIVE_INFINITY;
  /** The beat waiting for its successor (postRR), with its pre-RR-based values. */
  private pending: { beat: number; r: number; pre: number; local: number; average: number; median: number; prior: number } | undefined;
  private preSum = 0;
  private readonly recentPre: number[] = [];
  /** The pre-RR of the previous beat (priorRR); NaN until there is one. */
  private lastPre = Number.NaN;

  constructor(spec: RrFeatureSpec, readonly fs: number) {
    this.compiled = checkSpec(spec);
    if (!(Number.isFinite(fs) && fs > 0)) throw new WavegateError('E_ARGUMENT', `RR features: fs must be > 0 Hz, got ${fs}`);
    this.names = [...spec.names];
    this.localBeats = spec.localBeats;
    this.normalize = spec.normalize;
    this.needsNextBeat = this.compiled.some((c) => c[0] !== 'shape' && (c as number[]).includes(BASE_INDEX.postRR));
    this.needsMedian = this.compiled.some((c) => c[0] !== 'shape' && (c as number[]).includes(BASE_INDEX.medianRR));
    this.shapeSlots = this.compiled.flatMap((c, index) => (c[0] === 'shape' ? [{ index, feature: c[1] as number }] : []));
  }

  push(r: number): RrRow | undefined {
    if (!Number.isInteger(r) || r <= this.prevR) throw new WavegateError('E_INPUT', `RR features: R peak ${r} is not an integer after ${this.prevR}`);
    const beat = this.count++;
    let row: RrRow | undefined;
    if (this.pending) {
      const p = this.pending;
      row = this.row(p.beat, p.r, [p.pre, (r - p.r) / this.fs, p.local, p.average, p.median, p.prior]);
      this.pending = undefined;
    }
    if (beat > 0) {
      const pre = (r - this.prevR) / this.fs;
      this.preSum += pre;
      this.recentPre.push(pre);
      if (this.recentPre.length > this.localBeats) this.recentPre.shift();
      let local = 0;
      for (const v of this.recentPre) local += v;
      local /= this.recentPre.length;
      const average = this.preSum / beat;
      const median = this.needsMedian ? medianOf(this.recentPre) : Number.NaN;
      const prior = Number.isNaN(this.lastPre) ? pre : this.lastPre;
      this.lastPre = pre;
      if (this.needsNextBeat) this.pending = { beat, r, pre, local, average, median, prior };
      else row = this.row(beat, r, [pre, Number.NaN, local, average, median, prior]);
    }
    this.prevR = r;
    return row;
  }

  /** base: the RR base values in BASE_INDEX order (postRR NaN when no name uses it). */
  private row(beat: number, r: number, base: number[]): RrRow {
    const pre = base[BASE_INDEX.preRR], average = base[BASE_INDEX.averageRR];
    const raw = new Float32Array(this.compiled.length);
    this.compiled.forEach((c, i) => (raw[i] = c[0] === 'shape' ? Number.NaN : c.length === 1 ? base[c[0]] : base[c[0]] / base[c[1] as number]));
    // Beat-shape slots are filled by the beat stream, which normalises the row then.
    if (this.shapeSlots.length > 0) return { beat, r, values: raw, templateOk: pre >= TEMPLATE_MIN_RR * average };
    return { beat, r, values: this.normalize ? normalizeFeatures(raw, this.normalize) : raw };
  }
}

/** Median of a short list (the mean of the two middle values for an even count), in float64. */
function medianOf(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The running template of the beat-shape features (see the top of this file): one per stream,
 * fed every emitted beat in order. `take` returns the features of a beat against the template so
 * far, then adds the beat to it. Float64 throughout, one code path for datasets and devices.
 */
export class BeatShapeTemplate {
  private readonly t: Float64Array;
  private count = 0;

  constructor(readonly window: number, readonly channels: number) {
    this.t = new Float64Array(window);
  }

  /** [templateCorr, templateAmp, templateDiff] of the beat (first channel of [window, channels] data); then adds it to the template when `enter` (or it is the first). */
  take(data: Float32Array, enter = true): [number, number, number] {
    const n = this.window, c = this.channels, t = this.t;
    let out: [number, number, number] = [1, 0, 0];
    if (this.count > 0) {
      let mx = 0, mt = 0;
      for (let i = 0; i < n; i++) (mx += data[i * c]), (mt += t[i]);
      mx /= n;
      mt /= n;
      let sxx = 0, stt = 0, sxt = 0, sdd = 0;
      for (let i = 0; i < n; i++) {
        const x = data[i * c] - mx, y = t[i] - mt;
        sxx += x * x;
        stt += y * y;
        sxt += x * y;
        sdd += (x - y) * (x - y);
      }
      const tiny = 1e-12;
      out = [sxx > tiny && stt > tiny ? sxt / Math.sqrt(sxx * stt) : 0, 0.5 * Math.log((sxx + tiny) / (stt + tiny)), Math.sqrt(sdd / (stt + tiny))];
    }
    if (!enter && this.count > 0) return out;
    this.count++;
    const a = 1 / Math.min(this.count, TEMPLATE_BEATS);
    for (let i = 0; i < n; i++) t[i] += a * (data[i * c] - t[i]);
    return out;
  }
}

/** Whole-record rows: the streaming code fed every peak, so datasets and devices agree bit for bit. RR names only (beat-shape features need the beat windows: beats.ts). */
export function rrFeatureRows(peaks: ArrayLike<number>, fs: number, spec: RrFeatureSpec): RrRow[] {
  const s = new RrFeatureStream(spec, fs);
  if (s.shapeSlots.length > 0) throw new WavegateError('E_ARGUMENT', `RR feature rows: ${spec.names.filter((n) => (BEAT_SHAPE_FEATURES as readonly string[]).includes(n)).join(', ')} need the beat windows (beatWindows / BeatStream)`);
  const rows: RrRow[] = [];
  for (let i = 0; i < peaks.length; i++) {
    const row = s.push(peaks[i]);
    if (row) rows.push(row);
  }
  return rows;
}
