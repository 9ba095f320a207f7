/**
 * The device command line: the commands the esbuild device bundle carries
 * (score, inspect, qrs, serve; simulate comes with the MQTT host's next step).
 * tools/cli/main.ts adds the workstation toolchain commands to the same program.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerInspect } from './inspect.js';
import { registerQrs } from './qrs.js';
import { registerScore } from './score.js';
import { registerServe } from './serve.js';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function buildDeviceProgram(): Command {
  const program = new Command('wavegate')
    .description('edge inference runtime for sensor signals: INT8 LSTM/GRU in WebAssembly SIMD')
    .version(packageVersion())
    .showHelpAfterError()
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
