/**
 * The preprocessing stage schema, defined once: the kinds, their keys (one per parameter) and
 * their ranges. A pure parser/validator over untrusted JSON. The model loader calls it for every
 * file (strict from format version 3; versions 1 and 2 have their legacy keys mapped), the dataset
 * builders write what it accepts, and src/signal/pipeline.ts runs only what it returns, so a
 * stage list that loads is a stage list the device can run. The contract in words:
 * docs/signals.md ("The signal contract").
 *
 *   bandpass  {low, high, order}   Butterworth band-pass, Hz: high-pass(low) then low-pass(high), each of `order`
 *   highpass  {cutoff, order}      Butterworth high-pass, -3 dB at `cutoff` Hz
 *   lowpass   {cutoff, order}      Butterworth low-pass
 *   baseline  {windows: [s, s]}    two cascaded medians (s), subtracted; delays the signal
 *   decimate  {to}                 integer-factor decimation from whatever rate arrives to `to` Hz, anti-alias built in
 *   resample  {to}                 rational polyphase resampling from whatever (integer) rate arrives to `to` Hz
 *   normalize {mean, std}          (x - mean) / std, one value for all channels or one per channel
 *   spectrum  {frame, hop, low, high, bands, level}
 *                                  log band energies of Hann-windowed frames: each channel becomes `bands`
 *                                  channels at rate / hop; the last stage of a list
 *
 * Filters are designed in Hz at the rate at their point of the chain; stages run in list order.
 */
import { WavegateError, type WavegateErrorCode } from '../errors.js';

export type Stage =
  | { kind: 'bandpass'; low: number; high: number; order: number }
  | { kind: 'highpass'; cutoff: number; order: number }
  | { kind: 'lowpass'; cutoff: number; order: number }
  | { kind: 'baseline'; windows: [number, number] }
  | { kind: 'decimate'; to: number }
  | { kind: 'resample'; to: number }
  | { kind: 'normalize'; mean: number | number[]; std: number | number[] }
  | { kind: 'spectrum'; frame: number; hop: number; low: number; high: number; bands: number; level: SpectrumLevel };

/** `absolute`: ln of each band's mean square; `relative`: the same minus the frame's mean over its bands (a gain drops out). */
export type SpectrumLevel = 'absolute' | 'relative';
export const SPECTRUM_LEVELS: readonly SpectrumLevel[] = ['absolute', 'relative'];

export type StageKind = Stage['kind'];

/** The keys of each kind, in the order they are written. Every key is required. */
export const STAGE_KEYS: { readonly [K in StageKind]: readonly string[] } = {
  bandpass: ['low', 'high', 'order'],
  highpass: ['cutoff', 'order'],
  lowpass: ['cutoff', 'order'],
  baseline: ['windows'],
  decimate: ['to'],
  resample: ['to'],
  normalize: ['mean', 'std'],
  spectrum: ['frame', 'hop', 'low', 'high', 'bands', 'level'],
};

/** Highest Butterworth order (per side of a band-pass): beyond it the sections lose precision and gain nothing here. */
export const MAX_FILTER_ORDER = 12;
/** Longest baseline median window, seconds (the de Chazal windows are 0.2 and 0.6 s). */
export const MAX_BASELINE_WINDOW_S = 10;
/** Most stages in one list. */
export const MAX_STAGES = 64;
/** Largest rate a rate stage may produce, Hz. */
export const MAX_RATE = 1e7;
/** Largest up- or down-sampling factor of a resample stage (ratio to/from in lowest terms). */
export const MAX_RESAMPLE_FACTOR = 1000;
/** Frame lengths of a spectrum stage: powers of two in this range. */
export const MIN_SPECTRUM_FRAME = 16;
export const MAX_SPECTRUM_FRAME = 8192;
/** Most bands of a spectrum stage. */
export const MAX_SPECTRUM_BANDS = 512;

/** Keys of format versions 1 and 2 that carried no parameter of their own: accepted and dropped in legacy mode. */
const LEGACY_DROPPED = ['fs', 'design', 'causal', 'factor', 'antiAlias', 'from'] as const;
/** Defaults the version-1/2 pipeline applied when a key was absent. */
const LEGACY_DEFAULTS: Partial<Record<StageKind, Record<string, unknown>>> = {
  bandpass: { order: 2 },
  highpass: { order: 2 },
  lowpass: { order: 2 },
  baseline: { windows: [0.2, 0.6] },
};

