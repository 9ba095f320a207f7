"""Pooled out-of-fold figures of per-fold checkpoints: python3 runs/exp/oof_ckpt.py <name> <ckpt fold0> <ckpt fold1> ..."""
import os as _os
ROOT = _os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))))  # the repository
import sys, numpy as np, torch
sys.path.insert(0, ROOT)
torch.set_num_threads(1)
from tools.trainer import checkpoint
from tools.trainer.dataset import load_dataset
from tools.trainer.train_loop import predict_dataset
ds = load_dataset(ROOT + '/runs/pipeline/ecg-gru32/ds1.npz')
name, ckpts = sys.argv[1], sys.argv[2:]
oof = np.zeros((len(ds.y), 5), np.float32); done = np.zeros(len(ds.y), bool)
for c in ckpts:
    model, state = checkpoint.load_model(c)
    vm = np.isin(ds.record, state['valRecords'])
    oof[vm] = predict_dataset(model, ds.subset(np.nonzero(vm)[0]), 512); done[vm] = True
import os; os.makedirs(f'{ROOT}/runs/exp/{name}', exist_ok=True)
np.savez(f'{ROOT}/runs/exp/{name}/oof.npz', logits=oof, done=done, y=ds.y, record=ds.record)
