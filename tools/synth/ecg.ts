/**
 * Synthetic ECG after McSharry et al., "A dynamical model for generating synthetic
 * electrocardiogram signals", IEEE TBME 50(3), 2003 (ECGSYN).
 *
 * ECGSYN moves a point round a limit cycle at angular speed 2*pi/RR and builds z from five
 * Gaussian events in phase (P, Q, R, S, T). Integrating its z equation without the relaxation
 * term gives z = sum_i a_i b_i^2 exp(-dtheta_i^2 / 2 b_i^2), a sum of Gaussians; we evaluate that
 * closed form per beat, in time around each R peak, instead of integrating numerically, so that
 * every R peak sits exactly where the generator says (the relaxation term only low-passes z and
 * would shift peaks). Baseline wander is added separately. Event angles and widths are
 * ECGSYN's, converted to seconds at RR = 1 s; P and T positions scale with sqrt(RR) (Bazett), as
 * ECGSYN's hrfact does; QRS timing does not.
 *
 * The RR tachogram follows ECGSYN's bimodal spectrum: Mayer waves (LF, 0.1 Hz) and respiratory
 * sinus arrhythmia (HF, at the respiration rate), mixed as sinusoids with random phases.
 *
 * Beat classes (AAMI): N normal; S supraventricular premature: early (coupling 55-70 % of RR),
 * ectopic P wave, normal QRS, non-compensatory pause (the sinus node resets); V ventricular
 * premature: early, no P wave, wide (about 120-160 ms) high-amplitude QRS with a discordant
 * T wave, full compensatory pause (pre-RR + post-RR = 2 RR). Output is in millivolts.
 */
import { WavegateError } from '../../src/errors.js';
import { Rng } from './rng.js';

export type EcgBeatClass = 'N' | 'S' | 'V';

export interface EcgSynthOptions {
  /** Sample rate in Hz. Default 360 (MIT-BIH). */
  fs?: number;
  /** Duration in seconds. Default 60. */
  seconds?: number;
  /** Mean heart rate in beats per minute. Default 70. */
  heartRate?: number;
  /** Standard deviation of the sinus RR interval in seconds (HRV). Default 0.03. */
  hrvStd?: number;
  /** LF/HF power ratio of the RR tachogram. Default 0.5 (ECGSYN's default). */
  lfHfRatio?: number;
  /** Respiration rate in Hz: HF peak of the HRV and baseline wander frequency. Default 0.25. */
  respirationHz?: number;
  /** Probability that a beat is S or V (the beat after a premature one is always N). Default 0 each. */
  premature?: { S?: number; V?: number };
  /** Amplitude of the R wave in mV. Default 1.0. */
  amplitude?: number;
  /** Standard deviation of white measurement noise in mV. Default 0.01. */
  noise?: number;
  /** Peak amplitude of baseline wander in mV (respiration + a slow drift). Default 0.1. */
  baselineWander?: number;
  /** Amplitude of mains interference in mV and its frequency. Default 0 mV, 60 Hz. */
  mains?: { amplitude?: number; hz?: number };
  /** Per-subject morphology variation (0 = the textbook template). Default 0.15. */
  morphologyJitter?: number;
  /** PRNG seed. Default 1. */
  seed?: number;
}

export interface SyntheticEcg {
  fs: number;
  /** Samples in mV. */
  signal: Float32Array;
  /** Sample index of each R peak (the centre of the R (or V) wave), increasing. */
  rPeaks: Int32Array;
  /** AAMI class of each beat, parallel to rPeaks. */
  labels: EcgBeatClass[];
}

/** One Gaussian wave: centre (s, relative to R), width sigma (s), amplitude (relative to R). */
interface Wave {
  mu: number;
  sigma: number;
  amp: number;
}