export interface ParseStagesOptions {
  /**
   * Format versions 1 and 2: map `fc` to `cutoff`; fill the old defaults (order 2, baseline
   * windows [0.2, 0.6]); drop `fs`, `factor`, `antiAlias` and `from` (the chain derives them from
   * the rate that arrives) and `design`/`causal` (only "butterworth" and true ever ran).
   */
  legacy?: boolean;
  /** Channels the chain carries, to check per-channel normalize values. */
  channels?: number;
  /** Field path of the list in messages. Default `input.preprocessing`. */
  path?: string;
  /** File named in messages (the model file), e.g. `m.wgm`. */
  source?: string;
}

class StageError {
  constructor(readonly source: string | undefined) {}
  fail(path: string, problem: string, code: WavegateErrorCode = 'E_MODEL_FORMAT'): never {
    throw new WavegateError(code, `${this.source ? `${this.source}: metadata ` : ''}${path}: ${problem}`);
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  return `${typeof v} ${String(v)}`;
}

function isKind(k: unknown): k is StageKind {
  return typeof k === 'string' && Object.prototype.hasOwnProperty.call(STAGE_KEYS, k);
}

/**
 * Parses and validates a stage list; returns canonical stages (fresh objects, keys in
 * {@link STAGE_KEYS} order). Unknown keys, missing keys and impossible values are E_MODEL_FORMAT
 * naming `input.preprocessing[i].key`; an unknown kind is E_MODEL_UNSUPPORTED.
 */
export function parseStages(raw: unknown, options: ParseStagesOptions = {}): Stage[] {
  const e: StageError = new StageError(options.source);
  const base = options.path ?? 'input.preprocessing';
  if (!Array.isArray(raw)) e.fail(base, `expected an array of stages, got ${describe(raw)}`);
  if (raw.length > MAX_STAGES) e.fail(base, `has ${raw.length} stages; the limit is ${MAX_STAGES}`);
  const stages = raw.map((s, i) => parseStage(s, `${base}[${i}]`, e, options));
  // Its output is frames of band values, not samples of a signal: no filter or rate stage could run on it.
  const at = stages.findIndex((s) => s.kind === 'spectrum');
  if (at >= 0 && at < stages.length - 1) e.fail(`${base}[${at}]`, `a spectrum stage must be the last stage (stage ${at + 1} of ${stages.length}): what it hands on are band values, not signal samples`);
  return stages;
}

/** Channels the chain hands on per channel it takes: `bands` after a spectrum stage, else 1. */
export function channelsPerInputChannel(stages: readonly Stage[]): number {
  const last = stages[stages.length - 1];
  return last?.kind === 'spectrum' ? last.bands : 1;
}

function parseStage(raw: unknown, at: string, e: StageError, o: ParseStagesOptions): Stage {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) e.fail(at, `expected a stage object, got ${describe(raw)}`);
  const src = { ...(raw as Record<string, unknown>) };
  const kind = src.kind;
  if (typeof kind !== 'string') e.fail(`${at}.kind`, `expected a string, got ${describe(kind)}`);
  if (!isKind(kind)) e.fail(`${at}.kind`, `unknown stage kind ${JSON.stringify(kind)} (this runtime runs ${Object.keys(STAGE_KEYS).join(', ')})`, 'E_MODEL_UNSUPPORTED');
  if (o.legacy) mapLegacy(src, kind, at, e);
  const keys = STAGE_KEYS[kind];
  for (const k of Object.keys(src)) {
    if (k !== 'kind' && !keys.includes(k)) e.fail(`${at}.${k}`, `unknown key for a ${kind} stage (it takes ${keys.join(', ')})`);
  }
  for (const k of keys) if (src[k] === undefined) e.fail(`${at}.${k}`, `missing (a ${kind} stage takes ${keys.join(', ')})`);
  const num = (k: string, min: number, max: number, openMin = true): number => {
    const v = src[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) e.fail(`${at}.${k}`, `expected a finite number, got ${describe(v)}`);
    if (v < min || v > max || (openMin && v === min)) e.fail(`${at}.${k}`, `${v} is out of range ${openMin ? '(' : '['}${min}, ${max}]`);
    return v;
  };
  const order = (): number => {
    const v = num('order', 1, MAX_FILTER_ORDER, false);
    if (!Number.isInteger(v)) e.fail(`${at}.order`, `expected an integer, got ${v}`);
    return v;
  };
  switch (kind) {
    case 'bandpass': {
      const low = num('low', 0, MAX_RATE), high = num('high', 0, MAX_RATE);
      if (!(low < high)) e.fail(`${at}.high`, `${high} Hz must be above low (${low} Hz)`);
      return { kind, low, high, order: order() };
    }
    case 'highpass':
    case 'lowpass':
      return { kind, cutoff: num('cutoff', 0, MAX_RATE), order: order() };
    case 'baseline': {
      const w = src.windows;
      if (!Array.isArray(w) || w.length !== 2) e.fail(`${at}.windows`, `expected two durations in seconds, got ${describe(w)}`);
      const windows = w.map((v, j) => {
        if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > MAX_BASELINE_WINDOW_S) e.fail(`${at}.windows[${j}]`, `expected seconds in (0, ${MAX_BASELINE_WINDOW_S}], got ${describe(v)}`);
        return v;
      }) as [number, number];
      return { kind, windows };
    }
    case 'decimate':
      return { kind, to: num('to', 0, MAX_RATE) };
    case 'resample': {
      const to = num('to', 0, MAX_RATE);
      if (!Number.isInteger(to)) e.fail(`${at}.to`, `the resampler takes integer rates, got ${to}`);
      return { kind, to };
    }
    case 'normalize': {
      const values = (k: 'mean' | 'std'): number | number[] => {
        const v = src[k];
        const check = (x: unknown, path: string): number => {
          if (typeof x !== 'number' || !Number.isFinite(x)) e.fail(path, `expected a finite number, got ${describe(x)}`);
          if (k === 'std' && x <= 0) e.fail(path, `${x} must be > 0`);
          return x;
        };
        if (!Array.isArray(v)) return check(v, `${at}.${k}`);
        if (v.length === 0 || (o.channels !== undefined && v.length !== o.channels)) {
          e.fail(`${at}.${k}`, `has ${v.length} values; expected one number or one per channel${o.channels !== undefined ? ` (${o.channels})` : ''}`);
        }
        return v.map((x, j) => check(x, `${at}.${k}[${j}]`));
      };
      return { kind, mean: values('mean'), std: values('std') };
    }
    case 'spectrum': {
      const int = (k: string, min: number, max: number): number => {
        const v = num(k, min, max, false);
        if (!Number.isInteger(v)) e.fail(`${at}.${k}`, `expected an integer, got ${v}`);
        return v;
      };
      const frame = int('frame', MIN_SPECTRUM_FRAME, MAX_SPECTRUM_FRAME);
      if ((frame & (frame - 1)) !== 0) e.fail(`${at}.frame`, `expected a power of two (the FFT's size), got ${frame}`);
      const hop = int('hop', 1, frame);
      const low = num('low', 0, MAX_RATE, false), high = num('high', 0, MAX_RATE);
      if (!(low < high)) e.fail(`${at}.high`, `${high} Hz must be above low (${low} Hz)`);
      const bands = int('bands', 1, MAX_SPECTRUM_BANDS);
      const level = src.level;
      if (!SPECTRUM_LEVELS.includes(level as SpectrumLevel)) e.fail(`${at}.level`, `expected ${SPECTRUM_LEVELS.map((l) => JSON.stringify(l)).join(' or ')}, got ${describe(level)}`);
      return { kind, frame, hop, low, high, bands, level: level as SpectrumLevel };
    }
  }
}

