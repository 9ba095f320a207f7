"""`smoke`: the tiny pipeline end to end, the interface other tools and CI script against.

Leaves in <out>:
  teacher.onnx, student.onnx   exported and checked against onnxruntime-node
  student.wgm                  `wavegate import student.onnx` (f32)
  windows.npy                  float32 [N, T, C] validation windows
  windows_labels.npy           int64 [N] their labels
  windows_features.npy         float32 [N, F] their side features (when the models take them)
  student_probs.npy            float32 [N, K] PyTorch's student output on windows.npy
  metrics.jsonl                per-step / per-epoch / summary lines of every run
  summary.json                 stage timings, export checks, teacher vs student figures
  plots/training.png           when matplotlib is importable
  work/                        dataset, checkpoints
"""
import json
import os
import time

import numpy as np

from . import checkpoint, wavegate_cli
from .errors import TrainerError
from .models import side_width
from .onnx_export import check_onnx, export_onnx, torch_probs
from .plots import plot_metrics
from .recipe import load_recipe
from .run_distill import distill
from .run_teacher import train_teacher
from .synth import synth_file
from .dataset import load_dataset

SYNTH_ARGS = ['--kind', 'ecg', '--count', '8', '--seconds', '90', '--seed', '1']


def make_dataset(path: str, mode: str, echo) -> str:
    """wavegate dataset synth (the device's preprocessing) when available; the python fallback otherwise."""
    if mode in ('auto', 'wavegate'):
        try:
            echo(wavegate_cli.run(['dataset', 'synth', *SYNTH_ARGS, '--out', path], 'dataset synth'))
            return 'wavegate dataset synth'
        except TrainerError as e:
            if mode == 'wavegate':
                raise
            echo(f'note: wavegate dataset synth unavailable ({e.message}); using the python generator')
    synth_file(path, 'ecg', seed=1)
    return 'tools/trainer/synth.py'


def smoke(out: str, recipe_name='tiny', data=None, synth='auto', overrides=(), echo=print) -> dict:
    t0 = time.time()
    recipe = load_recipe(recipe_name, overrides)  # validate before any work
    work = os.path.join(out, 'work')
    os.makedirs(work, exist_ok=True)
    metrics = os.path.join(out, 'metrics.jsonl')
    if os.path.exists(metrics):
        os.remove(metrics)  # one smoke run per folder: never mix runs in metrics.jsonl
    timings, summary = {}, {'recipe': recipe['name'], 'ok': False}

    def stage(name, start):
        timings[name] = round(time.time() - start, 2)
        return time.time()

    t = time.time()
    if data is None:
        data = os.path.join(work, 'data.npz')
        summary['datasetSource'] = make_dataset(data, synth, echo)
    else:
        summary['datasetSource'] = data
    t = stage('dataset', t)
    summary['teacher'] = train_teacher(recipe, work, data, echo=echo, metrics_path=metrics)
    t = stage('teacher', t)
    result = distill(recipe, os.path.join(work, 'teacher', 'best.pt'), work, data, echo=echo, metrics_path=metrics)
    summary['distill'] = result['macroF1']
    summary['compressionRatio'] = result['compressionRatio']
    t = stage('distill', t)

    # Validation windows of the records neither model trained on.
    teacher, t_state = checkpoint.load_model(os.path.join(work, 'teacher', 'best.pt'))
    student, _ = checkpoint.load_model(os.path.join(work, 'student-kd', 'best.pt'))
    ds = load_dataset(data)
    idx = np.nonzero(np.isin(ds.record, t_state['valRecords']))[0][:recipe['export']['checkWindows']]
    windows = np.ascontiguousarray(ds.x[idx])
    feats = np.ascontiguousarray(ds.features[idx]) if side_width(student.cfg) else None
    np.save(os.path.join(out, 'windows.npy'), windows)
    np.save(os.path.join(out, 'windows_labels.npy'), ds.y[idx])
    if feats is not None:
        np.save(os.path.join(out, 'windows_features.npy'), feats)
    np.save(os.path.join(out, 'student_probs.npy'), torch_probs(student, windows, features=feats))
    summary['windows'] = int(len(windows))
    summary['sideFeatures'] = list(student.cfg['featureNames'])

    import torch
    ex = torch.from_numpy(windows[:2])
    checks = {}
    for name, model in (('teacher', teacher), ('student', student)):
        path = os.path.join(out, f'{name}.onnx')
        f = feats if side_width(model.cfg) else None
        export_onnx(model, path, ex, recipe['export']['opset'], torch.from_numpy(f[:2]) if f is not None else None)
        checks[name] = check_onnx(model, path, windows, recipe['export']['tolerance'], f)
        c = checks[name]
        echo(f'{name}.onnx: ' + (f'onnxruntime vs torch max abs diff {c["maxAbsDiff"]:.3g} on {c["windows"]} windows'
                                 if c['checked'] else f'onnxruntime check SKIPPED ({c["reason"]})'))
    summary['onnxCheck'] = checks
    t = stage('export', t)

    wgm = os.path.join(out, 'student.wgm')
    if wavegate_cli.command() is None:
        summary['wgm'] = 'skipped: wavegate CLI not available'
        echo(f'student.wgm: SKIPPED ({summary["wgm"]})')
    else:
        # --dataset: the model describes its input (stages, beat windows, the RR features it takes).
        echo(wavegate_cli.run(['import', os.path.join(out, 'student.onnx'), '--dataset', data, '--out', wgm], 'import'))
        summary['wgm'] = wgm
    t = stage('import', t)
    png = plot_metrics(metrics, os.path.join(out, 'plots'))
    summary['plots'] = png
    stage('plots', t)
    summary['timings'] = timings
    summary['seconds'] = round(time.time() - t0, 2)
    summary['ok'] = all(c['checked'] for c in checks.values()) and os.path.isfile(wgm)
    with open(os.path.join(out, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2, default=str)
    echo(f'smoke: {"OK" if summary["ok"] else "INCOMPLETE"} in {summary["seconds"]} s; stages {timings}')
    return summary
