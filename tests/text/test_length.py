"""The length model: learns frames from (embedding, language), speed and overrides, files."""

from __future__ import annotations

import json

import pytest
import torch

from signspark.text.builtin import BuiltinTextEncoder
from signspark.signs.languages import UnknownLanguageError
from signspark.text.length import LengthModel, fit_length_model


def synthetic(n=768, dim=64, seed=0):
    """log(frames) = 4 + 0.5 * <emb, w> + per-language offset: a relation the model can learn."""
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(dim, generator=g) / dim ** 0.5
    emb = torch.randn(n, dim, generator=g)
    lang = torch.randint(0, 4, (n,), generator=g)
    offset = torch.tensor([0.0, 0.3, -0.3, 0.6])
    lengths = torch.exp(4.0 + 0.5 * (emb @ w) + offset[lang]).round().long()
    return emb, lang, lengths


def test_learns_the_relation_on_synthetic_pairs():
    emb, lang, lengths = synthetic()
    train, test = slice(0, 640), slice(640, None)
    model = LengthModel(text_dim=64, num_languages=4, hidden=64)
    before = model.loss(model(emb[test], lang[test]), lengths[test]).item()
    losses = fit_length_model(model, emb[train], lang[train], lengths[train], steps=300, lr=3e-3, seed=0)
    after = model.loss(model(emb[test], lang[test]), lengths[test]).item()
    assert losses[-1] < 0.1 * losses[0]
    assert after < 0.1 * before
    pred = model.predict_frames(emb[test], lang[test], min_frames=1, max_frames=10_000)
    rel = ((pred.float() - lengths[test].float()).abs() / lengths[test].float()).median()
    assert rel < 0.15
    # the language matters: same text, CSL (offset +0.6) longer than DGS (offset -0.3)
    x = emb[:1].repeat(2, 1)
    csl_dgs = model.predict_frames(x, torch.tensor([3, 2]), min_frames=1, max_frames=10_000)
    assert csl_dgs[0] > csl_dgs[1] * 1.8


def test_learns_spelling_length_from_builtin_embeddings():
    enc = BuiltinTextEncoder()
    words = ["a", "hi", "dog", "hand", "hello", "signing", "wonderful", "fingerspell", "abcdefghijklmn",
             "good morning", "ok", "straße", "你好", "谢谢你", "the quick brown fox", "yes"]
    texts = [f"<{lang}> {w}" for w in words for lang in ("ASL", "DGS")]
    emb = enc.encode(texts)
    n_chars = torch.tensor([len(t.split(" ", 1)[1].replace(" ", "")) for t in texts], dtype=torch.float32)
    lengths = (12 + 8 * n_chars).long()                      # 8 frames per letter
    model = LengthModel(text_dim=640, num_languages=4, hidden=64)
    fit_length_model(model, emb, model.language_ids([t[1:4] for t in texts]), lengths, steps=300, seed=1)
    pred = model.predict_frames(emb, model.language_ids([t[1:4] for t in texts]), max_frames=1000)
    assert ((pred.float() - lengths.float()).abs() / lengths.float()).mean() < 0.2
    assert pred[texts.index("<ASL> fingerspell")] > 2 * pred[texts.index("<ASL> hi")]


def test_speed_bounds_and_override():
    torch.manual_seed(0)
    model = LengthModel(text_dim=8, num_languages=4, hidden=16, init_frames=100.0)
    emb, lang = torch.zeros(3, 8), torch.tensor([0, 1, 2])
    base = model.predict_frames(emb, lang)
    assert base.dtype == torch.long and base.shape == (3,)
    fast = model.predict_frames(emb, lang, speed=2.0)
    slow = model.predict_frames(emb, lang, speed=0.5)
    assert ((fast - base / 2).abs() <= 1).all() and ((slow - base * 2).abs() <= 1).all()
    per_item = model.predict_frames(emb, lang, speed=torch.tensor([1.0, 2.0, 4.0]))
    assert per_item[0] > per_item[1] > per_item[2]
    assert (model.predict_frames(emb, lang, speed=1000.0) == 8).all()            # default min_frames
    assert (model.predict_frames(emb, lang, max_frames=20) == 20).all()
    assert model.predict_frames(emb, lang, num_frames=42).tolist() == [42, 42, 42]
    assert model.predict_frames(emb, lang, num_frames=[5, 6, 7], speed=3.0).tolist() == [5, 6, 7]
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="speed"):
            model.predict_frames(emb, lang, speed=bad)
    with pytest.raises(ValueError, match="num_frames"):
        model.predict_frames(emb, lang, num_frames=[1, 2])
    with pytest.raises(ValueError, match="min_frames"):
        model.predict_frames(emb, lang, min_frames=50, max_frames=10)


def test_input_checks_and_language_ids():
    model = LengthModel(text_dim=8)
    assert model.language_ids(["asl", "CSL"]).tolist() == [0, 3]
    with pytest.raises(UnknownLanguageError, match="LSF"):
        model.language_ids(["LSF"])
    with pytest.raises(ValueError, match=r"\(B, 8\)"):
        model(torch.zeros(2, 9), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="lang_ids must lie"):
        model(torch.zeros(2, 8), torch.tensor([0, 4]))
    with pytest.raises(ValueError, match="at least 1"):
        model.loss(torch.zeros(2), torch.tensor([0, 3]))
    with pytest.raises(ValueError, match="must match"):
        LengthModel(num_languages=2, languages=["ASL"])


def test_save_and_load(tmp_path):
    torch.manual_seed(0)
    model = LengthModel(text_dim=16, num_languages=2, hidden=32, languages=["ASL", "DGS"])
    with torch.no_grad():
        model.mlp[0].weight.normal_()
    folder = model.save_pretrained(tmp_path / "length")
    cfg = json.loads((folder / "config.json").read_text())
    assert cfg["model_type"] == "signspark-length" and cfg["languages"] == ["ASL", "DGS"]
    again = LengthModel.from_pretrained(folder)
    emb = torch.randn(4, 16)
    ids = torch.tensor([0, 1, 1, 0])
    assert torch.equal(again(emb, ids), model(emb, ids))
    assert again.language_ids("DGS").tolist() == [1]
    cfg["model_type"] = "something-else"
    (folder / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ValueError, match="not a length model"):
        LengthModel.from_pretrained(folder)
