/**
 * `wavegate eval` without the real data: the full device pipeline on a synthetic ECG record with
 * the committed demo model (EC57 arithmetic checked by moving known pairs), and every refusal of
 * bad input, each one `wavegate: E_CODE: message` before any work (no report file is left).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ANNOTATION_SYMBOLS } from '../../../src/io/wfdb-annotations.js';
import { encodeMitAnnotations } from '../../../src/io/wfdb-write.js';
import { readWfdbAnnotations } from '../../../src/io/wfdb-record.js';
import { EC57_MATRIX_LABELS, classFigures } from '../../../src/eval/beat-classes.js';
import { decodeWgm } from '../../../src/model/load.js';
import { encodeWgm } from '../../../src/model/write.js';
import { loadModel } from '../../../src/runtime/model.js';
import { evalMitdb, mitdbRecordList } from '../../../tools/eval/mitdb.js';
import { mitdbJson } from '../../../tools/eval/mitdb-summary.js';
import { KERNELS, needs } from '../../helpers/needs.js';
import { writeSyntheticEcgRecord } from '../datasets/synthetic-record.js';
import { writeBearingClassifier } from './bearing-models.js';
import { evalCli } from './cli.js';

const DEMO = fileURLToPath(new URL('../../../fixtures/models/ecg-beat-gru-int8.wgm', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'wavegate-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

const CODE = Object.fromEntries(Object.entries(ANNOTATION_SYMBOLS).map(([code, sym]) => [sym, Number(code)]));
const idx = (label: string) => EC57_MATRIX_LABELS.indexOf(label as (typeof EC57_MATRIX_LABELS)[number]);

const { dir: synDir } = writeSyntheticEcgRecord('100', { seconds: 60, seed: 3 });

needs(KERNELS).describe('eval --mitdb on a synthetic record, through the device chain', () => {
  it('moves exactly the pairs that edited reference annotations move', async () => {
    const model = await loadModel(DEMO);
    try {
      const base = (await evalMitdb(model, DEMO, { dir: synDir, records: ['100'] })).records[0];
      expect(base.detected).toBeGreaterThan(60); // about 70 beats a minute
      const matched = base.pairs.filter((p) => p.refSample !== undefined && p.detSample !== undefined);
      // a: a matched beat whose annotation is deleted -> its detection becomes an extra one (row O).
      // b: a matched N beat relabelled F -> the pair moves from row N to row F.
      // c: a V annotation in the middle of a long RR gap, far from any detection -> missed (column O).
      const a = matched[10];
      const b = matched.find((p, i) => i > 12 && p.ref === 'N')!;
      const dets = base.pairs.flatMap((p) => (p.detSample !== undefined ? [p.detSample] : []));
      let c = -1;
      for (let i = 20; i + 1 < dets.length && c < 0; i++) if (dets[i + 1] - dets[i] > 200) c = Math.round((dets[i] + dets[i + 1]) / 2);
      expect(c).toBeGreaterThan(0);

      const anns = readWfdbAnnotations(join(synDir, '100'))
        .filter((x) => x.sample !== a.refSample)
        .map((x) => ({ sample: x.sample, code: x.sample === b.refSample ? CODE.F : CODE[x.symbol] }));
      anns.push({ sample: c, code: CODE.V });
      anns.sort((x, y) => x.sample - y.sample);
      const edited = join(tmp, 'edited');
      mkdirSync(edited);
      for (const ext of ['hea', 'dat']) copyFileSync(join(synDir, `100.${ext}`), join(edited, `100.${ext}`));
      writeFileSync(join(edited, '100.atr'), encodeMitAnnotations(anns));

      const ev = await evalMitdb(model, DEMO, { dir: edited, records: ['100'] });
      const want = base.matrix.map((row) => [...row]);
      want[idx(a.ref)][idx(a.pred)]--;
      want[idx('O')][idx(a.pred)]++;
      want[idx('N')][idx(b.pred)]--;
      want[idx('F')][idx(b.pred)]++;
      want[idx('V')][idx('O')]++;
      expect(ev.records[0].matrix).toEqual(want);

      // The JSON figures are the EC57 formulas of that matrix (rows reference, columns predicted).
      const m = ev.matrix;
      const [N, S, V, F, Q, O] = ['N', 'S', 'V', 'F', 'Q', 'O'].map(idx);
      const j = mitdbJson(ev);
      const vfp = m[N][V] + m[S][V] + m[O][V]; // not F->V, not Q->V
      const vrow = m[V].reduce((s, x) => s + x, 0);
      expect(j.classes.V.n).toBe(vrow);
      if (vrow > 0) expect(j.classes.V.se).toBeCloseTo(m[V][V] / vrow, 15);
      if (m[V][V] + vfp > 0) expect(j.classes.V.ppv).toBeCloseTo(m[V][V] / (m[V][V] + vfp), 15);
      expect(j.records[0].classes.F).toEqual(classFigures(m, 'F'));
      const detectedRef = [N, S, V, F, Q].reduce((s, i) => s + m[i].slice(0, O).reduce((x, y) => x + y, 0), 0);
      const missed = [N, S, V, F, Q].reduce((s, i) => s + m[i][O], 0);
      expect(j.qrs.se).toBeCloseTo(detectedRef / (detectedRef + missed), 15);
      expect(j.records[0].qrs.fp).toBe(m[O].reduce((s, x) => s + x, 0));
      expect(j.records[0].detected).toBe(base.detected);
    } finally {
      model.dispose();
    }
  });

  it('prints the text tables and writes nothing else without --report', async () => {
    const r = await evalCli('--model', DEMO, '--mitdb', synDir, '--records', '100');
    expect(r.code).toBeUndefined();
    expect(r.out).toMatch(/^model ecg-beat-gru \(INT8\): /);
    expect(r.out).toMatch(/\n100 +\d+ +\d+ /);
    expect(r.out).toMatch(/confusion \(gross\)/);
  });
});

describe('eval refuses bad input before any work', () => {
  let reports = 0;
  const fail = async (pattern: RegExp, ...args: string[]) => {
    const report = join(tmp, `never-${reports++}.html`);
    const r = await evalCli(...args, '--report', report);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(pattern);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(report)).toBe(false);
  };

  it('a record folder without annotations', async () => {
    const noAtr = join(tmp, 'no-atr');
    mkdirSync(noAtr);
    for (const ext of ['hea', 'dat']) copyFileSync(join(synDir, `100.${ext}`), join(noAtr, `100.${ext}`));
    await fail(/^wavegate: E_NOT_FOUND: .*100\.atr: record 100 has no reference annotations/, '--model', DEMO, '--mitdb', noAtr, '--records', '100');
  });

  it('paced records unless --allow-paced, missing records, missing folders', async () => {
    await fail(/^wavegate: E_ARGUMENT: --records: 102, 217 are paced records.*--allow-paced/, '--model', DEMO, '--mitdb', synDir, '--records', '100,102,217');
    await fail(/^wavegate: E_NOT_FOUND: .*102\.hea: no such record header/, '--model', DEMO, '--mitdb', synDir, '--records', '102', '--allow-paced');
    await fail(/^wavegate: E_NOT_FOUND: --mitdb .*nowhere: no such folder/, '--model', DEMO, '--mitdb', join(tmp, 'nowhere'));
    await fail(/^wavegate: E_NOT_FOUND: --mitdb .*: none of the DS2 test records/, '--model', DEMO, '--mitdb', tmp);
  });

  it('a model whose labels are not AAMI classes, or that is not a beat model', async () => {
    const m = decodeWgm(new Uint8Array(await import('node:fs').then((f) => f.readFileSync(DEMO))));
    const relabelled = join(tmp, 'relabelled.wgm');
    writeFileSync(relabelled, encodeWgm({ ...m, metadata: { ...m.metadata, labels: ['normal', 'svt', 'V'], detector: undefined } }));
    await fail(/^wavegate: E_MODEL_UNSUPPORTED: .*relabelled\.wgm: labels \[normal, svt, V\] do not map to AAMI classes: "normal", "svt" is not one of N, S, V, F, Q/, '--model', relabelled, '--mitdb', synDir, '--records', '100');
    const bearing = writeBearingClassifier(tmp);
    await fail(/^wavegate: E_MODEL_UNSUPPORTED: .*eval --mitdb needs a beat model/, '--model', bearing, '--mitdb', synDir, '--records', '100');
    await fail(/^wavegate: E_MODEL_UNSUPPORTED: .*eval --cwru needs a fixed-window model/, '--model', DEMO, '--cwru', synDir);
  });

  it('a CWRU file name that does not parse, an empty CWRU folder', async () => {
    const bearing = writeBearingClassifier(tmp);
    const cwru = join(tmp, 'cwru');
    mkdirSync(cwru);
    await fail(/^wavegate: E_NOT_FOUND: --cwru .*: no \.mat files/, '--model', bearing, '--cwru', cwru);
    writeFileSync(join(cwru, '12k_Drive_End_IR007_0_105.mat'), 'not read before the names are checked');
    writeFileSync(join(cwru, 'bearing_7.mat'), '');
    await fail(/^wavegate: E_INPUT: .*bearing_7\.mat: bearing_7\.mat: not a CWRU file name/, '--model', bearing, '--cwru', cwru);
  });

  it('conflicting or misplaced options', async () => {
    await fail(/^wavegate: E_ARGUMENT: eval: give exactly one of --mitdb <dir> and --cwru <dir>/, '--model', DEMO, '--mitdb', synDir, '--cwru', synDir);
    await fail(/^wavegate: E_ARGUMENT: eval: give exactly one of/, '--model', DEMO);
    await fail(/^wavegate: E_ARGUMENT: eval: --records applies to --mitdb/, '--model', DEMO, '--cwru', synDir, '--records', '100');
    await fail(/^wavegate: E_ARGUMENT: eval: --region applies to --cwru/, '--model', DEMO, '--mitdb', synDir, '--region', 'test');
    await fail(/^wavegate: E_ARGUMENT: --region must be one of train, val, test, all/, '--model', DEMO, '--cwru', synDir, '--region', 'later');
    await fail(/^wavegate: E_ARGUMENT: eval: --gain applies to --cwru/, '--model', DEMO, '--mitdb', synDir, '--gain', '2');
    await fail(/^wavegate: E_ARGUMENT: --gain must be a number > 0, got "-1"/, '--model', DEMO, '--cwru', synDir, '--gain', '-1');
    const r = await evalCli('--model', DEMO, '--mitdb', synDir, '--records', '100', '--report', tmp); // a folder
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^wavegate: E_ARGUMENT: --report .*: /);
  });

  it('takes the DS2 records present by default', () => {
    const ds2 = join(tmp, 'ds2');
    mkdirSync(ds2);
    for (const r of ['232', '100', '101']) writeFileSync(join(ds2, `${r}.hea`), '');
    expect(mitdbRecordList(ds2, undefined, false)).toEqual(['100', '232']); // DS2 order; 101 is DS1
  });
});
