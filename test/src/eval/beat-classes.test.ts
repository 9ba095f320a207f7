/**
 * EC57 beat-by-beat classification arithmetic (src/eval/beat-classes.ts) on hand-made records:
 * every matrix entry and figure below is counted by hand from the annotation and detection lists.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WfdbAnnotation } from '../../../src/io/wfdb-annotations.js';
import { beatAccuracy, classFigures, compareBeats, EC57_MATRIX_LABELS, emptyMatrix, meanDefined, qrsFigures, referenceClassOf, sumMatrices, type ClassifiedBeat } from '../../../src/eval/beat-classes.js';
import { scoreQrs } from '../../../src/eval/ec57.js';
import type { AamiClass } from '../../../src/labels/aami.js';

function ann(sample: number, symbol: string, aux = ''): WfdbAnnotation {
  return { sample, symbol, aux, code: 0, subtype: 0, chan: 0, num: 0 };
}
const det = (sample: number, cls: AamiClass): ClassifiedBeat => ({ sample, cls });
const L = (label: string) => EC57_MATRIX_LABELS.indexOf(label as (typeof EC57_MATRIX_LABELS)[number]);

describe('EC57 beat classification', () => {
  const fs = 360; // 150 ms = 54 samples
  // Reference: N N A V F V N Q N, a rhythm label and a noise label (not beats), an L (N class).
  const reference = [
    ann(5, '+', '(N'), ann(100, 'N'), ann(400, 'N'), ann(700, 'A'), ann(1000, 'V'), ann(1300, 'F'), ann(1600, 'V'),
    ann(1700, '~'), ann(1900, 'N'), ann(2200, 'Q'), ann(2500, 'N'), ann(2800, 'L'),
  ];
  const detections = [
    det(110, 'N'), //   N -> N
    det(395, 'S'), //   N -> S
    det(702, 'S'), //   A (S) -> S
    det(1000, 'V'), //  V -> V
    det(1320, 'V'), //  F -> V: not a V false positive
    //                  V at 1600: missed (nothing within 54 samples)
    det(1660, 'N'), //  60 samples after 1600: an extra detection called N
    det(1899, 'V'), //  N -> V
    det(2190, 'V'), //  Q -> V: counts against no class
    det(2555, 'N'), //  N at 2500, 55 samples away: missed, and this an extra N
    det(2800, 'N'), //  L (N) -> N
  ];
  const r = compareBeats(reference, detections, { fs });

  it('fills the 6 x 6 matrix pair by pair', () => {
    const want = emptyMatrix();
    const put = (ref: string, pred: string, n = 1) => (want[L(ref)][L(pred)] += n);
    put('N', 'N', 2); // 100, 2800 (L)
    put('N', 'S'); // 400
    put('S', 'S'); // 700
    put('V', 'V'); // 1000
    put('F', 'V'); // 1300
    put('V', 'O'); // 1600 missed
    put('O', 'N', 2); // 1660, 2555
    put('N', 'V'); // 1900
    put('Q', 'V'); // 2200
    put('N', 'O'); // 2500 missed
    expect(r.matrix).toEqual(want);
    expect(r.excludedBeats).toBe(0);
    expect(r.pairs.map((p) => `${p.ref}${p.pred.toLowerCase()}`)).toEqual(['Nn', 'Ns', 'Ss', 'Vv', 'Fv', 'Vo', 'On', 'Nv', 'Qv', 'No', 'On', 'Nn']);
  });

  it('applies the EC57 rules per class', () => {
    // V: TP Vv = 1; FN = Vo = 1; FP = Nv (1900) = 1, but not Fv (1300) nor Qv (2200).
    expect(classFigures(r.matrix, 'V')).toEqual({ tp: 1, fn: 1, fp: 1, n: 2, se: 0.5, ppv: 0.5, f1: 0.5 });
    // S: TP 1; FN 0; FP = Ns (400) = 1.
    expect(classFigures(r.matrix, 'S')).toEqual({ tp: 1, fn: 0, fp: 1, n: 1, se: 1, ppv: 0.5, f1: 2 / 3 });
    // N: 5 reference N-class beats (100, 400, 1900, 2500, 2800 L); TP 2 (100, 2800); FN 3 (Ns, Nv,
    // No); FP = the 2 extra detections called N.
    expect(classFigures(r.matrix, 'N')).toEqual({ tp: 2, fn: 3, fp: 2, n: 5, se: 0.4, ppv: 0.5, f1: 4 / 9 });
    // F: one reference beat, called V; nothing called F: +P undefined, F1 0.
    expect(classFigures(r.matrix, 'F')).toEqual({ tp: 0, fn: 1, fp: 0, n: 1, se: 0, ppv: null, f1: 0 });
  });

  it('QRS figures and accuracy follow from the same matrix', () => {
    // 10 reference beats, 8 detected; 10 detections, 2 extra.
    expect(qrsFigures(r.matrix)).toEqual({ tp: 8, fn: 2, fp: 2, se: 0.8, ppv: 0.8 });
    // Correct N, S, V, F calls: 2 + 1 + 1 + 0 = 4, over N S V F beats (5 + 1 + 2 + 1 = 9) + 2 extra detections.
    expect(beatAccuracy(r.matrix)).toBeCloseTo(4 / 11, 15);
  });

  it('matches QRS scoring exactly (one matcher, one scope)', () => {
    const q = scoreQrs(reference, detections.map((d) => d.sample), { fs });
    expect(qrsFigures(r.matrix)).toMatchObject({ tp: q.tp, fn: q.fn, fp: q.fp });
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 20000 }), fc.constantFrom('N', 'A', 'V', 'F', 'Q', 'L', '~', '+')), { maxLength: 60 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 20000 }), fc.constantFrom<AamiClass>('N', 'S', 'V', 'F', 'Q')), { maxLength: 60 }),
      (refs, dets) => {
        const a = refs.sort((x, y) => x[0] - y[0]).map(([s, sym]) => ann(s, sym, sym === '+' ? '(VFL' : ''));
        const d = dets.map(([s, c]) => det(s, c));
        const m = compareBeats(a, d, { fs }).matrix;
        const q2 = scoreQrs(a, d.map((x) => x.sample), { fs });
        const f = qrsFigures(m);
        return f.tp === q2.tp && f.fn === q2.fn && f.fp === q2.fp;
      },
    ));
  });

  it('leaves VF episodes out and honours start/end', () => {
    const a = [ann(100, 'N'), ann(500, '+', '(VFL'), ann(600, 'V'), ann(900, '+', '(N'), ann(1200, 'N')];
    const c = compareBeats(a, [det(100, 'N'), det(610, 'S'), det(1200, 'V')], { fs });
    expect(c.excludedBeats).toBe(1);
    expect(qrsFigures(c.matrix)).toMatchObject({ tp: 2, fn: 0, fp: 0 });
    expect(c.matrix[L('N')][L('V')]).toBe(1);
    const late = compareBeats(a, [det(100, 'N'), det(1200, 'N')], { fs, start: 1000 });
    expect(qrsFigures(late.matrix)).toMatchObject({ tp: 1, fn: 0, fp: 0 });
  });

  it('counts unknown beat symbols as Q, non-beats as nothing', () => {
    expect(referenceClassOf('A')).toBe('S');
    expect(referenceClassOf('/')).toBe('Q');
    expect(referenceClassOf('r')).toBe('Q'); // a beat symbol outside the AAMI table (never in MIT-BIH)
    expect(referenceClassOf('~')).toBeUndefined();
    expect(referenceClassOf('+')).toBeUndefined();
  });

  it('sums matrices and averages defined figures only', () => {
    const s = sumMatrices([r.matrix, r.matrix]);
    expect(qrsFigures(s)).toMatchObject({ tp: 16, fn: 4, fp: 4 });
    expect(meanDefined([0.5, null, 1])).toBe(0.75);
    expect(meanDefined([null])).toBeNull();
    expect(classFigures(emptyMatrix(), 'V')).toEqual({ tp: 0, fn: 0, fp: 0, n: 0, se: null, ppv: null, f1: null });
    expect(beatAccuracy(emptyMatrix())).toBeNull();
  });
});
