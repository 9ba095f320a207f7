/**
 * Runs `wavegate import` and `wavegate dataset synth` from their command modules for the
 * trainer's smoke pipeline when neither the built CLI (dist/tools/cli/main.js) nor the CLI entry
 * (tools/cli/main.ts) exists: same options, same output, same exit codes as the real commands.
 *
 *   npx tsx tools/trainer/wavegate-bridge.ts import <model.onnx> --out <model.wgm>
 *   npx tsx tools/trainer/wavegate-bridge.ts dataset synth --kind ecg --out <file.npz> ...
 */
import { Command } from 'commander';
import { registerDataset } from '../cli/dataset.js';
import { registerDatasetSynth } from '../cli/dataset-synth.js';
import { registerImport } from '../cli/import.js';

const program = new Command('wavegate').description('wavegate import / dataset synth (trainer bridge)');
registerImport(program);
const dataset = registerDataset(program);
if (!dataset.commands.some((c) => c.name() === 'synth')) registerDatasetSynth(dataset);
await program.parseAsync(process.argv);
