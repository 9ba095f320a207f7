import os
import shutil
import unittest

import numpy as np
import torch

from tools.trainer.errors import TrainerError
from tools.trainer.models import build_model
from tools.trainer.onnx_export import check_onnx, export_onnx, run_onnxruntime

from .helpers import TempDir

HAS_ORT = shutil.which('node') is not None and os.path.isdir(
    os.path.join(os.path.dirname(__file__), '..', '..', '..', 'node_modules', 'onnxruntime-node'))

MODELS = {
    'gru-student': dict(cell='gru', hidden=16, layers=1, bidirectional=False, layerNorm=False, dropout=0.0,
                        pooling='last', inputSize=1, numClasses=3),
    'lstm-2layer-student': dict(cell='lstm', hidden=16, layers=2, bidirectional=False, layerNorm=False, dropout=0.0,
                                pooling='last', inputSize=2, numClasses=4),
    'bilstm-ln-teacher': dict(cell='lstm', hidden=12, layers=2, bidirectional=True, layerNorm=True, dropout=0.1,
                              pooling='final_state', inputSize=1, numClasses=3),
    'bigru-mean-teacher': dict(cell='gru', hidden=8, layers=1, bidirectional=True, layerNorm=False, dropout=0.0,
                               pooling='mean', inputSize=1, numClasses=5),
}


@unittest.skipUnless(HAS_ORT, 'node or onnxruntime-node missing: the ONNX check needs `npm ci` in the repo')
class ExportTest(unittest.TestCase):
    def test_onnxruntime_matches_torch(self):
        for name, cfg in MODELS.items():
            with self.subTest(name), TempDir() as d:
                model = build_model(cfg, 'xavier', seed=0).eval()
                x = torch.randn(5, 20, cfg['inputSize'], generator=torch.Generator().manual_seed(1)).numpy()
                path = os.path.join(d, 'm.onnx')
                export_onnx(model, path, torch.from_numpy(x[:2]), 14)  # batch 2 at export, 5 at check
                result = check_onnx(model, path, x, 1e-5)
                self.assertTrue(result['checked'])
                self.assertLessEqual(result['maxAbsDiff'], 1e-5)
                self.assertEqual(result['argmaxAgreement'], 1.0)

    def test_mismatch_is_an_error(self):
        with TempDir() as d:
            cfg = MODELS['gru-student']
            a, b = build_model(cfg, seed=0).eval(), build_model(cfg, seed=1).eval()
            x = np.random.default_rng(0).normal(size=(4, 10, 1)).astype(np.float32)
            path = os.path.join(d, 'a.onnx')
            export_onnx(a, path, torch.from_numpy(x[:1]))
            with self.assertRaises(TrainerError) as cm:
                check_onnx(b, path, x, 1e-6)  # b's torch output vs a's ONNX
            self.assertEqual(cm.exception.code, 'E_EXPORT')

    def test_runner_reports_bad_model(self):
        with TempDir() as d:
            path = os.path.join(d, 'junk.onnx')
            with open(path, 'wb') as f:
                f.write(b'junk')
            with self.assertRaises(TrainerError):
                run_onnxruntime(path, np.zeros((1, 2, 1), np.float32))


if __name__ == '__main__':
    unittest.main()
