"""Command line: python3 -m tools.trainer <teacher|distill|export|smoke|synth|outliers|plot|gpu-check> [--help]."""
import argparse
import json
import os
import sys
import traceback

import torch

from .errors import TrainerError
from .recipe import load_recipe

DESCRIPTION = 'wavegate trainer: PyTorch teachers, knowledge distillation into small students, ONNX export.'


def _threads(args):
    # The CI machine has 2 cores shared by many jobs; on a workstation pass --threads 0 for all cores.
    if args.threads > 0:
        torch.set_num_threads(args.threads)


def _recipe_args(p, default):
    p.add_argument('--recipe', default=default, help=f'recipe name in tools/trainer/recipes or a .json path (default {default})')
    p.add_argument('--data', help='dataset .npz (overrides dataset.path of the recipe)')
    p.add_argument('--set', action='append', default=[], metavar='KEY=VALUE',
                   help='override a recipe key, e.g. --set teacher.train.epochs=3 (validated like the recipe)')
    p.add_argument('--tensorboard', metavar='DIR', help='also write TensorBoard event files (needs tensorboard)')


def build_parser():
    parser = argparse.ArgumentParser(prog='wavegate-train', description=DESCRIPTION)
    parser.add_argument('--threads', type=int, default=int(os.environ.get('WAVEGATE_TORCH_THREADS', '2')),
                        help='torch CPU threads (default 2 or $WAVEGATE_TORCH_THREADS; 0 = torch default)')
    sub = parser.add_subparsers(dest='command', required=True)

    p = sub.add_parser('teacher', help='train a teacher on a dataset file')
    _recipe_args(p, 'ecg-teacher')
    p.add_argument('--out', required=True, help='output folder (checkpoints, metrics.jsonl, plots)')
    p.add_argument('--resume', action='store_true', help='continue from <out>/teacher/last.pt')
    p.add_argument('--val-data', help='separate validation .npz (e.g. cwru --split val); default: split --data by record')

    p = sub.add_parser('distill', help='distil a teacher checkpoint into a small student (+ the no-KD baseline)')
    _recipe_args(p, 'ecg-student')
    p.add_argument('--teacher', required=True, help='teacher checkpoint (<out>/teacher/best.pt)')
    p.add_argument('--out', required=True)

    p = sub.add_parser('export', help='export a checkpoint to ONNX and check it against onnxruntime')
    p.add_argument('--checkpoint', required=True)
    p.add_argument('--out', required=True, help='.onnx path')
    p.add_argument('--data', help='dataset for the check windows (default: the one the checkpoint trained on)')
    p.add_argument('--windows', type=int, default=256, help='validation windows compared (default 256)')
    p.add_argument('--opset', type=int, default=14)
    p.add_argument('--tolerance', type=float, default=1e-4, help='max abs diff of probabilities (default 1e-4)')
    p.add_argument('--report', help='also write the check figures to this JSON file')

    p = sub.add_parser('smoke', help='the tiny pipeline end to end: data, teacher, distill, export, wavegate import')
    p.add_argument('--out', required=True)
    p.add_argument('--recipe', default='tiny')
    p.add_argument('--data', help='use this dataset instead of generating one')
    p.add_argument('--synth', choices=('auto', 'wavegate', 'python'), default='auto',
                   help='dataset generator: wavegate dataset synth, the python fallback, or auto (wavegate if it works)')
    p.add_argument('--set', action='append', default=[], metavar='KEY=VALUE')

    p = sub.add_parser('synth', help='write a small synthetic dataset with the python fallback generator')
    p.add_argument('--kind', choices=('ecg', 'bearing'), default='ecg')
    p.add_argument('--out', required=True)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--records', type=int, default=8)
    p.add_argument('--per-record', type=int, default=200)

    p = sub.add_parser('outliers', help='normal windows + synthetic anomalies: the training set of a one-class anomaly model')
    p.add_argument('--normal', required=True, help='dataset whose windows labelled "normal" are kept (e.g. cwru --split train)')
    p.add_argument('--out', required=True)
    p.add_argument('--synth', help='also take the fault windows of this synthetic set (wavegate dataset synth --kind bearing)')
    p.add_argument('--synth-max', type=int, default=0, help='at most this many synthetic fault windows (0 = all)')
    p.add_argument('--per-normal', type=int, default=1, help='synthetic anomalies made from each normal window (default 1)')
    p.add_argument('--seed', type=int, default=0)

    p = sub.add_parser('plot', help='draw training.png from a metrics.jsonl')
    p.add_argument('metrics')
    p.add_argument('--out', required=True)

    p = sub.add_parser('gpu-check', help='time the ECG teacher on GPU (AMP on/off) and CPU; see gpu-check.sh')
    p.add_argument('--data', help='dataset .npz (default: a synthetic ECG set)')
    p.add_argument('--recipe', default='ecg-teacher')
    p.add_argument('--seconds', type=float, default=150, help='training budget per GPU run (default 150)')
    p.add_argument('--cpu-seconds', type=float, default=30, help='budget of the CPU comparison run (default 30)')
    p.add_argument('--out', default='out/gpu-check')
    p.add_argument('--set', action='append', default=[], metavar='KEY=VALUE')
    return parser


