"""Fixtures for the text tests: a tiny M-CLIP folder (built once per session) and an offline Hub cache."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tiny_mclip.py"


def _load_tiny_mclip_module():
    name = "signspark_tests_tiny_mclip"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _FIXTURE)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def tiny_mclip():
    """The fixture module (build_tiny_mclip, add_to_hub_cache, tiny_official_state_dict)."""
    return _load_tiny_mclip_module()


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
