import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BeatShapeTemplate, compileRrFeatureNames, featureStats, normalizeFeatures, RrFeatureStream, rrFeatureRows } from '../../../src/signal/rr-features.js';
import { beatWindows, BeatStream } from '../../../src/signal/beats.js';
import { expectWavegateError } from '../../helpers/expect-error.js';

const f32 = (xs: number[]) => Array.from(Float32Array.from(xs));

describe('RR features', () => {
  it('computes pre, post, local and running-average RR in seconds, and their ratios, by name', () => {
    const peaks = [0, 100, 300, 400, 600];
    const rows = rrFeatureRows(peaks, 100, { names: ['preRR', 'postRR', 'localRR', 'averageRR', 'preRR/localRR', 'postRR/preRR'], localBeats: 2 });
    expect(rows.map((r) => [r.beat, r.r])).toEqual([[1, 100], [2, 300], [3, 400]]);
    expect(Array.from(rows[0].values)).toEqual(f32([1, 2, 1, 1, 1, 2]));
    expect(Array.from(rows[1].values)).toEqual(f32([2, 1, 1.5, 1.5, 2 / 1.5, 0.5]));
    expect(Array.from(rows[2].values)).toEqual(f32([1, 2, 1.5, 4 / 3, 1 / 1.5, 2]));
  });

  it('medianRR (the median of the last localBeats pre-RRs) and priorRR (the previous beat\'s pre-RR), by hand', () => {
    // pre-RRs at 100 Hz: 1, 2, 0.5, 3, 1 (beats 1-5)
    const peaks = [0, 100, 300, 350, 650, 750];
    const rows = rrFeatureRows(peaks, 100, { names: ['preRR', 'medianRR', 'priorRR', 'preRR/medianRR', 'preRR/priorRR'], localBeats: 3 });
    expect(rows.map((r) => r.beat)).toEqual([1, 2, 3, 4, 5]); // no postRR: every beat from the second has its row
    expect(rows.map((r) => r.values[1])).toEqual(f32([1, 1.5, 1, 2, 1])); // medians of [1], [1 2], [1 2 .5], [2 .5 3], [.5 3 1]
    expect(rows.map((r) => r.values[2])).toEqual(f32([1, 1, 2, 0.5, 3])); // beat 1 has no earlier interval: its own
    expect(rows.map((r) => r.values[3])).toEqual(f32([1, 2 / 1.5, 0.5, 1.5, 1]));
    expect(rows.map((r) => r.values[4])).toEqual(f32([1, 2, 0.25, 6, 1 / 3]));
    // with postRR the row waits one beat and keeps the same values
    const late = rrFeatureRows(peaks, 100, { names: ['medianRR', 'priorRR', 'postRR/medianRR'], localBeats: 3 });
    expect(late.map((r) => Array.from(r.values))).toEqual([[1, 1, 2], [1.5, 1, 0.5 / 1.5], [1, 2, 3], [2, 0.5, 0.5]].map(f32));
  });

  it('postRR costs one beat: without it, a beat\'s row comes with its own R (the last beat included)', () => {
    const s = new RrFeatureStream({ names: ['preRR', 'localRR'], localBeats: 10 }, 100);
    expect(s.needsNextBeat).toBe(false);
    expect(s.push(0)).toBeUndefined(); // the first beat has no pre-RR
    expect(s.push(80)).toMatchObject({ beat: 1, r: 80 });
    const t = new RrFeatureStream({ names: ['postRR'], localBeats: 10 }, 100);
    expect(t.needsNextBeat).toBe(true);
    expect([t.push(0), t.push(80)]).toEqual([undefined, undefined]);
    expect(t.push(150)).toMatchObject({ beat: 1, r: 80, values: Float32Array.of(0.7) });
  });

  it('normalises as fround((f32 raw - mean) / std): the dataset path (raw rows, stats, normalise) gives the stream\'s bits', () => {
    const peaks = [5, 290, 610, 850, 1200, 1460, 1800, 2050];
    const names = ['preRR', 'postRR', 'localRR', 'averageRR', 'postRR/localRR'];
    const raw = rrFeatureRows(peaks, 360, { names, localBeats: 3 });
    const stats = featureStats(Float32Array.from(raw.flatMap((r) => Array.from(r.values))), names.length);
    const streamed = rrFeatureRows(peaks, 360, { names, localBeats: 3, normalize: stats });
    expect(streamed.map((r) => r.values)).toEqual(raw.map((r) => normalizeFeatures(r.values, stats)));
    const col0 = streamed.map((r) => r.values[0]);
    expect(col0.reduce((a, b) => a + b, 0) / col0.length).toBeCloseTo(0, 6);
    expect(featureStats(Float32Array.of(2, 2, 2), 1)).toEqual({ mean: [2], std: [1] }); // constant feature: std 1
  });

  it('streaming and whole-record rows agree, whatever the peaks (property, fixed seed)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 800 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 12 }), (gaps, localBeats) => {
        const peaks: number[] = [];
        let r = 0;
        for (const g of gaps) peaks.push((r += g));
        const spec = { names: ['preRR', 'postRR', 'localRR', 'averageRR', 'preRR/averageRR', 'medianRR', 'preRR/priorRR'], localBeats };
        const whole = rrFeatureRows(peaks, 360, spec);
        const s = new RrFeatureStream(spec, 360);
        const rows = peaks.map((p) => s.push(p)).filter((x) => x !== undefined);
        expect(rows).toEqual(whole);
        expect(whole.length).toBe(Math.max(0, peaks.length - 2));
        // localRR is the mean of the last localBeats pre-RRs (recomputed here from scratch)
        for (const row of whole) {
          const pre = [];
          for (let b = row.beat; b >= 1 && pre.length < localBeats; b--) pre.push((peaks[b] - peaks[b - 1]) / 360);
          expect(row.values[2]).toBe(Math.fround(pre.reduce((a, v) => a + v, 0) / pre.length));
          const sorted = [...pre].sort((a, b) => a - b), m = sorted.length >> 1;
          expect(row.values[5]).toBe(Math.fround(sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2));
          const prior = row.beat >= 2 ? (peaks[row.beat - 1] - peaks[row.beat - 2]) / 360 : pre[0];
          expect(row.values[6]).toBe(Math.fround(pre[0] / prior));
        }
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it('refuses unknown names, duplicates, bad localBeats and peaks that do not increase', () => {
    expectWavegateError(() => compileRrFeatureNames(['preRR', 'qrsWidth']), 'E_MODEL_FORMAT', /names\[1\]: unknown RR feature "qrsWidth"/);
    expectWavegateError(() => compileRrFeatureNames(['preRR/preRR']), 'E_MODEL_FORMAT', /unknown RR feature "preRR\/preRR"/);
    expectWavegateError(() => compileRrFeatureNames(['preRR', 'preRR']), 'E_MODEL_FORMAT', /names\[1\]: duplicate feature "preRR"/);
    expectWavegateError(() => new RrFeatureStream({ names: ['preRR'], localBeats: 0 }, 360), 'E_MODEL_FORMAT', /localBeats/);
    expectWavegateError(() => new RrFeatureStream({ names: ['preRR'], localBeats: 2, normalize: { mean: [0, 0], std: [1] } }, 360), 'E_MODEL_FORMAT', /normalize: mean\/std hold 2\/1 values for 1 features/);
    const s = new RrFeatureStream({ names: ['preRR'], localBeats: 2 }, 360);
    s.push(10);
    expectWavegateError(() => s.push(10), 'E_INPUT', /R peak 10 is not an integer after 10/);
  });
});

describe('beat-shape features (the patient\'s running template)', () => {
  it('templateCorr, templateAmp, templateDiff against the mean of the beats before, by hand', () => {
    const b = [0, 1, 3, 1, 0, -1];
    const t = new BeatShapeTemplate(b.length, 1);
    expect(t.take(Float32Array.from(b))).toEqual([1, 0, 0]); // the first beat: nothing to compare with
    const [c2, a2, d2] = t.take(Float32Array.from(b, (v) => 2 * v)); // template b: twice as tall
    expect(c2).toBeCloseTo(1, 12);
    expect(a2).toBeCloseTo(Math.log(2), 12);
    expect(d2).toBeCloseTo(1, 12);
    const [c3, a3, d3] = t.take(Float32Array.from(b, (v) => -v)); // template 1.5 b (mean of the two): inverted
    expect(c3).toBeCloseTo(-1, 12);
    expect(a3).toBeCloseTo(Math.log(1 / 1.5), 12);
    expect(d3).toBeCloseTo(2.5 / 1.5, 12);
  });

  it('premature beats stay out of the template (preRR < 0.9 averageRR); the first beat always enters', () => {
    const b = Float32Array.from([0, 1, 3, 1, 0, -1]);
    const t = new BeatShapeTemplate(b.length, 1);
    t.take(Float32Array.from(b, (v) => -v), false); // the first beat enters even when premature
    t.take(b, false); // kept out: the template is still -b
    expect(t.take(b)[0]).toBeCloseTo(-1, 12);
    const s = new RrFeatureStream({ names: ['templateCorr'], localBeats: 4 }, 100);
    s.push(0);
    expect(s.push(100)?.templateOk).toBe(true); // preRR 1 = averageRR 1
    expect(s.push(160)?.templateOk).toBe(false); // preRR 0.6 < 0.9 x averageRR 0.8
    expect(s.push(300)?.templateOk).toBe(true); // 1.4 >= 0.9 x 1
  });

  it('are named like RR features, and only the beat stream computes them', () => {
    expect(compileRrFeatureNames(['preRR', 'templateCorr', 'templateDiff'])).toEqual([[0], ['shape', 0], ['shape', 2]]);
    expect(new RrFeatureStream({ names: ['preRR', 'templateAmp'], localBeats: 4 }, 100).shapeSlots).toEqual([{ index: 1, feature: 1 }]);
    expectWavegateError(() => rrFeatureRows([0, 100, 200], 100, { names: ['templateCorr'], localBeats: 4 }), 'E_ARGUMENT', /templateCorr need the beat windows/);
  });

  it('the beat stream gives the same rows whatever the chunking, normalised after the shape slots are filled', () => {
    const fs = 100;
    const signal = Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i / 3) * (1 + ((i / 100) | 0) % 3) + 0.01 * Math.cos(i * 7));
    const peaks = Array.from({ length: 28 }, (_, k) => 50 + 100 * k + (k % 4) * 9);
    const spec = { names: ['preRR', 'templateCorr', 'templateAmp', 'templateDiff', 'postRR'], localBeats: 4 };
    const opts = { before: 20, after: 30, features: { spec, fs } };
    const whole = beatWindows(signal, peaks, opts);
    expect(whole.length).toBeGreaterThan(20);
    for (const b of whole) expect(b.features!.every(Number.isFinite)).toBe(true);
    const s = new BeatStream(opts);
    const chunked = [...s.pushPeaks(peaks)];
    for (let i = 0; i < signal.length; i += 37) chunked.push(...s.pushSamples(signal.subarray(i, i + 37)));
    expect(chunked.map((b) => Array.from(b.features!))).toEqual(whole.map((b) => Array.from(b.features!)));
    // Normalisation applies to the filled row: (raw - mean) / std, shape slots included.
    const normalize = { mean: [1, 0.5, 0, 1, 1], std: [0.5, 0.25, 1, 2, 0.5] };
    const normed = beatWindows(signal, peaks, { ...opts, features: { spec: { ...spec, normalize }, fs } });
    expect(normed.map((b) => Array.from(b.features!))).toEqual(whole.map((b) => Array.from(normalizeFeatures(b.features!, normalize))));
  });
});
