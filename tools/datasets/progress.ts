/**
 * A progress bar on stderr for long builds, only when stderr is a terminal (never in logs, pipes
 * or CI output, where it would be noise).
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(label: string, done: number, total: number): void;
  stop(): void;
}

export function progressBar(title: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { stream, format: `${title} [{bar}] {value}/{total} {label}`, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(label, done, total) {
      if (!started) (bar.start(total, 0, { label }), (started = true));
      bar.update(done, { label });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
