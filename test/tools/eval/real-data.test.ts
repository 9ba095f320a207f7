/**
 * `wavegate eval` on the real data: MIT-BIH records with the committed demo model (a 3-class N/S/V
 * model trained on synthetic beats, so its figures are poor: the structure and the arithmetic are
 * checked, not the quality), and the CWRU files with the test models of bearing-models.ts.
 * Gated on the data with needs(MITDB) / needs(CWRU) (test/helpers/needs.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { scoreQrs } from '../../../src/eval/ec57.js';
import { auroc } from '../../../src/eval/roc.js';
import { readRecord } from '../../../src/io/record.js';
import { readWfdbAnnotations } from '../../../src/io/wfdb-record.js';
import { loadModel } from '../../../src/runtime/model.js';
import { scoreRecord } from '../../../src/scoring/score-record.js';
import { buildCwruDataset } from '../../../tools/datasets/cwru.js';
import { evalCwru } from '../../../tools/eval/cwru.js';
import { cwruJson } from '../../../tools/eval/cwru-summary.js';
import { CWRU, KERNELS, MITDB, needs } from '../../helpers/needs.js';
import { CWRU_DIR, MITDB_DIR } from '../../helpers/shared-data.js';
import { BEARING_HOP, BEARING_WINDOW, writeBearingAnomaly, writeBearingClassifier } from './bearing-models.js';
import { evalCli } from './cli.js';

const DEMO = fileURLToPath(new URL('../../../fixtures/models/ecg-beat-gru-int8.wgm', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'wavegate-eval-real-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const isFraction = (v: unknown) => v === null || (typeof v === 'number' && v >= 0 && v <= 1);

needs(MITDB, KERNELS).describe('eval --mitdb on MIT-BIH records (demo model)', () => {
  const RECORDS = ['100', '232'];

  it('prints exactly the JSON shape, gross figures are the records\' sums, QRS counts are scoreQrs\' on the same detections', async () => {
    const r = await evalCli('--model', DEMO, '--mitdb', MITDB_DIR, '--records', RECORDS.join(','), '--json');
    expect(r.code).toBeUndefined();
    expect(r.out.trim().split('\n')).toHaveLength(1);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['records', 'classes', 'accuracy', 'qrs']);
    expect(Object.keys(j.classes)).toEqual(['N', 'S', 'V', 'F']);
    for (const c of Object.values(j.classes) as Array<Record<string, number | null>>) {
      expect(Object.keys(c)).toEqual(['se', 'ppv', 'f1', 'n']);
      for (const k of ['se', 'ppv', 'f1'] as const) expect(isFraction(c[k]), k).toBe(true);
    }
    expect(Object.keys(j.qrs)).toEqual(['se', 'ppv']);
    expect(isFraction(j.accuracy) && isFraction(j.qrs.se) && isFraction(j.qrs.ppv)).toBe(true);
    expect(j.records.map((x: { record: string }) => x.record)).toEqual(RECORDS);

    // Reference beat counts of the staged files (../shared/data/README.md): 100 has 2273 beats
    // (N 2239, S 33, V 1), 232 has 1780 (N 398, S 1382).
    expect(j.records.map((x: { beats: number }) => x.beats)).toEqual([2273, 1780]);
    expect(j.classes.N.n).toBe(2239 + 398);
    expect(j.classes.S.n).toBe(33 + 1382);
    expect(j.classes.V.n).toBe(1);

    const model = await loadModel(DEMO);
    try {
      let tp = 0, fn = 0, fp = 0;
      for (const rec of j.records) {
        const path = join(MITDB_DIR, rec.record);
        const samples: number[] = [];
        for await (const batch of scoreRecord(model, readRecord(path))) for (const s of batch) samples.push(s.sample);
        const q = scoreQrs(readWfdbAnnotations(path), samples, { fs: 360 });
        expect(rec.qrs).toMatchObject({ tp: q.tp, fn: q.fn, fp: q.fp });
        expect(rec.detected).toBe(samples.length);
        const m: number[][] = rec.confusion.matrix;
        expect(rec.confusion.labels).toEqual(['N', 'S', 'V', 'F', 'Q', 'O']);
        expect(m.flat().reduce((s, v) => s + v, 0)).toBe(q.tp + q.fn + q.fp);
        tp += q.tp; fn += q.fn; fp += q.fp;
      }
      expect(j.qrs.se).toBeCloseTo(tp / (tp + fn), 15);
      expect(j.qrs.ppv).toBeCloseTo(tp / (tp + fp), 15);
    } finally {
      model.dispose();
    }
    for (const c of ['N', 'S', 'V', 'F']) {
      const sum = (k: string) => j.records.reduce((s: number, x: { classes: Record<string, Record<string, number>> }) => s + x.classes[c][k], 0);
      const [ctp, cfn, cfp] = [sum('tp'), sum('fn'), sum('fp')];
      expect(j.classes[c].n).toBe(ctp + cfn);
      expect(j.classes[c].se).toBe(ctp + cfn > 0 ? ctp / (ctp + cfn) : null);
      expect(j.classes[c].ppv).toBe(ctp + cfp > 0 ? ctp / (ctp + cfp) : null);
    }
  }, 120_000);
});

needs(CWRU, KERNELS).describe('eval --cwru on the CWRU files', () => {
  it('scores the same test-region windows as the dataset builder, with a consistent JSON object', async () => {
    const path = writeBearingClassifier(tmp);
    const r = await evalCli('--model', path, '--cwru', CWRU_DIR, '--json');
    expect(r.code).toBeUndefined();
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['files', 'accuracy', 'classes', 'auroc', 'normalAlerts']);
    expect(j.auroc).toBeNull();
    expect(j.normalAlerts).toBeNull();
    expect(j.files).toHaveLength(10);
    const ds = buildCwruDataset({ dir: CWRU_DIR, split: 'test', window: BEARING_WINDOW, hop: BEARING_HOP });
    let correct = 0, total = 0;
    for (const [i, f] of j.files.entries()) {
      expect(f.region).toBe('test');
      // The dataset's test windows of this recording: the same cut of the same chain output.
      expect(f.windows).toBe(Array.from(ds.record).filter((rec) => rec === i).length);
      expect(Object.values(f.predicted as Record<string, number>).reduce((s, v) => s + v, 0)).toBe(f.windows);
      expect(isFraction(f.accuracy)).toBe(true);
      correct += f.predicted[f.label];
      total += f.windows;
    }
    expect(j.files.map((f: { label: string }) => f.label).sort()).toEqual(['B007', 'B014', 'B021', 'IR007', 'IR014', 'IR021', 'OR007', 'OR014', 'OR021', 'normal']);
    expect(j.accuracy).toBeCloseTo(correct / total, 15);
    expect(Object.values(j.classes as Record<string, { n: number }>).reduce((s, c) => s + c.n, 0)).toBe(total);
  }, 120_000);

  it('an anomaly model: AUROC of every window\'s score, the alert rate on normal data at the model\'s threshold', async () => {
    const model = await loadModel(writeBearingAnomaly(tmp, { threshold: 0.5 }));
    try {
      const ev = await evalCwru(model, 'energy', { dir: CWRU_DIR, region: 'test' });
      const j = cwruJson(ev);
      expect(Object.keys(j.classes)).toEqual(['normal', 'anomaly']);
      const scores = ev.files.flatMap((f) => f.scores!);
      const positive = ev.files.flatMap((f) => f.scores!.map(() => f.info.fault !== 'normal'));
      expect(j.auroc).toBe(auroc(scores, positive));
      // The hand-set energy scorer separates faults from the normal baseline (faults shake harder).
      expect(j.auroc!).toBeGreaterThan(0.9);
      const normal = j.files.find((f) => f.label === 'normal')!;
      expect(normal.alertsPerHour).toBeCloseTo(normal.alerts / (normal.seconds / 3600), 9);
      // The summary over the normal files: the threshold, how much normal data, the rate.
      expect(j.normalAlerts).toEqual({ threshold: 0.5, windows: normal.windows, seconds: normal.seconds, alerts: normal.alerts, perHour: normal.alertsPerHour });
      // A threshold below every normal score alerts on normal data at once; the rate follows.
      const low = await loadModel(writeBearingAnomaly(join(tmp), { threshold: 0.01 }));
      try {
        const evLow = cwruJson(await evalCwru(low, 'energy-low', { dir: CWRU_DIR, region: 'all' }));
        const n = evLow.files.find((f) => f.label === 'normal')!;
        expect(n.alerts).toBe(1); // one episode: every window positive
        expect(n.windows).toBeGreaterThan(normal.windows);
        expect(n.accuracy).toBe(0);
      } finally {
        low.dispose();
      }
    } finally {
      model.dispose();
    }
  }, 120_000);
});
