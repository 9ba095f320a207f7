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
from .models import ProbsModel

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


def export_onnx(model: torch.nn.Module, path: str, example: torch.Tensor, opset: int = 14) -> None:
    wrapped = ProbsModel(model).eval().cpu()
    kwargs = dict(input_names=['x'], output_names=['probs'], opset_version=opset, do_constant_folding=True,
                  dynamic_axes={'x': {0: 'batch'}, 'probs': {0: 'batch'}})
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        kwargs['dynamo'] = False
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with warnings.catch_warnings():
        # 1.13 warns that a batch other than 1 "may" fail with RNNs: the initial state is built from the
        # input's batch, and the check below runs a different batch size to prove it.
        warnings.simplefilter('ignore')
        try:
            torch.onnx.export(wrapped, (example.cpu(),), path, **kwargs)
        except Exception as e:
            raise TrainerError('E_EXPORT', f'{path}: torch.onnx.export failed: {type(e).__name__}: {e}') from None


@torch.no_grad()
def torch_probs(model: torch.nn.Module, x: np.ndarray, batch: int = 256) -> np.ndarray:
    wrapped = ProbsModel(model).eval().cpu()
    outs = [wrapped(torch.from_numpy(np.ascontiguousarray(x[i:i + batch]))) for i in range(0, len(x), batch)]
    return torch.cat(outs).numpy().astype(np.float32)


def run_onnxruntime(onnx_path: str, x: np.ndarray):
    """(probs, None) from onnxruntime-node, or (None, reason) when node / onnxruntime-node is absent."""
    base = check_command()
    if base is None:
        return None, 'node, or both tools/trainer/check_onnx.ts with tsx and its build in dist/, are missing'
    with tempfile.TemporaryDirectory(prefix='wg-onnx-') as tmp:
        inp, out = os.path.join(tmp, 'x.npy'), os.path.join(tmp, 'y.npy')
        np.save(inp, np.ascontiguousarray(x, dtype=np.float32))
        proc = subprocess.run(base + [onnx_path, inp, out], cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=300)
        if proc.returncode == 3 and 'not installed' in proc.stderr:
            return None, proc.stderr.strip()
        if proc.returncode != 0:
            raise TrainerError('E_EXPORT', f'{onnx_path}: onnxruntime check failed: {proc.stderr.strip()}')
        return np.load(out), None


def check_onnx(model, onnx_path: str, x: np.ndarray, tolerance: float) -> dict:
    """Compares onnxruntime with PyTorch on x; raises E_EXPORT above tolerance, returns the figures."""
    expected = torch_probs(model, x)
    got, skipped = run_onnxruntime(onnx_path, x)
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
