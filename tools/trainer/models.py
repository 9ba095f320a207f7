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


def model_config(section: dict, input_size: int, num_classes: int) -> dict:
    """The plain-JSON description stored in checkpoints; enough to rebuild the module."""
    keys = ('cell', 'hidden', 'layers', 'bidirectional', 'layerNorm', 'dropout', 'pooling')
    cfg = {k: section[k] for k in keys}
    cfg.update(inputSize=int(input_size), numClasses=int(num_classes))
    return cfg


def build_from_recipe(section: dict, input_shape, num_classes: int, seed: int) -> 'RecurrentClassifier':
    """The model a recipe's `model` section describes, for windows of shape [T, C]."""
    t, c = input_shape
    cfg = model_config(section, c, num_classes)
    tmax = t if section['memoryInit'] == 'chrono' else None
    return build_model(cfg, section['init'], section['forgetBias'], seed, chrono_tmax=tmax)


class RecurrentClassifier(nn.Module):
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
        self.head = nn.Linear(size, cfg['numClasses'])

    def features(self, x: torch.Tensor) -> torch.Tensor:
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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.features(x)))


class ProbsModel(nn.Module):
    """Logits -> class probabilities; what is exported (wavegate's output spec is softmax)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x):
        return torch.softmax(self.model(x), dim=-1)


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
    nn.init.xavier_uniform_(model.head.weight)
    nn.init.zeros_(model.head.bias)


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
