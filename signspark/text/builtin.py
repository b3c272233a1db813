"""A fixed, download-free text encoder that keeps the order of characters.

The built-in model fingerspells, so its conditioning must say *which character comes where*
("dog" and "god" differ), not only which words occur. This encoder has no weights: every
normalised character gets a deterministic pseudo-random unit code (from a BLAKE2b hash of the
character), and the first ``max_chars`` characters are written into fixed slots, one slot per
position. The generator learns its own projection (``embed_text``) on top of it.

Normalisation: a leading language tag ``"<ASL> "`` is split off; the rest is NFKC-normalised
(full-width forms -> ASCII, composed umlauts), case-folded (``"Straße"`` -> ``"strasse"``) and
runs of whitespace become one space. Each Unicode code point is one character, so Chinese
text is spelled character by character.

Layout of the ``dim``-vector (defaults: dim 640, ``header_dims`` 32, ``char_dims`` 16 -> 38 slots)::

    [0]        1 if the text is non-empty
    [1]        min(n, max_chars) / max_chars          n = number of characters after normalisation
    [2]        log(1 + n) / log(1 + max_chars)
    [3]        1 if n > max_chars (text truncated in the slots)
    [4]        log(1 + words) / log(1 + max_chars)
    [5:8]      fraction of CJK characters, of letters (non-CJK), of digits
    [8:16]     code of the language tag (zeros without a tag)
    [16:32]    sum of the codes of *all* characters / sqrt(n)   (bag of characters, whole text)
    [32 + 16*i : 32 + 16*(i+1)]   code of character i, for i < max_chars (zeros past the end)
    trailing dims that do not fill a slot are zero

Usage::

    enc = BuiltinTextEncoder()
    enc.encode(["<ASL> dog", "<ASL> god"])    # (2, 640), rows differ in slots 0 and 2
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import torch

from signspark.text.base import DEFAULT_CACHE_SIZE, TextEncoder

__all__ = ["BuiltinTextEncoder", "normalize_text", "split_language_tag", "char_code"]

HASH_KEY = b"signspark-builtin-text-v1"
_TAG = re.compile(r"^\s*<([^<>\s]{1,16})>\s*")
_SPACE = re.compile(r"\s+")


def split_language_tag(text: str) -> tuple[str | None, str]:
    """``"<ASL> hello"`` -> ``("ASL", "hello")``; text without a leading tag -> ``(None, text)``."""
    m = _TAG.match(text)
    if m is None:
        return None, text
    return m.group(1), text[m.end():]


def normalize_text(text: str) -> str:
    """NFKC, case-fold, collapse whitespace, strip: the character sequence that gets encoded."""
    text = unicodedata.normalize("NFKC", text).casefold()
    # casefold can produce decomposed forms for a few letters; recompose them
    text = unicodedata.normalize("NFKC", text)
    return _SPACE.sub(" ", text).strip()


@functools.lru_cache(maxsize=65536)
def _code_tuple(symbol: str, size: int) -> tuple[float, ...]:
    values: list[float] = []
    counter = 0
    while len(values) < size:
        digest = hashlib.blake2b(symbol.encode("utf-8"), digest_size=64, key=HASH_KEY,
                                 salt=counter.to_bytes(8, "little") + bytes(8)).digest()
        values += [int.from_bytes(digest[i:i + 2], "little") / 65535.0 * 2.0 - 1.0 for i in range(0, 64, 2)]
        counter += 1
    values = values[:size]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return tuple(v / norm for v in values)


def char_code(symbol: str, size: int = 16) -> torch.Tensor:
    """The fixed unit-norm code of a character (or tag) ``symbol``: ``(size,)`` float32, same on every machine."""
    return torch.tensor(_code_tuple(symbol, size), dtype=torch.float32)


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2EBEF
            or 0xF900 <= cp <= 0xFAFF or 0x3040 <= cp <= 0x30FF or 0xAC00 <= cp <= 0xD7AF)


class BuiltinTextEncoder(TextEncoder):
    """Positional character codes; no weights, no download, deterministic (see the module docstring).

    Args:
        dim: output size (640 like M-CLIP, so the same generator layout fits both).
        char_dims: size of each character's code.
        header_dims: size of the global part (at least 32).
        strip_tag: split a leading ``"<XX> "`` language tag off and encode it in the header.
    """

    TAG_DIMS = 8
    BAG_DIMS = 16

    def __init__(self, dim: int = 640, char_dims: int = 16, header_dims: int = 32, strip_tag: bool = True,
                 cache_size: int = DEFAULT_CACHE_SIZE):
        super().__init__(dim, cache_size=cache_size)
        if header_dims < 16 + self.BAG_DIMS:
            raise ValueError(f"header_dims must be at least {16 + self.BAG_DIMS}, got {header_dims}")
        if char_dims < 2:
            raise ValueError(f"char_dims must be at least 2, got {char_dims}")
        self.char_dims = int(char_dims)
        self.header_dims = int(header_dims)
        self.strip_tag = bool(strip_tag)
        self.max_chars = (self.dim - self.header_dims) // self.char_dims
        if self.max_chars < 1:
            raise ValueError(f"dim {dim} leaves no room for characters after a {header_dims}-d header; "
                             f"use dim >= {header_dims + char_dims}")
        self._freeze()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "BuiltinTextEncoder":
        known = {"dim", "char_dims", "header_dims", "strip_tag", "cache_size"}
        return cls(**{k: v for k, v in config.items() if k in known})

    def config(self) -> dict[str, Any]:
        return {"type": "builtin", "dim": self.dim, "char_dims": self.char_dims,
                "header_dims": self.header_dims, "strip_tag": self.strip_tag, "version": 1}

    def encode_one(self, text: str) -> torch.Tensor:
        """The ``(dim,)`` embedding of one text (uncached)."""
        tag, body = split_language_tag(text) if self.strip_tag else (None, text)
        chars = list(normalize_text(body))
        n, cap = len(chars), self.max_chars
        out = [0.0] * self.dim
        if tag is not None:
            out[8:16] = _code_tuple("<tag>" + tag.upper(), self.TAG_DIMS)
        if n == 0:
            return torch.tensor(out, dtype=torch.float32)
        out[0] = 1.0
        out[1] = min(n, cap) / cap
        out[2] = math.log1p(n) / math.log1p(cap)
        out[3] = float(n > cap)
        words = len("".join(chars).split(" "))
        out[4] = math.log1p(words) / math.log1p(cap)
        cjk = [_is_cjk(c) for c in chars]
        out[5] = sum(cjk) / n
        out[6] = sum(c.isalpha() and not k for c, k in zip(chars, cjk)) / n
        out[7] = sum(c.isdigit() for c in chars) / n
        scale = 1.0 / math.sqrt(n)
        bag = [0.0] * self.BAG_DIMS
        for c in chars:
            for j, v in enumerate(_code_tuple(c, self.BAG_DIMS)):
                bag[j] += v * scale
        out[16:16 + self.BAG_DIMS] = bag
        for i, c in enumerate(chars[:cap]):
            start = self.header_dims + i * self.char_dims
            out[start:start + self.char_dims] = _code_tuple(c, self.char_dims)
        return torch.tensor(out, dtype=torch.float32)

    def _encode(self, texts: list[str]) -> torch.Tensor:
        return torch.stack([self.encode_one(t) for t in texts])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, max_chars={self.max_chars}, char_dims={self.char_dims}"


def from_config(params: Mapping[str, Any], folder=None, state_dict=None) -> BuiltinTextEncoder:
    """The ``"builtin"`` entry of the text-encoder registry (:mod:`signspark.text.encoder`)."""
    return BuiltinTextEncoder.from_config(params)
