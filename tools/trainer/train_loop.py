"""One training run: AdamW, warmup+decay, clipping, AMP, early stopping, checkpoints, telemetry.

Used by `teacher` (hard labels) and `distill` (soft targets precomputed from the teacher).
"""
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from . import checkpoint
from .device import autocast, configure, grad_scaler, select_amp, select_device
from .errors import TrainerError
from .gates import probe_gate_stats, saturation_summary
from .models import side_width
from .losses import kd_loss
from .metrics import classification_report
from .progress import Progress
from .schedule import lr_factor

PROBE_WINDOWS = 64


def class_weights(y: np.ndarray, num_classes: int, mode: str, max_ratio: float = 20.0) -> torch.Tensor:
    """balanced: sqrt of inverse frequency, capped at max_ratio x the majority class's weight,
    mean 1 over present classes, 0 for absent classes. The square root tempers the weights: full
    inverse frequency on MIT-BIH (N:F ~ 100:1) makes the N class lose too much +P; the cap keeps a
    class of a handful of windows (DS1 has 8 Q beats) from dominating the loss."""
    if mode == 'none':
        return None
    counts = np.bincount(y, minlength=num_classes).astype(np.float64)
    w = np.zeros(num_classes)
    present = counts > 0
    w[present] = np.sqrt(counts.sum() / (present.sum() * counts[present]))
    w[present] = np.minimum(w[present], max_ratio * w[present].min())
    w[present] /= w[present].mean()
    return torch.tensor(w, dtype=torch.float32)


def _optimizer(model, cfg):
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]  # biases, norm gains
    groups = [{'params': decay, 'weight_decay': cfg['weightDecay']}, {'params': no_decay, 'weight_decay': 0.0}]
    if cfg['optimizer'] == 'adamw':
        return torch.optim.AdamW(groups, lr=cfg['lr'])
    if cfg['optimizer'] == 'adam':
        return torch.optim.Adam(groups, lr=cfg['lr'])
    return torch.optim.SGD(groups, lr=cfg['lr'], momentum=0.9, nesterov=True)


def _grad_norm(params) -> float:
    norms = [p.grad.detach().float().norm() for p in params if p.grad is not None]
    return float(torch.norm(torch.stack(norms))) if norms else 0.0


def model_inputs(model, ds) -> tuple:
    """(x, features or None) of a dataset as the model takes them: side features only when the
    model was built with them (a dataset may carry features a waveform-only model ignores)."""
    if not side_width(model.cfg):
        return ds.x, None
    names = model.cfg['featureNames']
    if ds.features is None or list(ds.feature_names) != list(names):
        raise TrainerError('E_INPUT', f'{ds.path}: side features {ds.feature_names or "none"} differ from the '
                                      f'model\'s {names}')
    return ds.x, ds.features


@torch.no_grad()
def predict_logits(model, x: np.ndarray, batch: int, device=None, amp_dtype=None, features=None) -> np.ndarray:
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    out = []
    for i in range(0, len(x), batch):
        xb = torch.from_numpy(np.ascontiguousarray(x[i:i + batch])).to(device)
        args = (xb,) if features is None else (xb, torch.from_numpy(np.ascontiguousarray(features[i:i + batch])).to(device))
        with autocast(device, amp_dtype):
            out.append(model(*args).float().cpu())
    model.train(was_training)
    return torch.cat(out).numpy() if out else np.zeros((0, 0), np.float32)


def predict_dataset(model, ds, batch: int, device=None, amp_dtype=None) -> np.ndarray:
    x, f = model_inputs(model, ds)
    return predict_logits(model, x, batch, device, amp_dtype, f)


