/**
 * Real-time QRS detector: Pan & Tompkins (IEEE TBME 32(3), 1985) with decision rules after
 * Hamilton & Tompkins (TBME 33(12), 1986) and a short look-ahead, streaming, with carried state
 * and a fixed latency. Measured on the 32 staged MIT-BIH records (MLII, EC57 150 ms rule, whole
 * records): gross Se 99.90 %, +P 99.83 % (docs/signals.md has the per-record table).
 *
 * Signal path (per sample):
 *   band-pass 5-15 Hz (Butterworth 2+2, primed with the first sample so a DC offset gives no
 *   start-up transient) -> 5-point derivative -> square -> moving average over 150 ms (MWI)
 *   -> height = sqrt(MWI), the RMS slope: linear in QRS amplitude, so a beat at 40 % of the
 *      usual amplitude (aberrant APCs in 201) still clears a threshold between noise and signal.
 * Candidates are local maxima of the MWI that no larger maximum follows within 200 ms
 * (`refractory`). Each candidate is classified, in time order, once everything up to
 * `lookahead` (260 ms) after it is known:
 *   - ignored when its R lies within 200 ms of the last QRS's R (second hump of a wide beat);
 *   - QRS when its height exceeds THR = NPK + 0.3125 (SPK - NPK) (SPK/NPK: running QRS and
 *     noise peak levels), unless
 *       * it lies within 360 ms of the last QRS, is less than half as steep and lower than
 *         0.5 SPK (a T wave; tall premature V beats pass),
 *       * it is less steep than 0.15 x the running QRS slope,
 *       * a candidate 1.4x higher follows within the look-ahead (it was that beat's P wave);
 *   - noise otherwise.
 * Search-back: once no QRS has been found for 1.66 x the RR average (of the last 8, capped at
 * 1.2 s), the highest noise candidate since the last QRS above THR/2 that passes the T-wave and
 * slope tests is taken as a QRS. The first 2 s (`learning`) set the initial SPK/NPK.
 *
 * R-peak location: the largest |band-passed| sample in the MWI window before the candidate
 * (never inside the last QRS's refractory period), moved back by the band-pass group delay,
 * then to the largest deviation of the raw signal from its +-100 ms mean within +-40 ms: on
 * MIT-BIH 97 % of detections then lie within 3 samples (8 ms) of the reference annotation
 * (42 % without the refinement), which matters for beat windows centred on detected peaks.
 *
 * Latency: every R peak r is emitted when sample r + latency has been pushed, exactly then, so
 * the output does not depend on how the input is chunked. The default latency (3 s) bounds the
 * slowest decision (a search-back); the constructor refuses a latency below that bound.
 * Internally float64; chunked and whole processing give identical peaks (property-tested).
 *
 * Memory (one detector per stream on a host): the history kept is what the decisions read, not
 * the latency. Peaks wait for their emission time as plain indices; the samples themselves are
 * read back only by a candidate's classification (R location and refinement: refractory +
 * lookahead after the candidate, plus the R search reach; the candidates of the learning period
 * wait until it ends, up to `learning` after them) and by its slope measurement (within
 * `refractory` of it). Two rings of that length (a power of two; qrs-history.ts) hold the
 * band-passed and the input samples as float32, which they are (the band-pass hands out float32,
 * the input is float32), so storing them narrower changes no value; once the learning period's
 * candidates are decided the rings shrink to the shorter steady reach (at 360 Hz: 1024 samples,
 * then 512).
 * The derivative is recomputed from the band-passed ring where it is needed (for a candidate's
 * slope, and the square leaving the moving window), by the same expression on the same values:
 * the same bits. About 4 KB per detector at 360 Hz.
 */
import { WavegateError } from '../errors.js';
import { BiquadCascade, cascadeGroupDelay, designHighpass, designLowpass } from './filters.js';
import { QrsHistory } from './qrs-history.js';
import { assertFiniteSamples } from './validate.js';

