"""Dataset files (.npz, no pickle) and the split by record.

Keys (docs/datasets.md): ``x`` float32 [N, T, C], ``y`` int64 [N], ``record`` int32 [N],
``meta`` uint8 = UTF-8 JSON with at least ``labels``; from dataset format 2 also ``sample`` int64
[N] (the window's R peak or first sample, in samples of its recording) and, when
``meta.input.features`` names side features, ``features`` float32 [N, F] in that order.
The windows and features are already preprocessed and normalised by the same TypeScript code the
device runs (the model carries the same stages and statistics), so the trainer applies no
normalisation of its own (that would be train/serve skew).

Validation is by record (patient, recording), never by random windows: windows of one record
are correlated, and a random split would report intra-patient accuracy.
"""
import json
import os
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .errors import TrainerError


@dataclass
class Dataset:
    x: np.ndarray  # float32 [N, T, C]
    y: np.ndarray  # int64 [N]
    record: np.ndarray  # int32 [N]
    labels: list
    meta: dict = field(default_factory=dict)
    path: str = ''
    features: Optional[np.ndarray] = None  # float32 [N, F], names in feature_names
    sample: Optional[np.ndarray] = None  # int64 [N]

    @property
    def num_classes(self) -> int:
        return len(self.labels)

    @property
    def feature_names(self) -> list:
        f = (self.meta.get('input') or {}).get('features') if isinstance(self.meta, dict) else None
        return list(f['names']) if isinstance(f, dict) and isinstance(f.get('names'), list) else []

    def subset(self, idx: np.ndarray) -> 'Dataset':
        return Dataset(self.x[idx], self.y[idx], self.record[idx], self.labels, self.meta, self.path,
                       None if self.features is None else self.features[idx],
                       None if self.sample is None else self.sample[idx])


def _fail(path, problem):
    raise TrainerError('E_FILE_FORMAT', f'{path}: {problem}')


def load_dataset(path: str) -> Dataset:
    """Loads and validates every field before any training starts."""
    if not path:
        raise TrainerError('E_ARGUMENT', 'no dataset: pass --data <file.npz> or set dataset.path in the recipe')
    if not os.path.isfile(path):
        raise TrainerError('E_NOT_FOUND', f'{path}: dataset file not found')
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except Exception as e:  # zipfile.BadZipFile, ValueError (pickled object arrays), OSError
        _fail(path, f'not a readable .npz file ({type(e).__name__}: {e})')
    for key in ('x', 'y', 'record', 'meta'):
        if key not in arrays:
            _fail(path, f'missing key "{key}" (found: {", ".join(sorted(arrays)) or "none"})')
    x, y, record, meta_bytes = arrays['x'], arrays['y'], arrays['record'], arrays['meta']
    if x.dtype != np.float32 or x.ndim != 3:
        _fail(path, f'"x" must be float32 [N, T, C], got {x.dtype} {list(x.shape)}')
    n = x.shape[0]
    if n == 0 or x.shape[1] == 0 or x.shape[2] == 0:
        _fail(path, f'"x" is empty: shape {list(x.shape)}')
    if y.dtype != np.int64 or y.shape != (n,):
        _fail(path, f'"y" must be int64 [{n}], got {y.dtype} {list(y.shape)}')
    if record.dtype != np.int32 or record.shape != (n,):
        _fail(path, f'"record" must be int32 [{n}], got {record.dtype} {list(record.shape)}')
    sample = arrays.get('sample')
    if sample is not None and (sample.dtype != np.int64 or sample.shape != (n,)):
        _fail(path, f'"sample" must be int64 [{n}], got {sample.dtype} {list(sample.shape)}')
    if meta_bytes.dtype != np.uint8 or meta_bytes.ndim != 1:
        _fail(path, f'"meta" must be a uint8 vector of UTF-8 JSON, got {meta_bytes.dtype} {list(meta_bytes.shape)}')
    try:
        meta = json.loads(meta_bytes.tobytes().decode('utf-8'))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        _fail(path, f'"meta" is not UTF-8 JSON ({e})')
    labels = meta.get('labels') if isinstance(meta, dict) else None
    if not isinstance(labels, list) or not labels or not all(isinstance(s, str) for s in labels):
        _fail(path, '"meta.labels" must be a non-empty list of strings')
    features = _features(path, arrays, meta, n)
    bad = ~np.isfinite(x)
    if bad.any():
        windows = np.nonzero(bad.any(axis=(1, 2)))[0]
        raise TrainerError('E_INPUT', f'{path}: "x" has {int(bad.sum())} NaN/inf values in {len(windows)} windows '
                                      f'(first: window {int(windows[0])})')
    if y.min() < 0 or y.max() >= len(labels):
        i = int(np.nonzero((y < 0) | (y >= len(labels)))[0][0])
        raise TrainerError('E_INPUT', f'{path}: "y"[{i}] = {int(y[i])} is outside the {len(labels)} labels {labels}')
    return Dataset(x, y, record, labels, meta, path, features, sample)