/** Version 1/2 keys to canonical ones, in place on a copy of the stage. */
function mapLegacy(src: Record<string, unknown>, kind: StageKind, at: string, e: StageError): void {
  if (src.design !== undefined && src.design !== 'butterworth') e.fail(`${at}.design`, `only "butterworth" filters exist, got ${describe(src.design)}`, 'E_MODEL_UNSUPPORTED');
  if (src.causal !== undefined && src.causal !== true) e.fail(`${at}.causal`, 'zero-phase (non-causal) filtering cannot run on a stream', 'E_MODEL_UNSUPPORTED');
  if ((kind === 'highpass' || kind === 'lowpass') && src.fc !== undefined) {
    if (src.cutoff !== undefined && src.cutoff !== src.fc) e.fail(`${at}.fc`, `differs from cutoff (${describe(src.cutoff)})`);
    src.cutoff = src.fc;
    delete src.fc;
  }
  for (const k of LEGACY_DROPPED) delete src[k];
  for (const [k, v] of Object.entries(LEGACY_DEFAULTS[kind] ?? {})) if (src[k] === undefined) src[k] = v;
}

/**
 * The rate a stage hands on when `rate` Hz arrives, or a problem (why the stage cannot take that
 * rate) as text: a filter whose cut-off is not below the Nyquist frequency, a decimation whose
 * factor is not an integer, a resampling between non-integer rates or with factors over
 * {@link MAX_RESAMPLE_FACTOR}.
 */
