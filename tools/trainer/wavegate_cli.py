"""Calls the wavegate command line (dataset synth, import) from Python.

Prefers the TypeScript sources through tsx (tools/cli/main.ts), else the built CLI
(node bin/wavegate.js). Returns None when neither is present, so callers can fall back or skip
with a clear message.
"""
import os
import shutil
import subprocess

from .errors import TrainerError
from .onnx_export import REPO_ROOT


def command():
    """The wavegate CLI as an argv prefix, or None.

    The TypeScript sources (tsx) come first: they are what the tests cover, while dist/ may be a
    stale build in a working tree. The built CLI serves installs without devDependencies."""
    node = shutil.which('node')
    if node is None:
        return None
    tsx = os.path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx')
    main_ts = os.path.join(REPO_ROOT, 'tools', 'cli', 'main.ts')
    if os.path.isfile(tsx) and os.path.isfile(main_ts):
        return [tsx, main_ts]
    if os.path.isfile(os.path.join(REPO_ROOT, 'dist', 'tools', 'cli', 'main.js')):
        return [node, os.path.join(REPO_ROOT, 'bin', 'wavegate.js')]
    return None


def run(args, what: str, timeout=300) -> str:
    base = command()
    if base is None:
        raise TrainerError('E_NOT_FOUND', f'{what}: the wavegate CLI is not available (no node, dist/tools/cli/main.js '
                                          'or tools/cli/main.ts)')
    proc = subprocess.run(base + list(args), cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise TrainerError('E_EXPORT' if what == 'import' else 'E_INPUT',
                           f'wavegate {" ".join(args)} failed (exit {proc.returncode}): '
                           f'{(proc.stderr or proc.stdout).strip()[-2000:]}')
    return proc.stdout.strip()
