"""ONNX export (TorchScript exporter on PyTorch 1.13 and 2.x) and its check against onnxruntime.

PyTorch 2.x's newest releases default torch.onnx.export to the dynamo exporter, whose graphs
differ (functions, opset 18+); wavegate's importer expects the classic LSTM/GRU nodes, so we
pass dynamo=False wherever the signature has it. The batch axis is dynamic, time is fixed at the
window length (the model file carries the window).

The check runs the .onnx in onnxruntime-node (tools/trainer/check_onnx.ts, because Python has
no onnxruntime here) on real validation windows and compares with PyTorch: an independent
runtime, not a torch-vs-torch reload.
"""
import inspect
import os
import shutil
import subprocess
import tempfile
import warnings

import numpy as np
import torch

from .errors import TrainerError
from .models import ProbsModel, side_width

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def check_command():
    """tools/trainer/check_onnx.ts as an argv prefix: through tsx (the sources, what the tests cover),
    else its build in dist/; None when node or both are absent."""
    node = shutil.which('node')
    if node is None:
        return None
    tsx = os.path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx')
    source = os.path.join(REPO_ROOT, 'tools', 'trainer', 'check_onnx.ts')
    if os.path.isfile(tsx) and os.path.isfile(source):
        return [tsx, source]
    built = os.path.join(REPO_ROOT, 'dist', 'tools', 'trainer', 'check_onnx.js')
    if os.path.isfile(built):
        return [node, built]
    return None


def export_onnx(model: torch.nn.Module, path: str, example: torch.Tensor, opset: int = 14,
                example_features: torch.Tensor = None) -> None:
    """A model with side features exports with two inputs, x [batch, T, C] and f [batch, F]: the
    torch.cat([h, f], dim=1) before the head becomes Concat(axis=1) + Gemm, the importer's
    input.features."""
    wrapped = ProbsModel(model).eval().cpu()
    side = side_width(model.cfg)
    names, axes = ['x'], {'x': {0: 'batch'}, 'probs': {0: 'batch'}}
    args = (example.cpu(),)
    if side:
        if example_features is None:
            example_features = torch.zeros(example.shape[0], side)
        names.append('f')
        axes['f'] = {0: 'batch'}
        args = (example.cpu(), example_features.cpu())
    kwargs = dict(input_names=names, output_names=['probs'], opset_version=opset, do_constant_folding=True,
                  dynamic_axes=axes)
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        kwargs['dynamo'] = False
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with warnings.catch_warnings():
        # 1.13 warns that a batch other than 1 "may" fail with RNNs: the initial state is built from the
        # input's batch, and the check below runs a different batch size to prove it.
        warnings.simplefilter('ignore')
        try:
            torch.onnx.export(wrapped, args, path, **kwargs)
        except Exception as e:
            raise TrainerError('E_EXPORT', f'{path}: torch.onnx.export failed: {type(e).__name__}: {e}') from None


@torch.no_grad()
def torch_probs(model: torch.nn.Module, x: np.ndarray, batch: int = 256, features: np.ndarray = None) -> np.ndarray:
    wrapped = ProbsModel(model).eval().cpu()

    def chunk(a, i):
        return torch.from_numpy(np.ascontiguousarray(a[i:i + batch]))
    outs = [wrapped(chunk(x, i)) if features is None else wrapped(chunk(x, i), chunk(features, i))
            for i in range(0, len(x), batch)]
    return torch.cat(outs).numpy().astype(np.float32)


def run_onnxruntime(onnx_path: str, x: np.ndarray, features: np.ndarray = None):
    """(probs, None) from onnxruntime-node, or (None, reason) when node / onnxruntime-node is absent.
    features: the second input f [N, F] of a model with side features."""
    base = check_command()
    if base is None:
        return None, 'node, or both tools/trainer/check_onnx.ts with tsx and its build in dist/, are missing'
    with tempfile.TemporaryDirectory(prefix='wg-onnx-') as tmp:
        inp, out, feat = os.path.join(tmp, 'x.npy'), os.path.join(tmp, 'y.npy'), os.path.join(tmp, 'f.npy')
        np.save(inp, np.ascontiguousarray(x, dtype=np.float32))
        extra = []
        if features is not None:
            np.save(feat, np.ascontiguousarray(features, dtype=np.float32))
            extra = [feat]
        proc = subprocess.run(base + [onnx_path, inp, out] + extra, cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=300)
        if proc.returncode == 3 and 'not installed' in proc.stderr:
            return None, proc.stderr.strip()
        if proc.returncode != 0:
            raise TrainerError('E_EXPORT', f'{onnx_path}: onnxruntime check failed: {proc.stderr.strip()}')
        return np.load(out), None


def check_onnx(model, onnx_path: str, x: np.ndarray, tolerance: float, features: np.ndarray = None) -> dict:
    """Compares onnxruntime with PyTorch on x (and the side features of a model that takes them);
    raises E_EXPORT above tolerance, returns the figures."""
    side = side_width(model.cfg)
    if side and (features is None or features.shape != (len(x), side)):
        got = 'none' if features is None else list(features.shape)
        raise TrainerError('E_EXPORT', f'{onnx_path}: the model takes {side} side features per window; check features {got}')
    expected = torch_probs(model, x, features=features if side else None)
    got, skipped = run_onnxruntime(onnx_path, x, features if side else None)
    if got is None:
        return {'checked': False, 'reason': skipped, 'windows': int(len(x))}
    if got.shape != expected.shape:
        raise TrainerError('E_EXPORT', f'{onnx_path}: onnxruntime output shape {list(got.shape)} != torch {list(expected.shape)}')
    diff = float(np.max(np.abs(got - expected))) if got.size else 0.0
    result = {'checked': True, 'windows': int(len(x)), 'maxAbsDiff': diff, 'tolerance': tolerance,
              'argmaxAgreement': float(np.mean(got.argmax(1) == expected.argmax(1)))}
    if not diff <= tolerance:
        raise TrainerError('E_EXPORT', f'{onnx_path}: max abs diff onnxruntime vs torch {diff:.3g} > tolerance {tolerance}')
    return result
