"""Outlier exposure for a one-class anomaly model: normal windows vs synthetic anomalies.

A bearing-anomaly model is trained on normal recordings only; it never sees a real fault. Its
"anomaly" class is made here from the normal windows themselves, by adding what a damaged bearing
adds to the vibration (McFadden & Smith; Randall & Antoni): impacts that ring a structural
resonance, repeating at a fault rate with slip jitter, optionally modulated by a load zone, plus
broadband noise and isolated knocks. Windows of a synthetic fault set (`wavegate dataset synth
--kind bearing`, any label but "normal") may be added as a second source. The sigmoid/softmax
output trained on "normal vs these" is the device-side anomaly score.

    python3 -m tools.trainer outliers --normal cwru-train.npz [--synth bearing-synth.npz] --out anomaly-train.npz

The output is a dataset file (docs/datasets.md) with labels ["normal", "anomaly"] and the normal
set's input spec (the model carries the normal set's preprocessing and windowing); meta.outliers
records how the anomalies were made. Deterministic for a seed.
"""
import json
import math

import numpy as np

from .dataset import load_dataset
from .errors import TrainerError

LABELS = ['normal', 'anomaly']

#: Ranges the synthetic faults are drawn from; fs is the window rate.
PARAMS = {
    'faultRateHz': [40.0, 260.0],  # impact rate: CWRU's BPFO 107, 2xBSF 141, BPFI 162 Hz at 1797 rpm, and other speeds
    'resonanceHz': [1500.0, 0.45],  # upper end as a fraction of fs
    'damping': [0.02, 0.15],  # damping ratio of the ringing resonance
    'addedRms': [0.4, 6.0],  # RMS of what is added, in units of the window's RMS, log-uniform: total level x1.08 to x6
    'jitter': [0.0, 0.02],  # slip: impact spacing jitter as a fraction of the period
    'modulationHz': [4.0, 40.0],  # load-zone modulation (shaft or cage rate); drawn for half of the impulse trains
}

KINDS = (('impulses', 0.75), ('knocks', 0.1), ('noise', 0.15))


def _uniform(rng, lo, hi):
    return float(rng.uniform(lo, hi))


def _log_uniform(rng, lo, hi):
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def _impact(fs, f_r, zeta, n):
    t = np.arange(n) / fs
    return np.exp(-zeta * 2 * math.pi * f_r * t) * np.sin(2 * math.pi * f_r * t)


def perturb(w: np.ndarray, fs: float, rng: np.random.Generator) -> tuple:
    """One synthetic anomaly from a normal window w [T, C]; returns (window, kind)."""
    t_len = w.shape[0]
    rms = float(np.sqrt(np.mean(w.astype(np.float64) ** 2))) or 1.0
    r = rng.uniform()
    kind = 'impulses' if r < KINDS[0][1] else 'knocks' if r < KINDS[0][1] + KINDS[1][1] else 'noise'
    add = np.zeros(t_len)
    if kind == 'noise':
        add = rng.normal(0, 1, t_len)
    else:
        f_r = _uniform(rng, PARAMS['resonanceHz'][0], PARAMS['resonanceHz'][1] * fs)
        zeta = _uniform(rng, *PARAMS['damping'])
        ring = _impact(fs, f_r, zeta, min(t_len, int(5 * fs / (zeta * 2 * math.pi * f_r)) + 1))
        if kind == 'impulses':
            period = fs / _uniform(rng, *PARAMS['faultRateHz'])
            jitter = _uniform(rng, *PARAMS['jitter'])
            starts, s = [], -rng.uniform(0, period)
            while s < t_len:
                if s >= 0:
                    starts.append(int(s))
                s += period * (1 + rng.normal(0, jitter))
            gains = np.ones(len(starts))
            if rng.uniform() < 0.5:
                fm, depth, phase = _uniform(rng, *PARAMS['modulationHz']), _uniform(rng, 0.3, 1.0), rng.uniform(0, 2 * math.pi)
                gains = 1 - depth / 2 + depth / 2 * np.cos(2 * math.pi * fm * np.array(starts) / fs + phase)
        else:  # a few isolated knocks at random times
            starts = sorted(rng.integers(0, t_len, int(rng.integers(1, 4))).tolist())
            gains = np.ones(len(starts))
        for s, g in zip(starts, gains):
            n = min(len(ring), t_len - s)
            add[s:s + n] += g * ring[:n] * rng.choice([-1.0, 1.0])
    # Real CWRU faults at 0 hp are 1.4 to 9 times as loud as the normal recording; the synthetic ones
    # range from barely audible to that, so the boundary is learnt below the real faults.
    level = float(np.sqrt(np.mean(add ** 2)))
    if level > 0:
        add *= _log_uniform(rng, *PARAMS['addedRms']) * rms / level
    out = w.astype(np.float64) + add[:, None]  # the same impacts on every channel (one bearing)
    return out.astype(np.float32), kind


