"""Where the shipped files live: built-in model folders, examples.

The repository's top-level ``assets/`` folder is used (the package is installed
in editable mode by the README's commands); ``$SIGNSPARK_ASSETS`` overrides it.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["assets_dir", "builtin_model_dir", "builtin_model_status", "BUILTIN_MODELS"]

BUILTIN_MODELS = {"generator": "models/generator", "fast": "models/fast"}


def assets_dir() -> Path:
    env = os.environ.get("SIGNSPARK_ASSETS")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "assets"


def builtin_model_dir(name: str) -> Path:
    """Folder of a built-in model (``generator`` or ``fast``); it may not exist yet."""
    try:
        return assets_dir() / BUILTIN_MODELS[name]
    except KeyError:
        raise ValueError(f"unknown built-in model {name!r}; expected one of {sorted(BUILTIN_MODELS)}") from None


def builtin_model_status() -> dict[str, str]:
    """``{name: "present at <path>" | "missing (...)"}`` for ``signspark info``."""
    out = {}
    for name in BUILTIN_MODELS:
        d = builtin_model_dir(name)
        ok = (d / "config.json").is_file() and (d / "model.safetensors").is_file()
        out[name] = f"present ({d})" if ok else "missing (build it with python -m train.build_builtin)"
    return out
