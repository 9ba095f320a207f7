/**
 * `wavegate eval`: a model evaluated through the full device pipeline on reference data.
 *
 *   wavegate eval --model <model.wgm> --mitdb <dir> [--records 100,200,...] [--allow-paced]
 *                 [--json] [--report <out.html>] [--compare <other.wgm>] [--training <metrics.jsonl>]
 *   wavegate eval --model <model.wgm> --cwru <dir> [--region test|val|train|all] [--gain <x>]
 *                 [--json] [--report <out.html>] [--compare <other.wgm>] [--training <metrics.jsonl>]
 *
 * `--json` prints exactly one JSON object (tools/eval/mitdb-summary.ts, cwru-summary.ts; shapes in
 * docs/evaluation.md), the text tables otherwise. `--compare` runs the same evaluation on a second
 * model for the report's side-by-side view (stdout shows the first model's figures, and its
 * table also in text mode). Everything is checked before any record is run: both models, the
 * data folder, each record or file name, and the report path.
 */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { WavegateError } from '../../src/errors.js';
import { prepareOutput, type PreparedOutput } from '../../src/cli/output.js';
import { runAction } from '../../src/cli/run-action.js';
import { loadModel, type Model } from '../../src/runtime/model.js';
import type { BackendChoice } from '../../src/runtime/options.js';
import { checkCwruEval, CWRU_REGIONS, evalCwru, type CwruEval, type CwruRegion } from '../eval/cwru.js';
import { cwruJson, formatCwruText } from '../eval/cwru-summary.js';
import { checkMitdbEval, evalMitdb, parseRecordList, type MitdbEval } from '../eval/mitdb.js';
import { formatMitdbText, mitdbJson } from '../eval/mitdb-summary.js';
import { runNames, type EvalRun } from '../eval/report/runs.js';
import { trainingCurves } from '../eval/training-curves.js';
import { creationTime } from './import.js';

export interface EvalCliOptions {
  model: string;
  mitdb?: string;
  cwru?: string;
  records?: string;
  allowPaced?: boolean;
  region?: string;
  gain?: string;
  json?: boolean;
  report?: string;
  compare?: string;
  training?: string;
  backend?: BackendChoice;
}

interface Loaded {
  path: string;
  model: Model;
}

async function load(path: string): Promise<Loaded> {
  return { path, model: await loadModel(path) };
}

