/** Runs `wavegate eval` or `wavegate verify` in this process (test/helpers/cli.ts). */
import { runCli, type CliRun } from '../../helpers/cli.js';
import { registerEval } from '../../../tools/cli/eval.js';
import { registerVerify } from '../../../tools/cli/verify.js';

export type { CliRun };

const register = (program: Parameters<typeof registerEval>[0]): void => {
  registerEval(program);
  registerVerify(program);
};

export const evalCli = (...args: string[]): Promise<CliRun> => runCli(register, ['eval', ...args]);
export const verifyCli = (...args: string[]): Promise<CliRun> => runCli(register, ['verify', ...args]);
