/**
 * The host's logger: pino's call shape (`log.warn({ device, code }, 'message')`), injectable
 * through HostOptions.log; the default writes JSON lines to stderr.
 */
import { pino } from 'pino';

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** JSON lines on stderr (stdout stays free for a command's own output). */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { name: 'wavegate' } }, pino.destination({ fd: 2, sync: false }));
}

/**
 * A message that can repeat for as long as an outage lasts (a reconnect failing every second for
 * hours): the first is written, then at most one per `intervalMs`, saying how many were held back.
 */
export class ThrottledLog {
  private last = -Infinity;
  private held = 0;
  private total = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Calls `write` now, with `repeated` when some were held back, unless one was written within the interval. */
  log(write: (extra: { repeated?: number }) => void): void {
    const t = this.now();
    this.total++;
    if (t - this.last < this.intervalMs) {
      this.held++;
      return;
    }
    write(this.held > 0 ? { repeated: this.held } : {});
    this.held = 0;
    this.last = t;
  }

  /** The outage is over: returns how many there were since the last reset (written or not), and starts afresh. */
  reset(): number {
    const total = this.total;
    this.total = 0;
    this.held = 0;
    this.last = -Infinity;
    return total;
  }
}
