/**
 * The `spectrum` stage: log band energies of overlapping frames, per channel. A vibration model
 * reads the shape of the spectrum (where a fault's impacts ring), which a recurrent network over
 * raw samples has to learn from thousands of steps; over band frames it sees it directly, in a
 * few steps (docs/signals.md, "The spectrum stage").
 *
 * Frame j holds samples [j hop, j hop + frame) of the signal reaching the stage. Its mean is
 * removed, it is Hann windowed, and its one-sided mean-square spectrum (features.ts conventions:
 * bands add up to the frame's variance, in the signal's unit squared) is summed over `bands`
 * equal bands from `low` to `high` Hz. Each band gives ln(energy + FLOOR); `relative` subtracts
 * the frame's mean over its bands, so a gain on the signal drops out exactly.
 *
 * Determinism: the FFT's twiddles, the window and the logarithm come from exact-math.ts (basic
 * IEEE operations only), so the values are the same bits on every engine and CPU.
 */
import type { Stage } from '../model/stages.js';
import { ln } from './exact-math.js';
import type { Fft } from './fft.js';
import { oneSided, spectrumPlan } from './features.js';

/** Added to every band's mean square before the logarithm (unit^2): silence gives a finite value. */
export const SPECTRUM_FLOOR = 1e-12;

type SpectrumStage = Extract<Stage, { kind: 'spectrum' }>;

/**
 * First FFT bin of each band and the end of the last: band b sums bins [first[b], first[b+1]).
 * Edges in bins are ceil((low + b (high - low) / bands) / df), computed so that the exact edges
 * of a band exactly one bin wide do not round to an empty band.
 */
export function spectrumBandBins(stage: Pick<SpectrumStage, 'frame' | 'low' | 'high' | 'bands'>, rate: number): Int32Array {
  const out = new Int32Array(stage.bands + 1);
  const nyquistBin = stage.frame / 2;
  for (let b = 0; b <= stage.bands; b++) {
    const x = ((stage.low * stage.bands + b * (stage.high - stage.low)) * stage.frame) / (stage.bands * rate);
    out[b] = Math.min(nyquistBin + 1, Math.ceil(x - 1e-9));
  }
  return out;
}

/** One channel's running spectrum stage: samples in, `bands` values per completed frame out. */
export class SpectrumFramer {
  readonly bands: number;
  private readonly frame: number;
  private readonly hop: number;
  private readonly relative: boolean;
  private readonly bins: Int32Array;
  private readonly fft: Fft;
  private readonly window: Float64Array;
  /** 1 / (n x sum w^2): bin power to mean square (features.ts conventions). */
  private readonly scale: number;
  /** The last `frame` samples, oldest first at `head`. */
  private readonly ring: Float64Array;
  private head = 0;
  private received = 0;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly energy: Float64Array;

  constructor(stage: SpectrumStage, rate: number) {
    this.frame = stage.frame;
    this.hop = stage.hop;
    this.bands = stage.bands;
    this.relative = stage.level === 'relative';
    this.bins = spectrumBandBins(stage, rate);
    const plan = spectrumPlan(stage.frame);
    this.fft = plan.fft;
    this.window = plan.window;
    this.scale = 1 / (stage.frame * plan.gain);
    this.ring = new Float64Array(stage.frame);
    this.re = new Float64Array(stage.frame);
    this.im = new Float64Array(stage.frame);
    this.energy = new Float64Array(stage.bands);
  }

  /** Frames completed by the first n samples of a stream. */
  static count(n: number, frame: number, hop: number): number {
    return n >= frame ? Math.floor((n - frame) / hop) + 1 : 0;
  }

  process(x: Float32Array): Float32Array {
    const n = this.frame;
    const frames = SpectrumFramer.count(this.received + x.length, n, this.hop) - SpectrumFramer.count(this.received, n, this.hop);
    const y = new Float32Array(frames * this.bands);
    let done = 0;
    for (let i = 0; i < x.length; i++) {
      this.ring[this.head] = x[i];
      this.head = this.head + 1 === n ? 0 : this.head + 1;
      this.received++;
      if (this.received >= n && (this.received - n) % this.hop === 0) this.emit(y, done++ * this.bands);
    }
    return y;
  }

  private emit(y: Float32Array, at: number): void {
    const n = this.frame, fft = this.fft, window = this.window, scale = this.scale, re = this.re, im = this.im;
    let mean = 0;
    for (let i = 0, k = this.head; i < n; i++, k = k + 1 === n ? 0 : k + 1) {
      re[i] = this.ring[k];
      mean += re[i];
    }
    mean /= n;
    for (let i = 0; i < n; i++) {
      re[i] = (re[i] - mean) * window[i];
      im[i] = 0;
    }
    fft.transform(re, im);
    const bins = this.bins, e = this.energy;
    let sum = 0;
    for (let b = 0; b < this.bands; b++) {
      let p = 0;
      for (let k = bins[b]; k < bins[b + 1]; k++) p += (re[k] * re[k] + im[k] * im[k]) * oneSided(k, n);
      e[b] = ln(p * scale + SPECTRUM_FLOOR);
      sum += e[b];
    }
    const shift = this.relative ? sum / this.bands : 0;
    for (let b = 0; b < this.bands; b++) y[at + b] = e[b] - shift;
  }
}
