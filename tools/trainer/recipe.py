"""Recipes: JSON training configurations with strict key validation.

A recipe is a JSON object whose sections override the defaults below. Any key not listed in
DEFAULTS (at any depth) is an error naming its JSON path, raised before a dataset is even read,
so a typo never silently trains with a default. Values must have the default's type (ints are
accepted where floats are expected); keys in NULLABLE may also be null.

Sections:
  dataset  which file and how to split it (by record, never by window)
  teacher  {model, train}            used by `teacher`
  student  {model, train, distill}   used by `distill`
  export   ONNX options               used by `export` and `smoke`
"""
import copy
import math
import json
import os

from .errors import TrainerError

RECIPE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'recipes')

_TRAIN = {
    'epochs': 30,  # upper bound; early stopping usually ends sooner
    'batchSize': 64,
    'lr': 1e-3,  # peak learning rate after warmup
    'weightDecay': 1e-2,  # AdamW decoupled weight decay (biases and norms excluded)
    'optimizer': 'adamw',  # adamw | adam | sgd
    'warmupSteps': 100,  # linear warmup from 0 to lr
    'schedule': 'cosine',  # cosine | step | constant (after warmup)
    'minLrRatio': 0.05,  # cosine floor as a fraction of lr
    'stepEpochs': 10,  # step schedule: multiply by stepGamma every stepEpochs epochs
    'stepGamma': 0.3,
    'clipNorm': 1.0,  # gradient clipping by global L2 norm; 0 disables
    'patience': 5,  # early stopping: epochs without val improvement
    'monitor': 'macroF1',  # early-stopping metric: macroF1 | accuracy | loss
    'classWeighting': 'balanced',  # balanced (inverse frequency, sqrt-tempered) | none
    'classWeightMaxRatio': 20.0,  # cap: no class weighs more than this times the majority class
    'sampler': 'shuffle',  # shuffle | balanced (class-balanced sampling with replacement)
    'device': 'auto',  # auto (cuda if present) | cpu | cuda
    'amp': 'auto',  # auto (bf16 if supported else fp16 on cuda, off on cpu) | off | bf16 | fp16
    'probeEvery': 50,  # gate statistics every K optimizer steps (0 disables)
    'logEvery': 1,  # one JSON line every K steps
    'maxSteps': None,  # hard cap on optimizer steps (smoke runs, benchmarks)
    'maxSeconds': None,  # wall-clock budget in seconds (gpu-check)
    'evalBatchSize': 512,
    'epochWindows': None,  # windows drawn per epoch (a fresh seeded subset each epoch); null = all of them
    # Training-time augmentation (train_loop.augment): amplitude x exp(U(-a, a)), Gaussian noise of
    # std s x window RMS, shifts of up to k steps. 0 disables each.
    'augmentScale': 0.0,
    'augmentNoise': 0.0,
    'augmentShift': 0,
    # Side-feature dropout: each window's side features are replaced by 0 (their training mean, the
    # features being normalised) with this probability, so the waveform path must learn on its own
    # (V beats are wide whatever their timing) instead of leaning on the RR features alone.
    'featureDropout': 0.0,
}