/** ECGSYN events (theta, a, b) -> time domain at RR = 1 s: mu = theta/2pi, sigma = b/2pi, amp = a b^2 / 0.3. */
const ECGSYN_EVENTS = [
  { name: 'P', theta: -Math.PI / 3, a: 1.2, b: 0.25 },
  { name: 'Q', theta: -Math.PI / 12, a: -5.0, b: 0.1 },
  { name: 'R', theta: 0, a: 30.0, b: 0.1 },
  { name: 'S', theta: Math.PI / 12, a: -7.5, b: 0.1 },
  { name: 'T', theta: Math.PI / 2, a: 0.75, b: 0.4 },
] as const;

/** Per-subject templates: normal waves, and the deviations of S and V beats. */
interface Morphology {
  normal: Wave[];
  ectopicP: Wave;
  ventricular: Wave[];
}

function makeMorphology(rng: Rng, jitter: number): Morphology {
  const j = (): number => 1 + jitter * (2 * rng.next() - 1);
  const normal = ECGSYN_EVENTS.map((e) => ({
    mu: e.theta / (2 * Math.PI),
    sigma: (e.b / (2 * Math.PI)) * j(),
    amp: ((e.a * e.b * e.b) / 0.3) * (e.name === 'R' ? 1 : j()),
  }));
  // Ectopic atrial focus: a smaller, often inverted P wave.
  const ectopicP: Wave = { mu: -0.13, sigma: 0.03 * j(), amp: (rng.next() < 0.5 ? -0.15 : 0.12) * j() };
  // Ventricular beat: one broad R, a broad S, T opposite to the main QRS deflection.
  const polarity = rng.next() < 0.75 ? 1 : -1;
  const ventricular: Wave[] = [
    { mu: 0, sigma: 0.04 * j(), amp: 1.3 * polarity * j() },
    { mu: 0.07, sigma: 0.03 * j(), amp: -0.35 * polarity * j() },
    { mu: 0.3, sigma: 0.07 * j(), amp: -0.45 * polarity * j() },
  ];
  return { normal, ectopicP, ventricular };
}

/** Waves of one beat in seconds relative to its R peak, for the sinus RR it belongs to. */
function beatWaves(m: Morphology, cls: EcgBeatClass, rr: number): Wave[] {
  const bazett = Math.sqrt(rr);
  const scaled = (w: Wave, i: number): Wave => (i === 0 || i === 4 ? { mu: w.mu * bazett, sigma: w.sigma * Math.sqrt(bazett), amp: w.amp } : w);
  if (cls === 'V') return m.ventricular;
  const waves = m.normal.map(scaled);
  if (cls === 'S') waves[0] = m.ectopicP;
  return waves;
}

/** RR tachogram: mean + LF and HF sinusoid mixtures with the requested std and ratio. */
function makeTachogram(rng: Rng, meanRR: number, std: number, lfHf: number, respHz: number): (t: number) => number {
  const parts: Array<{ f: number; a: number; ph: number }> = [];
  const k = 16; // sinusoids per band
  const lfVar = (std * std * lfHf) / (1 + lfHf);
  const hfVar = (std * std) / (1 + lfHf);
  for (let i = 0; i < k; i++) {
    parts.push({ f: 0.1 + 0.01 * rng.normal(), a: Math.sqrt((2 * lfVar) / k), ph: 2 * Math.PI * rng.next() });
    parts.push({ f: respHz + 0.01 * rng.normal(), a: Math.sqrt((2 * hfVar) / k), ph: 2 * Math.PI * rng.next() });
  }
  return (t) => {
    let rr = meanRR;
    for (const p of parts) rr += p.a * Math.sin(2 * Math.PI * p.f * t + p.ph);
    return rr;
  };
}

function check(name: string, v: number, lo: number, hi: number): void {
  if (!Number.isFinite(v) || v < lo || v > hi) throw new WavegateError('E_ARGUMENT', `synthetic ECG: ${name} must lie in [${lo}, ${hi}], got ${v}`);
}

