/**
 * `wavegate qrs <record> [--json]`: R peaks of a WFDB record's MLII lead.
 *
 * `<record>` is the record path without extension (e.g. ../shared/data/mitdb/100). The lead is
 * found by name in the header, never by position (MIT-BIH 114 has V5 first). With --json the
 * output is exactly one JSON object: {"record": "100", "fs": 360, "lead": "MLII", "peaks": [...]}
 * (other tools script this). Without it: a summary, plus the EC57 figures when the record's
 * reference annotations (<record>.atr) exist.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { WavegateError } from '../errors.js';
import { leadSignal, readWfdbAnnotations, readWfdbRecord } from '../io/wfdb-record.js';
import { detectQrs } from '../signal/qrs.js';
import { formatEc57Table, scoreQrs } from '../eval/ec57.js';
import { runAction } from './run-action.js';

/** The lead the detector is tuned for and the command reads. */
export const QRS_LEAD = 'MLII';

export interface QrsCommandResult {
  record: string;
  fs: number;
  lead: string;
  peaks: number[];
}

/** Reads the record and detects its R peaks (what the command prints with --json). */
export function qrsOfRecord(recordPath: string, lead = QRS_LEAD): QrsCommandResult {
  const rec = readWfdbRecord(recordPath);
  const { physical } = leadSignal(rec, lead);
  return { record: rec.name, fs: rec.header.fs, lead, peaks: detectQrs(physical, { fs: rec.header.fs }) };
}

export function registerQrs(program: Command): Command {
  return program
    .command('qrs')
    .description('detect R peaks on the MLII lead of a WFDB record; with a .atr beside it, report EC57 Se/+P')
    .argument('<record>', 'WFDB record path without extension, e.g. ../shared/data/mitdb/100')
    .option('--json', 'print one JSON object {record, fs, lead, peaks}')
    .action(
      runAction((recordPath: string, opts: { json?: boolean }) => {
        if (recordPath.endsWith('.hea') || recordPath.endsWith('.dat')) {
          throw new WavegateError('E_ARGUMENT', `qrs: give the record path without extension (${recordPath.replace(/\.(hea|dat)$/, '')})`);
        }
        const t0 = performance.now();
        const result = qrsOfRecord(recordPath);
        const ms = performance.now() - t0;
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(result)}\n`);
          return;
        }
        const { peaks, fs } = result;
        const seconds = peaks.length > 1 ? (peaks[peaks.length - 1] - peaks[0]) / fs : 0;
        const bpm = seconds > 0 ? (60 * (peaks.length - 1)) / seconds : 0;
        process.stdout.write(`record ${result.record}: lead ${result.lead}, ${fs} Hz, ${peaks.length} R peaks, mean rate ${bpm.toFixed(1)} bpm (${ms.toFixed(0)} ms)\n`);
        if (existsSync(`${recordPath}.atr`)) {
          const score = scoreQrs(readWfdbAnnotations(recordPath), peaks, { fs });
          process.stdout.write(`EC57 (150 ms match window, VF/VFL episodes excluded: ${score.excludedBeats} beats)\n`);
          process.stdout.write(`${formatEc57Table([{ record: result.record, result: score }])}\n`);
        } else {
          process.stdout.write(`no reference annotations (${recordPath}.atr): EC57 figures skipped\n`);
        }
      }),
    );
}
