import math
import unittest

import torch

from tools.trainer.errors import TrainerError
from tools.trainer.models import build_from_recipe, build_model, count_params
from tools.trainer.recipe import DEFAULTS

from . import helpers  # noqa: F401


class ModelsTest(unittest.TestCase):
    def test_chrono_memory_biases(self):
        section = dict(DEFAULTS['student']['model'], memoryInit='chrono', hidden=8)
        gru = build_from_recipe(section, (50, 1), 3, seed=0)
        z = gru.rnns[0].bias_ih_l0[8:16]
        self.assertTrue(bool(((z >= 0) & (z <= math.log(49))).all()))
        self.assertGreater(float(z.std()), 0.0)  # spread time scales, not one constant
        lstm = build_from_recipe(dict(section, cell='lstm'), (50, 1), 3, seed=0)
        b = lstm.rnns[0].bias_ih_l0
        self.assertTrue(torch.equal(b[0:8], -b[8:16]))  # input gate = -forget gate
        const = build_from_recipe(dict(section, memoryInit='constant', forgetBias=2.0), (50, 1), 3, seed=0)
        self.assertTrue(bool((const.rnns[0].bias_ih_l0[8:16] == 2.0).all()))

    def test_same_seed_same_init(self):
        section = DEFAULTS['student']['model']
        a = build_from_recipe(section, (20, 2), 4, seed=3)
        b = build_from_recipe(section, (20, 2), 4, seed=3)
        for p, q in zip(a.parameters(), b.parameters()):
            self.assertTrue(torch.equal(p, q))

    def test_shapes_and_pooling(self):
        for pooling in ('last', 'final_state', 'mean'):
            cfg = dict(cell='lstm', hidden=5, layers=2, bidirectional=pooling != 'last', layerNorm=True, dropout=0.0,
                       pooling=pooling, inputSize=3, numClasses=4)
            m = build_model(cfg, 'xavier', seed=0)
            self.assertEqual(tuple(m(torch.randn(2, 7, 3)).shape), (2, 4))
        self.assertGreater(count_params(m), 0)
        with self.assertRaises(TrainerError):
            build_model(dict(cfg, pooling='last', bidirectional=True))


if __name__ == '__main__':
    unittest.main()
