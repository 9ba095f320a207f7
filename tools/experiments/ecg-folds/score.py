"""Pooled out-of-fold figures of a CV run; with --bias, S/V logit biases fitted leave-one-fold-out."""
import os as _os
ROOT = _os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))))  # the repository
import sys, numpy as np
RECS = ["101","106","108","109","112","114","115","116","118","119","122","124","201","203","205","207","208","209","215","220","223","230"]
FOLDS = [["106","201","220","223"], ["209","119","124","101","112","230"], ["207","208","114","122","109"], ["118","203","215","116","108","115","205"]]
def figs(y, p):
    r = {}
    for c, n in enumerate('NSV'):
        tp = ((p == c) & (y == c)).sum(); se = tp / max(1, (y == c).sum()); pp = tp / max(1, (p == c).sum())
        r[n] = (se, pp, 2 * se * pp / max(1e-9, se + pp))
    r['acc'] = (p == y).mean(); r['mf1'] = np.mean([r[n][2] for n in 'NSV'])
    return r
def fmt(r): return f"acc {100*r['acc']:.1f} mF1 {100*r['mf1']:.1f} | S {100*r['S'][0]:.1f}/{100*r['S'][1]:.1f} V {100*r['V'][0]:.1f}/{100*r['V'][1]:.1f} N {100*r['N'][0]:.1f}/{100*r['N'][1]:.1f}"
GRID = np.arange(-2, 3.01, 0.25)
def fit_bias(l, y):
    best = None
    for bs in GRID:
        for bv in GRID:
            b = np.zeros(5); b[1], b[2] = bs, bv
            m = figs(y, (l + b).argmax(1))['mf1']
            if best is None or m > best[0]: best = (m, bs, bv)
    return best
for name in sys.argv[1:]:
    d = np.load(f'{ROOT}/runs/exp/{name}/oof.npz')
    l, y, rec, done = d['logits'], d['y'], d['record'], d['done']
    l, y, rec = l[done], y[done], rec[done]
    print(f'{name:28s} pooled  {fmt(figs(y, l.argmax(1)))}')
    fold = np.zeros(len(y), int)
    for fi, f in enumerate(FOLDS): fold[np.isin(rec, [RECS.index(r) for r in f])] = fi
    pred = l.argmax(1).copy(); bs_ = []
    for fi in np.unique(fold):
        o = fold != fi
        if o.sum() == 0: continue
        _, bs, bv = fit_bias(l[o], y[o]); bs_.append((bs, bv))
        b = np.zeros(5); b[1], b[2] = bs, bv
        pred[fold == fi] = (l[fold == fi] + b).argmax(1)
    if len(np.unique(fold)) > 1:
        print(f'{name:28s} +bias(LOFO {bs_}) {fmt(figs(y, pred))}')
        m, bs, bv = fit_bias(l, y); print(f'{"":28s} bias on all folds: S {bs} V {bv}')
    for fi in np.unique(fold):
        print(f'   fold {fi}: {fmt(figs(y[fold == fi], l[fold == fi].argmax(1)))}')
