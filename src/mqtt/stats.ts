/** The host's counters (all since start) and a latency reservoir, as `WavegateHost.stats()` returns them. */
import type { RejectCode } from './errors.js';

export interface HostStats {
  framesReceived: number;
  framesAccepted: number;
  /** Refused frames and drops by cause. */
  rejected: Partial<Record<RejectCode, number>>;
  /** Refusals not published on the errors topic because of the per-(device, stream, code) rate limit. */
  reportsSuppressed: number;
  windowsQueued: number;
  windowsScored: number;
  /** Windows dropped by the queues' drop-oldest policy. */
  windowsDropped: number;
  /** Windows received whole but never scored: dropped, or their stream closed first. */
  windowsLost: number;
  /** Alerts raised. */
  alerts: number;
  /** Alerts the broker acknowledged (PUBACK), including those stored by an earlier run of this node. */
  alertsDelivered: number;
  /** Alerts refused: by the outbox (full, or its disk failed) or by the broker (a reason code); each logged whole. */
  alertsRefused: number;
  episodesEnded: number;
  /** Discontinuities (sequence gaps and timestamp jumps), frames missing by seq, counter restarts, zero samples filled. */
  gaps: number;
  missingFrames: number;
  restarts: number;
  zeroFilled: number;
  streams: number;
  devices: number;
  streamsEvicted: number;
  kernelCalls: number;
  /** Time spent decoding frames, running stream chains (preprocessing, windowing, QRS detection) and in kernel calls (session.run / push), ms. */
  decodeMs: number;
  chainMs: number;
  kernelMs: number;
  /** From the arrival of the frame completing a window to its scores being handed to the detector. */
  latencyMs: { p50: number; p99: number; max: number; count: number };
}

/** Keeps the last `capacity` latencies; percentiles over them. */
export class LatencyReservoir {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;
  max = 0;
  count = 0;

  constructor(capacity = 16384) {
    this.values = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % this.values.length;
    this.filled = Math.min(this.filled + 1, this.values.length);
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  /** Nearest-rank percentile (0..100) of the kept values; 0 when empty. */
  percentile(p: number): number {
    if (this.filled === 0) return 0;
    const sorted = this.values.slice(0, this.filled).sort();
    return sorted[Math.min(this.filled - 1, Math.max(0, Math.ceil((p / 100) * this.filled) - 1))];
  }
}
