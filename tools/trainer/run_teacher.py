"""`teacher`: train the big model on a dataset file."""
import json
import os

from .data_prep import feature_names, prepare
from .metrics import format_report
from .models import build_from_recipe, count_params, model_config
from .monitor import Monitor
from .train_loop import fit


def train_teacher(recipe: dict, out_dir: str, data_path=None, resume=False, tensorboard=None, echo=print,
                  metrics_path=None, val_path=None) -> dict:
    ds, train, val, val_ids = prepare(recipe, data_path, val_path=val_path)
    val_path = val_path or recipe['dataset']['valPath']
    section = recipe['teacher']
    names = feature_names(recipe, ds)
    cfg = model_config(section['model'], ds.x.shape[2], ds.num_classes, names)
    model = build_from_recipe(section['model'], ds.x.shape[1:], ds.num_classes, recipe['seed'], names)
    where = f'validation file {val_path}' if val_path else f'val records {val_ids}'
    side = f' + {len(names)} side features' if names else ''
    echo(f'teacher: {count_params(model)} parameters{side}; {len(train.y)} train / {len(val.y)} val windows; {where}')
    monitor = Monitor(metrics_path or os.path.join(out_dir, 'metrics.jsonl'), 'teacher', tensorboard, echo)
    extra = {'modelConfig': cfg, 'labels': ds.labels, 'valRecords': val_ids, 'recipe': recipe,
             'valPath': os.path.abspath(val_path) if val_path else None,
             'inputShape': list(ds.x.shape[1:]), 'dataset': os.path.abspath(ds.path)}
    try:
        summary = fit(model, train, val, section['train'], os.path.join(out_dir, 'teacher'), monitor, recipe['seed'],
                      macro_labels=recipe['dataset']['macroF1Labels'], resume=resume, extra_state=extra)
    finally:
        monitor.close()
    summary['params'] = count_params(model)
    if summary['val']:
        echo('teacher validation (best epoch %s):\n%s' % (summary['bestEpoch'], format_report(summary['val'])))
    with open(os.path.join(out_dir, 'teacher-summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    return summary
