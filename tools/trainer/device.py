"""Device and mixed-precision selection: the same code on CUDA (PyTorch 2.x) and CPU (1.13)."""
import contextlib

import torch

from .errors import TrainerError


def select_device(name: str) -> torch.device:
    if name == 'auto':
        return torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    if name == 'cuda' and not torch.cuda.is_available():
        raise TrainerError('E_ARGUMENT', 'train.device is "cuda" but torch.cuda.is_available() is False')
    return torch.device(name)


def select_amp(amp: str, device: torch.device):
    """Returns None (full f32) or torch.bfloat16 / torch.float16.

    auto: bf16 on GPUs that support it (no loss scaling needed: bf16 has f32's exponent range),
    fp16 with a GradScaler on older GPUs, off on CPU (CPU autocast would only slow RNNs down and
    break the deterministic CI runs).
    """
    if amp == 'off' or (amp == 'auto' and device.type != 'cuda'):
        return None
    if device.type != 'cuda':
        raise TrainerError('E_ARGUMENT', f'train.amp "{amp}" needs a CUDA device (device is {device})')
    if amp == 'bf16' or (amp == 'auto' and torch.cuda.is_bf16_supported()):
        return torch.bfloat16
    return torch.float16


def autocast(device: torch.device, dtype):
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def grad_scaler(dtype):
    """A GradScaler only for fp16 (its 5-bit exponent underflows small gradients); disabled otherwise."""
    enabled = dtype is torch.float16
    if hasattr(torch, 'amp') and hasattr(torch.amp, 'GradScaler'):
        return torch.amp.GradScaler('cuda', enabled=enabled)
    return torch.cuda.amp.GradScaler(enabled=enabled)


def configure(device: torch.device, seed: int) -> None:
    """Seeds torch; CPU runs are bit-for-bit deterministic, CUDA runs let cuDNN pick fast kernels."""
    torch.manual_seed(seed)
    if device.type == 'cpu':
        torch.use_deterministic_algorithms(True)
    else:
        torch.backends.cudnn.benchmark = True
