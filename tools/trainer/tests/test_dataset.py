import json
import os
import unittest

import numpy as np

from tools.trainer.dataset import load_dataset, split_by_record
from tools.trainer.errors import TrainerError

from .helpers import TempDir, write_dataset


class DatasetTest(unittest.TestCase):
    def expect(self, code, needle, **override):
        with TempDir() as d:
            p = write_dataset(os.path.join(d, 'd.npz'), **override)
            with self.assertRaises(TrainerError) as cm:
                load_dataset(p)
        self.assertEqual(cm.exception.code, code, str(cm.exception))
        self.assertIn(needle, str(cm.exception))

    def test_loads_valid_file(self):
        with TempDir() as d:
            ds = load_dataset(write_dataset(os.path.join(d, 'd.npz')))
        self.assertEqual(ds.x.shape, (96, 16, 1))
        self.assertEqual(ds.labels, ['N', 'S', 'V'])

    def test_missing_and_malformed_files(self):
        with self.assertRaises(TrainerError) as cm:
            load_dataset('/nonexistent/d.npz')
        self.assertEqual(cm.exception.code, 'E_NOT_FOUND')
        with TempDir() as d:
            p = os.path.join(d, 'junk.npz')
            with open(p, 'wb') as f:
                f.write(b'not a zip file at all')
            with self.assertRaises(TrainerError) as cm:
                load_dataset(p)
            self.assertEqual(cm.exception.code, 'E_FILE_FORMAT')

    def test_field_errors_name_the_field(self):
        self.expect('E_FILE_FORMAT', '"y"', y=None)
        self.expect('E_FILE_FORMAT', '"x" must be float32', x=np.zeros((4, 3), np.float32))
        self.expect('E_FILE_FORMAT', '"record"', record=np.zeros(96, np.int64))
        self.expect('E_FILE_FORMAT', '"meta"', meta=np.frombuffer(b'{not json', np.uint8))
        self.expect('E_FILE_FORMAT', 'meta.labels', meta=np.frombuffer(b'{"fs": 360}', np.uint8))

    def test_nan_and_label_range(self):
        x = np.zeros((96, 16, 1), np.float32)
        x[5, 3, 0] = np.nan
        self.expect('E_INPUT', 'first: window 5', x=x)
        y = np.zeros(96, np.int64)
        y[7] = 3
        self.expect('E_INPUT', '"y"[7] = 3', y=y)

    def test_features_and_sample(self):
        n = 96
        meta = {'labels': ['N', 'S', 'V'], 'input': {'channels': 1, 'features': {'kind': 'rr', 'names': ['preRR', 'postRR'], 'localBeats': 10}}}
        meta_bytes = np.frombuffer(json.dumps(meta).encode(), np.uint8)
        feats = np.arange(2 * n, dtype=np.float32).reshape(n, 2)
        sample = np.arange(n, dtype=np.int64) * 300
        with TempDir() as d:
            ds = load_dataset(write_dataset(os.path.join(d, 'd.npz'), meta=meta_bytes, features=feats, sample=sample))
            self.assertEqual(ds.feature_names, ['preRR', 'postRR'])
            np.testing.assert_array_equal(ds.features, feats)
            sub = ds.subset(np.array([3, 5]))
            np.testing.assert_array_equal(sub.features, feats[[3, 5]])
            np.testing.assert_array_equal(sub.sample, [900, 1500])
            plain = load_dataset(write_dataset(os.path.join(d, 'p.npz')))
            self.assertIsNone(plain.features)
            self.assertEqual(plain.feature_names, [])
        self.expect('E_FILE_FORMAT', 'missing key "features"', meta=meta_bytes)
        self.expect('E_FILE_FORMAT', '"features" must be float32 [96, 2]', meta=meta_bytes, features=feats[:, :1])
        self.expect('E_FILE_FORMAT', 'does not name them', features=feats)
        self.expect('E_FILE_FORMAT', '"sample" must be int64 [96]', sample=sample.astype(np.int32))
        bad = feats.copy()
        bad[7, 1] = np.inf
        self.expect('E_INPUT', 'first: window 7', meta=meta_bytes, features=bad)

    def test_split_is_by_record_and_seeded(self):
        with TempDir() as d:
            ds = load_dataset(write_dataset(os.path.join(d, 'd.npz'), records=6))
        tr, va = split_by_record(ds, None, 0.34, seed=3)
        self.assertFalse(set(ds.record[tr]) & set(ds.record[va]))
        self.assertEqual(len(tr) + len(va), len(ds.y))
        tr2, va2 = split_by_record(ds, None, 0.34, seed=3)
        np.testing.assert_array_equal(va, va2)
        _, va_named = split_by_record(ds, ['r1', 4], 0.2)
        self.assertEqual(sorted(set(ds.record[va_named].tolist())), [1, 4])
        with self.assertRaises(TrainerError):
            split_by_record(ds, [99], 0.2)

    def test_single_record_cannot_split(self):
        with TempDir() as d:
            ds = load_dataset(write_dataset(os.path.join(d, 'd.npz'), records=1))
        with self.assertRaises(TrainerError) as cm:
            split_by_record(ds)
        self.assertIn('at least 2', str(cm.exception))



class SeparateValidationFileTest(unittest.TestCase):
    def test_val_path_trains_on_the_whole_file(self):
        from tools.trainer.data_prep import prepare
        from tools.trainer.recipe import validate
        with TempDir() as d:
            tr = write_dataset(os.path.join(d, 'tr.npz'), records=2)
            va = write_dataset(os.path.join(d, 'va.npz'), records=1, seed=1)
            _, train, val, _ = prepare(validate({'dataset': {'path': tr, 'valPath': va}}))
            self.assertEqual((len(train.y), len(val.y)), (48, 24))
            other = write_dataset(os.path.join(d, 'o.npz'), records=1, labels=('a', 'b', 'c'))
            with self.assertRaises(TrainerError) as cm:
                prepare(validate({'dataset': {'path': tr, 'valPath': other}}))
            self.assertIn('do not match', str(cm.exception))


if __name__ == '__main__':
    unittest.main()
