"""The TextEncoder base: embedding cache, frozen mode, rebuilding from a config."""

from __future__ import annotations

import pytest
import torch

from signspark.text.builtin import BuiltinTextEncoder
from signspark.text.encoder import TextEncoder, load_text_encoder


class CountingEncoder(TextEncoder):
    """Embeds a text as (len, first code point, 0...) and records every batch it computes."""

    def __init__(self, cache_size=16):
        super().__init__(dim=4, cache_size=cache_size)
        self.proj = torch.nn.Linear(4, 4)
        self.calls: list[list[str]] = []
        self._freeze()

    def _encode(self, texts):
        self.calls.append(list(texts))
        return torch.tensor([[len(t), ord(t[0]) if t else 0, 0, 1] for t in texts], dtype=torch.float64)

    def config(self):
        return {"type": "counting"}


def test_each_text_is_encoded_once_and_rows_keep_order():
    enc = CountingEncoder()
    a = enc.encode(["hello", "hi", "hello"])
    assert enc.calls == [["hello", "hi"]]          # the duplicate is computed once
    assert a.dtype == torch.float32 and a.shape == (3, 4)
    assert torch.equal(a[0], a[2]) and a[1, 0] == 2
    b = enc.encode(["hi", "new", "hello"])
    assert enc.calls == [["hello", "hi"], ["new"]]  # only the unseen text is computed
    assert torch.equal(b[0], a[1]) and torch.equal(b[2], a[0])
    info = enc.cache_info()
    assert info["misses"] == 3 and info["hits"] == 3 and info["size"] == 3


def test_cache_is_lru_and_bounded():
    enc = CountingEncoder(cache_size=2)
    enc.encode(["a"]); enc.encode(["b"]); enc.encode(["a"])   # "a" is now the most recent
    enc.encode(["c"])                                         # evicts "b"
    enc.encode(["a", "b"])
    assert enc.calls[-1] == ["b"]
    assert enc.cache_info()["size"] == 2
    enc.clear_cache()
    enc.encode(["a"])
    assert enc.calls[-1] == ["a"]


def test_returned_rows_are_not_the_cached_storage():
    enc = CountingEncoder()
    first = enc.encode(["x"])
    first.add_(100.0)
    assert enc.encode(["x"])[0, 0] == 1.0


def test_frozen_eval_mode_and_input_checks():
    enc = CountingEncoder()
    enc.train()
    assert not enc.training and not enc.proj.training
    assert not any(p.requires_grad for p in enc.parameters())
    assert enc.encode([]).shape == (0, 4)
    assert enc.encode("single").shape == (1, 4)
    with pytest.raises(TypeError, match="texts\\[1\\]"):
        enc.encode(["ok", 3])


def test_load_text_encoder_rebuilds_builtin_and_rejects_unknown():
    enc = BuiltinTextEncoder(dim=256, char_dims=8)
    again = load_text_encoder(enc.config())
    assert isinstance(again, BuiltinTextEncoder) and again.dim == 256 and again.max_chars == enc.max_chars
    assert torch.equal(again.encode(["<DGS> Straße"]), enc.encode(["<DGS> Straße"]))
    with pytest.raises(ValueError, match="unknown text encoder type"):
        load_text_encoder({"type": "word2vec"})
    with pytest.raises(ValueError, match="'type'"):
        load_text_encoder({"dim": 640})
    with pytest.raises(ValueError, match="state_dict"):
        load_text_encoder({"type": "mclip", "weights": "official_state_dict", "tokenizer": "x"})