export function stageOutputRate(stage: Stage, rate: number): { rate: number } | { problem: string } {
  const nyquist = rate / 2;
  switch (stage.kind) {
    case 'bandpass':
    case 'highpass':
    case 'lowpass': {
      const top = stage.kind === 'bandpass' ? stage.high : stage.cutoff;
      if (!(top < nyquist)) return { problem: `${stage.kind} at ${top} Hz is not below the Nyquist frequency ${nyquist} Hz of the ${rate} Hz signal at this point` };
      return { rate };
    }
    case 'decimate': {
      const factor = rate / stage.to;
      const k = Math.round(factor);
      if (k < 1 || Math.abs(factor - k) > 1e-9 * factor) return { problem: `decimate from ${rate} Hz to ${stage.to} Hz needs an integer factor (got ${+factor.toFixed(6)})` };
      return { rate: stage.to };
    }
    case 'resample': {
      if (!Number.isInteger(rate)) return { problem: `resample takes integer rates; ${rate} Hz arrives` };
      let a = rate, b = stage.to;
      while (b) [a, b] = [b, a % b];
      const up = stage.to / a, down = rate / a;
      if (up > MAX_RESAMPLE_FACTOR || down > MAX_RESAMPLE_FACTOR) return { problem: `resample ${rate} Hz to ${stage.to} Hz reduces to ${up}/${down}; factors above ${MAX_RESAMPLE_FACTOR} are not supported` };
      return { rate: stage.to };
    }
    case 'spectrum': {
      if (stage.high > nyquist) return { problem: `spectrum up to ${stage.high} Hz is above the Nyquist frequency ${nyquist} Hz of the ${rate} Hz signal at this point` };
      // Every band must hold at least one FFT bin, or its value would be the floor alone.
      const bin = rate / stage.frame, width = (stage.high - stage.low) / stage.bands;
      if (width < bin) return { problem: `spectrum bands of ${+width.toFixed(6)} Hz are narrower than the ${+bin.toFixed(6)} Hz bins of ${stage.frame}-sample frames at ${rate} Hz (fewer bands or longer frames)` };
      return { rate: rate / stage.hop };
    }
    default:
      return { rate };
  }
}

/** True for the stages that convert whatever rate arrives (decimate, resample); a spectrum stage divides the rate but converts none. */
export function isRateStage(stage: Stage): boolean {
  return stage.kind === 'decimate' || stage.kind === 'resample';
}

/**
 * Walks the chain from `inputRate`: the rate entering each stage and the rate at the end. The
 * first stage that cannot take its rate gives `{index, problem}` instead.
 */
export function chainRates(stages: readonly Stage[], inputRate: number): { rates: number[]; outputRate: number } | { index: number; problem: string } {
  const rates: number[] = [];
  let rate = inputRate;
  for (let i = 0; i < stages.length; i++) {
    rates.push(rate);
    const r = stageOutputRate(stages[i], rate);
    if ('problem' in r) return { index: i, problem: r.problem };
    rate = r.rate;
  }
  return { rates, outputRate: rate };
}
