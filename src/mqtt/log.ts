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
