import contextlib
import io
import json
import os
import unittest

from tools.trainer.cli import main

from .helpers import TempDir, write_dataset


class GpuCheckCpuPathTest(unittest.TestCase):
    """The path gpu-check.sh takes on a machine without CUDA (the GPU path needs a GPU)."""

    def test_cpu_only_report(self):
        with TempDir() as d:
            data = write_dataset(os.path.join(d, 'd.npz'))
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = main(['--threads', '1', 'gpu-check', '--recipe', 'tiny', '--data', data, '--cpu-seconds', '0.5',
                             '--out', os.path.join(d, 'gc'), '--set', 'teacher.model.hidden=8'])
            self.assertEqual(code, 0)
            text = out.getvalue()
            report = json.loads(text[text.index('{\n'):])
            runs = {r['run']: r for r in report['runs']}
            self.assertIn('cpu', runs)
            self.assertGreater(runs['cpu']['windowsPerSec'], 0)
            if report['cuda'] is None:
                self.assertIn('no CUDA device', text)
                self.assertEqual(list(runs), ['cpu'])


if __name__ == '__main__':
    unittest.main()
