"""wavegate trainer: PyTorch teachers, knowledge distillation into small students, ONNX export.

Run as ``/usr/bin/python3 -m tools.trainer <command> --help`` from the repository root
(or ``npm run train -- <command> ...``). See docs/training.md.
"""
