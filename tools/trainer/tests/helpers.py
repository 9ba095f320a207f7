"""Test helpers: tiny datasets written in the dataset-file format (a test fixture, not the
project's generator), a quiet echo, the trainer CLI run in-process, and a one-epoch tiny teacher."""
import contextlib
import io
import json
import os
import tempfile

import numpy as np
import torch

torch.set_num_threads(1)


def write_dataset(path, records=4, per_record=24, t=16, c=1, labels=('N', 'S', 'V'), seed=0, **override):
    """Class k windows carry a bump of height k + 1 at a class-specific place, so models can learn them."""
    rng = np.random.default_rng(seed)
    n = records * per_record
    y = np.arange(n) % len(labels)
    x = rng.normal(0, 0.1, (n, t, c)).astype(np.float32)
    for i, k in enumerate(y):
        x[i, (k * 3) % t: (k * 3) % t + 3, :] += k + 1
    arrays = {'x': x, 'y': y.astype(np.int64), 'record': np.repeat(np.arange(records), per_record).astype(np.int32),
              'meta': np.frombuffer(json.dumps({'labels': list(labels), 'records': [f'r{i}' for i in range(records)]})
                                    .encode(), dtype=np.uint8)}
    arrays.update(override)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    np.savez(path, **arrays)
    return path


class TempDir:
    def __enter__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix='wg-trainer-test-')
        return self.tmp.name

    def __exit__(self, *exc):
        self.tmp.cleanup()


def quiet(_text):
    pass


def tiny_train_cfg(**kw):
    from tools.trainer.recipe import DEFAULTS
    cfg = dict(DEFAULTS['student']['train'])
    cfg.update(epochs=2, batchSize=16, lr=0.01, warmupSteps=2, probeEvery=3, evalBatchSize=64, device='cpu')
    cfg.update(kw)
    return cfg


def path_in(d, name):
    return os.path.join(d, name)


def run_cli(*argv):
    """The trainer CLI in-process, one torch thread: (exit code, stdout, stderr)."""
    from tools.trainer.cli import main
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(['--threads', '1', *argv])
    return code, out.getvalue(), err.getvalue()


# One epoch each on 48 windows with an 8-unit teacher: the tiny recipe as fast as it goes.
FAST = ['--set', 'teacher.train.epochs=1', '--set', 'student.train.epochs=1', '--set', 'dataset.maxWindows=48',
        '--set', 'teacher.model.hidden=8']


def tiny_teacher(d, *extra):
    """Writes a tiny dataset into folder d and trains the tiny teacher on it with FAST + extra.
    Returns (dataset path, teacher checkpoint path, exit code, stdout, stderr)."""
    data = write_dataset(os.path.join(d, 'd.npz'))
    code, out, err = run_cli('teacher', '--recipe', 'tiny', '--data', data, '--out', d, *FAST, *extra)
    return data, os.path.join(d, 'teacher', 'best.pt'), code, out, err
