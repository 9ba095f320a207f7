/**
 * Refusal and drop reports on `wavegate/v1/_node/<node-id>/errors`: every one is counted (per
 * code) and emitted to library listeners; at most one per key (device, stream, code) goes onto
 * the topic per interval, so that a device sending garbage at 1 kHz costs one message a second.
 */
import type { ErrorReport } from './host-events.js';

/** Bound on the rate limiter's keys per interval: garbage topics must not grow it. */
const MAX_REPORT_KEYS = 10_000;

export interface ErrorReporterOptions {
  /** errorReportIntervalMs; 0 publishes every report. */
  intervalMs: number;
  /** The host's counters: `rejected` per code, `reportsSuppressed`. */
  counters: { rejected: Partial<Record<string, number>>; reportsSuppressed: number };
  /** Every report, published or not (the host's 'reject' event). */
  emit: (report: ErrorReport) => void;
  /** Publishes one payload (QoS 0; the host skips it while disconnected). */
  publish: (payload: string) => void;
}

export class ErrorReporter {
  private readonly sent = new Set<string>();

  constructor(private readonly o: ErrorReporterOptions) {}

  /** Counts and emits `report`; publishes it unless `key` was published this interval. True when published. */
  report(report: ErrorReport, key: string): boolean {
    const rejected = this.o.counters.rejected;
    rejected[report.code] = (rejected[report.code] ?? 0) + 1;
    this.o.emit(report);
    if (this.o.intervalMs > 0 && (this.sent.has(key) || this.sent.size >= MAX_REPORT_KEYS)) {
      this.o.counters.reportsSuppressed++;
      return false;
    }
    this.sent.add(key);
    this.o.publish(JSON.stringify(report));
    return true;
  }

  /** Starts a new rate-limit interval (the host's timer, every intervalMs). */
  newInterval(): void {
    this.sent.clear();
  }
}
