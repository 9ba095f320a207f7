"""Dataset loading + split shared by every command, all checks done before any training."""
import numpy as np

from .dataset import cap, check_labels, load_dataset, split_by_record
from .errors import TrainerError


def prepare(recipe: dict, data_path=None, val_records=None, val_path=None):
    """(dataset, train subset, val subset, val record ids). val_records (from a teacher
    checkpoint) overrides the recipe so teacher and student are judged on the same records.

    With a validation file (val_path or dataset.valPath) the whole data file trains and the
    validation file validates: CWRU has one recording per class, so its builder splits each
    recording in time (--split train / val) instead of by record."""
    section = recipe['dataset']
    path = data_path or section['path']
    ds = load_dataset(path)
    val_path = val_path or section['valPath']
    if val_path:
        val_ds = load_dataset(val_path)
        check_labels(val_ds, ds.labels, f'training file ({path})')
        if val_ds.x.shape[1:] != ds.x.shape[1:]:
            raise TrainerError('E_INPUT', f'{val_path}: windows {list(val_ds.x.shape[1:])} differ from {path} '
                                          f'{list(ds.x.shape[1:])}')
        train = ds.subset(cap(np.arange(len(ds.y)), section['maxWindows'], recipe['seed']))
        val = val_ds.subset(cap(np.arange(len(val_ds.y)), section['maxWindows'], recipe['seed'] + 1))
    else:
        wanted = val_records if val_records is not None else section['valRecords']
        train_idx, val_idx = split_by_record(ds, wanted, section['valFraction'], recipe['seed'])
        train_idx = cap(train_idx, section['maxWindows'], recipe['seed'])
        val_idx = cap(val_idx, section['maxWindows'], recipe['seed'] + 1)
        train, val = ds.subset(train_idx), ds.subset(val_idx)
    if len(np.unique(train.y)) < 2:
        raise TrainerError('E_INPUT', f'{path}: the training split holds only class {ds.labels[int(train.y[0])]}')
    labels = section['macroF1Labels']
    if labels is not None:
        missing = [n for n in labels if n not in ds.labels]
        if missing:
            raise TrainerError('E_ARGUMENT', f'dataset.macroF1Labels: {missing} are not labels of {path} ({ds.labels})')
    val_ids = sorted(int(r) for r in np.unique(val.record))
    return ds, train, val, val_ids


def feature_names(recipe: dict, ds) -> list:
    """The side features a new model takes: the dataset's, unless the recipe turns them off."""
    return list(ds.feature_names) if recipe['dataset']['sideFeatures'] and ds.features is not None else []


def check_input(ds, model_cfg: dict, what: str) -> None:
    if ds.x.shape[2] != model_cfg['inputSize']:
        raise TrainerError('E_INPUT', f'{ds.path}: windows have {ds.x.shape[2]} channels, the {what} expects '
                                      f'{model_cfg["inputSize"]}')
    if model_cfg['numClasses'] != ds.num_classes:
        raise TrainerError('E_INPUT', f'{ds.path}: {ds.num_classes} labels {ds.labels}, the {what} has '
                                      f'{model_cfg["numClasses"]} outputs')
    names = list(model_cfg.get('featureNames') or [])
    if names and (ds.features is None or list(ds.feature_names) != names):
        raise TrainerError('E_INPUT', f'{ds.path}: side features {ds.feature_names or "none"}, the {what} takes '
                                      f'{names}')
