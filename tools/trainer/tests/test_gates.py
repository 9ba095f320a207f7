import unittest

import torch
from torch import nn

from tools.trainer.gates import probe_gate_stats, rnn_reference, saturation_summary
from tools.trainer.models import build_model

from . import helpers  # noqa: F401  (sets one torch thread)


class GatesTest(unittest.TestCase):
    def test_reference_matches_torch_modules(self):
        torch.manual_seed(0)
        x = torch.randn(3, 7, 4)
        for cls in (nn.LSTM, nn.GRU):
            for bidirectional in (False, True):
                m = cls(4, 5, num_layers=2, batch_first=True, bidirectional=bidirectional)
                with torch.no_grad():
                    expected, _ = m(x)
                    got = rnn_reference(m, x)
                self.assertLess(float((expected - got).abs().max()), 1e-5, f'{cls.__name__} bi={bidirectional}')

    def test_probe_reports_every_direction_and_gate(self):
        cfg = dict(cell='lstm', hidden=6, layers=2, bidirectional=True, layerNorm=True, dropout=0.0,
                   pooling='final_state', inputSize=2, numClasses=3)
        model = build_model(cfg, 'xavier')
        report = probe_gate_stats(model, torch.randn(4, 9, 2))
        self.assertEqual(sorted(report), ['rnns.0.l0.bwd', 'rnns.0.l0.fwd', 'rnns.1.l0.bwd', 'rnns.1.l0.fwd'])
        for gates in report.values():
            self.assertEqual(sorted(gates), ['f', 'g', 'i', 'o', 'tanh_c'])
            for s in gates.values():
                self.assertTrue(0.0 <= s['sat'] <= 1.0)
        self.assertTrue(model.training)  # probing restores the mode

    def test_saturation_detects_saturated_gates(self):
        cfg = dict(cell='gru', hidden=4, layers=1, bidirectional=False, layerNorm=False, dropout=0.0,
                   pooling='last', inputSize=1, numClasses=2)
        model = build_model(cfg)
        with torch.no_grad():
            model.rnns[0].bias_ih_l0.fill_(50.0)  # every gate pre-activation huge -> all saturated
        summary = saturation_summary(probe_gate_stats(model, torch.randn(2, 5, 1)))
        self.assertEqual(summary, {'r': 1.0, 'z': 1.0, 'n': 1.0})


if __name__ == '__main__':
    unittest.main()
