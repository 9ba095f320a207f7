"""Learning-rate schedule: linear warmup, then cosine, step or constant. Pure functions of the step."""
import math


def lr_factor(step: int, total_steps: int, steps_per_epoch: int, cfg: dict) -> float:
    """Multiplier of the peak lr at optimizer step `step` (0-based).

    Warmup ramps linearly over cfg['warmupSteps'] (large early updates of recurrent weights are
    what blows up LSTM training). Cosine decays from 1 to cfg['minLrRatio'] at total_steps;
    step multiplies by cfg['stepGamma'] every cfg['stepEpochs'] epochs.
    """
    warmup = cfg['warmupSteps']
    if warmup > 0 and step < warmup:
        return (step + 1) / warmup
    if cfg['schedule'] == 'constant':
        return 1.0
    if cfg['schedule'] == 'step':
        epoch = step // max(1, steps_per_epoch)
        return cfg['stepGamma'] ** (epoch // max(1, cfg['stepEpochs']))
    span = max(1, total_steps - warmup)
    progress = min(1.0, max(0.0, (step - warmup) / span))
    floor = cfg['minLrRatio']
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))