def run(args) -> int:
    echo = lambda s: print(s, flush=True)  # noqa: E731
    if args.command == 'teacher':
        from .plots import plot_metrics
        from .run_teacher import train_teacher
        recipe = load_recipe(args.recipe, args.set)
        train_teacher(recipe, args.out, args.data, args.resume, args.tensorboard, echo, val_path=args.val_data)
        png = plot_metrics(os.path.join(args.out, 'metrics.jsonl'), os.path.join(args.out, 'plots'))
        echo(f'plots: {png or "skipped (matplotlib not importable)"}')
    elif args.command == 'distill':
        from .plots import plot_metrics
        from .run_distill import distill
        recipe = load_recipe(args.recipe, args.set)
        distill(recipe, args.teacher, args.out, args.data, args.tensorboard, echo)
        png = plot_metrics(os.path.join(args.out, 'metrics.jsonl'), os.path.join(args.out, 'plots'))
        echo(f'plots: {png or "skipped (matplotlib not importable)"}')
    elif args.command == 'export':
        from .run_export import export_checkpoint
        result = export_checkpoint(args.checkpoint, args.out, args.data, args.windows, args.opset, args.tolerance, echo)
        if args.report:
            with open(args.report, 'w') as f:
                json.dump({k: v for k, v in result.items() if k not in ('onnx', 'checkpoint')}, f, indent=2)
    elif args.command == 'smoke':
        from .smoke import smoke
        summary = smoke(args.out, args.recipe, args.data, args.synth, args.set, echo)
        return 0 if summary['ok'] else 1
    elif args.command == 'synth':
        from .synth import synth_file
        synth_file(args.out, args.kind, args.seed, records=args.records, windows_per_record=args.per_record)
        echo(f'{args.out}: synthetic {args.kind} dataset')
    elif args.command == 'outliers':
        from .outliers import build
        build(args.normal, args.out, args.synth, args.per_normal, args.seed, args.synth_max, echo)
    elif args.command == 'plot':
        from .plots import plot_metrics
        echo(str(plot_metrics(args.metrics, args.out)))
    elif args.command == 'gpu-check':
        from .gpucheck import gpu_check
        print(json.dumps(gpu_check(args, echo), indent=2))
    return 0


def main(argv=None) -> int:
    """Runs one command. Errors end as the TypeScript CLI ends them (src/cli/run-action.ts): bad input
    is one line `wavegate: E_CODE: message` on stderr and exit status 1; anything else is a bug and
    keeps its traceback, exit status 70 (EX_SOFTWARE). Usage errors are argparse's, exit status 2."""
    args = build_parser().parse_args(argv)
    _threads(args)
    try:
        return run(args)
    except TrainerError as e:
        print(f'wavegate: {e.code}: {e.message}', file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        raise
    except Exception:  # noqa: BLE001 - reported like the TypeScript CLI reports internal errors
        print(f'wavegate: internal error: {traceback.format_exc()}', file=sys.stderr, end='')
        return 70
