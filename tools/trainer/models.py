"""Recurrent classifiers: the bidirectional teacher and the small unidirectional student.

One class covers both; the recipe's `model` section picks the shape. Layers are a list of
single-layer nn.LSTM/nn.GRU modules (not one multi-layer module) so that a LayerNorm can sit
after each layer of a deep teacher; each still exports to one ONNX LSTM/GRU node and runs on
cuDNN. forward() returns logits; ProbsModel adds the Softmax the exported graph carries.
"""
import torch
from torch import nn

from .errors import TrainerError

#: PyTorch gate order inside weight_ih/weight_hh rows (ONNX reorders on export: LSTM iofc, GRU zrh).
TORCH_GATES = {'lstm': ('i', 'f', 'g', 'o'), 'gru': ('r', 'z', 'n')}


def model_config(section: dict, input_size: int, num_classes: int, feature_names=()) -> dict:
    """The plain-JSON description stored in checkpoints; enough to rebuild the module.

    feature_names: the dataset's side features (meta.input.features.names), joined to the pooled
    recurrent output before the head; empty for a waveform-only model."""
    keys = ('cell', 'hidden', 'layers', 'bidirectional', 'layerNorm', 'dropout', 'pooling', 'headHidden')
    cfg = {k: section[k] for k in keys}
    cfg.update(inputSize=int(input_size), numClasses=int(num_classes), featureNames=list(feature_names))
    return cfg


def build_from_recipe(section: dict, input_shape, num_classes: int, seed: int, feature_names=()) -> 'RecurrentClassifier':
    """The model a recipe's `model` section describes, for windows of shape [T, C]."""
    t, c = input_shape
    cfg = model_config(section, c, num_classes, feature_names)
    tmax = t if section['memoryInit'] == 'chrono' else None
    return build_model(cfg, section['init'], section['forgetBias'], seed, chrono_tmax=tmax)


def side_width(cfg: dict) -> int:
    """Side features the model takes (0: the waveform only). Checkpoints from before side
    features have no featureNames."""
    return len(cfg.get('featureNames') or ())


