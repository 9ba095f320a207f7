"""Outlier exposure (tools/trainer/outliers.py): the anomaly set is normal windows + synthetic
anomalies made from them, labelled normal/anomaly, deterministic, with the normal set's input spec."""
import json
import os
import unittest

import numpy as np

from tools.trainer.dataset import load_dataset
from tools.trainer.errors import TrainerError
from tools.trainer.outliers import build, perturb

from .helpers import TempDir, quiet

FS = 12000.0
STAGES = [{'kind': 'decimate', 'to': 12000}, {'kind': 'normalize', 'mean': 0, 'std': 0.1}]


def write_vibration(path, labels=('normal', 'IR007'), per_class=12, t=256, stages=STAGES, seed=0):
    rng = np.random.default_rng(seed)
    n = per_class * len(labels)
    y = np.repeat(np.arange(len(labels)), per_class)
    x = rng.normal(0, 1, (n, t, 1)).astype(np.float32)
    meta = {'format': 'wavegate-dataset', 'formatVersion': 2, 'labels': list(labels), 'records': [f'rec{k}' for k in range(len(labels))],
            'recordRates': [FS] * len(labels), 'split': 'train', 'source': 'cwru',
            'input': {'channels': 1, 'sampleRate': FS, 'window': t, 'preprocessing': stages,
                      'windowing': {'mode': 'fixed', 'window': t, 'hop': t}}}
    np.savez(path, x=x, y=y.astype(np.int64), record=y.astype(np.int32), sample=np.arange(n, dtype=np.int64) * t,
             meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    return path


class OutliersTest(unittest.TestCase):
    def test_normal_windows_and_their_anomalies(self):
        with TempDir() as d:
            src = write_vibration(os.path.join(d, 'n.npz'))
            out = os.path.join(d, 'a.npz')
            meta = build(src, out, per_normal=2, seed=3, echo=quiet)
            ds = load_dataset(out)
            self.assertEqual(ds.labels, ['normal', 'anomaly'])
            self.assertEqual(int((ds.y == 0).sum()), 12)  # only the windows labelled normal; IR007 is never used
            self.assertEqual(int((ds.y == 1).sum()), 24)
            src_ds = load_dataset(src)
            np.testing.assert_array_equal(ds.x[ds.y == 0], src_ds.x[src_ds.y == 0])
            self.assertEqual(meta['input'], src_ds.meta['input'])  # the model carries the normal set's input spec
            self.assertEqual(meta['records'][-1], 'synthetic-anomalies')
            self.assertEqual(sum(meta['outliers']['kinds'].values()), 24)
            # deterministic for a seed
            build(src, os.path.join(d, 'b.npz'), per_normal=2, seed=3, echo=quiet)
            np.testing.assert_array_equal(load_dataset(os.path.join(d, 'b.npz')).x, ds.x)

    def test_impacts_ring_a_resonance_in_the_fault_band(self):
        rng = np.random.default_rng(0)
        w = rng.normal(0, 1, (2048, 1)).astype(np.float32)
        kinds = {}
        for seed in range(40):
            out, kind = perturb(w, FS, np.random.default_rng(seed))
            self.assertEqual(out.shape, w.shape)
            added = (out - w)[:, 0].astype(np.float64)
            self.assertGreater(float(np.abs(added).max()), 0.0)
            kinds[kind] = kinds.get(kind, 0) + 1
            if kind != 'noise':  # the energy added sits at the ringing resonance (1.5 kHz to 0.45 fs, broadened by the damping)
                spectrum = np.abs(np.fft.rfft(added))
                peak = np.fft.rfftfreq(len(added), 1 / FS)[int(spectrum.argmax())]
                self.assertTrue(1000 <= peak, f'seed {seed}: {kind} peaks at {peak:.0f} Hz')
        self.assertEqual(set(kinds), {'impulses', 'knocks', 'noise'})
        self.assertGreater(kinds['impulses'], kinds['noise'])

    def test_synthetic_faults_are_brought_to_the_normal_preprocessing(self):
        with TempDir() as d:
            src = write_vibration(os.path.join(d, 'n.npz'))
            synth = write_vibration(os.path.join(d, 's.npz'), labels=('normal', 'inner'), stages=[], seed=1)
            build(src, os.path.join(d, 'a.npz'), synth_path=synth, per_normal=1, echo=quiet)
            ds = load_dataset(os.path.join(d, 'a.npz'))
            from_synth = ds.x[ds.record == ds.meta['records'].index('synth-bearing-faults')]
            raw = load_dataset(synth)
            np.testing.assert_allclose(from_synth, raw.x[raw.y == 1] / 0.1, rtol=1e-6)  # the final normalize applied
            other = write_vibration(os.path.join(d, 'o.npz'), stages=[{'kind': 'highpass', 'cutoff': 100, 'order': 2}])
            with self.assertRaises(TrainerError) as cm:
                build(src, os.path.join(d, 'x.npz'), synth_path=other, echo=quiet)
            self.assertEqual(cm.exception.code, 'E_INPUT')

    def test_a_set_without_normal_windows_is_refused(self):
        with TempDir() as d:
            src = write_vibration(os.path.join(d, 'n.npz'), labels=('IR007', 'B007'))
            with self.assertRaises(TrainerError) as cm:
                build(src, os.path.join(d, 'a.npz'), echo=quiet)
            self.assertIn('normal', cm.exception.message)


if __name__ == '__main__':
    unittest.main()
