/** Spectral helpers for the generator tests: envelope spectrum of a band. */
import { BiquadCascade, designBandpass } from '../../../src/signal/filters.js';
import { Fft, hann, nextPow2 } from '../../../src/signal/fft.js';

/** Envelope power spectrum: band-pass, square, remove the mean, Hann window, FFT. Returns bin width too. */
export function envelopeSpectrum(x: Float32Array, fs: number, low: number, high: number): { power: Float64Array; df: number } {
  const y = new BiquadCascade(designBandpass(low, high, fs, 4)).process(x);
  const n = nextPow2(y.length) / 2; // largest power of two that fits
  const env = new Float64Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) { env[i] = y[i] * y[i]; mean += env[i]; }
  mean /= n;
  for (let i = 0; i < n; i++) env[i] -= mean;
  return { power: new Fft(n).powerSpectrum(env, hann(n)), df: fs / n };
}

/** Peak power within +-tol Hz of f, over the median power in [lo, hi] Hz. */
export function peakProminence(spec: { power: Float64Array; df: number }, f: number, tol: number, lo: number, hi: number): number {
  const { power, df } = spec;
  let peak = 0;
  for (let k = Math.max(0, Math.floor((f - tol) / df)); k <= Math.ceil((f + tol) / df) && k < power.length; k++) peak = Math.max(peak, power[k]);
  const band = Array.from(power.subarray(Math.floor(lo / df), Math.ceil(hi / df))).sort((a, b) => a - b);
  return peak / band[Math.floor(band.length / 2)];
}

/** Frequency of the largest bin in [lo, hi] Hz. */
export function peakFrequency(spec: { power: Float64Array; df: number }, lo: number, hi: number): number {
  let best = -1, bestK = 0;
  for (let k = Math.ceil(lo / spec.df); k <= Math.floor(hi / spec.df); k++) if (spec.power[k] > best) { best = spec.power[k]; bestK = k; }
  return bestK * spec.df;
}
