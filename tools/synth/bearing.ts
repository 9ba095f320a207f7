/**
 * Synthetic rolling-element bearing vibration (accelerometer, in g), after the classic model of
 * McFadden & Smith (1984) and Randall & Antoni, "Rolling element bearing diagnostics — a
 * tutorial", MSSP 25 (2011): each passage of a rolling element over a local fault is an impulse
 * that rings a structural resonance (a damped sinusoid); impulses repeat at the fault's
 * characteristic frequency with a small random jitter from slip (1-2 % in real bearings, which
 * is what makes the signal cyclostationary rather than periodic); their amplitude is modulated
 * by the load zone: not at all for a stationary outer-race fault, at the shaft rate for an
 * inner-race fault (it rotates with the shaft), at the cage rate for a ball fault. Shaft
 * harmonics (imbalance, misalignment) and broadband noise complete the signal.
 *
 * Geometry defaults to the SKF 6205-2RS JEM drive-end bearing of the CWRU rig, so the fault
 * frequencies are those the CWRU data shows (BPFO 3.5848, BPFI 5.4152, FTF 0.3983 and
 * 2 x BSF 4.7135 times the shaft rate).
 */
import { WavegateError } from '../../src/errors.js';
import { Rng } from './rng.js';

export type BearingFault = 'normal' | 'inner' | 'outer' | 'ball';

export interface BearingGeometry {
  /** Number of rolling elements. */
  balls: number;
  /** Ball diameter (any length unit, same as pitch). */
  ballDiameter: number;
  /** Pitch diameter. */
  pitchDiameter: number;
  /** Contact angle in radians. */
  contactAngle: number;
}

/** SKF 6205-2RS JEM: 9 balls, 0.3126 in (7.94 mm) balls on a 1.537 in (39.04 mm) pitch, 0 deg contact. */
export const SKF_6205: BearingGeometry = { balls: 9, ballDiameter: 7.94, pitchDiameter: 39.04, contactAngle: 0 };

export interface BearingFrequencies {
  shaft: number;
  /** Fundamental train (cage) frequency. */
  ftf: number;
  /** Ball pass frequency, outer race. */
  bpfo: number;
  /** Ball pass frequency, inner race. */
  bpfi: number;
  /** Ball spin frequency (a ball fault strikes both races: impacts at 2 x BSF). */
  bsf: number;
}

/** Kinematic fault frequencies in Hz for a shaft rate in Hz (textbook formulas, no slip). */
export function bearingFrequencies(shaftHz: number, g: BearingGeometry = SKF_6205): BearingFrequencies {
  const r = (g.ballDiameter / g.pitchDiameter) * Math.cos(g.contactAngle);
  return {
    shaft: shaftHz,
    ftf: (shaftHz / 2) * (1 - r),
    bpfo: ((g.balls * shaftHz) / 2) * (1 - r),
    bpfi: ((g.balls * shaftHz) / 2) * (1 + r),
    bsf: ((g.pitchDiameter * shaftHz) / (2 * g.ballDiameter)) * (1 - r * r),
  };
}

export interface BearingSynthOptions {
  /** Sample rate in Hz. Default 12000 (CWRU drive-end fault files). */
  fs?: number;
  /** Duration in seconds. Default 1. */
  seconds?: number;
  /** Shaft speed in rpm. Default 1797 (CWRU, 0 hp). */
  rpm?: number;
  /** Fault location. Default 'normal'. */
  fault?: BearingFault;
  /** Peak acceleration of one fault impulse in g. Default 1.0. */
  impulseAmplitude?: number;
  /** Structural resonance the impulses excite, Hz. Default 3000 (CWRU DE shows 2.5-4 kHz). */
  resonanceHz?: number;
  /** Damping ratio of the resonance. Default 0.05. */
  damping?: number;
  /** Standard deviation of the impulse spacing as a fraction of the period (slip). Default 0.01. */
  slip?: number;
  /** Depth of the load-zone amplitude modulation, 0..1. Default 0.5. */
  modulationDepth?: number;
  /** Amplitudes (g) of the shaft harmonics 1x, 2x, 3x. Default [0.03, 0.015, 0.008]. */
  shaftHarmonics?: number[];
  /** Standard deviation of white noise in g. Default 0.05. */
  noise?: number;
  /** Bearing geometry. Default SKF 6205. */
  geometry?: BearingGeometry;
  /** PRNG seed. Default 1. */
  seed?: number;
}