export interface QrsOptions {
  /** Sample rate in Hz. Required (100..2000). */
  fs: number;
  /** Detection band in Hz. Default [5, 15] (the QRS energy band; P/T waves and wander lie below, EMG above). */
  band?: [number, number];
  /** Moving-window integration length in seconds. Default 0.15 (a wide QRS). */
  integration?: number;
  /** Minimum spacing of candidates and of QRS complexes, seconds. Default 0.2 (physiological refractory period). */
  refractory?: number;
  /** T-wave discrimination window after a QRS, seconds. Default 0.36. */
  tWaveWindow?: number;
  /** Threshold position between noise and signal peak levels. Default 0.3125 (Hamilton & Tompkins). */
  thresholdFactor?: number;
  /** Search-back after this many RR averages without a QRS. Default 1.66 (Pan & Tompkins). */
  searchBack?: number;
  /** Learning period for the initial thresholds, seconds. Default 2. */
  learning?: number;
  /** Fixed output latency in seconds. Default 3 (bounds the slowest decision, a search-back). */
  latency?: number;
  /** Look-ahead for the P-wave test, seconds: a candidate followed this closely by a 1.4x larger one is not a QRS. Default 0.26. */
  lookahead?: number;
  /** A QRS must be at least this fraction as steep as the running average QRS. Default 0.15. */
  slopeFactor?: number;
  /**
   * In the T-wave window a candidate less than half as steep as the last QRS is a T wave only if
   * it is also lower than this fraction of the QRS level: premature V beats are wide (not steep)
   * but tall. Default 0.5.
   */
  tWaveHeight?: number;
  /** R refinement radius, seconds: the R peak moves to the raw signal's extremum within it. Default 0.04. */
  refine?: number;
}

/** The detector's option names other than `fs`: what a model's `input.windowing.qrs` may set. */
export const QRS_OPTION_NAMES: readonly (keyof Omit<QrsOptions, 'fs'>)[] = [
  'band', 'integration', 'refractory', 'tWaveWindow', 'thresholdFactor', 'searchBack', 'learning', 'latency', 'lookahead', 'slopeFactor', 'tWaveHeight', 'refine',
];

interface Candidate {
  /** MWI peak sample index. */
  t: number;
  /** MWI height. */
  v: number;
  /** Largest |derivative| in the integration window ending at t. */
  slope: number;
  /** Set once classified. */
  qrs: boolean;
  /** Located R peak (set when classified). */
  r: number;
}

/**
 * Band-pass output of the chunk being processed, shared by every detector: process() is
 * synchronous and reads it only within the call, so one buffer serves all streams of a host.
 */
let bpScratch = new Float32Array(0);

export class QrsDetector {
  readonly fs: number;
  /** Samples between an R peak and its emission. */
  readonly latencySamples: number;
  private readonly bp: BiquadCascade;
  /** Band-passed and input samples, as far back as the decisions read. */
  private readonly history: QrsHistory;
  private readonly nInt: number;
  private readonly refractory: number;
  private readonly tWave: number;
  private readonly k: number;
  private readonly slopeFactor: number;
  private readonly tWaveHeight: number;
  private readonly lookahead: number;
  private readonly searchBack: number;
  private readonly learning: number;
  private readonly groupDelay: number;
  private readonly rRefine: number;
  /** Half-width of the local mean around a coarse R (100 ms). */
  private readonly rMean: number;
  private readonly rSearch: number;
  private readonly rrCap: number;
  /** Whether the history has shrunk to the steady reach. */
  private settled = false;

