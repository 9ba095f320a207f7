/**
 * The signal contract end to end, as a user runs it (issue 8, item 5): a dataset built from a
 * staged recording, a model imported with that dataset's metadata (`import --dataset`), and then
 *
 *   wavegate score --model m.wgm --input ds.npz      (the dataset's windows and side features)
 *   wavegate score --model m.wgm --record <recording> (the raw recording through the model's chain)
 *
 * must give the same outputs for every window the dataset holds, matched by `sample` (the R peak
 * or the window start in the recording's own samples). The model is a small seeded PyTorch network
 * exported to ONNX here (GRU + side features for ECG, GRU for CWRU): its weights do not matter,
 * only that both paths feed it the same bits. f32 and INT8 models alike; budget 0: the windows
 * and features are bit-identical (test/tools/datasets/contract.test.ts) and a window's output does
 * not depend on what else is in its kernel batch.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect } from 'vitest';
import { readNpz, requireArray } from '../../src/io/npz.js';
import { CWRU, MITDB, PYTHON, TORCH, needs } from '../helpers/needs.js';
import { CWRU_DIR, MITDB_DIR } from '../helpers/shared-data.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/wavegate.js');
const tmp = mkdtempSync(join(tmpdir(), 'wavegate-roundtrip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function wavegate(...args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`wavegate ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** A seeded GRU classifier [B, T, C] (+ side features [B, F]) -> softmax [B, K], exported to ONNX. */
function makeOnnx(out: string, T: number, C: number, F: number, K: number): void {
  const script = `
import sys, torch, torch.nn as nn
T, C, F, K, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
torch.manual_seed(7)
class M(nn.Module):
    def __init__(s):
        super().__init__()
        s.rnn = nn.GRU(C, 12, batch_first=True)
        s.fc = nn.Linear(12 + F, K)
    def forward(s, x, f=None):
        _, h = s.rnn(x)
        z = h[-1] if F == 0 else torch.cat([h[-1], f], dim=1)
        return torch.softmax(s.fc(z), dim=-1)
names = ['x'] + (['f'] if F else [])
args = (torch.randn(2, T, C),) + ((torch.randn(2, F),) if F else ())
torch.onnx.export(M().eval(), args, out, input_names=names, output_names=['p'], opset_version=14,
                  dynamic_axes={n: {0: 'batch'} for n in names + ['p']})
`;
  const r = spawnSync(PYTHON, ['-c', script, String(T), String(C), String(F), String(K), out], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`ONNX export failed: ${r.stderr}`);
}

interface Line { index: number; sample?: number; output: number[] }
const lines = (path: string): Line[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);

/** For every dataset window (of `record` when given), the --record line at its sample has the same output. */
function expectSameOutputs(ds: string, byInput: Line[], byRecord: Line[], record?: number): number {
  const npz = readNpz(readFileSync(ds), ds);
  const sample = requireArray(npz, 'sample', ds).data as BigInt64Array;
  const rec = requireArray(npz, 'record', ds).data as Int32Array;
  const atSample = new Map(byRecord.map((l) => [l.sample!, l.output]));
  let compared = 0;
  for (let i = 0; i < sample.length; i++) {
    if (record !== undefined && rec[i] !== record) continue;
    const got = atSample.get(Number(sample[i]));
    expect(got, `dataset window ${i} (sample ${sample[i]}) has no --record line`).toBeDefined();
    expect(got, `dataset window ${i} (sample ${sample[i]})`).toEqual(byInput[i].output);
    compared++;
  }
  return compared;
}

describe('dataset -> import --dataset -> score --input equals score --record', () => {
  needs(MITDB, TORCH).it('ECG: MIT-BIH 100, beat windows on the device QRS detections, 6 RR side features; f32 and INT8', () => {
    const ds = join(tmp, 'mitdb-100.npz');
    wavegate('dataset', 'build', '--source', `mitdb:${MITDB_DIR}`, '--split', '100', '--peaks', 'detector', '--out', ds, '--quiet');
    const onnx = join(tmp, 'ecg.onnx');
    makeOnnx(onnx, 256, 1, 6, 5);
    for (const int8 of [false, true]) {
      const model = join(tmp, `ecg${int8 ? '-int8' : ''}.wgm`);
      wavegate('import', onnx, '--dataset', ds, '--out', model, ...(int8 ? ['--int8'] : []));
      const a = join(tmp, 'ecg-input.jsonl'), b = join(tmp, 'ecg-record.jsonl');
      wavegate('score', '--model', model, '--input', ds, '--out', a, '--no-progress');
      wavegate('score', '--model', model, '--record', join(MITDB_DIR, '100'), '--out', b, '--no-progress');
      const compared = expectSameOutputs(ds, lines(a), lines(b));
      // Record 100 has 2273 beats; the detector finds them all (docs/signals.md), the dataset keeps the labelled ones.
      expect(compared).toBeGreaterThan(2200);
    }
  }, 600_000);

  needs(CWRU, TORCH).it('bearing: CWRU fixed windows (test region), the 48 kHz baseline through its decimate stage and a 12 kHz fault file', () => {
    const ds = join(tmp, 'cwru-test.npz');
    wavegate('dataset', 'build', '--source', `cwru:${CWRU_DIR}`, '--split', 'test', '--window', '256', '--hop', '256', '--out', ds, '--quiet');
    const onnx = join(tmp, 'cwru.onnx');
    makeOnnx(onnx, 256, 1, 0, 10);
    const model = join(tmp, 'cwru.wgm');
    wavegate('import', onnx, '--dataset', ds, '--out', model);
    const a = join(tmp, 'cwru-input.jsonl');
    wavegate('score', '--model', model, '--input', ds, '--out', a, '--no-progress');
    const meta = JSON.parse(new TextDecoder().decode(requireArray(readNpz(readFileSync(ds), ds), 'meta', ds).data as Uint8Array)) as { records: string[] };
    const files = readdirSync(CWRU_DIR).filter((f) => f.endsWith('.mat'));
    for (const file of [files.find((f) => f.startsWith('normal_'))!, files.find((f) => f.includes('IR007'))!]) {
      const b = join(tmp, `${file}.jsonl`);
      wavegate('score', '--model', model, '--record', join(CWRU_DIR, file), '--out', b, '--no-progress');
      const compared = expectSameOutputs(ds, lines(a), lines(b), meta.records.indexOf(file));
      expect(compared, file).toBeGreaterThan(40);
    }
  }, 600_000);
});
