/**
 * IIR biquad cascades with carried state, and Butterworth design helpers.
 *
 * Each section is a second-order section (SOS) in the scipy convention
 *   H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2)
 * run in transposed direct form II. Arithmetic is float64 throughout (coefficients and state),
 * samples come in and go out as float32: a 0.5 Hz high-pass at 360 Hz has poles within 1e-2 of
 * the unit circle, where float32 state would add audible (well, visible) noise. Because the
 * per-sample recurrence is the same whatever the chunking, processing in chunks of any size
 * gives bit-identical output to processing the whole signal at once.
 *
 * Design: analog Butterworth prototype, bilinear transform with frequency pre-warping, so the
 * -3 dB points land exactly on the requested cut-offs. A band-pass of order N is a cascade of an
 * order-N high-pass at `low` and an order-N low-pass at `high` (2N poles, like scipy's
 * butter(N, [low, high], 'band') whose pass-band it matches closely for the wide bands used here).
 */
import { WavegateError } from '../errors.js';

/** One second-order section, normalised so that a0 = 1. */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

function checkDesign(what: string, fc: number, fs: number, order: number): void {
  if (!Number.isFinite(fs) || fs <= 0) throw new WavegateError('E_ARGUMENT', `${what}: sample rate must be > 0 Hz, got ${fs}`);
  if (!Number.isFinite(fc) || fc <= 0 || fc >= fs / 2) {
    throw new WavegateError('E_ARGUMENT', `${what}: cut-off must lie in (0, fs/2 = ${fs / 2}) Hz, got ${fc}`);
  }
  if (!Number.isInteger(order) || order < 1 || order > 12) {
    throw new WavegateError('E_ARGUMENT', `${what}: order must be an integer in 1..12, got ${order}`);
  }
}

/**
 * Butterworth sections for a low- or high-pass of the given order. Pair k of the analog
 * prototype has Q = 1 / (2 cos((N-1-2k) pi / 2N)) (its poles' angle from the negative real axis);
 * odd orders add one first-order section for the real pole.
 */
function butterworth(kind: 'lowpass' | 'highpass', fc: number, fs: number, order: number): Biquad[] {
  checkDesign(`butterworth ${kind}`, fc, fs, order);
  const k = Math.tan((Math.PI * fc) / fs); // pre-warped analog cut-off for the bilinear transform
  const k2 = k * k;
  const sections: Biquad[] = [];
  for (let p = 0; p < Math.floor(order / 2); p++) {
    const q = 1 / (2 * Math.cos(((order - 1 - 2 * p) * Math.PI) / (2 * order)));
    const norm = 1 / (1 + k / q + k2);
    const a1 = 2 * (k2 - 1) * norm;
    const a2 = (1 - k / q + k2) * norm;
    if (kind === 'lowpass') sections.push({ b0: k2 * norm, b1: 2 * k2 * norm, b2: k2 * norm, a1, a2 });
    else sections.push({ b0: norm, b1: -2 * norm, b2: norm, a1, a2 });
  }
  if (order % 2 === 1) {
    const a1 = (k - 1) / (k + 1);
    if (kind === 'lowpass') sections.push({ b0: k / (k + 1), b1: k / (k + 1), b2: 0, a1, a2: 0 });
    else sections.push({ b0: 1 / (k + 1), b1: -1 / (k + 1), b2: 0, a1, a2: 0 });
  }
  return sections;
}

/** Butterworth low-pass, -3 dB at `fc` Hz. */
export function designLowpass(fc: number, fs: number, order = 2): Biquad[] {
  return butterworth('lowpass', fc, fs, order);
}

/** Butterworth high-pass, -3 dB at `fc` Hz. */
export function designHighpass(fc: number, fs: number, order = 2): Biquad[] {
  return butterworth('highpass', fc, fs, order);
}