  /** Next sample index. */
  private n = 0;
  /** Running sum of the squared derivative over the integration window (the MWI times nInt). */
  private mwiSum = 0;
  private prevSum = 0;
  private rising = false;
  private learnMaxSum = 0;
  private lastSample = 0;
  /** Sample index at which {@link tick} next has work to do. */
  private nextEvent = 0;
  /** Pending local maximum of the MWI (not yet final). */
  private pend: Candidate | undefined;
  /** Final candidates not yet classified, and the classified noise candidates since the last QRS. */
  private queue: Candidate[] = [];
  private sinceQrs: Candidate[] = [];
  /** Whether a search-back may find something new (a candidate was classified since the last try). */
  private searchBackDirty = false;
  private learned = false;
  private spk = 0;
  private npk = 0;
  private lastQrs: Candidate | undefined;
  private rr: number[] = [];
  private rrAvg = 0;
  /** Located R peaks waiting for their emission time. */
  private out: number[] = [];
  /** Running average of the maximal slope of accepted QRS complexes. */
  private avgSlope = 0;

  /**
   * @param history samples of history to keep at least (rounded up to a power of two); by
   *   default what the decisions read back (above). Only tests ask for more, to show that a
   *   longer history changes nothing.
   */
  constructor(options: QrsOptions, history = 0) {
    const { fs, band = [5, 15], integration = 0.15, refractory = 0.2, tWaveWindow = 0.36, thresholdFactor = 0.3125, searchBack = 1.66, learning = 2, latency = 3, slopeFactor = 0.15, lookahead = 0.26, tWaveHeight = 0.5, refine = 0.04 } = options;
    if (!Number.isFinite(fs) || fs < 100 || fs > 2000) throw new WavegateError('E_ARGUMENT', `QrsDetector: fs must lie in [100, 2000] Hz, got ${fs}`);
    this.fs = fs;
    const sections = [...designHighpass(band[0], fs, 2), ...designLowpass(band[1], fs, 2)];
    this.bp = new BiquadCascade(sections);
    this.nInt = Math.max(1, Math.round(integration * fs));
    this.refractory = Math.round(refractory * fs);
    this.tWave = Math.round(tWaveWindow * fs);
    this.k = thresholdFactor;
    this.slopeFactor = slopeFactor;
    this.tWaveHeight = tWaveHeight;
    this.lookahead = Math.round(lookahead * fs);
    this.searchBack = searchBack;
    this.learning = Math.round(learning * fs);
    this.rrCap = Math.round(1.2 * fs);
    this.rSearch = this.nInt + Math.round(0.02 * fs); // the MWI window plus the derivative's delay
    this.rRefine = Math.round(refine * fs);
    this.groupDelay = Math.round(cascadeGroupDelay(sections, Math.sqrt(band[0] * band[1]), fs));
    this.rMean = Math.round(0.1 * fs);
    this.latencySamples = Math.round(latency * fs);
    // The furthest back any read reaches from the sample being pushed (see "Memory" above):
    // classification of candidate t runs at max(learning, t + refractory + lookahead) and reads
    // from t - rSearch - groupDelay - max(rMean, rRefine); a slope measurement runs within
    // `refractory` of its candidate and reads nInt derivatives of 5 taps each.
    const locateReach = this.rSearch + Math.max(0, this.groupDelay) + Math.max(this.rMean, this.rRefine);
    const slopeReach = this.refractory + this.nInt + 4;
    this.history = new QrsHistory(
      Math.max(Math.max(this.learning, this.refractory + this.lookahead) + locateReach, slopeReach),
      Math.max(this.refractory + this.lookahead + locateReach, slopeReach),
      history,
    );
    const slowest = Math.round(searchBack * this.rrCap) + this.refractory + this.lookahead + this.rSearch + this.rRefine;
    if (this.latencySamples < Math.max(slowest, this.learning + this.refractory + this.lookahead)) {
      throw new WavegateError('E_ARGUMENT', `QrsDetector: latency ${latency} s is below the slowest decision (${(Math.max(slowest, this.learning + this.refractory + this.lookahead) / fs).toFixed(2)} s)`);
    }
  }

  /** Samples pushed so far. */
  get samplesSeen(): number {
    return this.n;
  }

  /** Samples of history the detector keeps now (its rings' length: a power of two). */
  get historySamples(): number {
    return this.history.length;
  }

  /**
   * The smallest room left so far between a read of the history and the reach it was sized for
   * at the time ("Memory" above): never negative; for tests (Infinity before any read).
   */
  get readMargin(): number {
    return this.history.readMargin;
  }

