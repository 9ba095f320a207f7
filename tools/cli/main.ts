/**
 * The full `wavegate` command: device commands (src/cli) plus the workstation toolchain
 * (import, quantize, dataset, ...). The device bundle is built from src/cli/device-main.ts instead.
 */
import { buildDeviceProgram } from '../../src/cli/program.js';
import { registerDatasetSynth } from './dataset-synth.js';
import { registerDataset } from './dataset.js';
import { registerEval } from './eval.js';
import { registerImport } from './import.js';
import { registerSign } from './sign.js';
import { registerVerify } from './verify.js';
import { registerSimulate } from './simulate.js';
import { registerQuantize } from './quantize.js';

const program = buildDeviceProgram();
registerImport(program);
registerQuantize(program);
registerSimulate(program);
registerDatasetSynth(registerDataset(program));
registerEval(program);
registerVerify(program);
registerSign(program);

await program.parseAsync(process.argv);
