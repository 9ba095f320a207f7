"""`gpu-check`: how fast the ECG teacher trains on this machine's GPU (AMP off and on) vs its CPU.

Each run trains the recipe's teacher for a fixed wall-clock budget (train.maxSeconds) on the same
split, then reports training windows/s, peak GPU memory and validation metrics. Without CUDA
only the CPU run happens (that path is what CI-like machines can test, with tiny budgets).
Needs only torch + numpy (the GPU box has no package registry and maybe no Node): without
--data it generates a synthetic ECG set with the python generator.
"""
import copy
import os
import time

import torch

from .data_prep import prepare
from .metrics import format_report
from .models import build_from_recipe, count_params
from .monitor import Monitor
from .recipe import load_recipe
from .synth import synth_file
from .train_loop import fit

CPU_VAL_WINDOWS = 512  # the CPU run validates on a subset: a full pass would dwarf its budget


def _run(recipe, train, val, device, amp, seconds, out, name, echo):
    cfg = copy.deepcopy(recipe['teacher']['train'])
    # Time-boxed: no early stopping, constant lr after warmup (a cosine needs a known length).
    cfg.update(device=device, amp=amp, maxSeconds=seconds, epochs=100000, patience=100000, schedule='constant',
               probeEvery=0)
    model = build_from_recipe(recipe['teacher']['model'], train.x.shape[1:], train.num_classes, recipe['seed'])
    if device == 'cuda':
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    monitor = Monitor(os.path.join(out, 'metrics.jsonl'), name, None, echo)
    try:
        s = fit(model, train, val, cfg, os.path.join(out, name), monitor, recipe['seed'],
                macro_labels=recipe['dataset']['macroF1Labels'])
    finally:
        monitor.close()
    peak = torch.cuda.max_memory_allocated() / 2 ** 20 if device == 'cuda' else None
    echo(f'{name}: {s["windowsPerSec"]:.0f} windows/s over {s["trainSeconds"]} s ({s["steps"]} steps, amp {s["amp"]})'
         + (f', peak GPU memory {peak:.0f} MiB' if peak is not None else ''))
    if s['val']:
        echo(format_report(s['val']))
    return {'run': name, 'device': s['device'], 'amp': s['amp'], 'windowsPerSec': round(s['windowsPerSec'], 1),
            'steps': s['steps'], 'trainSeconds': s['trainSeconds'], 'peakGpuMiB': peak, 'params': count_params(model),
            'valMacroF1': s['val']['macroF1'] if s['val'] else None,
            'valAccuracy': s['val']['accuracy'] if s['val'] else None}


def _safe(*args):
    """One run; a failure (e.g. an AMP dtype this GPU/cuDNN lacks) is reported, not fatal."""
    try:
        return _run(*args)
    except Exception as e:  # noqa: BLE001 - the report must still come out
        args[-1](f'{args[-2]}: FAILED: {type(e).__name__}: {e}')
        return {'run': args[-2], 'device': args[3], 'amp': args[4], 'error': f'{type(e).__name__}: {e}',
                'windowsPerSec': 0.0, 'peakGpuMiB': None, 'valMacroF1': None}


def gpu_check(args, echo) -> dict:
    t0 = time.time()
    os.makedirs(args.out, exist_ok=True)
    recipe = load_recipe(args.recipe, getattr(args, 'set', ()))
    data = args.data
    if data is None:
        data = os.path.join(args.out, 'ecg-synth.npz')
        synth_file(data, 'ecg', seed=1, records=12, windows_per_record=1500)
        echo(f'{data}: synthetic ECG (python generator), 12 records x 1500 windows')
        recipe['dataset'].update(valRecords=None, macroF1Labels=None)  # MIT-BIH record names do not apply
    _, train, val, val_ids = prepare(recipe, data)
    cuda = torch.cuda.is_available()
    echo(f'torch {torch.__version__}, CUDA {"yes: " + torch.cuda.get_device_name(0) if cuda else "no"}; '
         f'{len(train.y)} train / {len(val.y)} val windows of {list(train.x.shape[1:])}')
    runs = []
    if cuda:
        runs.append(_safe(recipe, train, val, 'cuda', 'off', args.seconds, args.out, 'gpu-f32', echo))
        amp = _safe(recipe, train, val, 'cuda', 'auto', args.seconds, args.out, 'gpu-amp', echo)
        if 'error' in amp and torch.cuda.is_bf16_supported():  # bf16 RNNs need a recent cuDNN: try fp16
            amp = _safe(recipe, train, val, 'cuda', 'fp16', args.seconds, args.out, 'gpu-fp16', echo)
        runs.append(amp)
    else:
        echo('no CUDA device: CPU run only')
    torch.set_num_threads(os.cpu_count() or 1)
    cpu_val = val.subset(slice(0, CPU_VAL_WINDOWS))
    runs.append(_run(recipe, train, cpu_val, 'cpu', 'off', args.cpu_seconds, args.out, 'cpu', echo))
    cpu_rate = runs[-1]['windowsPerSec']
    for r in runs:
        r['speedupVsCpu'] = round(r['windowsPerSec'] / cpu_rate, 2) if cpu_rate else None
    echo(f'{"run":<8} {"device":<6} {"amp":<9} {"win/s":>9} {"x CPU":>6} {"peak MiB":>9} {"val F1":>7}')
    for r in runs:
        echo(f'{r["run"]:<8} {r["device"]:<6} {r["amp"]:<9} {r["windowsPerSec"]:>9.0f} {r["speedupVsCpu"] or 0:>6.1f} '
             f'{r["peakGpuMiB"] or 0:>9.0f} {100 * (r["valMacroF1"] or 0):>6.2f}%')
    return {'torch': torch.__version__, 'cuda': torch.cuda.get_device_name(0) if cuda else None,
            'dataset': data, 'valRecords': val_ids, 'runs': runs, 'seconds': round(time.time() - t0, 1)}