class RecurrentClassifier(nn.Module):
    """forward(x) -> logits, or forward(x, f) with side features f [B, F]: the pooled recurrent
    output h and f are joined by torch.cat([h, f], dim=1) right before the first Linear, which
    exports as a second graph input, Concat(axis=1) and Gemm (what the importer takes as
    input.features). headHidden > 0 puts a Linear + ReLU of that width before the output Linear,
    so side features and waveform can interact (premature AND narrow QRS -> S)."""

    def __init__(self, cfg: dict):
        super().__init__()
        self.cfg = dict(cfg)
        cell = {'lstm': nn.LSTM, 'gru': nn.GRU}.get(cfg['cell'])
        if cell is None:
            raise TrainerError('E_ARGUMENT', f'model.cell must be lstm or gru, got {cfg["cell"]!r}')
        if cfg['pooling'] == 'last' and cfg['bidirectional']:
            # out[:, -1, :] of a backward direction has seen one sample: final_state is what is meant.
            raise TrainerError('E_ARGUMENT', 'model.pooling "last" with bidirectional layers: use final_state or mean')
        directions = 2 if cfg['bidirectional'] else 1
        self.rnns = nn.ModuleList()
        self.norms = nn.ModuleList()
        size = cfg['inputSize']
        for _ in range(cfg['layers']):
            self.rnns.append(cell(size, cfg['hidden'], num_layers=1, batch_first=True, bidirectional=cfg['bidirectional']))
            size = cfg['hidden'] * directions
            self.norms.append(nn.LayerNorm(size) if cfg['layerNorm'] else nn.Identity())
        self.dropout = nn.Dropout(cfg['dropout'])
        self.side = side_width(cfg)
        hidden = int(cfg.get('headHidden') or 0)
        if hidden < 0:
            raise TrainerError('E_ARGUMENT', f'model.headHidden must be >= 0, got {hidden}')
        self.mid = nn.Linear(size + self.side, hidden) if hidden else None
        self.head = nn.Linear(hidden or size + self.side, cfg['numClasses'])

    def pooled(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        for i, (rnn, norm) in enumerate(zip(self.rnns, self.norms)):
            if i > 0:
                y = self.dropout(y)
            y, _ = rnn(y)
            y = norm(y)
        mode = self.cfg['pooling']
        if mode == 'last':
            return y[:, -1, :]
        if mode == 'mean':
            return y.mean(dim=1)
        if self.cfg['bidirectional']:  # final_state: forward half at T-1, backward half at t = 0 (ONNX Y_h)
            h = self.cfg['hidden']
            return torch.cat([y[:, -1, :h], y[:, 0, h:]], dim=-1)
        return y[:, -1, :]

    def forward(self, x: torch.Tensor, f: torch.Tensor = None) -> torch.Tensor:
        z = self.dropout(self.pooled(x))
        if self.side:
            if f is None or f.dim() != 2 or f.shape[1] != self.side:
                got = 'none' if f is None else list(f.shape)
                raise TrainerError('E_INPUT', f'the model takes {self.side} side features [batch, {self.side}], got {got}')
            z = torch.cat([z, f.to(z.dtype)], dim=1)
        if self.mid is not None:
            z = self.dropout(torch.relu(self.mid(z)))
        return self.head(z)


class ProbsModel(nn.Module):
    """Logits -> class probabilities; what is exported (wavegate's output spec is softmax)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x, f=None):
        logits = self.model(x) if f is None else self.model(x, f)
        return torch.softmax(logits, dim=-1)


def _memory_bias(h: int, forget_bias: float, chrono_tmax) -> torch.Tensor:
    """Bias of the gate that keeps memory (LSTM f, GRU z). Constant: forget_bias. Chrono
    (Tallec & Ollivier 2018): log(U(1, Tmax - 1)), i.e. time scales spread up to the window length."""
    if chrono_tmax and chrono_tmax > 2:
        return torch.log(torch.empty(h).uniform_(1.0, float(chrono_tmax - 1)))
    return torch.full((h,), float(forget_bias))


def init_weights(model: RecurrentClassifier, scheme: str, forget_bias: float, chrono_tmax=None) -> None:
    """xavier: Glorot-uniform input weights per gate block, orthogonal recurrent weights per gate,
    zero biases except the memory gate (LSTM forget gate, GRU update gate z): forget_bias, or chrono
    biases when chrono_tmax is given (LSTM input gate then gets minus the forget bias).
    default: PyTorch's uniform(-1/sqrt(H), 1/sqrt(H))."""
    if scheme == 'default':
        return
    for rnn in model.rnns:
        gates = len(TORCH_GATES[model.cfg['cell']])
        h = rnn.hidden_size
        for name, p in rnn.named_parameters():
            with torch.no_grad():
                if name.startswith('weight_ih'):
                    for k in range(gates):
                        nn.init.xavier_uniform_(p[k * h:(k + 1) * h])
                elif name.startswith('weight_hh'):
                    for k in range(gates):
                        nn.init.orthogonal_(p[k * h:(k + 1) * h])
                elif name.startswith('bias_hh'):
                    p.zero_()
                elif name.startswith('bias_ih'):
                    p.zero_()
                    keep = _memory_bias(h, forget_bias, chrono_tmax)
                    p[h:2 * h] = keep  # PyTorch rows: LSTM i, f, g, o -> f; GRU r, z, n -> z
                    if model.cfg['cell'] == 'lstm' and chrono_tmax:
                        p[0:h] = -keep
    for lin in (model.mid, model.head):
        if lin is not None:
            nn.init.xavier_uniform_(lin.weight)
            nn.init.zeros_(lin.bias)


def build_model(cfg: dict, init: str = 'default', forget_bias: float = 1.0, seed=None, chrono_tmax=None
                ) -> RecurrentClassifier:
    """seed: initial weights depend on it alone (the KD student and its no-KD twin start identical)."""
    if seed is not None:
        torch.manual_seed(seed)
    model = RecurrentClassifier(cfg)
    init_weights(model, init, forget_bias, chrono_tmax)
    return model


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
