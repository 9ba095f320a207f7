import math
import unittest

import numpy as np
import torch
import torch.nn.functional as F

from tools.trainer.losses import kd_loss
from tools.trainer.metrics import classification_report, confusion
from tools.trainer.recipe import DEFAULTS
from tools.trainer.schedule import lr_factor


class KdLossTest(unittest.TestCase):
    def setUp(self):
        g = torch.Generator().manual_seed(0)
        self.s = torch.randn(8, 4, generator=g)
        self.t = torch.randn(8, 4, generator=g)
        self.y = torch.randint(0, 4, (8,), generator=g)

    def test_alpha_zero_is_cross_entropy(self):
        self.assertAlmostEqual(float(kd_loss(self.s, self.t, self.y, 4.0, 0.0)), float(F.cross_entropy(self.s, self.y)), 6)

    def test_soft_term_is_t2_scaled_kl(self):
        for t in (1.0, 3.0):
            p = F.softmax(self.t / t, -1)
            kl = (p * (p.log() - F.log_softmax(self.s / t, -1))).sum(-1).mean()
            self.assertAlmostEqual(float(kd_loss(self.s, self.t, self.y, t, 1.0)), float(kl * t * t), 5)

    def test_identical_logits_leave_only_the_hard_term(self):
        loss = kd_loss(self.s, self.s, self.y, 2.0, 0.6)
        self.assertAlmostEqual(float(loss), 0.4 * float(F.cross_entropy(self.s, self.y)), 5)


class MetricsTest(unittest.TestCase):
    def test_against_counts(self):
        rng = np.random.default_rng(1)
        y = rng.integers(0, 3, 200)
        p = np.where(rng.random(200) < 0.7, y, rng.integers(0, 3, 200))
        r = classification_report(y, p, ['N', 'S', 'V'])
        cm = confusion(y, p, 3)
        self.assertEqual(cm.sum(), 200)
        for k, name in enumerate(['N', 'S', 'V']):
            tp = np.sum((y == k) & (p == k))
            self.assertAlmostEqual(r['perClass'][name]['se'], tp / np.sum(y == k))
            self.assertAlmostEqual(r['perClass'][name]['ppv'], tp / np.sum(p == k))
        self.assertAlmostEqual(r['macroF1'], np.mean([c['f1'] for c in r['perClass'].values()]))

    def test_undefined_and_missed_classes(self):
        r = classification_report(np.array([0, 0, 1]), np.array([0, 0, 0]), ['N', 'S', 'V'], macro_labels=['N', 'S'])
        self.assertIsNone(r['perClass']['S']['ppv'])  # never predicted
        self.assertEqual(r['perClass']['S']['f1'], 0.0)  # missed entirely counts as 0
        self.assertIsNone(r['perClass']['V']['se'])  # no V beats
        self.assertAlmostEqual(r['macroF1'], r['perClass']['N']['f1'] / 2)


class ScheduleTest(unittest.TestCase):
    def test_warmup_then_cosine(self):
        cfg = dict(DEFAULTS['teacher']['train'], warmupSteps=10, schedule='cosine', minLrRatio=0.1)
        f = [lr_factor(s, 110, 10, cfg) for s in range(110)]
        self.assertAlmostEqual(f[0], 0.1)
        self.assertTrue(all(a < b for a, b in zip(f[:9], f[1:10])))
        self.assertAlmostEqual(f[10], 1.0)
        self.assertTrue(all(a >= b for a, b in zip(f[10:], f[11:])))
        self.assertAlmostEqual(lr_factor(110, 110, 10, cfg), 0.1)

    def test_step_and_constant(self):
        cfg = dict(DEFAULTS['teacher']['train'], warmupSteps=0, schedule='step', stepEpochs=2, stepGamma=0.5)
        self.assertEqual([lr_factor(s, 100, 5, cfg) for s in (0, 9, 10, 20)], [1.0, 1.0, 0.5, 0.25])
        cfg['schedule'] = 'constant'
        self.assertEqual(lr_factor(99, 100, 5, cfg), 1.0)
        self.assertFalse(math.isnan(lr_factor(0, 0, 0, dict(cfg, schedule='cosine'))))



class WeightedKdTest(unittest.TestCase):
    def test_uniform_weights_equal_unweighted_and_weights_shift_the_mean(self):
        g = torch.Generator().manual_seed(2)
        s, t = torch.randn(6, 3, generator=g), torch.randn(6, 3, generator=g)
        y = torch.tensor([0, 0, 0, 0, 1, 2])
        ones = torch.ones(3)
        self.assertAlmostEqual(float(kd_loss(s, t, y, 2.0, 1.0, ones)), float(kd_loss(s, t, y, 2.0, 1.0)), 5)
        p = F.softmax(t / 2, -1)
        kl = (p * (p.log() - F.log_softmax(s / 2, -1))).sum(-1) * 4
        w = torch.tensor([1.0, 3.0, 5.0])
        expected = (w[y] * kl).sum() / w[y].sum()
        self.assertAlmostEqual(float(kd_loss(s, t, y, 2.0, 1.0, w)), float(expected), 5)


if __name__ == '__main__':
    unittest.main()
