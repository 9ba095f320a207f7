/**
 * Frame features for vibration: time-domain statistics (RMS, kurtosis, crest factor) and
 * spectral ones (band energies, log power spectrum) from the radix-2 FFT in fft.ts.
 *
 * Conventions: a frame is `frame` samples (a power of two for the spectral features), Hann
 * windowed before the FFT; the one-sided power spectrum is scaled so that a sine of amplitude A
 * has total power A^2 / 2 (Parseval with the window's power gain), so band energies are
 * mean-square values in the signal's unit squared (g^2 for accelerometers) and add up to the
 * frame's variance. Frames come from a stream via {@link FeatureExtractor} (frame + hop, carried
 * state) or directly from {@link frameFeatures}.
 */
import { WavegateError } from '../errors.js';
import { Fft, hann } from './fft.js';
import { WindowAssembler } from './window-assembler.js';

/** Root mean square. */
export function rms(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, x.length));
}

/** Kurtosis (fourth standardised moment, not excess): 3 for Gaussian noise, large for impacts. */
export function kurtosis(x: ArrayLike<number>): number {
  const n = x.length;
  if (n === 0) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let m2 = 0, m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = (x[i] - mean) ** 2;
    m2 += d;
    m4 += d * d;
  }
  m2 /= n;
  m4 /= n;
  return m2 === 0 ? 0 : m4 / (m2 * m2);
}

/** Crest factor: peak |x| over RMS (sqrt 2 for a sine). */
export function crestFactor(x: ArrayLike<number>): number {
  let peak = 0;
  for (let i = 0; i < x.length; i++) peak = Math.max(peak, Math.abs(x[i]));
  const r = rms(x);
  return r === 0 ? 0 : peak / r;
}

export interface SpectrumOptions {
  /** Sample rate in Hz. */
  fs: number;
  /** Remove the frame mean before the FFT. Default true. */
  detrend?: boolean;
}

/** The FFT plan, Hann window and its power gain (sum of w^2) of one frame length, made once per process. */
export interface SpectrumPlan {
  fft: Fft;
  window: Float64Array;
  gain: number;
}

const plans = new Map<number, SpectrumPlan>();
/** The shared plan for frames of `n` samples (also the spectrum stage's). */
export function spectrumPlan(n: number): SpectrumPlan {
  let p = plans.get(n);
  if (!p) {
    const window = hann(n);
    p = { fft: new Fft(n), window, gain: window.reduce((s, w) => s + w * w, 0) };
    plans.set(n, p);
  }
  return p;
}

/** One-sided mean-square spectrum (bins 0..n/2, bin width fs/n), Hann windowed. */
export function powerSpectrum(frame: ArrayLike<number>, options: SpectrumOptions): { power: Float64Array; df: number } {
  const n = frame.length;
  if (n < 2 || (n & (n - 1)) !== 0) throw new WavegateError('E_ARGUMENT', `powerSpectrum: frame length must be a power of two, got ${n}`);
  const { fft, window, gain } = spectrumPlan(n);
  let mean = 0;
  if (options.detrend ?? true) {
    for (let i = 0; i < n; i++) mean += frame[i];
    mean /= n;
  }
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = frame[i] - mean;
  const p = fft.powerSpectrum(x, window);
  // |X_k|^2 / (n * sum w^2) is the per-bin mean square of a two-sided spectrum; fold to one side.
  for (let k = 0; k < p.length; k++) p[k] = (p[k] / (n * gain)) * oneSided(k, n);
  return { power: p, df: options.fs / n };
}

/** Weight of bin k of an n-point spectrum folded to one side: DC and Nyquist appear once, the others twice. */
export function oneSided(k: number, n: number): number {
  return k === 0 || k === n / 2 ? 1 : 2;
}

/** Sum of the spectrum's mean square in each [edges[i], edges[i+1]) band, Hz. */
export function bandEnergies(spectrum: { power: Float64Array; df: number }, edges: readonly number[]): Float64Array {
  const out = new Float64Array(Math.max(0, edges.length - 1));
  for (let b = 0; b + 1 < edges.length; b++) {
    if (!(edges[b + 1] > edges[b])) throw new WavegateError('E_ARGUMENT', `bandEnergies: band edges must increase, got ${edges[b]} then ${edges[b + 1]}`);
    const lo = Math.ceil(edges[b] / spectrum.df), hi = Math.min(spectrum.power.length, Math.ceil(edges[b + 1] / spectrum.df));
    for (let k = lo; k < hi; k++) out[b] += spectrum.power[k];
  }
  return out;
}

/** log10 of the spectrum with a floor (so silence gives a finite value). */
export function logSpectrum(spectrum: { power: Float64Array }, floor = 1e-12): Float32Array {
  return Float32Array.from(spectrum.power, (p) => Math.log10(Math.max(floor, p)));
}

export interface FrameFeatureOptions extends SpectrumOptions {
  /** Band edges in Hz for band energies. Default: none. */
  bands?: readonly number[];
  /** Include the log spectrum. Default false. */
  logSpectrum?: boolean;
}

export interface FrameFeatures {
  rms: number;
  kurtosis: number;
  crest: number;
  bands?: Float64Array;
  logSpectrum?: Float32Array;
}

export function frameFeatures(frame: Float32Array, options: FrameFeatureOptions): FrameFeatures {
  const f: FrameFeatures = { rms: rms(frame), kurtosis: kurtosis(frame), crest: crestFactor(frame) };
  if (options.bands || options.logSpectrum) {
    const spec = powerSpectrum(frame, options);
    if (options.bands) f.bands = bandEnergies(spec, options.bands);
    if (options.logSpectrum) f.logSpectrum = logSpectrum(spec);
  }
  return f;
}

/** Streaming frames of one channel (frame, hop, carried state) -> features per frame. */
export class FeatureExtractor {
  private readonly frames: WindowAssembler;
  private seq = 0;

  constructor(readonly options: FrameFeatureOptions & { frame: number; hop?: number }) {
    this.frames = new WindowAssembler({ length: options.frame, hop: options.hop ?? options.frame });
  }

  /** Pushes samples; returns the features of every frame they complete, with the frame's start index. */
  process(samples: Float32Array): Array<FrameFeatures & { start: number }> {
    return this.frames.push(this.seq++, samples).map((w) => ({ start: w.start, ...frameFeatures(w.data, this.options) }));
  }
}
