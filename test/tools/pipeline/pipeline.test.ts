/**
 * `npm run pipeline` on its tiny synthetic configuration (--synthetic: synthetic records in the
 * MIT-BIH and CWRU file formats, read by the same `wavegate dataset build` and `wavegate eval`
 * commands as the staged data, and the tiny recipe): every step runs, the published model is self-describing and loads,
 * the evaluation JSON has the documented shape, and a second run skips what is up to date while an
 * output removed is made again (resumable). The ECG task covers side features; bearing-anomaly
 * covers outlier exposure and the threshold calibration written into the detector defaults.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { loadModel } from '../../../src/runtime/model.js';
import { needs, TORCH } from '../../helpers/needs.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
/** A synthetic run trains two tiny models for two epochs each; minutes on a loaded 2-core machine. */
const RUN_TIMEOUT_MS = 600_000;

function pipeline(args: string[]) {
  const r = spawnSync(TSX, [join(ROOT, 'tools', 'pipeline', 'main.ts'), '--synthetic', '--threads', '1', ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: RUN_TIMEOUT_MS, env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  return { status: r.status, log: `${r.stdout}\n${r.stderr}` };
}

needs(TORCH).describe('npm run pipeline --synthetic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wavegate-pipeline-'));
  const models = join(dir, 'models');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ecg: every step, a self-describing INT8 model with RR features, its evaluation; then resumes', async () => {
    const work = join(dir, 'ecg');
    const first = pipeline(['--task', 'ecg', '--work', work, '--models', models]);
    expect(first.status, first.log).toBe(0);
    for (const step of ['records', 'dataset-train', 'teacher', 'distill', 'export', 'quantize', 'verify', 'evaluate', 'publish']) {
      expect(first.log).toMatch(new RegExp(`\\] ${step}: done in`));
    }
    const wgm = join(models, 'ecg-arrhythmia.wgm');
    const model = await loadModel(wgm);
    const meta = model.metadata;
    expect(meta.name).toBe('ecg-arrhythmia');
    expect(meta.input.features?.kind).toBe('rr');
    expect(meta.input.features?.names.length).toBeGreaterThan(0);
    expect(meta.input.windowing?.mode).toBe('beat');
    expect(meta.labels).toEqual(['N', 'S', 'V', 'F', 'Q']);
    expect(meta.detector?.normalLabels).toEqual(['N']);
    expect(statSync(wgm).size).toBeLessThan(statSync(join(work, 'model-f32.wgm')).size); // INT8 recurrent weights

    const evaluation = JSON.parse(readFileSync(join(models, 'ecg-arrhythmia.eval.json'), 'utf8'));
    // `wavegate eval --mitdb --json` on the three synthetic test records (EC57 classes N, S, V, F).
    for (const e of [evaluation.int8, evaluation.f32]) {
      expect(Object.keys(e.classes)).toEqual(['N', 'S', 'V', 'F']);
      for (const name of ['N', 'S', 'V']) {
        const c = e.classes[name] as { n: number; se: number | null };
        expect(c.n).toBeGreaterThan(0);
        expect(c.se === null || (c.se >= 0 && c.se <= 1)).toBe(true);
      }
      expect(e.accuracy).toBeGreaterThanOrEqual(0);
      expect(e.records.length).toBe(3);
      expect(e.qrs.se).toBeGreaterThan(0.9);
    }
    expect(evaluation.verify.agreement).toBeGreaterThanOrEqual(0.98);
    const training = JSON.parse(readFileSync(join(models, 'ecg-arrhythmia.training.json'), 'utf8'));
    expect(training.export.inputs).toEqual(['x', 'f']);
    expect(training.export.checked).toBe(true);

    // Resumable: nothing changed -> every step is up to date; an output removed -> its step runs again,
    // and the steps after it stay up to date because what it makes is the same (deterministic).
    // Publishing runs every time: a published file replaced meanwhile (a checkout, another run) is put back.
    rmSync(join(work, 'eval.json'));
    writeFileSync(join(models, 'ecg-arrhythmia.wgm'), 'replaced');
    const second = pipeline(['--task', 'ecg', '--work', work, '--models', models]);
    expect(second.status, second.log).toBe(0);
    expect(second.log).toMatch(/\] teacher: up to date/);
    expect(second.log).toMatch(/\] evaluate: done in/);
    expect(second.log).toMatch(/\] publish: done in/);
    expect(existsSync(join(work, 'eval.json'))).toBe(true);
    expect(readFileSync(join(models, 'ecg-arrhythmia.wgm')).equals(readFileSync(join(work, 'model.wgm')))).toBe(true);
  }, 2 * RUN_TIMEOUT_MS);

  it('bearing: the model carries the spectrum stage and reads 7-frame windows of 32 bands from one accelerometer channel', async () => {
    const work = join(dir, 'bearing');
    const r = pipeline(['--task', 'bearing', '--work', work, '--models', models]);
    expect(r.status, r.log).toBe(0);
    const model = await loadModel(join(models, 'bearing-fault.wgm'));
    const input = model.metadata.input;
    expect(input.preprocessing?.at(-1)).toEqual({ kind: 'spectrum', frame: 256, hop: 128, low: 0, high: 6000, bands: 32, level: 'relative' });
    expect([input.channels, input.raw?.channels, input.sampleRate, input.windowing]).toEqual([32, ['DE'], 93.75, { mode: 'fixed', window: 7, hop: 2 }]);
    const evaluation = JSON.parse(readFileSync(join(models, 'bearing-fault.eval.json'), 'utf8'));
    // `wavegate eval --cwru --region test` ran the device chain over the four CWRU-like files.
    expect(evaluation.int8.files.length).toBe(4);
    expect(evaluation.int8.accuracy).toBeGreaterThanOrEqual(0);
    expect(evaluation.verify.agreement).toBeGreaterThanOrEqual(0.98);
  }, RUN_TIMEOUT_MS);

  it('bearing-anomaly: outlier exposure, calibrated threshold in the detector defaults, AUROC in the evaluation', async () => {
    const work = join(dir, 'anomaly');
    const r = pipeline(['--task', 'bearing-anomaly', '--work', work, '--models', models]);
    expect(r.status, r.log).toBe(0);
    const model = await loadModel(join(models, 'bearing-anomaly.wgm'));
    expect(model.metadata.labels).toEqual(['normal', 'anomaly']);
    const threshold = model.metadata.detector?.thresholds?.anomaly;
    expect(threshold).toBeGreaterThanOrEqual(0.5); // the calibration's floor
    expect(threshold).toBeLessThanOrEqual(1);
    expect(model.metadata.detector?.normalLabels).toEqual(['normal']);
    const calibration = JSON.parse(readFileSync(join(work, 'calibration.json'), 'utf8'));
    expect(calibration.threshold).toBeCloseTo(threshold!, 5);
    expect(calibration.threshold).toBeGreaterThanOrEqual(calibration.maxNormalScore);
    const evaluation = JSON.parse(readFileSync(join(models, 'bearing-anomaly.eval.json'), 'utf8'));
    expect(evaluation.int8.auroc).toBeGreaterThanOrEqual(0);
    expect(evaluation.int8.auroc).toBeLessThanOrEqual(1);
    // `wavegate eval --cwru --region test --json` on the four CWRU-like files.
    expect(Object.keys(evaluation.int8.classes)).toEqual(['normal', 'anomaly']);
    expect(evaluation.int8.normalAlerts.threshold).toBeCloseTo(threshold!, 5);
    expect(evaluation.int8.normalAlerts.windows).toBeGreaterThan(0);
    expect(evaluation.int8.files.map((f: { file: string; label: string }) => `${f.file} ${f.label}`)).toEqual([
      '12k_Drive_End_B007_0_118.mat anomaly', '12k_Drive_End_IR007_0_105.mat anomaly', '12k_Drive_End_OR007@6_0_130.mat anomaly', 'normal_0_97.mat normal',
    ]);
  }, RUN_TIMEOUT_MS);
});