DEFAULTS = {
    'name': 'unnamed',
    'description': '',
    'seed': 0,
    'dataset': {
        'path': None,  # .npz dataset; the CLI --data overrides it
        'valPath': None,  # separate validation .npz (e.g. cwru --split val); then no split of `path`
        'valRecords': None,  # explicit validation record ids (ints) or names (strings)
        'valFraction': 0.2,  # otherwise: this fraction of records, chosen by seeded shuffle
        'maxWindows': None,  # cap on windows per split (seeded subset), for smoke runs
        'macroF1Labels': None,  # labels averaged in macro F1; null = all labels present
        'sideFeatures': True,  # feed the dataset's side features (features [N, F]) to the model when it has them
    },
    'teacher': {
        'model': {
            'cell': 'lstm',  # lstm | gru
            'hidden': 128,
            'layers': 2,
            'bidirectional': True,
            'layerNorm': True,  # LayerNorm after every recurrent layer (deep stacks)
            'dropout': 0.2,  # between layers and before the head
            'pooling': 'final_state',  # last | final_state | mean
            'headHidden': 0,  # >0: Linear+ReLU of this width between the pooled (++ side features) and the output Linear
            'init': 'xavier',  # xavier (Glorot W_ih + orthogonal W_hh) | default (PyTorch)
            'forgetBias': 1.0,  # LSTM forget / GRU update-gate bias at init (memoryInit constant)
            'memoryInit': 'constant',  # constant (forgetBias) | chrono (Tallec & Ollivier 2018, up to T)
        },
        'train': dict(_TRAIN),
    },
    'student': {
        'model': {
            'cell': 'gru',
            'hidden': 32,
            'layers': 1,
            'bidirectional': False,  # students run streaming in the INT8 kernel: unidirectional
            'layerNorm': False,
            'dropout': 0.0,
            'pooling': 'last',  # the importer's out[:, -1, :]
            'headHidden': 0,
            'init': 'xavier',
            'forgetBias': 1.0,
            # A unidirectional student pooled at the last step must carry the start of the window
            # for T steps: chrono biases give its update gates memory time scales up to T.
            'memoryInit': 'chrono',
        },
        'train': dict(_TRAIN),
        'distill': {
            'temperature': 4.0,  # softening temperature T
            'alpha': 0.7,  # weight of alpha*T^2*KL(teacher||student); (1-alpha) on hard CE
            'baseline': True,  # also train the same student without KD for comparison
        },
        # Per-class logit offsets ({"S": 0.5, "V": -0.25}; absent labels 0) folded into the output
        # layer's bias of the distilled student after training: the decision thresholds, fitted
        # on validation records (never test data). Exact on the device: a dense-layer bias.
        'logitBias': {},
    },
    'export': {
        'opset': 14,
        'checkWindows': 256,  # validation windows compared torch vs onnxruntime
        'tolerance': 1e-4,  # max abs diff of probabilities allowed
    },
}

NULLABLE = {
    'dataset.path', 'dataset.valPath', 'dataset.valRecords', 'dataset.maxWindows', 'dataset.macroF1Labels',
    'teacher.train.maxSteps', 'teacher.train.maxSeconds', 'teacher.train.epochWindows',
    'student.train.maxSteps', 'student.train.maxSeconds', 'student.train.epochWindows',
}

CHOICES = {
    'model.cell': ('lstm', 'gru'),
    'model.pooling': ('last', 'final_state', 'mean'),
    'model.init': ('xavier', 'default'),
    'model.memoryInit': ('constant', 'chrono'),
    'train.optimizer': ('adamw', 'adam', 'sgd'),
    'train.schedule': ('cosine', 'step', 'constant'),
    'train.monitor': ('macroF1', 'accuracy', 'loss'),
    'train.classWeighting': ('balanced', 'none'),
    'train.sampler': ('shuffle', 'balanced'),
    'train.device': ('auto', 'cpu', 'cuda'),
    'train.amp': ('auto', 'off', 'bf16', 'fp16'),
}