/** Band-pass as high-pass(low) then low-pass(high), each of `order`. */
export function designBandpass(low: number, high: number, fs: number, order = 2): Biquad[] {
  if (!(low < high)) throw new WavegateError('E_ARGUMENT', `butterworth bandpass: low (${low} Hz) must be below high (${high} Hz)`);
  return [...designHighpass(low, fs, order), ...designLowpass(high, fs, order)];
}

/** |H(e^{j 2 pi f / fs})| of a cascade: the analytic response, for tests and docs. */
export function cascadeGain(sections: readonly Biquad[], f: number, fs: number): number {
  const w = (2 * Math.PI * f) / fs;
  const c1 = Math.cos(w), s1 = Math.sin(w), c2 = Math.cos(2 * w), s2 = Math.sin(2 * w);
  let gain = 1;
  for (const s of sections) {
    // numerator and denominator evaluated at z^-1 = e^{-jw}
    const nr = s.b0 + s.b1 * c1 + s.b2 * c2, ni = -(s.b1 * s1 + s.b2 * s2);
    const dr = 1 + s.a1 * c1 + s.a2 * c2, di = -(s.a1 * s1 + s.a2 * s2);
    gain *= Math.hypot(nr, ni) / Math.hypot(dr, di);
  }
  return gain;
}

/** Phase (radians, unwrapped per section) of a cascade at f Hz. */
function cascadePhase(sections: readonly Biquad[], f: number, fs: number): number {
  const w = (2 * Math.PI * f) / fs;
  let phase = 0;
  for (const s of sections) {
    const nr = s.b0 + s.b1 * Math.cos(w) + s.b2 * Math.cos(2 * w), ni = -(s.b1 * Math.sin(w) + s.b2 * Math.sin(2 * w));
    const dr = 1 + s.a1 * Math.cos(w) + s.a2 * Math.cos(2 * w), di = -(s.a1 * Math.sin(w) + s.a2 * Math.sin(2 * w));
    phase += Math.atan2(ni, nr) - Math.atan2(di, dr);
  }
  return phase;
}

/** Group delay in samples of a cascade at f Hz: -dphi/dw by a central difference. */
export function cascadeGroupDelay(sections: readonly Biquad[], f: number, fs: number): number {
  const df = 1e-3 * f;
  let dphi = cascadePhase(sections, f + df, fs) - cascadePhase(sections, f - df, fs);
  while (dphi > Math.PI) dphi -= 2 * Math.PI;
  while (dphi < -Math.PI) dphi += 2 * Math.PI;
  return -dphi / ((2 * Math.PI * 2 * df) / fs);
}

/**
 * Float64 working buffer of {@link BiquadCascade.process}, shared by every cascade: process is
 * synchronous and leaves nothing in it between calls, so one buffer (as long as the longest
 * chunk seen) serves all the filters of all streams of a process instead of one per filter.
 */
let work = new Float64Array(0);

function workBuffer(n: number): Float64Array {
  if (work.length < n) work = new Float64Array(Math.max(n, 2 * work.length, 1024));
  return work;
}

/**
 * Packed coefficients by their bits, shared by every cascade of the same design (all the streams
 * of a model run the same filters): read-only after packing, so one copy per process, which stays
 * in cache while a host walks its streams. At most {@link COEF_CACHE_MAX} designs are kept.
 */
const coefCache = new Map<string, Float64Array>();
const COEF_CACHE_MAX = 256;

function sharedCoefficients(packed: Float64Array): Float64Array {
  // keyed by the bits (0 and -0 differ), not by the numbers' text
  const key = Array.from(new Uint32Array(packed.buffer), (w) => w.toString(36)).join(',');
  const known = coefCache.get(key);
  if (known) return known;
  if (coefCache.size >= COEF_CACHE_MAX) coefCache.delete(coefCache.keys().next().value!);
  coefCache.set(key, packed);
  return packed;
}

/**
 * A cascade of biquads for one channel, with its state carried between calls.
 * `process` may be called with chunks of any length; `reset` clears the state.
 */