  /**
   * Pushes a chunk of samples (any length; mV or any consistent unit) and returns the R peaks
   * (absolute sample indices, increasing) whose emission time this chunk reached.
   */
  process(chunk: Float32Array): number[] {
    assertFiniteSamples(chunk, 'QrsDetector input');
    if (chunk.length === 0) return [];
    if (this.n === 0) this.bp.prime(chunk[0]);
    this.lastSample = chunk[chunk.length - 1];
    if (bpScratch.length < chunk.length) bpScratch = new Float32Array(Math.max(chunk.length, 2 * bpScratch.length, 1024));
    const bp = this.bp.process(chunk, bpScratch);
    const emitted: number[] = [];
    // Hot loop: fields in locals; decisions run only at scheduled sample indices (nextEvent).
    const { nInt, learning } = this;
    const { bp: bpRing, raw: rawRing, mask } = this.history;
    let n = this.n, sum = this.mwiSum, prev = this.prevSum, rising = this.rising;
    // The derivative's taps x[n-1] .. x[n-4], and those of sample n - nInt (the one leaving the
    // moving window, whose square is recomputed rather than stored), carried in locals; the ring
    // starts zeroed, so samples before the stream read 0.
    let x1 = bpRing[(n - 1) & mask], x2 = bpRing[(n - 2) & mask], x3 = bpRing[(n - 3) & mask], x4 = bpRing[(n - 4) & mask];
    const m = n - nInt;
    let y1 = bpRing[(m - 1) & mask], y2 = bpRing[(m - 2) & mask], y3 = bpRing[(m - 3) & mask], y4 = bpRing[(m - 4) & mask];
    for (let i = 0; i < chunk.length; i++, n++) {
      const x = bp[i];
      bpRing[n & mask] = x;
      rawRing[n & mask] = chunk[i];
      // 5-point derivative (Pan-Tompkins): (2x[n] + x[n-1] - x[n-3] - 2x[n-4]) / 8
      const d = (2 * x + x1 - x3 - 2 * x4) * 0.125;
      x4 = x3;
      x3 = x2;
      x2 = x1;
      x1 = x;
      const y = bpRing[(n - nInt) & mask];
      const dOut = (2 * y + y1 - y3 - 2 * y4) * 0.125; // sample n - nInt's derivative, as computed then
      y4 = y3;
      y3 = y2;
      y2 = y1;
      y1 = y;
      sum += d * d - dOut * dOut;
      if (n < learning && sum > this.learnMaxSum) this.learnMaxSum = sum;
      if (sum < prev && rising) {
        this.n = n + 1;
        this.localMax(n - 1, prev);
      }
      rising = sum > prev ? true : sum < prev ? false : rising;
      prev = sum;
      if (n >= this.nextEvent) {
        this.n = n + 1;
        this.tick(n, emitted);
      }
    }
    this.n = n;
    this.mwiSum = sum;
    this.prevSum = prev;
    this.rising = rising;
    if (this.learned && !this.settled) {
      // the learning period's candidates are decided: only the steady reach is read from now on
      this.settled = true;
      this.history.settle(n);
    }
    return emitted;
  }

  /** Ends the stream: decides what is pending as if the last sample value went on, returns the remaining peaks. */
  flush(): number[] {
    const end = this.n;
    const tail = new Float32Array(1024).fill(this.lastSample);
    const peaks: number[] = [];
    for (let fed = 0; fed < this.latencySamples + this.refractory + this.lookahead + this.nInt; fed += tail.length) peaks.push(...this.process(tail));
    peaks.push(...this.out.splice(0));
    return peaks.filter((p) => p < end);
  }

  /** MWI height of a running sum: the RMS slope over the window, linear in QRS amplitude. */
  private height(sum: number): number {
    return Math.sqrt(Math.max(0, sum) / this.nInt);
  }

