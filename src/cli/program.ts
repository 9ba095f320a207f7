/**
 * The device command line: the commands the esbuild device bundle carries
 * (score, inspect, qrs, serve); simulate is a workstation command (tools/cli/simulate.ts).
 * tools/cli/main.ts adds the workstation toolchain commands to the same program.
 */
import { Command } from 'commander';
import { packageVersion } from '../package-version.js';
import { registerInspect } from './inspect.js';
import { registerQrs } from './qrs.js';
import { registerScore } from './score.js';
import { registerServe } from './serve.js';

export function buildDeviceProgram(): Command {
  const program = new Command('wavegate')
    .description('edge inference runtime for sensor signals: INT8 LSTM/GRU in WebAssembly SIMD')
    .version(packageVersion())
    // One line for a usage error, not the whole help after it (which would bury the line).
    .showHelpAfterError('(wavegate <command> --help lists the options)')
    .exitOverride((err) => {
      // commander's own usage errors: exit 2 like other Unix tools; --help/--version exit 0.
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
  registerScore(program);
  registerInspect(program);
  registerQrs(program);
  registerServe(program);
  return program;
}
