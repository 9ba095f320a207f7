import os as _os
ROOT = _os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))))  # the repository
import sys, numpy as np
sys.argv = ['x']; exec(open(_os.path.join(_os.path.dirname(_os.path.abspath(__file__)), 'score.py')).read().split('for name in sys.argv[1:]:')[0])
def row(name, label):
    d = np.load(f'{ROOT}/runs/exp/{name}/oof.npz'); l, y, rec, done = d['logits'], d['y'], d['record'], d['done']
    l, y, rec = l[done], y[done], rec[done]
    r = figs(y, l.argmax(1))
    fold = np.zeros(len(y), int)
    for fi, f in enumerate(FOLDS): fold[np.isin(rec, [RECS.index(x) for x in f])] = fi
    pred = l.argmax(1).copy()
    for fi in range(4):
        _, bs, bv = fit_bias(l[fold != fi], y[fold != fi]); b = np.zeros(5); b[1], b[2] = bs, bv
        pred[fold == fi] = (l[fold == fi] + b).argmax(1)
    rb = figs(y, pred)
    pf = [figs(y[fold == fi], l[fold == fi].argmax(1))['mf1'] for fi in range(4)]
    p = lambda v: f'{100*v:.1f}'
    print(f"| {label} | {p(r['mf1'])} | {' / '.join(p(v) for v in pf)} | {p(r['acc'])} | {p(r['S'][0])} / {p(r['S'][1])} | {p(r['V'][0])} / {p(r['V'][1])} | {p(rb['mf1'])} |")
print('| recipe (seed) | macro F1 N,S,V, pooled | per fold 0 / 1 / 2 / 3 | accuracy | S Se / +P | V Se / +P | macro F1 with S/V logit bias (LOFO) |')
print('|---|---:|---|---:|---|---|---:|')
for name, label in [a.split('=', 1) for a in sys.stdin.read().split('\n') if a]:
    try: row(name, label)
    except FileNotFoundError: pass