def _check(value, default, path, source):
    if path == 'student.logitBias':
        bad = not isinstance(value, dict) or any(not isinstance(k, str) or isinstance(v, bool) or not isinstance(v, (int, float))
                                                 or not math.isfinite(v) for k, v in value.items())
        if bad:
            raise TrainerError('E_ARGUMENT', f'{source}: "{path}" must map labels to finite numbers, e.g. {{"S": 0.5}}, got {json.dumps(value)}')
        return {k: float(v) for k, v in value.items()}
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise TrainerError('E_ARGUMENT', f'{source}: {path or "recipe"} must be an object')
        out = {}
        for key, sub in value.items():
            sub_path = f'{path}.{key}' if path else key
            if key not in default:
                known = ', '.join(sorted(default))
                raise TrainerError('E_ARGUMENT', f'{source}: unknown recipe key "{sub_path}" (known here: {known})')
            out[key] = _check(sub, default[key], sub_path, source)
        return out
    if value is None:
        if path in NULLABLE:
            return None
        raise TrainerError('E_ARGUMENT', f'{source}: "{path}" may not be null')
    if path in NULLABLE and default is None:
        if not isinstance(value, (int, float, str, list)) or isinstance(value, bool):
            raise TrainerError('E_ARGUMENT', f'{source}: "{path}" has an unsupported type {type(value).__name__}')
        return value
    expected = type(default)
    ok = isinstance(value, expected) and not (isinstance(value, bool) and expected is not bool)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value), True
    if not ok:
        raise TrainerError('E_ARGUMENT', f'{source}: "{path}" must be {expected.__name__}, got {json.dumps(value)}')
    choice_key = '.'.join(path.split('.')[-2:])
    if choice_key in CHOICES and value not in CHOICES[choice_key]:
        raise TrainerError('E_ARGUMENT', f'{source}: "{path}" must be one of {", ".join(CHOICES[choice_key])}, got {value!r}')
    return value


def _merge(base, override):
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def resolve_path(name_or_path: str) -> str:
    """A recipe name (``tiny``) resolves to recipes/tiny.json; anything with a slash or .json is a path."""
    if name_or_path.endswith('.json') or os.sep in name_or_path:
        path = name_or_path
    else:
        path = os.path.join(RECIPE_DIR, name_or_path + '.json')
    if not os.path.isfile(path):
        names = sorted(f[:-5] for f in os.listdir(RECIPE_DIR) if f.endswith('.json'))
        raise TrainerError('E_NOT_FOUND', f'recipe {name_or_path!r} not found ({path}); built-in recipes: {", ".join(names)}')
    return path


def parse_override(text: str):
    """``teacher.train.epochs=3`` -> (['teacher','train','epochs'], 3); the value is JSON or a bare string."""
    if '=' not in text:
        raise TrainerError('E_ARGUMENT', f'--set {text!r}: expected KEY=VALUE, e.g. teacher.train.epochs=3')
    key, raw = text.split('=', 1)
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key.split('.'), value


def load_recipe(name_or_path: str, overrides=()) -> dict:
    """Reads, merges with DEFAULTS, applies ``--set`` overrides and validates every key."""
    path = resolve_path(name_or_path)
    try:
        with open(path, encoding='utf-8') as f:
            raw = json.load(f)
    except json.JSONDecodeError as e:
        raise TrainerError('E_FILE_FORMAT', f'{path}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}') from None
    for text in overrides:
        keys, value = parse_override(text)
        node = raw
        for k in keys[:-1]:
            node = node.setdefault(k, {})
            if not isinstance(node, dict):
                raise TrainerError('E_ARGUMENT', f'--set {text!r}: {k} is not a section')
        node[keys[-1]] = value
    return validate(raw, source=path)


def validate(raw: dict, source: str = 'recipe') -> dict:
    checked = _check(raw, DEFAULTS, '', source)
    recipe = _merge(DEFAULTS, checked)
    for role in ('teacher', 'student'):
        d = recipe[role]['distill'] if role == 'student' else None
        if d is not None and not 0.0 <= d['alpha'] <= 1.0:
            raise TrainerError('E_ARGUMENT', f'{source}: "student.distill.alpha" must be in [0, 1], got {d["alpha"]}')
        if d is not None and d['temperature'] <= 0:
            raise TrainerError('E_ARGUMENT', f'{source}: "student.distill.temperature" must be > 0')
        m = recipe[role]['model']
        if m['hidden'] < 1 or m['layers'] < 1:
            raise TrainerError('E_ARGUMENT', f'{source}: "{role}.model" hidden and layers must be >= 1')
        if not 0.0 <= m['dropout'] < 1.0:
            raise TrainerError('E_ARGUMENT', f'{source}: "{role}.model.dropout" must be in [0, 1)')
    if not 0.0 < recipe['dataset']['valFraction'] < 1.0:
        raise TrainerError('E_ARGUMENT', f'{source}: "dataset.valFraction" must be in (0, 1)')
    return recipe