function fileBytes(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

function progress(what: string): ((name: string, done: number, total: number) => void) | undefined {
  if (process.stderr.isTTY !== true) return undefined;
  return (name, done, total) => process.stderr.write(`\r${what}: ${name} (${done}/${total})${done === total ? '\n' : ''}`);
}

/** Checks the arguments that need no file. */
function checkArguments(o: EvalCliOptions): void {
  if ((o.mitdb === undefined) === (o.cwru === undefined)) throw new WavegateError('E_ARGUMENT', 'eval: give exactly one of --mitdb <dir> and --cwru <dir>');
  if (o.cwru !== undefined && o.records !== undefined) throw new WavegateError('E_ARGUMENT', 'eval: --records applies to --mitdb; CWRU files are all the .mat files of the folder');
  if (o.cwru !== undefined && o.allowPaced) throw new WavegateError('E_ARGUMENT', 'eval: --allow-paced applies to --mitdb');
  if (o.mitdb !== undefined && o.region !== undefined) throw new WavegateError('E_ARGUMENT', 'eval: --region applies to --cwru (MIT-BIH records are chosen with --records)');
  if (o.gain !== undefined && o.cwru === undefined) throw new WavegateError('E_ARGUMENT', 'eval: --gain applies to --cwru');
  if (o.gain !== undefined && !(Number(o.gain) > 0 && Number.isFinite(Number(o.gain)))) throw new WavegateError('E_ARGUMENT', `--gain must be a number > 0, got ${JSON.stringify(o.gain)}`);
  if (o.region !== undefined && !CWRU_REGIONS.includes(o.region as CwruRegion)) throw new WavegateError('E_ARGUMENT', `--region must be one of ${CWRU_REGIONS.join(', ')}, got ${JSON.stringify(o.region)}`);
}

/** Runs the evaluation; returns what goes to standard output. Writes the report when asked. */
export async function runEval(o: EvalCliOptions, argv: readonly string[] = []): Promise<string> {
  checkArguments(o);
  const report: PreparedOutput | undefined = o.report !== undefined ? prepareOutput(o.report, '--report') : undefined;
  const models = [await load(o.model)];
  try {
    if (o.compare !== undefined) models.push(await load(o.compare));
    const records = o.records !== undefined ? parseRecordList(o.records) : undefined;
    const region = (o.region ?? 'test') as CwruRegion;
    // Every check, for every model, before the first record runs.
    for (const m of models) {
      if (o.mitdb !== undefined) checkMitdbEval(m.model, m.path, { dir: o.mitdb, records, allowPaced: o.allowPaced });
      else checkCwruEval(m.model, m.path, { dir: o.cwru!, region });
    }
    const evs: Array<MitdbEval | CwruEval> = [];
    for (const m of models) {
      evs.push(o.mitdb !== undefined
        ? await evalMitdb(m.model, m.path, { dir: o.mitdb, records, allowPaced: o.allowPaced, backend: o.backend, onRecord: progress(`eval ${m.path}`) })
        : await evalCwru(m.model, m.path, { dir: o.cwru!, region, gain: o.gain === undefined ? undefined : Number(o.gain), backend: o.backend, onFile: progress(`eval ${m.path}`) }));
    }
    const runs: EvalRun[] = models.map((m, i) => ({ path: m.path, meta: m.model.metadata, digest: m.model.digest, bytes: fileBytes(m.path), ev: evs[i] }));
    if (report) {
      // Loaded only here: Vega is a dev dependency of the workstation tools, and heavy.
      const { buildReport } = await import('../eval/report/report.js');
      const html = await buildReport({
        runs,
        training: trainingCurves(models[0].model.metadata, models[0].path, o.training),
        data: o.mitdb ?? o.cwru!,
        command: argv.length > 0 ? `wavegate ${argv.join(' ')}` : undefined,
        createdAt: creationTime(),
      });
      const sink = report.open();
      try {
        await sink.write(html);
        await sink.commit();
      } catch (e) {
        await sink.abort();
        throw e;
      }
    }
    const names = runNames(runs);
    if (o.json) return `${JSON.stringify(evs[0].kind === 'mitdb' ? mitdbJson(evs[0]) : cwruJson(evs[0] as CwruEval))}\n`;
    const text = evs.map((ev, i) => {
      const title = `model ${names[i]}: ${models[i].path}`;
      return ev.kind === 'mitdb' ? formatMitdbText(ev, title) : formatCwruText(ev, title);
    });
    return `${text.join('\n\n')}\n${o.report !== undefined ? `report: ${o.report}\n` : ''}`;
  } finally {
    for (const m of models) m.model.dispose();
  }
}

export function registerEval(program: Command): Command {
  return program
    .command('eval')
    .description('evaluate a model through the full device pipeline: MIT-BIH with EC57 beat-by-beat figures, or CWRU bearing files')
    .requiredOption('--model <model.wgm>', 'model file')
    .option('--mitdb <dir>', 'MIT-BIH folder (NNN.hea/.dat/.atr); default records: the DS2 test records present')
    .option('--cwru <dir>', 'CWRU folder: every .mat file, its class from the file name')
    .option('--records <list>', 'MIT-BIH records, comma separated (or DS1, DS2, DS2_STAGED)')
    .option('--allow-paced', 'accept the paced records 102, 104, 107, 217 (excluded by the protocol)')
    .option('--region <name>', 'CWRU: time region of each recording scored: test (default), val, train or all')
    .option('--gain <x>', 'CWRU: multiply every recording by x first (a sensor of another sensitivity: how much the model depends on the level)')
    .option('--json', 'print exactly one JSON object (docs/evaluation.md)')
    .option('--report <out.html>', 'write a self-contained HTML report with tables and charts')
    .option('--compare <other.wgm>', 'evaluate a second model the same way (e.g. the float twin) for the report\'s side-by-side view')
    .option('--training <metrics.jsonl>', 'training curves for the report (default: where the model\'s provenance.training points)')
    .option('--backend <name>', 'kernel build: auto, simd or ref', 'auto')
    .action(runAction(async (o: EvalCliOptions) => {
      process.stdout.write(await runEval(o, process.argv.slice(2)));
    }));
}
