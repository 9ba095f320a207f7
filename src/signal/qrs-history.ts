/**
 * The samples a streaming QRS detector (qrs.ts) reads back: its band-passed and its input
 * signal, in two rings indexed by sample index & mask, kept no longer than the detector's
 * decisions reach back (its "Memory" note says why that is not the latency).
 *
 * Both rings hold float32 values (the band-pass hands out float32, the input is float32), so
 * Float32Array storage changes no value the detector computes with. Indices below 0 read 0 (the
 * rings start zeroed, as if the stream had been silent before). The rings are a power of two long
 * with some room beyond the reach; when the detector {@link QrsHistory.settle}s (its learning
 * period's candidates decided), they shrink to the steady reach, keeping the newest samples.
 */
export class QrsHistory {
  /** Band-passed samples, by sample index & mask. */
  bp: Float32Array;
  /** Input samples, by sample index & mask. */
  raw: Float32Array;
  mask: number;
  /** How far back (samples before the newest) reads may reach now. */
  private bound: number;
  private readonly steadyBound: number;
  private readonly minLength: number;
  /** Smallest room left between a read and `bound` (readMargin). */
  private margin = Number.POSITIVE_INFINITY;

  /**
   * @param startBound the reach until the detector settles; @param steadyBound after it
   * @param minLength samples to keep at least (tests ask for more, to show it changes nothing)
   */
  constructor(startBound: number, steadyBound: number, minLength = 0) {
    this.bound = startBound;
    this.steadyBound = steadyBound;
    this.minLength = minLength;
    const ring = this.ringFor(startBound);
    this.mask = ring - 1;
    this.bp = new Float32Array(ring);
    this.raw = new Float32Array(ring);
  }

  /** Samples kept now (the rings' length). */
  get length(): number {
    return this.mask + 1;
  }

  /** The smallest room left so far between a read and the reach allowed at the time: never negative (Infinity before any read). */
  get readMargin(): number {
    return this.margin;
  }

  /** Notes a read reaching back to sample `from` while `newest` is the newest sample. */
  reach(newest: number, from: number): void {
    const room = this.bound - (newest - from);
    if (room < this.margin) this.margin = room;
  }

  /** Moves to the steady reach once `next` samples have been pushed: the newest samples into shorter rings. */
  settle(next: number): void {
    this.bound = this.steadyBound;
    const ring = this.ringFor(this.bound);
    if (ring >= this.mask + 1) return;
    const bp = new Float32Array(ring), raw = new Float32Array(ring);
    const mask = ring - 1;
    // indices below 0 copy the zeroed slots: they read 0 in the new rings too
    for (let j = next - ring; j < next; j++) {
      bp[j & mask] = this.bp[j & this.mask];
      raw[j & mask] = this.raw[j & this.mask];
    }
    this.bp = bp;
    this.raw = raw;
    this.mask = mask;
  }

  /** Ring length for a reach: a power of two with some room, at least minLength. */
  private ringFor(bound: number): number {
    const needed = Math.max(bound + 16, this.minLength);
    let ring = 256;
    while (ring < needed) ring <<= 1;
    return ring;
  }
}
