"""The text-encoder interface: text in, one fixed-size vector per text out.

A :class:`TextEncoder` is frozen (eval mode, no gradients) and remembers the embeddings of
the texts it has seen (an LRU cache keyed by the exact string), so a request's text is encoded
once, not at every ODE step of the sampler. Encoders are built from their config through the
registry in :mod:`signspark.text.encoder`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

__all__ = ["TextEncoder", "DEFAULT_CACHE_SIZE"]

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
