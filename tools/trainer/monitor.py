"""Training telemetry: JSON lines (always), TensorBoard event files (when importable).

Every line is one JSON object with `event` (step | epoch | probe | summary), `run` (teacher,
student-kd, student-plain, ...) and `time` (seconds since the monitor opened). Several runs can
append to one metrics.jsonl; plots.py draws them.
"""
import json
import os
import time


def _tensorboard_writer(log_dir):
    try:
        from torch.utils.tensorboard import SummaryWriter  # needs the tensorboard package
    except Exception:
        return None
    return SummaryWriter(log_dir=log_dir)


class Monitor:
    def __init__(self, path: str, run: str, tensorboard_dir=None, echo=None):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.path, self.run = path, run
        self.file = open(path, 'a', encoding='utf-8')
        self.start = time.time()
        self.tb = _tensorboard_writer(os.path.join(tensorboard_dir, run)) if tensorboard_dir else None
        self.echo = echo  # callable(str) for human-readable epoch lines, or None

    def log(self, event: str, **fields) -> None:
        record = {'event': event, 'run': self.run, 'time': round(time.time() - self.start, 3), **fields}
        self.file.write(json.dumps(record, default=_plain) + '\n')
        self.file.flush()
        if self.tb is not None and 'step' in fields:
            for key, value in fields.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool) and key != 'step':
                    self.tb.add_scalar(f'{event}/{key}', value, fields['step'])
                elif isinstance(value, dict):  # e.g. gateSat: {i: 0.1, ...}
                    for k, v in value.items():
                        if isinstance(v, (int, float)):
                            self.tb.add_scalar(f'{event}/{key}/{k}', v, fields['step'])

    def say(self, text: str) -> None:
        if self.echo:
            self.echo(text)

    def close(self) -> None:
        self.file.close()
        if self.tb is not None:
            self.tb.close()


def _plain(value):
    if hasattr(value, 'item'):
        return value.item()
    if hasattr(value, 'tolist'):
        return value.tolist()
    raise TypeError(f'not JSON serialisable: {type(value).__name__}')


def read_jsonl(path: str) -> list:
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]
