/** What a message handler may use of the host: limits, streams, counters, and the two outlets. */
import type { RejectError } from '../errors.js';
import type { FrameLimits } from '../frame.js';
import type { HostStats } from '../stats.js';
import type { StreamTable } from '../stream-table.js';
import type { ReadyWindow, StreamPolicy } from '../streams.js';

export interface HandlerContext {
  readonly frameLimits: FrameLimits;
  readonly policy: StreamPolicy;
  readonly streams: StreamTable;
  readonly stats: HostStats;
  /** Counts, logs and reports a refused frame (errors topic, rate limited). */
  reject(device: string, stream: string, error: RejectError): void;
  /**
   * Queues ready windows on their models (the drop policy applies there); `now`: score them
   * before returning (a QoS 1 frame, acknowledged when its handler returns).
   */
  enqueue(windows: ReadyWindow[], now: boolean): void;
  /** Takes a model update for `node` (undefined name: the default model); absent when updates are off. */
  modelUpdate?(node: string, name: string | undefined, payload: Uint8Array): void;
}
