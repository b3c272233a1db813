"""Fixtures of the segmentation tests: a tiny FAST model, one CPU thread (small models run fastest so)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))  # segment_synthetic

from signspark.segment import FastConfig, FastSegmenter, save_model  # noqa: E402


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


TINY = dict(hidden=32, layers=2, heads=2, ff_dim=64, kernel_size=5, attention_radius=4, dropout=0.0, window=16)


def random_model(seed: int = 0, **overrides) -> FastSegmenter:
    """A tiny FAST model with random weights (relative-position biases too)."""
    torch.manual_seed(seed)
    model = FastSegmenter(FastConfig(**{**TINY, **overrides}))
    with torch.no_grad():
        for layer in model.layers:
            layer.attn.rel_bias.normal_()
    return model.eval()


@pytest.fixture
def tiny_model() -> FastSegmenter:
    return random_model()


@pytest.fixture
def tiny_model_dir(tmp_path) -> Path:
    return save_model(tmp_path / "fast", random_model())
