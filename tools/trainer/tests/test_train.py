import os
import unittest

import numpy as np
import torch

from tools.trainer import checkpoint
from tools.trainer.dataset import load_dataset
from tools.trainer.errors import TrainerError
from tools.trainer.models import build_model
from tools.trainer.monitor import Monitor, read_jsonl
from tools.trainer.train_loop import class_weights, fit

from .helpers import TempDir, tiny_train_cfg, write_dataset

CFG = dict(cell='gru', hidden=8, layers=1, bidirectional=False, layerNorm=False, dropout=0.0, pooling='last',
           inputSize=1, numClasses=3)


def _data(d):
    ds = load_dataset(write_dataset(os.path.join(d, 'd.npz')))
    tr = np.nonzero(ds.record < 3)[0]
    va = np.nonzero(ds.record == 3)[0]
    return ds.subset(tr), ds.subset(va)


def _train(d, name, cfg, **kw):
    train, val = _data(d)
    model = build_model(CFG, 'xavier', seed=1)
    mon = Monitor(os.path.join(d, 'metrics.jsonl'), name)
    try:
        summary = fit(model, train, val, cfg, os.path.join(d, name), mon, seed=5, extra_state={'modelConfig': CFG},
                      **kw)
    finally:
        mon.close()
    return model, summary


class TrainTest(unittest.TestCase):
    def test_cpu_runs_are_deterministic_and_logged(self):
        with TempDir() as d:
            m1, s1 = _train(d, 'a', tiny_train_cfg())
            m2, _ = _train(d, 'b', tiny_train_cfg())
            for p, q in zip(m1.parameters(), m2.parameters()):
                self.assertTrue(torch.equal(p, q))
            lines = read_jsonl(os.path.join(d, 'metrics.jsonl'))
            steps = [r for r in lines if r['run'] == 'a' and r['event'] == 'step']
            self.assertEqual(len(steps), s1['steps'])
            for key in ('loss', 'lr', 'gradNorm', 'gradNormClipped', 'windowsPerSec'):
                self.assertIn(key, steps[0])
            self.assertIn('gateSat', steps[0])  # probed at step 1 and every probeEvery
            self.assertTrue(all(r['gradNormClipped'] <= 1.0 + 1e-4 for r in steps))
            self.assertTrue(any(r['event'] == 'summary' and r['run'] == 'a' for r in lines))
            self.assertIsNotNone(s1['val'])

    def test_resume_continues_to_the_same_weights(self):
        # The cosine depends on the total step count, which --resume with more epochs changes: pin a constant lr.
        with TempDir() as d:
            cfg3 = tiny_train_cfg(epochs=3, patience=100, schedule='constant')
            full, _ = _train(d, 'full', cfg3)
            _train(d, 'part', tiny_train_cfg(epochs=2, patience=100, schedule='constant'))
            self.assertEqual(checkpoint.load(os.path.join(d, 'part', 'last.pt'))['epoch'], 1)
            resumed, s = _train(d, 'part', cfg3, resume=True)
            self.assertEqual(s['steps'], 3 * 5)
            last = checkpoint.load(os.path.join(d, 'part', 'last.pt'))
            full_last = checkpoint.load(os.path.join(d, 'full', 'last.pt'))
            for k, v in full_last['model'].items():
                self.assertTrue(torch.equal(v, last['model'][k]), k)

    def test_nan_loss_stops_naming_step_and_checkpoint(self):
        with TempDir() as d:
            train, val = _data(d)
            model = build_model(CFG)
            calls = {'n': 0}

            def poison(_m, _inp, out):
                calls['n'] += 1
                return out * float('nan') if calls['n'] > 7 else out
            model.head.register_forward_hook(poison)
            mon = Monitor(os.path.join(d, 'm.jsonl'), 'nan')
            with self.assertRaises(TrainerError) as cm:
                fit(model, train, val, tiny_train_cfg(probeEvery=0, epochs=5), os.path.join(d, 'run'), mon, seed=0)
            mon.close()
            msg = str(cm.exception)
            self.assertEqual(cm.exception.code, 'E_TRAIN_DIVERGED')
            self.assertIn('at step 6', msg)  # 5 steps + 1 validation pass of epoch 1, then step index 6
            self.assertIn(os.path.join(d, 'run', 'last.pt'), msg)

    def test_distillation_path_trains(self):
        with TempDir() as d:
            train, _ = _data(d)
            soft = np.eye(3, dtype=np.float32)[train.y] * 5
            _, s = _train(d, 'kd', tiny_train_cfg(), soft_targets=soft, distill={'temperature': 2.0, 'alpha': 0.5})
            self.assertGreater(s['steps'], 0)

    def test_class_weights(self):
        w = class_weights(np.array([0] * 90 + [1] * 10), 3, 'balanced')
        self.assertGreater(float(w[1]), float(w[0]))
        self.assertEqual(float(w[2]), 0.0)
        self.assertAlmostEqual(float(w[:2].mean()), 1.0, 5)
        self.assertIsNone(class_weights(np.array([0, 1]), 2, 'none'))
        capped = class_weights(np.array([0] * 10000 + [1] * 1), 2, 'balanced', max_ratio=20.0)
        self.assertAlmostEqual(float(capped[1] / capped[0]), 20.0, 4)


if __name__ == '__main__':
    unittest.main()
