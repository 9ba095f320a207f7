#!/usr/bin/env bash
# GPU check for the trainer: trains the ECG teacher (recipe ecg-teacher) for a fixed time with
# AMP off and on, then briefly on the CPU, and prints windows/s GPU vs CPU, peak GPU memory and
# validation metrics. Needs only python3 with torch (2.x + CUDA on the GPU box) and numpy.
#
#   tools/trainer/gpu-check.sh [--data ecg.npz] [--seconds 150] [--cpu-seconds 30] [--out out/gpu-check]
#
# Defaults finish in about 6 minutes (2 x 150 s GPU + 30 s CPU + data and validation), under
# the 8-minute limit that the outer `timeout` enforces. Without --data a synthetic ECG set is
# generated in Python. Without CUDA only the CPU run happens (use small --cpu-seconds to test).
set -euo pipefail
cd "$(dirname "$0")/../.."
# $PYTHON if set, else the first python3 on PATH that imports torch, else Debian's /usr/bin/python3.
if [ -z "${PYTHON:-}" ]; then
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import torch, numpy' 2>/dev/null; then PYTHON="$candidate"; break; fi
  done
fi
if [ -z "${PYTHON:-}" ]; then echo "gpu-check: no python3 with torch and numpy found (set PYTHON=...)" >&2; exit 2; fi
exec timeout 470 "$PYTHON" -m tools.trainer --threads 0 gpu-check "$@"