/** Generates one synthetic ECG record. Deterministic for a given seed and options. */
export function synthEcg(options: EcgSynthOptions = {}): SyntheticEcg {
  const {
    fs = 360, seconds = 60, heartRate = 70, hrvStd = 0.03, lfHfRatio = 0.5, respirationHz = 0.25,
    amplitude = 1.0, noise = 0.01, baselineWander = 0.1, morphologyJitter = 0.15, seed = 1,
  } = options;
  const pS = options.premature?.S ?? 0, pV = options.premature?.V ?? 0;
  const mainsAmp = options.mains?.amplitude ?? 0, mainsHz = options.mains?.hz ?? 60;
  check('fs', fs, 50, 10000);
  check('seconds', seconds, 1, 86400);
  check('heartRate', heartRate, 25, 220);
  check('hrvStd', hrvStd, 0, 0.2);
  check('premature.S + premature.V', pS + pV, 0, 0.9);
  check('noise', noise, 0, 10);
  const rng = new Rng(seed);
  const morph = makeMorphology(rng, morphologyJitter);
  const meanRR = 60 / heartRate;
  const tachogram = makeTachogram(rng, meanRR, hrvStd, lfHfRatio, respirationHz);
  const n = Math.round(seconds * fs);

  // 1. Beat times and classes.
  const times: number[] = [], labels: EcgBeatClass[] = [], sinusRR: number[] = [];
  let t = 0.3 + 0.5 * meanRR * rng.next();
  let prev: EcgBeatClass = 'N';
  let pendingPause = 0; // extra time to add after a premature beat
  const end = seconds - 0.4; // leave room for the last beat's T wave
  while (t < end) {
    const rr = Math.max(0.25, tachogram(t));
    times.push(t);
    labels.push(prev);
    sinusRR.push(rr);
    let next: EcgBeatClass = 'N';
    if (prev === 'N') next = (['N', 'S', 'V'] as const)[rng.choose([1 - pS - pV, pS, pV])];
    if (next === 'N') {
      t += pendingPause > 0 ? pendingPause : rr;
      pendingPause = 0;
    } else {
      const coupling = rng.uniform(0.55, 0.7) * rr;
      t += coupling;
      // V: full compensation; S: the sinus node resets, next RR about one cycle (slightly longer).
      pendingPause = next === 'V' ? 2 * rr - coupling : rr * rng.uniform(1.0, 1.1);
    }
    prev = next;
  }

  // 2. Sum of Gaussians, each wave evaluated over +-5 sigma only.
  const x = new Float64Array(n);
  const rPeaks: number[] = [];
  const outLabels: EcgBeatClass[] = [];
  for (let b = 0; b < times.length; b++) {
    const r = Math.round(times[b] * fs);
    if (r >= n) break;
    rPeaks.push(r);
    outLabels.push(labels[b]);
    const beatAmp = amplitude * (1 + 0.03 * rng.normal()) * (1 + 0.05 * Math.sin(2 * Math.PI * respirationHz * times[b]));
    for (const w of beatWaves(morph, labels[b], sinusRR[b])) {
      const c = r + w.mu * fs, s = w.sigma * fs;
      const lo = Math.max(0, Math.floor(c - 5 * s)), hi = Math.min(n - 1, Math.ceil(c + 5 * s));
      for (let i = lo; i <= hi; i++) {
        const d = (i - c) / s;
        x[i] += beatAmp * w.amp * Math.exp(-0.5 * d * d);
      }
    }
  }

  // 3. Baseline wander (respiration + slow drift), mains, white noise.
  const driftHz = 0.03 + 0.04 * rng.next(), ph1 = 2 * Math.PI * rng.next(), ph2 = 2 * Math.PI * rng.next();
  const signal = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const ti = i / fs;
    const wander = baselineWander * (0.6 * Math.sin(2 * Math.PI * respirationHz * ti + ph1) + 0.4 * Math.sin(2 * Math.PI * driftHz * ti + ph2));
    const mains = mainsAmp * Math.sin(2 * Math.PI * mainsHz * ti);
    signal[i] = x[i] + wander + mains + noise * rng.normal();
  }
  return { fs, signal, rPeaks: Int32Array.from(rPeaks), labels: outLabels };
}
