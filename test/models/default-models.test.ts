/**
 * The default models committed in models/ (made by `npm run pipeline`, docs/models.md): each loads,
 * is self-describing (raw input, preprocessing, windowing, labels, detector defaults, provenance),
 * is INT8 and well under 100 KB, and carries its evaluation and training summary. Where the staged
 * data is present, `wavegate eval` on the committed file reproduces the committed INT8 figures
 * exactly: the test region of every CWRU file for the bearing models, the ten staged DS2 records
 * for the ECG model (about 20 s each on two cores).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeWgm } from '../../src/model/load.js';
import { loadModel } from '../../src/runtime/model.js';
import { describeSignalLines } from '../../src/cli/inspect.js';
import { evalCwru } from '../../tools/eval/cwru.js';
import { cwruJson } from '../../tools/eval/cwru-summary.js';
import { evalMitdb } from '../../tools/eval/mitdb.js';
import { mitdbJson } from '../../tools/eval/mitdb-summary.js';
import { DS2_STAGED } from '../../src/labels/splits.js';
import { CWRU, KERNELS, MITDB, needs } from '../helpers/needs.js';
import { CWRU_DIR, MITDB_DIR } from '../helpers/shared-data.js';

const MODELS = fileURLToPath(new URL('../../models/', import.meta.url));
const MAX_BYTES = 100 * 1024;

interface Card {
  name: string;
  labels: string[];
  windowing: 'beat' | 'fixed';
  features: boolean;
}
const CARDS: Card[] = [
  { name: 'bearing-fault', labels: ['normal', 'IR007', 'IR014', 'IR021', 'B007', 'B014', 'B021', 'OR007', 'OR014', 'OR021'], windowing: 'fixed', features: false },
  { name: 'bearing-anomaly', labels: ['normal', 'anomaly'], windowing: 'fixed', features: false },
  { name: 'ecg-arrhythmia', labels: ['N', 'S', 'V', 'F', 'Q'], windowing: 'beat', features: true },
];

const path = (name: string, ext: string) => join(MODELS, `${name}${ext}`);
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

describe.each(CARDS.map((c) => [c.name, c] as const))('models/%s.wgm', (_name, card) => {
  it('is committed with its evaluation and training summary, INT8 and under 100 KB', () => {
    for (const ext of ['.wgm', '.eval.json', '.training.json']) expect(existsSync(path(card.name, ext)), `${card.name}${ext}`).toBe(true);
    expect(statSync(path(card.name, '.wgm')).size).toBeLessThan(MAX_BYTES);
    const ev = readJson(path(card.name, '.eval.json'));
    expect(Object.keys(ev)).toEqual(['int8', 'f32', 'verify']);
    expect(ev.verify.agreement).toBeGreaterThanOrEqual(0.98);
    const training = readJson(path(card.name, '.training.json'));
    expect(training.synthetic).toBe(false);
    expect(training.model).toBe(`${card.name}.wgm`);
  });

  it('holds its recurrent and dense weights as INT8 (a dense layer f32 only where the quantizer measured a class loss and says so)', () => {
    const { metadata, tensors } = decodeWgm(new Uint8Array(readFileSync(path(card.name, '.wgm'))));
    const weights = [...tensors.entries()].filter(([n]) => /\.(W|R)$/.test(n));
    expect(weights.length).toBeGreaterThanOrEqual(2);
    const inputs = (metadata.provenance as { calibration?: { inputs?: Record<string, { chosen: string }> } } | undefined)?.calibration?.inputs ?? {};
    const keptFloat = new Set(Object.entries(inputs).filter(([, v]) => v.chosen === 'f32').map(([k]) => k));
    for (const [n, t] of weights) expect(t.dtype, n).toBe(keptFloat.has(n.split('.')[0]) ? 'F32' : 'I8');
    // The recurrent layers are always INT8.
    for (const l of metadata.layers) if (l.type === 'gru' || l.type === 'lstm') expect(l.precision, l.name).toBe('int8');
  });

  needs(KERNELS).it('loads and describes itself: input, preprocessing, windowing, labels, detector, provenance', async () => {
    const model = await loadModel(path(card.name, '.wgm'));
    try {
      const m = model.metadata;
      expect(m.name).toBe(card.name);
      expect(m.description?.length).toBeGreaterThan(40);
      expect(m.labels).toEqual(card.labels);
      expect(m.input.raw?.sampleRate).toBeGreaterThan(0);
      expect(m.input.preprocessing?.length).toBeGreaterThan(0);
      expect(m.input.windowing?.mode).toBe(card.windowing);
      expect(Boolean(m.input.features)).toBe(card.features);
      if (card.features) expect(m.input.features?.normalize).toBeDefined();
      expect(m.detector?.normalLabels).toEqual([card.labels[0]]);
      if (card.name === 'bearing-anomaly') expect(m.detector?.thresholds?.anomaly).toBeGreaterThanOrEqual(0.5);
      if (card.name === 'bearing-fault') {
        // One accelerometer channel in, 32 bands per frame into the network; inspect counts frames.
        expect(m.input.preprocessing?.at(-1)?.kind).toBe('spectrum');
        expect([m.input.raw?.channels, m.input.channels]).toEqual([['DE'], 32]);
        expect(describeSignalLines(m)).toContain('windowing  fixed: 7 frames every 2');
      }
      expect(m.provenance).toBeDefined();
      expect(JSON.stringify(m.provenance)).toMatch(/[0-9a-f]{64}/); // source and calibration digests
    } finally {
      model.dispose();
    }
  });
});

needs(CWRU, KERNELS).describe('wavegate eval --cwru reproduces the committed bearing figures', () => {
  it.each(['bearing-fault', 'bearing-anomaly'])('%s', async (name) => {
    const committed = readJson(path(name, '.eval.json')).int8;
    const model = await loadModel(path(name, '.wgm'));
    try {
      const j = cwruJson(await evalCwru(model, path(name, '.wgm'), { dir: CWRU_DIR, region: 'test' }));
      expect(j.files).toEqual(committed.files);
      expect(j.classes).toEqual(committed.classes);
      expect(j.accuracy).toBe(committed.accuracy);
      expect(j.auroc).toBe(committed.auroc);
      expect(j.normalAlerts).toEqual(committed.normalAlerts);
    } finally {
      model.dispose();
    }
  }, 300_000);
});

needs(CWRU, KERNELS).describe('bearing-fault does not depend on the signal level', () => {
  // Its spectrum stage takes log band energies relative to each frame's mean: a sensor of another
  // sensitivity changes no input beyond the floor's effect, so no test window changes class.
  it('the same class on every test window at gains 0.25 and 4 as at 1', async () => {
    const model = await loadModel(path('bearing-fault', '.wgm'));
    try {
      const at = async (gain: number) => (await evalCwru(model, 'bearing-fault.wgm', { dir: CWRU_DIR, region: 'test', gain })).files.map((f) => f.predicted);
      const base = await at(1);
      expect(base.flat().length).toBeGreaterThan(800);
      expect(await at(0.25)).toEqual(base);
      expect(await at(4)).toEqual(base);
    } finally {
      model.dispose();
    }
  }, 300_000);
});

needs(MITDB, KERNELS).describe('wavegate eval --mitdb reproduces the committed ECG figures', () => {
  it('the staged DS2 records', async () => {
    const committed = readJson(path('ecg-arrhythmia', '.eval.json')).int8;
    const model = await loadModel(path('ecg-arrhythmia', '.wgm'));
    try {
      const j = mitdbJson(await evalMitdb(model, path('ecg-arrhythmia', '.wgm'), { dir: MITDB_DIR, records: DS2_STAGED }));
      expect(j.records.map((r) => r.record)).toEqual(DS2_STAGED);
      expect(JSON.parse(JSON.stringify(j))).toEqual(committed);
    } finally {
      model.dispose();
    }
  }, 600_000);
});