def augment(xb: torch.Tensor, cfg: dict, gen: torch.Generator) -> torch.Tensor:
    """Training-time waveform augmentation (never at validation or export, so no train/serve skew:
    it only widens what the model has seen). augmentScale a: amplitude x exp(U(-a, a)) per window
    (patients and sensors differ in gain; a bearing's vibration level changes with load);
    augmentNoise s: Gaussian noise of std s x the window's RMS; augmentShift k: a shift of up to k
    steps with edge padding (detector jitter of the R peak)."""
    a, s, k = cfg['augmentScale'], cfg['augmentNoise'], int(cfg['augmentShift'])
    if a <= 0 and s <= 0 and k <= 0:
        return xb
    b = xb.shape[0]
    out = xb
    if a > 0:
        scale = torch.exp((torch.rand(b, 1, 1, generator=gen) * 2 - 1) * a).to(xb.device)
        out = out * scale
    if s > 0:
        rms = out.pow(2).mean(dim=(1, 2), keepdim=True).sqrt()
        out = out + torch.randn(out.shape, generator=gen).to(xb.device) * (s * rms)
    if k > 0:
        shifts = torch.randint(-k, k + 1, (b,), generator=gen).tolist()
        t = out.shape[1]
        idx = torch.stack([torch.clamp(torch.arange(t) - sh, 0, t - 1) for sh in shifts]).to(xb.device)
        out = torch.gather(out, 1, idx.unsqueeze(-1).expand(-1, -1, out.shape[2]))
    return out


def evaluate(model, ds, batch, macro_labels, device=None, amp_dtype=None) -> dict:
    logits = predict_dataset(model, ds, batch, device, amp_dtype)
    loss = float(F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(ds.y)))
    report = classification_report(ds.y, logits.argmax(1), ds.labels, macro_labels)
    report['loss'] = loss
    return report


def _better(metric: str, value: float, best) -> bool:
    if best is None:
        return True
    return value < best if metric == 'loss' else value > best


