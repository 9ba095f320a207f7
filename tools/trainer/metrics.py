"""Classification metrics as EC57 reports them: per-class sensitivity (Se, recall) and positive
predictivity (+P, precision), F1, and macro F1 over a chosen set of classes (e.g. N, S, V)."""
import numpy as np


def confusion(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """cm[true, pred] counts."""
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def _ratio(a, b):
    return float(a) / float(b) if b else None


def classification_report(y_true, y_pred, labels: list, macro_labels=None) -> dict:
    """Per class {support, se, ppv, f1}; se/ppv are None when undefined (no such beats / predictions).

    Macro F1 averages the F1 of `macro_labels` (default: classes with support > 0); a class with
    support but no correct prediction counts as F1 = 0, so ignoring a rare class is penalised.
    """
    cm = confusion(np.asarray(y_true), np.asarray(y_pred), len(labels))
    per_class = {}
    for k, name in enumerate(labels):
        tp = cm[k, k]
        se = _ratio(tp, cm[k, :].sum())
        ppv = _ratio(tp, cm[:, k].sum())
        f1 = 2 * se * ppv / (se + ppv) if se is not None and ppv is not None and se + ppv > 0 else 0.0
        per_class[name] = {'support': int(cm[k, :].sum()), 'se': se, 'ppv': ppv, 'f1': f1}
    if macro_labels is None:
        macro_labels = [n for n in labels if per_class[n]['support'] > 0]
    unknown = [n for n in macro_labels if n not in per_class]
    if unknown:
        from .errors import TrainerError
        raise TrainerError('E_ARGUMENT', f'dataset.macroF1Labels: {unknown} are not dataset labels {labels}')
    macro_f1 = float(np.mean([per_class[n]['f1'] for n in macro_labels])) if macro_labels else 0.0
    return {
        'accuracy': float(np.trace(cm)) / max(1, int(cm.sum())),
        'macroF1': macro_f1,
        'macroF1Labels': list(macro_labels),
        'perClass': per_class,
        'confusion': cm.tolist(),
    }


def format_report(report: dict) -> str:
    """A small fixed-width table: class, support, Se, +P, F1."""
    def pct(v):
        return '   -  ' if v is None else f'{100 * v:6.2f}'
    lines = [f'{"class":>8} {"n":>7} {"Se%":>6} {"+P%":>6} {"F1%":>6}']
    for name, c in report['perClass'].items():
        lines.append(f'{name:>8} {c["support"]:>7} {pct(c["se"])} {pct(c["ppv"])} {pct(c["f1"])}')
    lines.append(f'accuracy {100 * report["accuracy"]:.2f}%  macro F1 ({",".join(report["macroF1Labels"])}) '
                 f'{100 * report["macroF1"]:.2f}%')
    return '\n'.join(lines)
