/**
 * Runs `wavegate eval` or `wavegate verify` in this process through commander, as the CLI does,
 * capturing standard output, standard error and the exit status.
 */
import { Command } from 'commander';
import { vi } from 'vitest';
import { registerEval } from '../../../tools/cli/eval.js';
import { registerVerify } from '../../../tools/cli/verify.js';

export interface CliRun {
  out: string;
  err: string;
  code: number | string | undefined;
}

async function run(command: 'eval' | 'verify', args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  const program = new Command('wavegate').exitOverride();
  registerEval(program);
  registerVerify(program);
  try {
    await program.parseAsync(['node', 'wavegate', command, ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  const code = process.exitCode;
  process.exitCode = undefined;
  return { out, err, code };
}

export const evalCli = (...args: string[]): Promise<CliRun> => run('eval', args);
export const verifyCli = (...args: string[]): Promise<CliRun> => run('verify', args);
