"""Checkpoints: one torch.save'd dict of tensors and plain JSON-like values.

Nothing pickled beyond tensors, numbers, strings, lists and dicts, so PyTorch 2.6+'s
`weights_only=True` loading accepts them and a checkpoint from a GPU box loads on a CPU.
"""
import inspect
import os

import torch

from .errors import TrainerError
from .models import build_model

FORMAT = 'wavegate-trainer-checkpoint'
VERSION = 1


def save(path: str, state: dict) -> None:
    tmp = path + '.tmp'
    torch.save({'format': FORMAT, 'version': VERSION, **state}, tmp)
    os.replace(tmp, path)  # never leave a half-written checkpoint behind a crash


def load(path: str) -> dict:
    if not os.path.isfile(path):
        raise TrainerError('E_NOT_FOUND', f'{path}: checkpoint not found')
    kwargs = {'map_location': 'cpu'}
    # 1.13's weights_only unpickler cannot read floats (BINFLOAT); 2.x's can, and 2.6+ defaults to it.
    if 'weights_only' in inspect.signature(torch.load).parameters and int(torch.__version__.split('.')[0]) >= 2:
        kwargs['weights_only'] = True
    try:
        state = torch.load(path, **kwargs)
    except Exception as e:
        raise TrainerError('E_FILE_FORMAT', f'{path}: not a readable checkpoint ({type(e).__name__}: {e})') from None
    if not isinstance(state, dict) or state.get('format') != FORMAT:
        raise TrainerError('E_FILE_FORMAT', f'{path}: not a wavegate trainer checkpoint')
    if state.get('version', 0) > VERSION:
        raise TrainerError('E_FILE_FORMAT', f'{path}: checkpoint version {state["version"]} is newer than {VERSION}')
    return state


def load_model(path: str):
    """(model in eval mode, checkpoint dict) rebuilt from the stored config and weights."""
    state = load(path)
    model = build_model(state['modelConfig'])
    model.load_state_dict(state['model'])
    model.eval()
    return model, state
