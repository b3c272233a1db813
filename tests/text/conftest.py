"""Fixtures for the text tests: a tiny M-CLIP folder (built once per session) and an offline Hub cache."""

from __future__ import annotations

from pathlib import Path

import pytest

@pytest.fixture(scope="session")
def tiny_mclip_dir(tiny_mclip, tmp_path_factory) -> Path:
    return tiny_mclip.build_tiny_mclip(tmp_path_factory.mktemp("tiny_mclip"))


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Tiny models run faster on one thread than on contended ones (the CI machine has 2 cores)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
