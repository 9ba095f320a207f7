import json
import os
import unittest

import numpy as np
import torch

from tools.trainer import checkpoint
from tools.trainer.errors import TrainerError
from tools.trainer.models import build_model, model_config
from tools.trainer.recipe import validate
from tools.trainer.run_distill import fold_logit_bias

from .helpers import FAST, TempDir, run_cli, tiny_teacher


class LogitBiasTest(unittest.TestCase):
    def test_folded_bias_shifts_the_logits_exactly(self):
        cfg = model_config({'cell': 'gru', 'hidden': 8, 'layers': 1, 'bidirectional': False, 'layerNorm': False,
                            'dropout': 0.0, 'pooling': 'last', 'headHidden': 4}, 1, 3, ['a', 'b'])
        model = build_model(cfg, seed=0).eval()
        x, f = torch.randn(5, 12, 1), torch.randn(5, 2)
        before = model(x, f).detach()
        offsets = fold_logit_bias(model, {'V': 1.5, 'S': -0.25}, ['N', 'S', 'V'])
        self.assertEqual(offsets, [0.0, -0.25, 1.5])
        after = model(x, f).detach()
        self.assertTrue(torch.allclose(after - before, torch.tensor([0.0, -0.25, 1.5]).expand(5, 3), atol=1e-6))
        with self.assertRaises(TrainerError) as cm:
            fold_logit_bias(model, {'X': 1.0}, ['N', 'S', 'V'])
        self.assertIn("['X'] are not labels", str(cm.exception))

    def test_recipe_checks_the_map(self):
        self.assertEqual(validate({'student': {'logitBias': {'S': 1}}})['student']['logitBias'], {'S': 1.0})
        self.assertEqual(validate({})['student']['logitBias'], {})
        for bad in ([1.0], {'S': 'x'}, {'S': True}, {'S': float('nan')}):
            with self.assertRaises(TrainerError, msg=bad) as cm:
                validate({'student': {'logitBias': bad}})
            self.assertIn('student.logitBias', str(cm.exception))

    def test_distill_folds_it_into_the_checkpoint_export_reads(self):
        fast = [*FAST, '--set', 'student.distill.baseline=false']
        with TempDir() as d:
            data, teacher, code, _, err = tiny_teacher(d, '--set', 'student.distill.baseline=false')
            self.assertEqual(code, 0, err)
            runs = {}
            for name, bias in (('plain', {}), ('biased', {'V': 3.0})):
                out = os.path.join(d, name)
                code, _, err = run_cli('distill', '--recipe', 'tiny', '--teacher', teacher, '--data', data, '--out', out,
                                       *fast, '--set', f'student.logitBias={json.dumps(bias)}')
                self.assertEqual(code, 0, err)
                with open(os.path.join(out, 'distill-summary.json')) as f:
                    runs[name] = (json.load(f)['studentKd'], checkpoint.load(os.path.join(out, 'student-kd', 'best.pt')))
            (plain, p_state), (biased, b_state) = runs['plain'], runs['biased']
            self.assertNotIn('logitBias', plain)
            self.assertEqual(biased['logitBias'], {'N': 0.0, 'S': 0.0, 'V': 3.0})
            self.assertEqual(b_state['logitBias'], [0.0, 0.0, 3.0])
            self.assertEqual(biased['valBeforeBias'], plain['val'])  # same training, bias only after it
            diff = (b_state['model']['head.bias'] - p_state['model']['head.bias']).numpy()
            np.testing.assert_allclose(diff, [0.0, 0.0, 3.0], atol=1e-6)
            self.assertGreaterEqual(biased['val']['perClass']['V']['se'], plain['val']['perClass']['V']['se'])


if __name__ == '__main__':
    unittest.main()