def _stages(meta: dict, rate: float) -> list:
    """The stage list, without rate stages that do nothing at this rate (decimate/resample to it)."""
    stages = (meta.get('input') or {}).get('preprocessing') or []
    return [st for st in stages if not (st.get('kind') in ('decimate', 'resample') and float(st.get('to', 0)) == rate)]


def match_synth(x: np.ndarray, synth_meta: dict, normal_meta: dict, rate: float, path: str) -> np.ndarray:
    """Synthetic windows brought to the normal set's preprocessing: equal stage lists, or the normal
    list = the synthetic one + a final normalize stage (applied here). Anything else is refused:
    windows that went through other filters would teach the model the difference."""
    a, b = _stages(synth_meta, rate), _stages(normal_meta, rate)
    if a == b:
        return x
    if b[:-1] == a and b and b[-1].get('kind') == 'normalize':
        mean = np.asarray(b[-1]['mean'], np.float64)
        std = np.asarray(b[-1]['std'], np.float64)
        return ((x.astype(np.float64) - mean) / std).astype(np.float32)
    raise TrainerError('E_INPUT', f'{path}: preprocessing {a} differs from the normal set\'s {b} (beyond a final normalize)')


def build(normal_path: str, out_path: str, synth_path=None, per_normal: int = 1, seed: int = 0,
          synth_max: int = 0, echo=print) -> dict:
    ds = load_dataset(normal_path)
    if 'normal' not in ds.labels:
        raise TrainerError('E_INPUT', f'{normal_path}: no "normal" label (labels {ds.labels})')
    fs = float((ds.meta.get('input') or {}).get('sampleRate') or 0)
    if fs <= 0:
        raise TrainerError('E_INPUT', f'{normal_path}: meta.input.sampleRate is missing')
    keep = np.nonzero(ds.y == ds.labels.index('normal'))[0]
    if len(keep) == 0:
        raise TrainerError('E_INPUT', f'{normal_path}: no window labelled "normal"')
    rng = np.random.default_rng(seed)
    normal = ds.x[keep]
    records = list(ds.meta.get('records') or [])
    rec_normal = ds.record[keep]
    xs, ys, recs, samples, kinds = [normal], [np.zeros(len(keep), np.int64)], [rec_normal], [ds.sample[keep] if ds.sample is not None else np.zeros(len(keep), np.int64)], {}
    made = []
    for _ in range(per_normal):
        for i in range(len(normal)):
            w, kind = perturb(normal[i], fs, rng)
            made.append(w)
            kinds[kind] = kinds.get(kind, 0) + 1
    synthetic_record = len(records)
    records.append('synthetic-anomalies')
    xs.append(np.stack(made))
    ys.append(np.ones(len(made), np.int64))
    recs.append(np.full(len(made), synthetic_record, np.int32))
    samples.append(np.repeat(samples[0], per_normal))
    synth_info = None
    if synth_path:
        sy = load_dataset(synth_path)
        s_rate = float((sy.meta.get('input') or {}).get('sampleRate') or 0)
        if sy.x.shape[1:] != ds.x.shape[1:] or s_rate != fs:
            raise TrainerError('E_INPUT', f'{synth_path}: windows {list(sy.x.shape[1:])} at {s_rate} Hz differ from '
                                          f'{normal_path} {list(ds.x.shape[1:])} at {fs} Hz')
        faults = np.nonzero(sy.y != (sy.labels.index('normal') if 'normal' in sy.labels else -1))[0]
        if synth_max:
            faults = np.sort(rng.permutation(faults)[:synth_max])
        records.append('synth-bearing-faults')
        xs.append(match_synth(sy.x[faults], sy.meta, ds.meta, fs, synth_path))
        ys.append(np.ones(len(faults), np.int64))
        recs.append(np.full(len(faults), len(records) - 1, np.int32))
        samples.append(sy.sample[faults] if sy.sample is not None else np.zeros(len(faults), np.int64))
        synth_info = {'file': synth_path, 'windows': int(len(faults))}
    x = np.concatenate(xs)
    y = np.concatenate(ys)
    meta = dict(ds.meta)
    meta.update(labels=LABELS, records=records, split=f'{ds.meta.get("split", "")}+outliers',
                recordRates=list(ds.meta.get('recordRates') or []) + [fs] * (len(records) - len(ds.meta.get('recordRates') or [])),
                classCounts={'normal': int((y == 0).sum()), 'anomaly': int((y == 1).sum())},
                outliers={'generator': 'tools/trainer/outliers.py', 'seed': seed, 'perNormal': per_normal, 'kinds': kinds,
                          'params': PARAMS, 'normalFrom': normal_path, 'synthFaults': synth_info})
    arrays = {'x': x, 'y': y, 'record': np.concatenate(recs).astype(np.int32), 'sample': np.concatenate(samples).astype(np.int64),
              'meta': np.frombuffer(json.dumps(meta).encode('utf-8'), dtype=np.uint8)}
    np.savez(out_path, **arrays)
    echo(f'{out_path}: {int((y == 0).sum())} normal + {int((y == 1).sum())} anomaly windows ({kinds}'
         f'{", synth faults " + str(synth_info["windows"]) if synth_info else ""})')
    return meta
