"""Leave-records-out CV over DS1 (4 folds, every record held out once). Usage:
python3 runs/exp/cv.py <name> [--hidden 64] [--extra f1,f2] [--epochs 10] [--weighting balanced]"""
import os as _os
ROOT = _os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))))  # the repository
import argparse, json, os, sys, time
import numpy as np, torch
sys.path.insert(0, ROOT)
from tools.trainer.dataset import load_dataset, Dataset
from tools.trainer.models import build_from_recipe
from tools.trainer.monitor import Monitor
from tools.trainer.train_loop import fit, predict_dataset
from tools.trainer.recipe import load_recipe

torch.set_num_threads(1)
p = argparse.ArgumentParser()
p.add_argument('name'); p.add_argument('--hidden', type=int, default=64); p.add_argument('--extra', default='')
p.add_argument('--epochs', type=int, default=10); p.add_argument('--weighting', default='balanced')
p.add_argument('--sampler', default='shuffle'); p.add_argument('--folds', default='0,1,2,3')
p.add_argument('--drop', default=''); p.add_argument('--seed', type=int, default=0)
a = p.parse_args()
RECS = ["101","106","108","109","112","114","115","116","118","119","122","124","201","203","205","207","208","209","215","220","223","230"]
FOLDS = [["106","201","220","223"], ["209","119","124","101","112","230"], ["207","208","114","122","109"], ["118","203","215","116","108","115","205"]]
ds = load_dataset(ROOT + '/runs/pipeline/ecg-gru32/ds1.npz')
feats = ds.features.copy(); names = list(ds.feature_names)
# extra features computed from the R peaks of the windows (per record, causal)
def extra_feats(kind):
    out = np.zeros(len(ds.y), np.float64)
    for ri in np.unique(ds.record):
        idx = np.nonzero(ds.record == ri)[0]; idx = idx[np.argsort(ds.sample[idx])]
        s = ds.sample[idx].astype(np.float64) / 360.0
        pre = np.diff(s, prepend=np.nan); pre[0] = np.median(np.diff(s)[:5])
        post = np.append(np.diff(s), np.nan); post[-1] = pre[-1]
        prior = np.roll(pre, 1); prior[0] = pre[0]
        med = np.array([np.median(pre[max(0, i - 9):i + 1]) for i in range(len(pre))])
        avg = np.cumsum(pre) / np.arange(1, len(pre) + 1)
        loc = np.array([np.mean(pre[max(0, i - 9):i + 1]) for i in range(len(pre))])
        mx = np.maximum(loc, avg)
        v = {'preRR/medianRR': pre / med, 'postRR/medianRR': post / med, 'preRR/priorRR': pre / prior,
             'preRR/maxLA': pre / mx, 'medianRR': med}[kind]
        out[idx] = v
    out = (out - out.mean()) / out.std()
    return out.astype(np.float32)
for k in [e for e in a.extra.split(',') if e]:
    feats = np.concatenate([feats, extra_feats(k)[:, None]], 1); names.append(k)
keep = [i for i, n in enumerate(names) if n not in a.drop.split(',')]
feats = feats[:, keep]; names = [names[i] for i in keep]
meta = json.loads(json.dumps(ds.meta)); meta['input']['features']['names'] = names
full = Dataset(ds.x, ds.y, ds.record, ds.labels, meta, ds.path, feats, ds.sample)
recipe = load_recipe('ecg-rr-teacher'); recipe['seed'] = a.seed
sec = recipe['teacher']; sec['model']['hidden'] = a.hidden
tr = dict(sec['train']); tr.update(epochs=a.epochs, patience=100, classWeighting=a.weighting, sampler=a.sampler, logEvery=0, probeEvery=0)
out = f'{ROOT}/runs/exp/{a.name}'; os.makedirs(out, exist_ok=True)
oof = np.zeros((len(ds.y), 5), np.float32); done = np.zeros(len(ds.y), bool)
for fi in [int(f) for f in a.folds.split(',')]:
    vr = [RECS.index(r) for r in FOLDS[fi]]
    vm = np.isin(ds.record, vr)
    train, val = full.subset(np.nonzero(~vm)[0]), full.subset(np.nonzero(vm)[0])
    model = build_from_recipe(sec['model'], ds.x.shape[1:], 5, recipe['seed'], names)
    mon = Monitor(f'{out}/metrics.jsonl', f'fold{fi}', None, None)
    t0 = time.time()
    s = fit(model, train, val, tr, f'{out}/fold{fi}', mon, recipe['seed'], macro_labels=['N', 'S', 'V'])
    mon.close()
    oof[vm] = predict_dataset(model, val, 512); done[vm] = True
    print(f'fold {fi}: best epoch {s["bestEpoch"]}, {time.time()-t0:.0f}s, val macroF1 {s["val"]["macroF1"]:.4f}', flush=True)
np.savez(f'{out}/oof.npz', logits=oof, done=done, y=ds.y, record=ds.record, names=np.array(names))
