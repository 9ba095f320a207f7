/**
 * `wavegate verify --model <model.wgm> --reference <model.onnx> --input <windows> [--min-agreement x] [--json]`:
 * the model against its ONNX source on onnxruntime-node (tools/verify/verify.ts). Prints the
 * figures (one JSON object with --json, shape in docs/evaluation.md) and exits 1 when the top-1
 * agreement is below --min-agreement (default 0.99); bad input is `wavegate: E_CODE: message`.
 */
import type { Command } from 'commander';
import { numberArg } from '../../src/cli/option-parsers.js';
import { runAction } from '../../src/cli/run-action.js';
import type { BackendChoice } from '../../src/runtime/options.js';
import { DEFAULT_MIN_AGREEMENT, formatVerify, verify } from '../verify/verify.js';

interface VerifyCliOptions {
  model: string;
  reference: string;
  input: string;
  minAgreement?: number;
  json?: boolean;
  batch?: number;
  backend?: BackendChoice;
}

export function registerVerify(program: Command): Command {
  return program
    .command('verify')
    .description('run a .wgm model and its ONNX source (onnxruntime-node) on the same windows: top-1 agreement and output differences per class')
    .requiredOption('--model <model.wgm>', 'wavegate model file')
    .requiredOption('--reference <model.onnx>', 'the ONNX model it was made from')
    .requiredOption('--input <windows>', 'windows: .npy float32 [N,T,C] or [N,T], .npz with x (and features when the model takes them; an integer y adds accuracy), .csv or .jsonl')
    .option('--min-agreement <x>', `exit 1 when the top-1 agreement is below this fraction (default ${DEFAULT_MIN_AGREEMENT})`, numberArg({ min: 0, max: 1 }))
    .option('--json', 'print one JSON object (docs/evaluation.md)')
    .option('--batch <n>', 'windows per call', numberArg({ integer: true, min: 1 }), 64)
    .option('--backend <name>', 'kernel build: auto, simd or ref', 'auto')
    .action(runAction(async (o: VerifyCliOptions) => {
      const r = await verify(o);
      process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : `${formatVerify(r, o.model, o.reference)}\n`);
      if (!r.pass) {
        process.stderr.write(`wavegate verify: top-1 agreement ${(100 * r.agreement).toFixed(2)} % is below --min-agreement ${(100 * r.minAgreement).toFixed(2)} %\n`);
        process.exitCode = 1;
      }
    }));
}
