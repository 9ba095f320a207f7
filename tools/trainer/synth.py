"""Python fallback generator of small synthetic datasets in the dataset-file format.

The project's own generator is `wavegate dataset synth` (TypeScript, the device's preprocessing);
this one exists so the trainer's tests and gpu-check.sh run where Node is absent (the GPU box).
It writes the same keys (x, y, record, meta) with meta.generator naming this file, and the same
labels (in the same order), sample rate and default window as the TypeScript generator
(tools/synth/dataset.ts), so a model trained on either reads the other's data the same way;
test/tools/trainer/synth-contract.test.ts holds the two to that. The signals themselves differ.

ECG: beat-centred windows, classes N (sinus), S (premature, abnormal P), V (premature, wide QRS,
no P, inverted T); each record is a "patient" with its own rate, amplitudes, noise and wander,
so a split by record is a real generalisation test.
Bearing: vibration windows, classes normal / inner / ball / outer: shaft harmonics plus decaying
resonance bursts repeating at the fault frequency (BPFI 5.415, BSF 2.357, BPFO 3.585 x shaft).
"""
import json
import os

import numpy as np


def _gauss(t, centre, amp, width):
    return amp * np.exp(-0.5 * ((t - centre) / width) ** 2)


def _beat(t, kind, p):
    """One PQRST complex at t = 0 (seconds)."""
    if kind == 2:  # V: no P wave, wide tall QRS, inverted T
        return (_gauss(t, 0.0, 1.4 * p['r'], 0.035) - _gauss(t, 0.06, 0.5, 0.03)
                - _gauss(t, 0.32, 0.35, 0.07))
    p_amp = -0.12 if kind == 1 else 0.15  # S: ectopic atrial focus -> inverted P
    return (_gauss(t, -0.18, p_amp, 0.025) - _gauss(t, -0.03, 0.12, 0.01) + _gauss(t, 0.0, p['r'], 0.012)
            - _gauss(t, 0.03, 0.2, 0.01) + _gauss(t, 0.28, 0.3 * p['t'], 0.06))


def synth_ecg(windows_per_record=200, records=8, fs=360, window=128, seed=0, class_probs=(0.8, 0.1, 0.1)):
    rng = np.random.default_rng(seed)
    xs, ys, recs = [], [], []
    t = (np.arange(window) - window // 2) / fs
    for r in range(records):
        p = {'rr': rng.uniform(0.65, 1.05), 'r': rng.uniform(0.8, 1.3), 't': rng.uniform(0.6, 1.4),
             'noise': rng.uniform(0.01, 0.05)}
        y = rng.choice(3, size=windows_per_record, p=class_probs)
        for k in y:
            prev_rr = p['rr'] * (rng.uniform(0.55, 0.75) if k > 0 else rng.uniform(0.92, 1.08))
            next_rr = p['rr'] * (rng.uniform(1.2, 1.5) if k > 0 else rng.uniform(0.92, 1.08))
            sig = _beat(t, k, p) + _beat(t + prev_rr, 0, p) + _beat(t - next_rr, 0, p)
            sig += 0.1 * np.sin(2 * np.pi * rng.uniform(0.1, 0.4) * t + rng.uniform(0, 6.3))
            sig += rng.normal(0, p['noise'], window)
            xs.append(sig)
        ys.append(y)
        recs.append(np.full(windows_per_record, r))
    x = np.stack(xs).astype(np.float32)[:, :, None]
    meta = {'labels': ['N', 'S', 'V'], 'fs': fs, 'window': window, 'kind': 'ecg',
            'records': [f'synth-{r}' for r in range(records)], 'generator': 'tools/trainer/synth.py', 'seed': seed}
    return x, np.concatenate(ys).astype(np.int64), np.concatenate(recs).astype(np.int32), meta


def synth_bearing(windows_per_record=120, records=8, fs=12000, window=1024, seed=0):
    rng = np.random.default_rng(seed)
    factors = [None, 5.415, 2.357, 3.585]  # normal, inner (BPFI), ball (BSF), outer (BPFO) x shaft rate
    xs, ys, recs = [], [], []
    t = np.arange(window) / fs
    for r in range(records):
        shaft = rng.uniform(28, 30.5)
        resonance = rng.uniform(2500, 3500)
        noise = rng.uniform(0.05, 0.15)
        y = rng.integers(0, 4, size=windows_per_record)
        for k in y:
            sig = 0.2 * np.sin(2 * np.pi * shaft * t + rng.uniform(0, 6.3)) + rng.normal(0, noise, window)
            if factors[k]:
                period = 1.0 / (factors[k] * shaft)
                for start in np.arange(rng.uniform(0, period), t[-1], period):
                    dt = t - start
                    on = dt >= 0
                    sig[on] += rng.uniform(0.5, 1.0) * np.exp(-dt[on] * 800) * np.sin(2 * np.pi * resonance * dt[on])
            xs.append(sig)
        ys.append(y)
        recs.append(np.full(windows_per_record, r))
    x = np.stack(xs).astype(np.float32)[:, :, None]
    meta = {'labels': ['normal', 'inner', 'ball', 'outer'], 'fs': fs, 'window': window, 'kind': 'bearing',
            'records': [f'synth-{r}' for r in range(records)], 'generator': 'tools/trainer/synth.py', 'seed': seed}
    return x, np.concatenate(ys).astype(np.int64), np.concatenate(recs).astype(np.int32), meta


def write_npz(path, x, y, record, meta):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    meta_bytes = np.frombuffer(json.dumps(meta).encode('utf-8'), dtype=np.uint8)
    np.savez(path, x=x, y=y, record=record, meta=meta_bytes)


def synth_file(path, kind='ecg', seed=0, **kw):
    fn = synth_ecg if kind == 'ecg' else synth_bearing
    write_npz(path, *fn(seed=seed, **kw))
    return path
