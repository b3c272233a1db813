"""Training entry points (run from the repository root: ``python -m train.build_builtin``, ``python train/train_generator.py``)."""
