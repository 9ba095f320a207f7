"""`export`: checkpoint -> ONNX, checked against onnxruntime on real validation windows."""
import os

import numpy as np
import torch

from . import checkpoint
from .data_prep import check_input
from .dataset import check_labels, load_dataset
from .models import side_width
from .onnx_export import check_onnx, export_onnx


def validation_windows(state: dict, data_path: str, count: int, whole_file: bool = False):
    """First `count` windows (x, y, features or None) of the checkpoint's own validation records in
    data_path (all of the file when whole_file: a separate validation file, or a file without them).
    features: the side features when the checkpoint's model takes them."""
    ds = load_dataset(data_path)
    check_labels(ds, state['labels'], 'checkpoint')
    check_input(ds, state['modelConfig'], 'checkpoint')
    idx = np.nonzero(np.isin(ds.record, state['valRecords']))[0]
    if whole_file or len(idx) == 0:
        idx = np.arange(len(ds.y))
    idx = idx[:count]
    f = ds.features[idx] if side_width(state['modelConfig']) else None
    return ds.x[idx], ds.y[idx], f


def export_checkpoint(ckpt_path: str, onnx_path: str, data_path=None, windows=256, opset=14, tolerance=1e-4,
                      echo=print) -> dict:
    model, state = checkpoint.load_model(ckpt_path)
    t, c = state['inputShape']
    whole_file = data_path is None and bool(state.get('valPath'))
    data_path = data_path or state.get('valPath') or state.get('dataset')
    side = side_width(state['modelConfig'])
    if data_path and os.path.isfile(data_path):
        x, _, f = validation_windows(state, data_path, windows, whole_file)
        source = f'{len(x)} validation windows of {data_path}'
    else:  # only when the dataset is gone: still an onnxruntime check, on noise
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(windows, t, c, generator=gen).numpy()
        f = torch.randn(windows, side, generator=gen).numpy() if side else None
        source = f'{windows} random windows (no dataset given)'
    export_onnx(model, onnx_path, torch.from_numpy(x[:2]), opset,
                torch.from_numpy(f[:2]) if f is not None else None)
    result = check_onnx(model, onnx_path, x, tolerance, f)
    result['inputs'] = ['x', 'f'] if side else ['x']
    result.update(onnx=onnx_path, checkpoint=ckpt_path, source=source)
    if result['checked']:
        echo(f'{onnx_path}: onnxruntime vs torch on {source}: max abs diff {result["maxAbsDiff"]:.3g} '
             f'(tolerance {tolerance}), argmax agreement {100 * result["argmaxAgreement"]:.2f}%')
    else:
        echo(f'{onnx_path}: written; onnxruntime check SKIPPED: {result["reason"]}')
    return result