  private localMax(t: number, sum: number): void {
    const c: Candidate = { t, v: this.height(sum), slope: 0, qrs: false, r: t };
    const pend = this.pend;
    if (pend !== undefined && t - pend.t < this.refractory) {
      if (c.v > pend.v) this.pend = c; // the larger maximum within the refractory window wins
    } else {
      if (pend !== undefined) this.finalize(pend);
      this.pend = c;
    }
    this.nextEvent = Math.min(this.nextEvent, this.pend!.t + this.refractory);
  }

  /** A candidate no larger maximum can replace any more: measure its slope and queue it. */
  private finalize(c: Candidate): void {
    const { bp: bpRing, mask } = this.history;
    let slope = 0;
    const from = Math.max(0, c.t - this.nInt + 1);
    this.history.reach(this.n - 1, from - 4);
    for (let j = from; j <= c.t; j++) {
      // the derivative of sample j, as process() computed it
      const d = (2 * bpRing[j & mask] + bpRing[(j - 1) & mask] - bpRing[(j - 3) & mask] - 2 * bpRing[(j - 4) & mask]) * 0.125;
      slope = Math.max(slope, Math.abs(d));
    }
    c.slope = slope;
    this.queue.push(c);
  }

  /** Runs every decision that sample index `now` makes final, emits due peaks and schedules the next event. */
  private tick(now: number, emitted: number[]): void {
    if (this.pend && now - this.pend.t >= this.refractory) {
      this.finalize(this.pend);
      this.pend = undefined;
    }
    if (!this.learned && now >= this.learning) {
      this.learned = true;
      // Initial levels from the learning period's largest MWI height (Pan-Tompkins learn
      // theirs the same way; these fractions suit the linear RMS height).
      this.spk = 0.6 * this.height(this.learnMaxSum);
      this.npk = 0.1 * this.height(this.learnMaxSum);
    }
    if (this.learned) {
      // Classify a candidate once every candidate up to `lookahead` after it is final too.
      while (this.queue.length > 0 && now - this.queue[0].t >= this.refractory + this.lookahead) this.classify(this.queue.shift()!);
      this.maybeSearchBack(now - this.refractory - this.lookahead);
    }
    while (this.out.length > 0 && this.out[0] + this.latencySamples <= now) emitted.push(this.out.shift()!);
    // Next time something can change.
    let next = Number.POSITIVE_INFINITY;
    if (this.pend) next = Math.min(next, this.pend.t + this.refractory);
    if (!this.learned) next = Math.min(next, this.learning);
    else {
      if (this.queue.length > 0) next = Math.min(next, this.queue[0].t + this.refractory + this.lookahead);
      if (this.lastQrs && this.rr.length > 0 && this.searchBackDirty) {
        next = Math.min(next, Math.max(now + 1, this.lastQrs.t + Math.ceil(this.searchBack * this.rrAvg) + this.refractory + this.lookahead));
      }
    }
    if (this.out.length > 0) next = Math.min(next, this.out[0] + this.latencySamples);
    this.nextEvent = Math.max(now + 1, next);
  }

  private threshold(): number {
    return this.npk + this.k * (this.spk - this.npk);
  }

  private classify(c: Candidate): void {
    c.r = this.locateR(c.t);
    const last = this.lastQrs;
    // A second maximum of the same complex (wide V beats have two humps): not a beat, not noise.
    if (last && c.r - last.r < this.refractory) return;
    if (c.v > this.threshold() && this.plausible(c) && !this.precedesLarger(c)) this.accept(c, 0.125);
    else this.noise(c);
  }

  /**
   * Look-ahead test: a candidate closely followed (within `lookahead`) by a much larger one is
   * that complex's P wave (or noise before it): no QRS can follow a QRS that soon.
   */
  private precedesLarger(c: Candidate): boolean {
    for (const q of this.queue) {
      if (q.t - c.t > this.lookahead) break;
      if (q.v > 1.4 * c.v) return true;
    }
    return false;
  }

