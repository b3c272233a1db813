"""The text-encoder interface: text in, one fixed-size vector per text out.

A :class:`TextEncoder` is frozen (eval mode, no gradients) and remembers the embeddings of
the texts it has seen (an LRU cache keyed by the exact string), so a request's text is encoded
once, not at every ODE step of the sampler.

Usage::

    enc = load_text_encoder({"type": "builtin", "dim": 640})
    emb = enc.encode(["<ASL> hello", "<DGS> hallo"])     # (2, 640) float32
    enc2 = load_text_encoder(enc.config())                # same encoder again

Implementations: :class:`signspark.text.builtin.BuiltinTextEncoder` (no download) and
:class:`signspark.text.mclip.MCLIPTextEncoder` (the official M-CLIP XLM-R-large, 640-d).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

__all__ = ["TextEncoder", "load_text_encoder", "DEFAULT_CACHE_SIZE"]

DEFAULT_CACHE_SIZE = 4096


class TextEncoder(nn.Module):
    """Base class: frozen text encoder with an embedding cache.

    Subclasses set ``self.dim`` (through ``__init__``) and implement :meth:`_encode` (a batch of
    texts not yet cached -> ``(B, dim)`` float tensor) and :meth:`config`.
    """

    def __init__(self, dim: int, cache_size: int = DEFAULT_CACHE_SIZE):
        super().__init__()
        if dim <= 0:
            raise ValueError(f"text embedding dim must be positive, got {dim}")
        self.dim = int(dim)
        self.cache_size = int(cache_size)
        self._cache: OrderedDict[str, torch.Tensor] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0
        super().train(False)

    # -- to implement -----------------------------------------------------------------------
    def _encode(self, texts: list[str]) -> torch.Tensor:
        """Embed ``texts`` (none of them cached): ``(len(texts), dim)``. Called under ``no_grad``."""
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        """A JSON-serialisable dict from which :func:`load_text_encoder` rebuilds this encoder."""
        raise NotImplementedError

    # -- public -----------------------------------------------------------------------------
    @property
    def device(self) -> torch.device:
        for t in self.parameters():
            return t.device
        for t in self.buffers():
            return t.device
        return torch.device("cpu")

    def encode(self, texts: Sequence[str] | str) -> torch.Tensor:
        """Embed texts: ``(B, dim)`` float32 on the encoder's device, one row per text, in order.

        Texts already seen are taken from the cache; the others are encoded together in one call.
        """
        if isinstance(texts, str):
            texts = [texts]
        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"texts[{i}] must be a str, got {type(t).__name__}")
        if not texts:
            return torch.zeros(0, self.dim, dtype=torch.float32, device=self.device)

        with self._lock:
            found = {t: self._cache[t] for t in dict.fromkeys(texts) if t in self._cache}
            for t in found:
                self._cache.move_to_end(t)
            missing = [t for t in dict.fromkeys(texts) if t not in found]
            self._hits += len(texts) - len(missing)
            self._misses += len(missing)
        if missing:
            with torch.no_grad():
                new = self._encode(missing)
            if tuple(new.shape) != (len(missing), self.dim):
                raise RuntimeError(f"{type(self).__name__}._encode returned shape {tuple(new.shape)}, "
                                   f"expected ({len(missing)}, {self.dim})")
            new = new.detach().to(torch.float32)
            with self._lock:
                for t, row in zip(missing, new):
                    found[t] = row
                    if self.cache_size > 0:
                        self._cache[t] = row.clone()
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        device = self.device
        return torch.stack([found[t].to(device) for t in texts])

    def forward(self, texts: Sequence[str] | str) -> torch.Tensor:
        return self.encode(texts)

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()
            self._hits = self._misses = 0

    def cache_info(self) -> dict[str, int]:
        """``{"hits", "misses", "size", "max_size"}`` counted in texts."""
        with self._lock:
            return {"hits": self._hits, "misses": self._misses, "size": len(self._cache), "max_size": self.cache_size}

    def train(self, mode: bool = True) -> "TextEncoder":
        """Text encoders stay frozen: this is a no-op that keeps eval mode (as the official code does)."""
        return super().train(False)

    def _freeze(self) -> None:
        """Subclasses call this at the end of ``__init__``: no gradients, eval mode."""
        for p in self.parameters():
            p.requires_grad_(False)
        super().train(False)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, cache_size={self.cache_size}"


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
    params = {k: v for k, v in config.items() if k != "type"}
    if kind == "builtin":
        from signspark.text.builtin import BuiltinTextEncoder

        return BuiltinTextEncoder.from_config(params)
    if kind == "mclip":
        from signspark.text.mclip import load_mclip, mclip_from_official_state_dict

        revision = params.get("revision")
        if params.get("weights") == "official_state_dict":
            if state_dict is None:
                raise ValueError("this M-CLIP encoder takes its weights from the official checkpoint: "
                                 "pass state_dict=<the checkpoint's state dict>")
            return mclip_from_official_state_dict(state_dict, _resolve(params["tokenizer"], folder), revision=revision)
        if "source" not in params:
            raise ValueError("an 'mclip' text encoder config needs a 'source' (folder or Hub id)")
        return load_mclip(_resolve(params["source"], folder), revision=revision)
    raise ValueError(f"unknown text encoder type {config['type']!r}; expected 'builtin' or 'mclip'")


def _resolve(source: str, folder: str | Path | None) -> str:
    if folder is not None and not Path(source).is_absolute() and (Path(folder) / source).exists():
        return str(Path(folder) / source)
    return source
