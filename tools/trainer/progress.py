"""A dependency-free progress bar for one epoch, drawn on stderr only when it is a terminal."""
import sys
import time


class Progress:
    def __init__(self, total: int, desc: str, stream=None, enabled=None):
        self.total, self.desc, self.count = max(1, total), desc, 0
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.start = time.time()
        self.postfix = ''

    def update(self, n: int = 1, postfix: str = '') -> None:
        self.count += n
        self.postfix = postfix or self.postfix
        if self.enabled:
            frac = min(1.0, self.count / self.total)
            bar = '#' * int(30 * frac)
            rate = self.count / max(1e-9, time.time() - self.start)
            self.stream.write(f'\r{self.desc} [{bar:<30}] {self.count}/{self.total} {rate:5.1f} it/s {self.postfix}')
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write('\n')
            self.stream.flush()