export interface SyntheticBearing {
  fs: number;
  signal: Float32Array;
  fault: BearingFault;
  /** Kinematic frequencies for the shaft rate used. */
  frequencies: BearingFrequencies;
  /** Impact rate of the fault in Hz (BPFO, BPFI, 2 x BSF), 0 for normal. */
  impactRate: number;
  /** Sample index of every impulse. */
  impacts: Int32Array;
}

function check(name: string, v: number, lo: number, hi: number): void {
  if (!Number.isFinite(v) || v < lo || v > hi) throw new WavegateError('E_ARGUMENT', `synthetic bearing: ${name} must lie in [${lo}, ${hi}], got ${v}`);
}

/** Generates one vibration record. Deterministic for a given seed and options. */
export function synthBearing(options: BearingSynthOptions = {}): SyntheticBearing {
  const {
    fs = 12000, seconds = 1, rpm = 1797, fault = 'normal', impulseAmplitude = 1.0, resonanceHz = 3000, damping = 0.05,
    slip = 0.01, modulationDepth = 0.5, shaftHarmonics = [0.03, 0.015, 0.008], noise = 0.05, geometry = SKF_6205, seed = 1,
  } = options;
  check('fs', fs, 1000, 1e6);
  check('seconds', seconds, 0.01, 3600);
  check('rpm', rpm, 60, 60000);
  check('resonanceHz', resonanceHz, 1, fs / 2 - 1);
  check('damping', damping, 0.001, 0.5);
  check('slip', slip, 0, 0.2);
  if (!['normal', 'inner', 'outer', 'ball'].includes(fault)) throw new WavegateError('E_ARGUMENT', `synthetic bearing: unknown fault ${JSON.stringify(fault)} (normal, inner, outer, ball)`);
  const rng = new Rng(seed);
  const n = Math.round(seconds * fs);
  const shaft = rpm / 60;
  const freqs = bearingFrequencies(shaft, geometry);
  const impactRate = fault === 'outer' ? freqs.bpfo : fault === 'inner' ? freqs.bpfi : fault === 'ball' ? 2 * freqs.bsf : 0;
  const modHz = fault === 'inner' ? shaft : fault === 'ball' ? freqs.ftf : 0;
  const x = new Float64Array(n);

  // Fault impulses, each a damped sinusoid at the resonance.
  const impacts: number[] = [];
  if (impactRate > 0) {
    const wn = 2 * Math.PI * resonanceHz;
    const wd = wn * Math.sqrt(1 - damping * damping);
    const decay = damping * wn;
    const ringSamples = Math.min(n, Math.ceil((Math.log(1e4) / decay) * fs)); // down to 1e-4 of the peak
    const period = 1 / impactRate;
    const modPhase = 2 * Math.PI * rng.next();
    let t = period * rng.next();
    while (t < seconds) {
      const start = Math.ceil(t * fs);
      if (start >= n) break;
      impacts.push(start);
      const mod = modHz > 0 ? 1 - modulationDepth + modulationDepth * Math.cos(2 * Math.PI * modHz * t + modPhase) : 1;
      const amp = impulseAmplitude * mod * (1 + 0.1 * rng.normal());
      const end = Math.min(n, start + ringSamples);
      for (let i = start; i < end; i++) {
        const dt = i / fs - t; // sub-sample impact time keeps the spacing exact
        x[i] += amp * Math.exp(-decay * dt) * Math.sin(wd * dt);
      }
      t += period * (1 + slip * rng.normal());
    }
  }

  // Shaft harmonics and noise.
  const phases = shaftHarmonics.map(() => 2 * Math.PI * rng.next());
  const signal = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v = x[i];
    for (let h = 0; h < shaftHarmonics.length; h++) v += shaftHarmonics[h] * Math.sin(2 * Math.PI * (h + 1) * shaft * (i / fs) + phases[h]);
    signal[i] = v + noise * rng.normal();
  }
  return { fs, signal, fault, frequencies: freqs, impactRate, impacts: Int32Array.from(impacts) };
}
