/**
 * The signal contract end to end (issue 8, item 5): a dataset built from a raw recording and the
 * device's signal chain run on the same raw recording, pushed in chunks as a device receives
 * them, give identical windows and side features, bit for bit in float32. The chain is built from
 * the dataset's own meta.input alone, the stage list and the feature normalisation included, as
 * a model imported with that dataset would carry them.
 *
 * ECG: beat windows on the device QRS detector's peaks with RR features (a synthetic WFDB record
 * always; the staged MIT-BIH DS2 records when the data is there). CWRU: fixed windows of a 12 kHz
 * fault file and of the 48 kHz normal baseline (decimated by the leading stage).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { leadSignal, readWfdbRecord } from '../../../src/io/wfdb-record.js';
import { readMat5 } from '../../../src/io/mat5.js';
import { cwruFileInfo } from '../../../src/labels/cwru.js';
import { createSignalChain, type ChainWindow } from '../../../src/signal/chain.js';
import type { InputSpec } from '../../../src/model/schema.js';
import { buildMitdbDataset } from '../../../tools/datasets/mitdb.js';
import { buildCwruDataset } from '../../../tools/datasets/cwru.js';
import { parsePreprocessSpec } from '../../../tools/datasets/preprocess.js';
import { decodeDataset, encodeDataset, type DatasetArrays } from '../../../tools/datasets/dataset-file.js';
import { Rng } from '../../../tools/synth/rng.js';
import { CWRU_DIR, MITDB_DIR } from '../../helpers/shared-data.js';
import { CWRU, MITDB, needs } from '../../helpers/needs.js';
import { writeSyntheticEcgRecord } from './synthetic-record.js';

/** The device: the chain of `input` fed `frames` in chunks of seeded random sizes (1 frame to ~2 s), then flushed. */
function device(input: InputSpec, rate: number, frames: Float32Array, seed: number): ChainWindow[] {
  const chain = createSignalChain(input, rate);
  const rng = new Rng(seed);
  const c = chain.streamChannels;
  const out: ChainWindow[] = [];
  for (let f = 0; f * c < frames.length;) {
    const n = rng.int(1, 2 * rate);
    out.push(...chain.push(frames.subarray(f * c, (f + n) * c)));
    f += n;
  }
  return [...out, ...chain.flush()];
}

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Every window of record `rec` of the dataset is a device window with the same sample, the same x bits and feature bits. Returns the count. */
function expectSameAsDevice(d: DatasetArrays, rec: number, windows: ChainWindow[]): number {
  const bySample = new Map(windows.map((w) => [w.sample, w]));
  const f = d.meta.input.features?.names.length ?? 0;
  const wlen = d.t * d.c;
  let n = 0;
  for (let i = 0; i < d.n; i++) {
    if (d.record[i] !== rec) continue;
    const w = bySample.get(Number(d.sample[i]));
    expect(w, `dataset window ${i} at sample ${d.sample[i]} has no device window`).toBeDefined();
    expect(bits(w!.data).equals(bits(d.x.subarray(i * wlen, (i + 1) * wlen))), `x of window ${i}`).toBe(true);
    if (f > 0) expect(bits(w!.features!).equals(bits(d.features!.subarray(i * f, (i + 1) * f))), `features of window ${i}`).toBe(true);
    n++;
  }
  return n;
}

describe('dataset = device: ECG beat windows on detector peaks, RR features', () => {
  it('synthetic WFDB record: every window and feature vector, bit for bit, and nothing the device cuts is missing but unmatched ones', () => {
    const { dir } = writeSyntheticEcgRecord('100', { seconds: 120, seed: 17 });
    // Through the file format, as a user's `wavegate import --dataset` would read it.
    const d = decodeDataset(encodeDataset(buildMitdbDataset({ dir, split: '100', peaks: 'detector' })));
    expect(d.meta.input.features!.normalize).toBeDefined();
    const signal = leadSignal(readWfdbRecord(join(dir, '100')), 'MLII').physical;
    const windows = device(d.meta.input, 360, signal, 1);
    const same = expectSameAsDevice(d, 0, windows);
    expect(same).toBe(d.n);
    expect(windows.length).toBe(d.n + (d.meta.unmatchedDetections as number));
    expect(d.n).toBeGreaterThan(100);
  });

  needs(MITDB).it('the staged MIT-BIH DS2 records, MLII, default band-pass and RR features', () => {
    const d = buildMitdbDataset({ dir: MITDB_DIR, split: 'DS2_STAGED', peaks: 'detector' });
    let same = 0, device_ = 0;
    d.meta.records.forEach((name, rec) => {
      const signal = leadSignal(readWfdbRecord(join(MITDB_DIR, name)), 'MLII').physical;
      const windows = device(d.meta.input, d.meta.recordRates[rec], signal, 100 + rec);
      same += expectSameAsDevice(d, rec, windows);
      device_ += windows.length;
    });
    expect(same).toBe(d.n);
    expect(device_).toBe(d.n + (d.meta.unmatchedDetections as number));
    // docs/datasets.md quotes these two figures
    expect([d.n, d.meta.unmatchedDetections]).toEqual([25529, 32]);
    console.log(`[contract] MIT-BIH DS2_STAGED, detector peaks: ${same} beat windows x ${d.t} samples and ${d.meta.input.features!.names.length} RR features identical to the device chain's (${device_} device windows, ${String(d.meta.unmatchedDetections)} without a reference beat)`);
  });
});

needs(CWRU).describe('dataset = device: CWRU fixed windows', () => {
  const cases = [
    { spec: 'decimate:12000,highpass:10', window: 1024, hop: 512, what: 'windows of 1024 samples (decimate + high-pass)' },
    { spec: 'decimate:12000,spectrum:256:128:0-6000:32:relative', window: 7, hop: 4, what: 'windows of 7 spectrum frames x 32 bands (decimate + spectrum)' },
  ];
  it.each(cases)('a 12 kHz fault file and the 48 kHz normal baseline ($spec), every window bit for bit', ({ spec, window, hop, what }) => {
    const d = buildCwruDataset({ dir: CWRU_DIR, split: 'train', window, hop, preprocessing: parsePreprocessSpec(spec) });
    let same = 0;
    for (const file of ['12k_Drive_End_B007_0_118.mat', 'normal_0_97.mat']) {
      const info = cwruFileInfo(file);
      const de = Float32Array.from(readMat5(readFileSync(join(CWRU_DIR, file)), file).get(`${info.varPrefix}_DE_time`)!.data);
      const rec = d.meta.records.indexOf(file);
      expect(d.meta.recordRates[rec]).toBe(info.fs);
      const n = expectSameAsDevice(d, rec, device(d.meta.input, info.fs, de, rec));
      expect(n).toBeGreaterThan(50);
      same += n;
    }
    console.log(`[contract] CWRU train split: ${same} ${what} identical to the device chain's (a 12 kHz fault file, the 48 kHz baseline)`);
  });
});
