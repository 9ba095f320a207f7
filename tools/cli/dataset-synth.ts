/**
 * `wavegate dataset synth`: writes a synthetic dataset (.npz, the `dataset build` format). It refuses
 * options that give no window, and sizes past the documented limits (SYNTH_MAX_WINDOW,
 * SYNTH_MAX_RECORD_SAMPLES, DATASET_MAX_X_BYTES; docs/datasets.md).
 *
 *   wavegate dataset synth --kind ecg --out ecg-synth.npz [--seed 1] [--count 12] [--seconds 120]
 *       [--window 128] [--before 64] [--fs 360] [--premature-s 0.15] [--premature-v 0.15]
 *   wavegate dataset synth --kind bearing --out bearing-synth.npz [--count 8] [--seconds 2]
 *       [--window 1024] [--hop 1024] [--fs 12000]
 */
import type { Command } from 'commander';
import { WavegateError } from '../../src/errors.js';
import { numberArg } from '../../src/cli/option-parsers.js';
import { runAction } from '../../src/cli/run-action.js';
import { encodeDataset } from '../datasets/dataset-file.js';
import { checkOutputPath, writeOutputFile } from '../datasets/write-output.js';
import { buildSynthDataset, type SynthDatasetOptions } from '../synth/dataset.js';

type SynthCliOptions = SynthDatasetOptions & { out: string };

export function registerDatasetSynth(datasetCommand: Command): Command {
  return datasetCommand
    .command('synth')
    .description('write a synthetic ECG beat (N/S/V) or bearing vibration (normal/inner/ball/outer) dataset as .npz')
    .requiredOption('--kind <kind>', 'ecg or bearing')
    .requiredOption('--out <file.npz>', 'output file')
    .option('--seed <n>', 'base seed (default 1)', numberArg({ integer: true }))
    .option('--count <n>', 'synthetic records: subjects (ecg, default 12) or recordings (bearing, default 8, classes in turn)', numberArg({ integer: true, min: 1 }))
    .option('--seconds <s>', 'seconds per record (default ecg 120, bearing 2)', numberArg({ above: 0 }))
    .option('--window <n>', 'window length in samples (default ecg 128, bearing 1024; at most 65536)', numberArg({ integer: true, min: 1 }))
    .option('--before <n>', 'ecg: samples before the R peak (default window/2)', numberArg({ integer: true, min: 0 }))
    .option('--hop <n>', 'bearing: samples between window starts (default window)', numberArg({ integer: true, min: 1 }))
    .option('--fs <hz>', 'sample rate (default ecg 360, bearing 12000)', numberArg({ above: 0 }))
    .option('--premature-s <p>', 'ecg: probability of an S beat after an N beat (default 0.15)', numberArg({ min: 0, max: 1 }))
    .option('--premature-v <p>', 'ecg: probability of a V beat after an N beat (default 0.15)', numberArg({ min: 0, max: 1 }))
    .action(
      runAction((opts: SynthCliOptions) => {
        const { out, ...rest } = opts;
        checkOutputPath(out);
        const ds = buildSynthDataset(rest);
        writeOutputFile(out, encodeDataset(ds));
        const counts = Object.entries(ds.meta.classCounts).map(([k, v]) => `${k} ${v}`).join(', ');
        process.stdout.write(`${out}: ${ds.n} windows of ${ds.t} x ${ds.c} from ${ds.meta.records.length} ${String(ds.meta.kind)} records (${counts})\n`);
      }),
    );
}
