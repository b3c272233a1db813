"""Shared test set-up: no network, deterministic threads, files in temporary folders."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.pop("SIGNSPARK_SMPLX_DIR", None)  # tests use the built-in body unless they set a path themselves
if "SIGNSPARK_CACHE_DIR" not in os.environ:  # the built-in body is generated once per run, not in the user's cache
    import atexit
    import shutil
    import tempfile

    os.environ["SIGNSPARK_CACHE_DIR"] = tempfile.mkdtemp(prefix="signspark-test-cache-")
    atexit.register(shutil.rmtree, os.environ["SIGNSPARK_CACHE_DIR"], ignore_errors=True)

import importlib.util  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

# One intra-op thread: the suite is many small tensor ops, where thread hand-offs cost more than they
# give on a 2-core machine, and results stay independent of the core count.
torch.set_num_threads(1)


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs CUDA")
    for item in items:
        if item.get_closest_marker("gpu") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def private_system_temp(tmp_path_factory):
    """The system temp folder of this test session is a folder inside pytest's own (rotated) temp folder.

    gradio_client downloads every output file through a new ``<system temp>/<40 hex characters>/``
    folder that it leaves behind empty (about 30 per run of the demo tests); other libraries and
    subprocesses (which inherit TMPDIR) leave files there too. They now land here instead.
    """
    import tempfile

    folder = tmp_path_factory.mktemp("system-temp")
    old_env, old_dir = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = str(folder)
    yield folder
    tempfile.tempdir = old_dir
    if old_env is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = old_env


@pytest.fixture
def offline_hub(tmp_path, monkeypatch) -> Path:
    """An empty Hugging Face cache under HF_HOME=tmp, with HF_HUB_OFFLINE=1; returns the hub folder."""
    import huggingface_hub.constants as constants

    home = tmp_path / "hf_home"
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    (home / "hub").mkdir(parents=True)
    return home / "hub"


@pytest.fixture(scope="session")
def tiny_mclip():
    """The module tests/fixtures/tiny_mclip.py (build_tiny_mclip, add_to_hub_cache, tiny_official_state_dict).

    Loaded by path because tests/ is not a package.
    """
    name = "signspark_tests_tiny_mclip"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parent / "fixtures" / "tiny_mclip.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def blank_video(tmp_path_factory):
    """Four frames of plain colour (128 x 128 mp4): a video with no person in it."""
    import numpy as np

    from signspark.render import Mp4Writer

    path = tmp_path_factory.mktemp("blank") / "blank.mp4"
    with Mp4Writer(path, fps=25) as w:
        for k in range(4):
            w.write(np.full((128, 128, 3), 230 - 10 * k, np.uint8))
    return path
