"""Gate activation statistics, computed by re-running the recurrence by hand on a probe batch.

cuDNN and PyTorch's fused RNNs never expose gate values, so every `probeEvery` steps the monitor
captures the input of each nn.LSTM/nn.GRU (forward hooks), replays the recurrence here from the
module's own weights, and reports per gate the mean and std of the activation and its saturation
fraction: sigmoid gates below 0.05 or above 0.95, tanh outputs beyond +-0.95. Saturated gates
pass almost no gradient, and they also show where INT8 quantization of the gate inputs matters.

`lstm_reference` / `gru_reference` are also the plain reference implementation of PyTorch's
cells (tested against nn.LSTM/nn.GRU).
"""
import torch
from torch import nn

SIGMOID_LOW, SIGMOID_HIGH, TANH_LIMIT = 0.05, 0.95, 0.95


def _stats(act: torch.Tensor, kind: str) -> dict:
    if kind == 'sigmoid':
        sat = ((act < SIGMOID_LOW) | (act > SIGMOID_HIGH)).float().mean()
    else:
        sat = (act.abs() > TANH_LIMIT).float().mean()
    return {'mean': round(float(act.mean()), 5), 'std': round(float(act.std()), 5), 'sat': round(float(sat), 5)}


def lstm_reference(x, w_ih, w_hh, b_ih, b_hh, reverse=False, collect=None):
    """x [B, T, I] -> y [B, T, H]. collect, if a dict, receives activations per gate name."""
    b, t_len, _ = x.shape
    h_size = w_hh.shape[1]
    h = x.new_zeros(b, h_size)
    c = x.new_zeros(b, h_size)
    xw = x @ w_ih.t() + b_ih
    ys = [None] * t_len
    acts = {'i': [], 'f': [], 'g': [], 'o': [], 'tanh_c': []}
    steps = range(t_len - 1, -1, -1) if reverse else range(t_len)
    for t in steps:
        z = xw[:, t] + h @ w_hh.t() + b_hh
        i, f, g, o = z.chunk(4, dim=1)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * c + i * g
        tc = torch.tanh(c)
        h = o * tc
        ys[t] = h
        if collect is not None:
            for name, a in zip(('i', 'f', 'g', 'o', 'tanh_c'), (i, f, g, o, tc)):
                acts[name].append(a)
    if collect is not None:
        for name, parts in acts.items():
            collect[name] = torch.stack(parts)
    return torch.stack(ys, dim=1)


def gru_reference(x, w_ih, w_hh, b_ih, b_hh, reverse=False, collect=None):
    """PyTorch GRU (= ONNX linear_before_reset = 1): n = tanh(W_n x + b_in + r * (U_n h + b_hn))."""
    b, t_len, _ = x.shape
    h_size = w_hh.shape[1]
    h = x.new_zeros(b, h_size)
    xw = x @ w_ih.t() + b_ih
    ys = [None] * t_len
    acts = {'r': [], 'z': [], 'n': []}
    steps = range(t_len - 1, -1, -1) if reverse else range(t_len)
    for t in steps:
        hw = h @ w_hh.t() + b_hh
        xr, xz, xn = xw[:, t].chunk(3, dim=1)
        hr, hz, hn = hw.chunk(3, dim=1)
        r = torch.sigmoid(xr + hr)
        z = torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)
        h = (1 - z) * n + z * h
        ys[t] = h
        if collect is not None:
            for name, a in zip(('r', 'z', 'n'), (r, z, n)):
                acts[name].append(a)
    if collect is not None:
        for name, parts in acts.items():
            collect[name] = torch.stack(parts)
    return torch.stack(ys, dim=1)


KINDS = {'i': 'sigmoid', 'f': 'sigmoid', 'o': 'sigmoid', 'r': 'sigmoid', 'z': 'sigmoid',
         'g': 'tanh', 'n': 'tanh', 'tanh_c': 'tanh'}


def rnn_reference(module: nn.RNNBase, x: torch.Tensor, collect=None) -> torch.Tensor:
    """Replays a batch_first nn.LSTM/nn.GRU (any layers/directions, no projections).
    collect[f'l{k}.{fwd|bwd}'] receives that direction's gate activations."""
    fn = lstm_reference if isinstance(module, nn.LSTM) else gru_reference
    y = x
    for layer in range(module.num_layers):
        outs = []
        for d, suffix in enumerate(['', '_reverse'][: 2 if module.bidirectional else 1]):
            p = {n: getattr(module, f'{n}_l{layer}{suffix}') for n in ('weight_ih', 'weight_hh', 'bias_ih', 'bias_hh')}
            acts = {} if collect is not None else None
            outs.append(fn(y, p['weight_ih'], p['weight_hh'], p['bias_ih'], p['bias_hh'], reverse=d == 1, collect=acts))
            if collect is not None:
                collect[f'l{layer}.{"bwd" if d else "fwd"}'] = acts
        y = torch.cat(outs, dim=-1)
    return y


@torch.no_grad()
def probe_gate_stats(model: nn.Module, x: torch.Tensor) -> dict:
    """{'rnns.0.l0.fwd': {'i': {'mean','std','sat'}, ...}, ...} for every recurrent module in model."""
    inputs = {}
    handles = []
    for name, mod in model.named_modules():
        if isinstance(mod, (nn.LSTM, nn.GRU)):
            handles.append(mod.register_forward_hook(
                lambda m, inp, out, name=name: inputs.__setitem__(name, (m, inp[0].detach()))))
    was_training = model.training
    model.eval()
    try:
        side = getattr(model, 'side', 0)  # side features join after the recurrent stack: zeros do not change the gates
        model(x) if not side else model(x, x.new_zeros(x.shape[0], side))
    finally:
        for hd in handles:
            hd.remove()
        model.train(was_training)
    report = {}
    for name, (mod, inp) in inputs.items():
        acts = {}
        rnn_reference(mod, inp.float(), collect=acts)
        for direction, gates in acts.items():
            report[f'{name}.{direction}'] = {g: _stats(a, KINDS[g]) for g, a in gates.items()}
    return report


def saturation_summary(report: dict) -> dict:
    """Mean saturation per gate name over all layers/directions: the compact per-step figure."""
    sums, counts = {}, {}
    for gates in report.values():
        for g, s in gates.items():
            sums[g] = sums.get(g, 0.0) + s['sat']
            counts[g] = counts.get(g, 0) + 1
    return {g: round(sums[g] / counts[g], 5) for g in sums}