def fit(model, train, val, cfg: dict, out_dir: str, monitor, seed: int, *, macro_labels=None,
        soft_targets=None, distill=None, resume=False, extra_state=None) -> dict:
    """Trains `model` in place and leaves it holding the best validation weights.

    soft_targets: teacher logits [N_train, K] (numpy) for KD, with distill = {temperature, alpha}.
    extra_state: plain values stored in every checkpoint (model config, labels, recipe...).
    Returns the summary dict (also logged as a `summary` event).
    """
    os.makedirs(out_dir, exist_ok=True)
    device = select_device(cfg['device'])
    amp_dtype = select_amp(cfg['amp'], device)
    configure(device, seed)
    model.to(device)
    opt = _optimizer(model, cfg)
    scaler = grad_scaler(amp_dtype)
    gen = torch.Generator().manual_seed(seed)
    weights = class_weights(train.y, train.num_classes, cfg['classWeighting'], cfg['classWeightMaxRatio'])
    weights = weights.to(device) if weights is not None else None
    x_np, f_np = model_inputs(model, train)
    x_all = torch.from_numpy(x_np)
    f_all = torch.from_numpy(f_np) if f_np is not None else None
    y_all = torch.from_numpy(train.y)
    soft_all = torch.from_numpy(soft_targets) if soft_targets is not None else None
    if device.type == 'cuda':  # datasets here are tens of MB: keep them on the GPU, no loader workers
        x_all, y_all = x_all.to(device), y_all.to(device)
        f_all = f_all.to(device) if f_all is not None else None
        soft_all = soft_all.to(device) if soft_all is not None else None
    aug_gen = torch.Generator().manual_seed(seed + 7919)  # its own stream: augmentation never shifts the batch order
    probe_x = torch.from_numpy(train.x[:PROBE_WINDOWS]).to(device)
    n_all = len(train.y)
    # epochWindows: an epoch is a fresh random subset of the training windows. On MIT-BIH, 90 % of
    # the windows are N beats: a shorter epoch evaluates (and can stop early) more often for the
    # same number of steps.
    n = n_all if cfg['epochWindows'] is None else max(1, min(n_all, int(cfg['epochWindows'])))
    steps_per_epoch = max(1, math.ceil(n / cfg['batchSize']))
    total_steps = cfg['epochs'] * steps_per_epoch
    if cfg['maxSteps'] is not None:
        total_steps = min(total_steps, int(cfg['maxSteps']))
    sample_w = None
    if cfg['sampler'] == 'balanced':
        counts = np.bincount(train.y, minlength=train.num_classes)
        sample_w = torch.tensor(1.0 / counts[train.y], dtype=torch.float64)

    last_path, best_path = os.path.join(out_dir, 'last.pt'), os.path.join(out_dir, 'best.pt')
    step, start_epoch, best, best_epoch, bad_epochs, best_report = 0, 0, None, None, 0, None
    if resume and os.path.isfile(last_path):
        state = checkpoint.load(last_path)
        model.load_state_dict(state['model'])
        opt.load_state_dict(state['optimizer'])
        scaler.load_state_dict(state['scaler'])
        gen.set_state(state['genState'])
        if 'augGenState' in state:
            aug_gen.set_state(state['augGenState'])
        torch.set_rng_state(state['torchRng'])
        step, start_epoch = state['step'], state['epoch'] + 1
        best, best_epoch, bad_epochs, best_report = state['best'], state['bestEpoch'], state['badEpochs'], state['bestReport']
        monitor.say(f'{monitor.run}: resumed from {last_path} at epoch {start_epoch}, step {step}')
    last_good = last_path if os.path.isfile(last_path) else None

    t_start = time.time()
    windows_seen, train_seconds = 0, 0.0  # throughput counts training steps only, not validation
    stop_reason = 'epochs'
    model.train()
    for epoch in range(start_epoch, cfg['epochs']):
        order = torch.multinomial(sample_w, n, replacement=True, generator=gen) if sample_w is not None \
            else torch.randperm(n_all, generator=gen)[:n]
        bar = Progress(steps_per_epoch, f'{monitor.run} epoch {epoch + 1}/{cfg["epochs"]}')
        t_log, seen_log = time.time(), 0
        t_epoch = time.time()
        for b in range(steps_per_epoch):
            idx = order[b * cfg['batchSize']:(b + 1) * cfg['batchSize']]
            if device.type == 'cuda':
                idx = idx.to(device)
            xb, yb = x_all[idx].to(device, non_blocking=True), y_all[idx].to(device, non_blocking=True)
            xb = augment(xb, cfg, aug_gen)
            if f_all is None:
                args = (xb,)
            else:
                fb = f_all[idx].to(device, non_blocking=True)
                if cfg['featureDropout'] > 0:
                    keep = (torch.rand(len(idx), 1, generator=aug_gen) >= cfg['featureDropout']).to(fb.device, fb.dtype)
                    fb = fb * keep
                args = (xb, fb)
            lr = cfg['lr'] * lr_factor(step, total_steps, steps_per_epoch, cfg)
            for g in opt.param_groups:
                g['lr'] = lr
            with autocast(device, amp_dtype):
                logits = model(*args)
            if soft_all is not None:
                loss = kd_loss(logits, soft_all[idx].to(device), yb, distill['temperature'], distill['alpha'], weights)
            else:
                loss = F.cross_entropy(logits.float(), yb, weight=weights)
            if not torch.isfinite(loss):
                raise TrainerError('E_TRAIN_DIVERGED', f'{monitor.run}: loss is {float(loss)} at step {step} '
                                   f'(epoch {epoch + 1}, batch {b}); last good checkpoint: '
                                   f'{last_good or "none (no epoch finished yet)"}. Lower train.lr or raise warmupSteps.')
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            params = [p for p in model.parameters() if p.grad is not None]
            if cfg['clipNorm'] > 0:
                norm_before = float(torch.nn.utils.clip_grad_norm_(params, cfg['clipNorm']))
                norm_after = _grad_norm(params)
            else:
                norm_before = norm_after = _grad_norm(params)
            scaler.step(opt)
            scaler.update()
            step += 1
            windows_seen += len(idx)
            seen_log += len(idx)
            if cfg['logEvery'] and step % cfg['logEvery'] == 0:
                now = time.time()
                record = {'epoch': epoch + 1, 'step': step, 'loss': float(loss), 'lr': lr,
                          'gradNorm': norm_before, 'gradNormClipped': norm_after,
                          'windowsPerSec': seen_log / max(1e-9, now - t_log)}
                if cfg['probeEvery'] and (step % cfg['probeEvery'] == 0 or step == 1):
                    gates = probe_gate_stats(model, probe_x)
                    record['gateSat'] = saturation_summary(gates)
                    monitor.log('probe', step=step, epoch=epoch + 1, gates=gates)
                monitor.log('step', **record)
                t_log, seen_log = now, 0
            bar.update(1, f'loss {float(loss):.4f}')
            if cfg['maxSteps'] is not None and step >= cfg['maxSteps']:
                stop_reason = 'maxSteps'
            if cfg['maxSeconds'] is not None and time.time() - t_start >= cfg['maxSeconds']:
                stop_reason = 'maxSeconds'
            if stop_reason != 'epochs':
                break
        bar.close()
        if device.type == 'cuda':
            torch.cuda.synchronize()
        train_seconds += time.time() - t_epoch
        report = evaluate(model, val, cfg['evalBatchSize'], macro_labels, device, amp_dtype)
        if not math.isfinite(report['loss']):
            raise TrainerError('E_TRAIN_DIVERGED', f'{monitor.run}: validation loss is {report["loss"]} after epoch '
                               f'{epoch + 1} (step {step}); last good checkpoint: {last_good or "none"}')
        value = report['loss'] if cfg['monitor'] == 'loss' else report[cfg['monitor']]
        improved = _better(cfg['monitor'], value, best)
        if improved:
            best, best_epoch, bad_epochs, best_report = value, epoch + 1, 0, report
        else:
            bad_epochs += 1
        monitor.log('epoch', epoch=epoch + 1, step=step, valLoss=report['loss'], valAccuracy=report['accuracy'],
                    valMacroF1=report['macroF1'], perClass=report['perClass'], improved=improved)
        monitor.say(f'{monitor.run} epoch {epoch + 1}: val loss {report["loss"]:.4f} acc {report["accuracy"]:.4f} '
                    f'macroF1 {report["macroF1"]:.4f}{" *" if improved else ""}')
        state = {**(extra_state or {}), 'run': monitor.run, 'model': model.state_dict(), 'optimizer': opt.state_dict(),
                 'scaler': scaler.state_dict(), 'genState': gen.get_state(), 'augGenState': aug_gen.get_state(), 'torchRng': torch.get_rng_state(),
                 'epoch': epoch, 'step': step, 'best': best, 'bestEpoch': best_epoch, 'badEpochs': bad_epochs,
                 'bestReport': best_report}
        if improved:
            checkpoint.save(best_path, state)
        checkpoint.save(last_path, state)
        last_good = last_path
        if stop_reason != 'epochs':
            break
        if bad_epochs >= cfg['patience']:
            stop_reason = 'earlyStopping'
            break
    seconds = time.time() - t_start
    if os.path.isfile(best_path):
        model.load_state_dict(checkpoint.load(best_path)['model'])
    model.eval()
    summary = {'bestEpoch': best_epoch, 'stopReason': stop_reason, 'steps': step, 'seconds': round(seconds, 2),
               'trainSeconds': round(train_seconds, 2),
               'windowsPerSec': windows_seen / max(1e-9, train_seconds), 'device': str(device),
               'amp': str(amp_dtype).replace('torch.', '') if amp_dtype else 'off',
               'bestCheckpoint': best_path, 'val': best_report}
    monitor.log('summary', **summary)
    return summary