export class BiquadCascade {
  /** Coefficients packed b0 b1 b2 a1 a2 per section. */
  private readonly coef: Float64Array;
  /** Transposed-DF-II state, two per section. */
  private readonly state: Float64Array;
  readonly sections: number;

  constructor(sections: readonly Biquad[]) {
    if (sections.length === 0) throw new WavegateError('E_ARGUMENT', 'BiquadCascade: needs at least one section');
    this.sections = sections.length;
    const coef = new Float64Array(5 * sections.length);
    sections.forEach((s, i) => {
      for (const v of [s.b0, s.b1, s.b2, s.a1, s.a2]) {
        if (!Number.isFinite(v)) throw new WavegateError('E_ARGUMENT', `BiquadCascade: section ${i} has a non-finite coefficient`);
      }
      coef.set([s.b0, s.b1, s.b2, s.a1, s.a2], 5 * i);
    });
    this.coef = sharedCoefficients(coef);
    this.state = new Float64Array(2 * sections.length);
  }

  reset(): void {
    this.state.fill(0);
  }

  /**
   * Sets the state to the steady state of a constant input `x0`, as if the signal had always
   * been x0 before the first sample: a DC offset (ECG electrodes sit hundreds of mV off)
   * then causes no start-up transient in a high-pass.
   */
  prime(x0: number): void {
    const c = this.coef;
    let u = x0;
    for (let s = 0; s < this.sections; s++) {
      const b0 = c[5 * s], b1 = c[5 * s + 1], b2 = c[5 * s + 2], a1 = c[5 * s + 3], a2 = c[5 * s + 4];
      const y = (u * (b0 + b1 + b2)) / (1 + a1 + a2); // DC gain of the section
      const z2 = b2 * u - a2 * y;
      this.state[2 * s] = b1 * u - a1 * y + z2;
      this.state[2 * s + 1] = z2;
      u = y;
    }
  }

  /**
   * Filters `input` into `output` (which may be the same array; default a new one).
   * One section at a time over the whole chunk keeps the coefficients in registers.
   */
  process(input: Float32Array, output: Float32Array = new Float32Array(input.length)): Float32Array {
    if (output.length < input.length) throw new WavegateError('E_ARGUMENT', `BiquadCascade.process: output holds ${output.length} samples, input ${input.length}`);
    const n = input.length;
    const c = this.coef, st = this.state;
    // Section 0 reads float32 input; later sections read the float64 scratch of the previous one.
    const buf = workBuffer(n);
    for (let i = 0; i < n; i++) buf[i] = input[i];
    for (let s = 0; s < this.sections; s++) {
      const b0 = c[5 * s], b1 = c[5 * s + 1], b2 = c[5 * s + 2], a1 = c[5 * s + 3], a2 = c[5 * s + 4];
      let z1 = st[2 * s], z2 = st[2 * s + 1];
      for (let i = 0; i < n; i++) {
        const x = buf[i];
        const y = b0 * x + z1;
        z1 = b1 * x - a1 * y + z2;
        z2 = b2 * x - a2 * y;
        buf[i] = y;
      }
      st[2 * s] = z1;
      st[2 * s + 1] = z2;
    }
    for (let i = 0; i < n; i++) output[i] = buf[i];
    return output;
  }
}

/**
 * Plain reference: one sample at a time through each section, direct form I, no scratch.
 * Used by the tests as the truth for {@link BiquadCascade}.
 */
export function filterReference(sections: readonly Biquad[], input: ArrayLike<number>): Float64Array {
  let x = Float64Array.from(input);
  for (const s of sections) {
    const y = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const x1 = i >= 1 ? x[i - 1] : 0, x2 = i >= 2 ? x[i - 2] : 0;
      const y1 = i >= 1 ? y[i - 1] : 0, y2 = i >= 2 ? y[i - 2] : 0;
      y[i] = s.b0 * x[i] + s.b1 * x1 + s.b2 * x2 - s.a1 * y1 - s.a2 * y2;
    }
    x = y;
  }
  return x;
}
