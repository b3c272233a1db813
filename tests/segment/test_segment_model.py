"""The FAST network: shapes, size, masking, config and model folders."""

import json

import pytest
import torch
from segment_synthetic import random_model

from signspark.segment import FastConfig, FastSegmenter, load_model, save_model


def test_output_shape_and_default_size():
    model = FastSegmenter()
    assert model(torch.zeros(2, 37, 192)).shape == (2, 37, 3)
    n = model.num_parameters()
    assert 100_000 < n <= 2_000_000, n


def test_rejects_wrong_feature_width(tiny_model):
    with pytest.raises(ValueError, match=r"expected \(B, T, 192\)"):
        tiny_model(torch.zeros(1, 10, 180))


def test_padding_does_not_change_valid_frames(tiny_model):
    torch.manual_seed(1)
    a, b = torch.randn(1, 23, 192), torch.randn(1, 40, 192)
    batch = torch.zeros(2, 40, 192)
    batch[0, :23], batch[1] = a[0], b[0]
    mask = torch.zeros(2, 40, dtype=torch.bool)
    mask[0, :23] = True
    mask[1] = True
    with torch.no_grad():
        together = tiny_model(batch, mask)
        torch.testing.assert_close(together[0, :23], tiny_model(a)[0], atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(together[1], tiny_model(b)[0], atol=1e-5, rtol=1e-5)
        # garbage in padded frames is ignored
        batch[0, 23:] = 1e3
        torch.testing.assert_close(tiny_model(batch, mask)[0, :23], together[0, :23], atol=1e-5, rtol=1e-5)


def test_missing_hand_as_zeros_is_finite(tiny_model):
    x = torch.randn(1, 30, 192)
    x[..., :96] = 0
    assert torch.isfinite(tiny_model(x)).all()


def test_receptive_radius():
    cfg = FastConfig(kernel_size=5, layers=3, attention_radius=12)
    assert cfg.receptive_radius == 2 + 36


@pytest.mark.parametrize("bad", [dict(hidden=33), dict(heads=3), dict(kernel_size=4), dict(layers=0)])
def test_config_validation(bad):
    with pytest.raises(ValueError, match="invalid FAST config"):
        FastConfig(**bad)


def test_save_load_round_trip(tmp_path):
    model = random_model(seed=3)
    folder = save_model(tmp_path / "m", model)
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors"]
    assert json.loads((folder / "config.json").read_text())["model_type"] == "signspark-fast"
    loaded = load_model(folder)
    assert loaded.config == model.config
    x = torch.randn(2, 25, 192)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), model(x))


def test_load_rejects_other_model_type(tmp_path):
    folder = save_model(tmp_path / "m", random_model())
    cfg = json.loads((folder / "config.json").read_text())
    cfg["model_type"] = "signspark-length"
    (folder / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ValueError, match="expected 'signspark-fast'"):
        load_model(folder)
