/**
 * Runs a `wavegate` command in this process through commander, as bin/wavegate does, capturing
 * standard output, standard error and the exit status (process.exitCode, reset afterwards so that
 * a refusal the test expects does not fail the run).
 */
import { Command } from 'commander';
import { vi } from 'vitest';

export interface CliRun {
  out: string;
  err: string;
  code: number | string | undefined;
}

/** `register` adds the commands under test to a fresh program; `args` follow `wavegate`. */
export async function runCli(register: (program: Command) => void, args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  const program = new Command('wavegate').exitOverride();
  register(program);
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'wavegate', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  const code = process.exitCode;
  process.exitCode = undefined;
  return { out, err, code };
}
