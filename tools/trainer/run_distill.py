"""`distill`: knowledge distillation into a small student, measured against the same student
trained without distillation (same init, seed, data, schedule) and against the teacher."""
import json
import os

import numpy as np
import torch

from . import checkpoint
from .data_prep import check_input, feature_names, prepare
from .dataset import record_ids, check_labels
from .errors import TrainerError
from .metrics import format_report
from .models import build_from_recipe, count_params, model_config
from .monitor import Monitor
from .train_loop import evaluate, fit, predict_dataset


def _train_student(recipe, cfg, train, val, out_dir, run, soft, distill, metrics_path, tensorboard, echo, val_path):
    section = recipe['student']
    model = build_from_recipe(section['model'], train.x.shape[1:], train.num_classes, recipe['seed'], cfg['featureNames'])
    monitor = Monitor(metrics_path, run, tensorboard, echo)
    extra = {'modelConfig': cfg, 'labels': train.labels, 'valRecords': sorted(int(r) for r in np.unique(val.record)),
             'recipe': recipe, 'inputShape': list(train.x.shape[1:]), 'dataset': os.path.abspath(train.path),
             'valPath': val_path, 'distill': distill if soft is not None else None}
    try:
        summary = fit(model, train, val, section['train'], os.path.join(out_dir, run), monitor, recipe['seed'],
                      macro_labels=recipe['dataset']['macroF1Labels'], soft_targets=soft, distill=distill,
                      extra_state=extra)
    finally:
        monitor.close()
    summary['params'] = count_params(model)
    return model, summary


def fold_logit_bias(model, bias: dict, labels: list) -> list:
    """Adds {label: offset} to the output layer's bias in place (the model's logits + offset for that
    class, hence the exported probabilities: softmax of the shifted logits); returns the offsets in
    label order. Unknown labels are an error."""
    unknown = [k for k in bias if k not in labels]
    if unknown:
        raise TrainerError('E_ARGUMENT', f'student.logitBias: {unknown} are not labels of the dataset ({labels})')
    offsets = [float(bias.get(label, 0.0)) for label in labels]
    with torch.no_grad():
        model.head.bias.add_(torch.tensor(offsets, dtype=model.head.bias.dtype))
    return offsets


def apply_logit_bias(model, summary: dict, bias: dict, labels: list, val, batch: int, macro, echo) -> None:
    """Folds the recipe's logit bias into the trained student and into its best checkpoint (what
    export reads); the summary keeps the validation report before (valBeforeBias) and after (val)."""
    offsets = fold_logit_bias(model, bias, labels)
    path = summary['bestCheckpoint']
    state = checkpoint.load(path)
    state['model'] = model.state_dict()
    state['logitBias'] = offsets
    checkpoint.save(path, state)
    summary['valBeforeBias'] = summary['val']
    summary['val'] = evaluate(model, val, batch, macro)
    summary['logitBias'] = dict(zip(labels, offsets))
    echo(f'logit bias {summary["logitBias"]} folded into the output layer of {path}')


def distill(recipe: dict, teacher_path: str, out_dir: str, data_path=None, tensorboard=None, echo=print,
            metrics_path=None) -> dict:
    teacher, t_state = checkpoint.load_model(teacher_path)
    val_path = t_state.get('valPath')  # the teacher's validation file, if it had one
    ds, train, val, val_ids = prepare(recipe, data_path, val_records=t_state['valRecords'], val_path=val_path)
    if not val_path and recipe['dataset']['valRecords'] is not None and \
            sorted(record_ids(ds, recipe['dataset']['valRecords'])) != sorted(t_state['valRecords']):
        raise TrainerError('E_ARGUMENT', f'dataset.valRecords {recipe["dataset"]["valRecords"]} differ from the teacher\'s '
                                         f'validation records {t_state["valRecords"]} ({teacher_path}): the teacher '
                                         'has trained on some of them, so the comparison would be biased')
    check_labels(ds, t_state['labels'], f'teacher ({teacher_path})')
    check_input(ds, t_state['modelConfig'], f'teacher ({teacher_path})')
    metrics_path = metrics_path or os.path.join(out_dir, 'metrics.jsonl')
    batch = recipe['student']['train']['evalBatchSize']
    macro = recipe['dataset']['macroF1Labels']
    teacher_report = evaluate(teacher, val, batch, macro)
    # Offline KD: the teacher (eval mode, no dropout) is deterministic, so its logits are computed once.
    soft = predict_dataset(teacher, train, batch).astype(np.float32)
    echo(f'teacher ({count_params(teacher)} params) on {len(val.y)} val windows of records {val_ids}:\n'
         f'{format_report(teacher_report)}')
    cfg = model_config(recipe['student']['model'], ds.x.shape[2], ds.num_classes, feature_names(recipe, ds))
    d = recipe['student']['distill']
    kd_cfg = {'temperature': d['temperature'], 'alpha': d['alpha']}
    kd_model, kd = _train_student(recipe, cfg, train, val, out_dir, 'student-kd', soft, kd_cfg, metrics_path, tensorboard,
                                  echo, val_path)
    if recipe['student']['logitBias']:
        apply_logit_bias(kd_model, kd, recipe['student']['logitBias'], list(ds.labels), val, batch, macro, echo)
    echo(f'student with KD (T={d["temperature"]}, alpha={d["alpha"]}, {kd["params"]} params):\n{format_report(kd["val"])}')
    plain = None
    if d['baseline']:
        _, plain = _train_student(recipe, cfg, train, val, out_dir, 'student-plain', None, None, metrics_path,
                                  tensorboard, echo, val_path)
        echo(f'same student without KD:\n{format_report(plain["val"])}')
    t_params = count_params(teacher)
    result = {
        'teacher': {'checkpoint': os.path.abspath(teacher_path), 'params': t_params, 'val': teacher_report},
        'studentKd': kd, 'studentPlain': plain, 'valRecords': val_ids,
        'compressionRatio': t_params / kd['params'],
        'macroF1': {'teacher': teacher_report['macroF1'], 'studentKd': kd['val']['macroF1'],
                    'studentPlain': plain['val']['macroF1'] if plain else None},
    }
    done = Monitor(metrics_path, 'distill')
    done.log('summary', macroF1=result['macroF1'], compressionRatio=result['compressionRatio'],
             teacherParams=t_params, studentParams=kd['params'])
    done.close()
    echo('macro F1: teacher %.4f | student+KD %.4f | student alone %s | %.1fx fewer parameters' % (
        result['macroF1']['teacher'], result['macroF1']['studentKd'],
        '%.4f' % result['macroF1']['studentPlain'] if plain else 'n/a', result['compressionRatio']))
    with open(os.path.join(out_dir, 'distill-summary.json'), 'w') as f:
        json.dump(result, f, indent=2)
    return result
