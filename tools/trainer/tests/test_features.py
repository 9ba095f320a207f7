"""Side features (dataset `features` [N, F]): models take (x, f), teacher and student train on them,
the export has two inputs (x, f) joined by Concat + Gemm, and onnxruntime agrees with PyTorch."""
import json
import os
import unittest

import numpy as np
import torch

from tools.trainer.data_prep import check_input
from tools.trainer.dataset import load_dataset
from tools.trainer.errors import TrainerError
from tools.trainer.models import build_model, side_width
from tools.trainer.onnx_export import check_onnx, export_onnx
from tools.trainer.recipe import validate
from tools.trainer.run_distill import distill
from tools.trainer.run_export import export_checkpoint
from tools.trainer.run_teacher import train_teacher
from tools.trainer.train_loop import augment, predict_dataset

from .helpers import TempDir, quiet
from .test_export import HAS_ORT

NAMES = ['preRR', 'postRR', 'preRR/localRR']


def write_feature_dataset(path, records=6, per_record=40, t=12, names=NAMES, seed=0, informative='features'):
    """Labels that only the side features tell apart (informative='features': the windows are pure
    noise) or only the windows do ('windows': the features are noise)."""
    rng = np.random.default_rng(seed)
    n = records * per_record
    y = rng.integers(0, 3, n)
    x = rng.normal(0, 1, (n, t, 1)).astype(np.float32)
    f = rng.normal(0, 1, (n, len(names))).astype(np.float32)
    if informative == 'features':
        f[:, 0] += 4.0 * (y == 1) - 4.0 * (y == 2)
    else:
        x[:, t // 2:, 0] += 3.0 * (y == 1)[:, None] - 3.0 * (y == 2)[:, None]
    meta = {'labels': ['N', 'S', 'V'], 'records': [f'r{i}' for i in range(records)],
            'input': {'channels': 1, 'sampleRate': 180, 'window': t,
                      'features': {'kind': 'rr', 'names': list(names), 'localBeats': 10}}}
    np.savez(path, x=x, y=y.astype(np.int64), record=np.repeat(np.arange(records), per_record).astype(np.int32),
             sample=np.arange(n, dtype=np.int64), features=f,
             meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    return path


def recipe(side=True, head_hidden=0, epochs=15):
    train = {'epochs': epochs, 'batchSize': 32, 'lr': 0.02, 'warmupSteps': 2, 'probeEvery': 4, 'evalBatchSize': 64,
             'device': 'cpu', 'patience': 10}
    model = {'hidden': 8, 'headHidden': head_hidden}
    return validate({
        'dataset': {'valRecords': ['r4', 'r5'], 'sideFeatures': side},
        'teacher': {'model': {**model, 'layers': 1, 'dropout': 0.0}, 'train': train},
        'student': {'model': model, 'train': train, 'distill': {'baseline': False}},
    })


def cfg(side_names=(), head_hidden=0):
    return dict(cell='gru', hidden=8, layers=1, bidirectional=False, layerNorm=False, dropout=0.0, pooling='last',
                inputSize=1, numClasses=3, featureNames=list(side_names), headHidden=head_hidden)


class ModelTest(unittest.TestCase):
    def test_forward_takes_the_features_and_uses_them(self):
        model = build_model(cfg(NAMES), 'xavier', seed=0).eval()
        self.assertEqual(side_width(model.cfg), 3)
        self.assertEqual(model.head.in_features, 8 + 3)  # pooled ++ features in one Linear
        x = torch.randn(4, 10, 1)
        f = torch.randn(4, 3)
        a, b = model(x, f), model(x, f + 1.0)
        self.assertEqual(list(a.shape), [4, 3])
        self.assertGreater(float((a - b).abs().max()), 1e-4)  # the head reads f

    def test_missing_or_wrong_features_are_refused(self):
        model = build_model(cfg(NAMES), seed=0)
        for f in (None, torch.zeros(4, 2), torch.zeros(4)):
            with self.subTest(f=None if f is None else list(f.shape)), self.assertRaises(TrainerError) as cm:
                model(torch.zeros(4, 10, 1), f)
            self.assertEqual(cm.exception.code, 'E_INPUT')

    def test_hidden_head_layer(self):
        model = build_model(cfg(NAMES, head_hidden=5), 'xavier', seed=0)
        self.assertEqual((model.mid.in_features, model.mid.out_features, model.head.in_features), (11, 5, 5))

    def test_waveform_only_checkpoints_still_build(self):
        old = {k: v for k, v in cfg().items() if k not in ('featureNames', 'headHidden')}  # before side features
        model = build_model(old, seed=0)
        self.assertEqual(side_width(model.cfg), 0)
        self.assertEqual(list(model(torch.zeros(2, 5, 1)).shape), [2, 3])


class AugmentTest(unittest.TestCase):
    def test_off_is_identity_and_on_is_seeded(self):
        from tools.trainer.recipe import DEFAULTS
        base = dict(DEFAULTS['teacher']['train'])
        x = torch.randn(6, 20, 1)
        self.assertIs(augment(x, base, torch.Generator().manual_seed(0)), x)
        on = {**base, 'augmentScale': 0.3, 'augmentNoise': 0.05, 'augmentShift': 2}
        a = augment(x, on, torch.Generator().manual_seed(0))
        b = augment(x, on, torch.Generator().manual_seed(0))
        self.assertTrue(torch.equal(a, b))
        self.assertEqual(a.shape, x.shape)
        self.assertFalse(torch.equal(a, x))

    def test_shift_moves_the_window_with_edge_padding(self):
        from tools.trainer.recipe import DEFAULTS
        on = {**DEFAULTS['teacher']['train'], 'augmentShift': 3}
        x = torch.arange(10, dtype=torch.float32).view(1, 10, 1).repeat(64, 1, 1)
        y = augment(x, on, torch.Generator().manual_seed(1))
        shifts = set()
        for row in y[:, :, 0]:
            d = torch.diff(row)
            self.assertTrue(bool(((d == 0) | (d == 1)).all()))  # a shifted ramp, clamped at the ends
            shifts.add(float(row[5] - 5))
        self.assertTrue(shifts <= {-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0} and len(shifts) > 3)


class TrainWithFeaturesTest(unittest.TestCase):
    def test_teacher_learns_what_only_the_features_tell(self):
        with TempDir() as d:
            data = write_feature_dataset(os.path.join(d, 'f.npz'))
            with_f = train_teacher(recipe(True), os.path.join(d, 'a'), data, echo=quiet)
            without = train_teacher(recipe(False), os.path.join(d, 'b'), data, echo=quiet)
            # 3 balanced classes: the waveform alone is noise (chance 1/3); a 4-sigma shift of one feature separates them.
            self.assertGreater(with_f['val']['accuracy'], 0.85)
            self.assertLess(without['val']['accuracy'], 0.6)
            state = torch.load(os.path.join(d, 'a', 'teacher', 'best.pt'))
            self.assertEqual(state['modelConfig']['featureNames'], NAMES)

    def test_distilled_student_takes_the_features_and_exports_two_inputs(self):
        with TempDir() as d:
            data = write_feature_dataset(os.path.join(d, 'f.npz'))
            r = recipe(True, head_hidden=6)
            train_teacher(r, d, data, echo=quiet)
            result = distill(r, os.path.join(d, 'teacher', 'best.pt'), d, data, echo=quiet)
            self.assertGreater(result['studentKd']['val']['accuracy'], 0.85)
            state = torch.load(os.path.join(d, 'student-kd', 'best.pt'))
            self.assertEqual(state['modelConfig']['featureNames'], NAMES)
            if not HAS_ORT:
                return
            onnx_path = os.path.join(d, 'student.onnx')
            check = export_checkpoint(os.path.join(d, 'student-kd', 'best.pt'), onnx_path, data, windows=64,
                                      echo=quiet)
            self.assertTrue(check['checked'])
            self.assertEqual(check['inputs'], ['x', 'f'])
            self.assertLessEqual(check['maxAbsDiff'], 1e-4)

    def test_a_dataset_with_other_features_is_refused(self):
        with TempDir() as d:
            data = write_feature_dataset(os.path.join(d, 'f.npz'))
            other = load_dataset(write_feature_dataset(os.path.join(d, 'g.npz'), names=['preRR', 'postRR', 'localRR']))
            with self.assertRaises(TrainerError) as cm:
                check_input(other, cfg(NAMES), 'teacher')
            self.assertIn('side features', cm.exception.message)
            train_teacher(recipe(True, epochs=1), d, data, echo=quiet)
            model = torch.load(os.path.join(d, 'teacher', 'best.pt'))
            from tools.trainer.checkpoint import load_model
            teacher, _ = load_model(os.path.join(d, 'teacher', 'best.pt'))
            with self.assertRaises(TrainerError) as cm:
                predict_dataset(teacher, other, 32)
            self.assertEqual(cm.exception.code, 'E_INPUT')
            self.assertEqual(model['modelConfig']['featureNames'], NAMES)


@unittest.skipUnless(HAS_ORT, 'node or onnxruntime-node missing: the ONNX check needs `npm ci` in the repo')
class ExportFeaturesTest(unittest.TestCase):
    def test_two_inputs_concat_gemm_and_onnxruntime_agrees(self):
        for head_hidden in (0, 6):
            with self.subTest(headHidden=head_hidden), TempDir() as d:
                model = build_model(cfg(NAMES, head_hidden), 'xavier', seed=0).eval()
                g = torch.Generator().manual_seed(2)
                x, f = torch.randn(7, 10, 1, generator=g).numpy(), torch.randn(7, 3, generator=g).numpy()
                path = os.path.join(d, 'm.onnx')
                export_onnx(model, path, torch.from_numpy(x[:2]), 14, torch.from_numpy(f[:2]))
                result = check_onnx(model, path, x, 1e-5, f)
                self.assertTrue(result['checked'])
                self.assertLessEqual(result['maxAbsDiff'], 1e-5)
                try:
                    import onnx
                except ImportError:
                    continue
                graph = onnx.load(path).graph
                self.assertEqual([i.name for i in graph.input], ['x', 'f'])
                ops = [n.op_type for n in graph.node]
                concat = ops.index('Concat', ops.index('GRU'))
                self.assertIn(ops[concat + 1], ('Gemm', 'MatMul'))  # the join feeds the first Linear directly

    def test_check_without_the_features_is_refused(self):
        with TempDir() as d:
            model = build_model(cfg(NAMES), seed=0).eval()
            x = np.zeros((2, 10, 1), np.float32)
            path = os.path.join(d, 'm.onnx')
            export_onnx(model, path, torch.from_numpy(x))
            with self.assertRaises(TrainerError) as cm:
                check_onnx(model, path, x, 1e-5)
            self.assertEqual(cm.exception.code, 'E_EXPORT')


if __name__ == '__main__':
    unittest.main()
