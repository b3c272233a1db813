"""Text encoders by type: ``load_text_encoder(config)`` rebuilds one from its :meth:`TextEncoder.config`.

Usage::

    enc = load_text_encoder({"type": "builtin", "dim": 640})
    emb = enc.encode(["<ASL> hello", "<DGS> hallo"])     # (2, 640) float32
    enc2 = load_text_encoder(enc.config())                # same encoder again

Implementations register a factory ``factory(params, folder=None, state_dict=None)`` under their
config ``type`` (:data:`ENCODER_TYPES`, ``"module:function"`` loaded on first use, so this module
imports none of them and none of them imports it): :class:`signspark.text.builtin.BuiltinTextEncoder`
(no download) and :class:`signspark.text.mclip.MCLIPTextEncoder` (the official M-CLIP XLM-R-large, 640-d).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch

from signspark.signs.languages import resolve

from .base import DEFAULT_CACHE_SIZE, TextEncoder

__all__ = ["TextEncoder", "load_text_encoder", "register_text_encoder", "ENCODER_TYPES", "DEFAULT_CACHE_SIZE"]

ENCODER_TYPES: dict[str, str | Callable[..., TextEncoder]] = {
    "builtin": "signspark.text.builtin:from_config",
    "mclip": "signspark.text.mclip:from_config",
}


def register_text_encoder(kind: str, factory: str | Callable[..., TextEncoder]) -> None:
    """Make ``{"type": kind, ...}`` configs load through ``factory(params, folder=None, state_dict=None)``."""
    ENCODER_TYPES[kind.lower()] = factory


def load_text_encoder(config: Mapping[str, Any], folder: str | Path | None = None,
                      state_dict: Mapping[str, torch.Tensor] | None = None) -> TextEncoder:
    """Rebuild a text encoder from its :meth:`TextEncoder.config`.

    Args:
        config: ``{"type": "builtin", ...}`` or ``{"type": "mclip", "source": <folder or Hub id>,
            "revision": ...}``; an M-CLIP built from an official checkpoint has
            ``"weights": "official_state_dict"`` and ``"tokenizer"``.
        folder: a model folder; a relative ``source`` is looked up inside it first.
        state_dict: the official checkpoint's state dict, needed for ``"weights": "official_state_dict"``.
    """
    if not isinstance(config, Mapping) or "type" not in config:
        raise ValueError(f"text encoder config must be a dict with a 'type' key, got {config!r}")
    kind = str(config["type"]).lower()
    if kind not in ENCODER_TYPES:
        raise ValueError(f"unknown text encoder type {config['type']!r}; expected one of "
                         f"{', '.join(repr(k) for k in ENCODER_TYPES)}")
    params = {k: v for k, v in config.items() if k != "type"}
    return resolve(ENCODER_TYPES[kind])(params, folder=folder, state_dict=state_dict)