  /** T-wave and slope tests: a QRS is steep, a T or P wave is not. */
  private plausible(c: Candidate): boolean {
    const last = this.lastQrs;
    if (last && c.r - last.r < this.tWave && c.slope < 0.5 * last.slope && c.v < this.tWaveHeight * this.spk) return false;
    return c.slope >= this.slopeFactor * this.avgSlope;
  }

  private noise(c: Candidate): void {
    this.npk = 0.125 * c.v + 0.875 * this.npk;
    this.sinceQrs.push(c);
    this.searchBackDirty = true;
  }

  private accept(c: Candidate, weight: number): void {
    c.qrs = true;
    this.spk = weight * c.v + (1 - weight) * this.spk;
    this.avgSlope = this.avgSlope === 0 ? c.slope : 0.125 * c.slope + 0.875 * this.avgSlope;
    if (this.lastQrs) {
      this.rr.push(c.r - this.lastQrs.r);
      if (this.rr.length > 8) this.rr.shift();
      this.rrAvg = Math.min(this.rrCap, this.rr.reduce((s, v) => s + v, 0) / this.rr.length);
    }
    this.lastQrs = c;
    this.sinceQrs = [];
    this.out.push(c.r);
    this.searchBackDirty = false;
  }

  /** Search-back over classified candidates up to `horizon` (all candidates before it are final). */
  private maybeSearchBack(horizon: number): void {
    const last = this.lastQrs;
    if (!last || this.rr.length === 0 || !this.searchBackDirty) return;
    if (horizon - last.t < this.searchBack * this.rrAvg) return;
    this.searchBackDirty = false;
    let best: Candidate | undefined;
    for (const c of this.sinceQrs) {
      if (c.r - last.r < this.refractory || c.t > horizon) continue;
      if (c.v > 0.5 * this.threshold() && (!best || c.v > best.v) && this.plausible(c)) best = c;
    }
    if (!best) return;
    const later = this.sinceQrs.filter((c) => c.t > best!.t);
    this.accept(best, 0.25);
    this.sinceQrs = later;
    this.searchBackDirty = later.length > 0; // noise candidates after the recovered beat stay eligible for the next search-back
  }

  private locateR(t: number): number {
    let best = t, bestV = -1;
    // Never reach back into the previous complex (its refractory period).
    const from = Math.max(0, t - this.rSearch, this.lastQrs ? this.lastQrs.r + this.groupDelay + this.refractory : 0);
    const { bp: bpRing, mask } = this.history;
    this.history.reach(this.n - 1, from);
    for (let j = from; j <= t; j++) {
      const v = Math.abs(bpRing[j & mask]);
      if (v > bestV) { bestV = v; best = j; }
    }
    return this.refineR(Math.max(0, best - this.groupDelay));
  }

  /**
   * Moves a coarse R position to the largest deviation of the raw signal from its local mean
   * (+-100 ms) within +-`rRefine`: the band-passed maximum can sit on the Q or S wave, and
   * annotators mark the main deflection's peak. All samples needed are in the ring, since
   * classification runs at least `refractory + lookahead` after the candidate.
   */
  private refineR(coarse: number): number {
    const { raw: rawRing, mask } = this.history;
    const half = this.rMean;
    const lo = Math.max(0, coarse - half), hi = Math.min(this.n - 1, coarse + half);
    this.history.reach(this.n - 1, Math.min(lo, coarse - this.rRefine));
    let mean = 0;
    for (let j = lo; j <= hi; j++) mean += rawRing[j & mask];
    mean /= hi - lo + 1;
    let best = coarse, bestV = -1;
    for (let j = Math.max(0, coarse - this.rRefine); j <= Math.min(this.n - 1, coarse + this.rRefine); j++) {
      const v = Math.abs(rawRing[j & mask] - mean);
      if (v > bestV) { bestV = v; best = j; }
    }
    return best;
  }
}


/** Offline convenience: all R peaks of a whole signal (process + flush). */
export function detectQrs(signal: Float32Array, options: QrsOptions): number[] {
  const d = new QrsDetector(options);
  return [...d.process(signal), ...d.flush()];
}