def _features(path, arrays, meta, n):
    """The side features: present exactly when meta.input.features names them, [N, len(names)]."""
    spec = (meta.get('input') or {}).get('features') if isinstance(meta.get('input'), dict) else None
    f = arrays.get('features')
    if spec is None:
        if f is not None:
            _fail(path, '"features" is present but "meta.input.features" does not name them')
        return None
    names = spec.get('names') if isinstance(spec, dict) else None
    if not isinstance(names, list) or not names or not all(isinstance(s, str) for s in names):
        _fail(path, '"meta.input.features.names" must be a non-empty list of strings')
    if f is None:
        _fail(path, f'missing key "features" (meta.input.features names {len(names)})')
    if f.dtype != np.float32 or f.shape != (n, len(names)):
        _fail(path, f'"features" must be float32 [{n}, {len(names)}], got {f.dtype} {list(f.shape)}')
    bad = ~np.isfinite(f)
    if bad.any():
        i = int(np.nonzero(bad.any(axis=1))[0][0])
        raise TrainerError('E_INPUT', f'{path}: "features" has {int(bad.sum())} NaN/inf values (first: window {i})')
    return f


def check_labels(ds: Dataset, labels: list, what: str) -> None:
    """A model trained on other labels (count or order) must not be fed this dataset."""
    if list(labels) != list(ds.labels):
        raise TrainerError('E_INPUT', f'{ds.path}: dataset labels {ds.labels} do not match the {what} labels {list(labels)}')


def record_ids(ds: Dataset, wanted: list) -> list:
    """Recipe record names (strings) map through meta.records when the dataset lists them."""
    names = ds.meta.get('records')
    out = []
    for r in wanted:
        if isinstance(r, str) and isinstance(names, list) and r in names:
            out.append(names.index(r))
        elif isinstance(r, str) and r.lstrip('-').isdigit():
            out.append(int(r))
        elif isinstance(r, int):
            out.append(r)
        else:
            raise TrainerError('E_ARGUMENT', f'dataset.valRecords: record {r!r} is not in {ds.path}')
    return out


def split_by_record(ds: Dataset, val_records=None, val_fraction=0.2, seed=0):
    """Returns (train_idx, val_idx): disjoint sets of whole records."""
    unique = np.unique(ds.record)
    if len(unique) < 2:
        raise TrainerError('E_INPUT', f'{ds.path}: only {len(unique)} record(s); a split by record needs at least 2')
    if val_records is not None:
        val = np.array(record_ids(ds, list(val_records)), dtype=np.int64)
        missing = [int(r) for r in val if r not in unique]
        if missing:
            raise TrainerError('E_ARGUMENT', f'dataset.valRecords: records {missing} are not in {ds.path} '
                                             f'(records present: {unique.tolist()[:40]})')
    else:
        rng = np.random.default_rng(seed)
        count = max(1, min(len(unique) - 1, int(round(len(unique) * val_fraction))))
        val = rng.permutation(unique)[:count]
    is_val = np.isin(ds.record, val)
    train_idx, val_idx = np.nonzero(~is_val)[0], np.nonzero(is_val)[0]
    if len(train_idx) == 0:
        raise TrainerError('E_ARGUMENT', 'dataset.valRecords: every record is in validation; nothing left to train on')
    return train_idx, val_idx


def cap(idx: np.ndarray, max_windows, seed: int) -> np.ndarray:
    """Seeded subset of at most max_windows indices, kept in file order."""
    if max_windows is None or len(idx) <= max_windows:
        return idx
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(idx, size=int(max_windows), replace=False))


def class_counts(y: np.ndarray, num_classes: int) -> np.ndarray:
    return np.bincount(y, minlength=num_classes)
