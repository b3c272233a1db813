"""Fixtures of the segmentation tests: a tiny FAST model, one CPU thread (small models run fastest so)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from segment_synthetic import random_model

from signspark.segment import FastSegmenter, save_model


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def tiny_model() -> FastSegmenter:
    return random_model()


@pytest.fixture
def tiny_model_dir(tmp_path) -> Path:
    return save_model(tmp_path / "fast", random_model())
