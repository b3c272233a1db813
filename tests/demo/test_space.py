"""The Hugging Face Space: its front matter and pins, and the assembled folder actually starting."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SPACES = ROOT / "spaces"
START_TIMEOUT_S = 180


def _build_space_module():
    spec = importlib.util.spec_from_file_location("build_space", ROOT / "scripts" / "build_space.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    m = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert m, f"{path} does not start with a --- YAML front matter block ---"
    return yaml.safe_load(m.group(1))


def pins(path: Path) -> dict[str, str]:
    """``{normalised name: version}`` of the ``name==version`` lines of a requirements file."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line and not line.startswith("-"):
            name, version = line.split("==", 1)
            out[re.sub(r"[-_.]+", "-", name.strip().lower())] = version.strip()
    return out


def _names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(re.sub(r"[-_.]+", "-", re.split(r"[=<>!~\[; ]", line, maxsplit=1)[0].lower()))
    return names


@pytest.fixture(scope="module")
def space(tmp_path_factory) -> Path:
    return _build_space_module().build_space(tmp_path_factory.mktemp("space") / "signspark-space")


# ---------------------------------------------------------------------------------------------- packaging
def test_front_matter_matches_the_requirements():
    meta = front_matter(SPACES / "README.md")
    assert meta["sdk"] == "gradio"
    gradio_pin = pins(SPACES / "requirements.txt")["gradio"]
    assert str(meta["sdk_version"]) == gradio_pin
    assert str(meta["python_version"]) == f"{sys.version_info.major}.{sys.version_info.minor}"
    for key in ("title", "app_file", "license", "short_description"):
        assert meta.get(key), f"front matter lacks {key!r}"
    assert len(meta["short_description"]) <= 60  # the Hub's limit


def test_space_requirements_agree_with_the_repository():
    space, root = pins(SPACES / "requirements.txt"), pins(ROOT / "requirements.txt")
    disagree = {n: (v, root.get(n)) for n, v in space.items() if root.get(n) != v}
    assert not disagree, f"Space pins differ from requirements.txt (space, root): {disagree}"
    assert _names(SPACES / "requirements.txt") == _names(ROOT / "requirements.txt")


def test_tested_gradio_is_the_space_gradio():
    assert importlib.metadata.version("gradio") == pins(SPACES / "requirements.txt")["gradio"]


def test_assembled_space_layout(space):
    meta = front_matter(space / "README.md")
    assert (space / meta["app_file"]).is_file()
    for path in ("requirements.txt", "packages.txt", "signspark/__init__.py", "signspark/pipeline.py",
                 "demo/app.py", "demo/handlers.py", "demo/timeline.py"):
        assert (space / path).is_file(), f"the Space lacks {path}"
    assert not list(space.rglob("__pycache__"))
    assert not (space / "tests").exists()


def test_build_space_refuses_to_overwrite(space):
    module = _build_space_module()
    with pytest.raises(FileExistsError):
        module.build_space(space)
    assert (space / "app.py").is_file()  # left as it was


# ---------------------------------------------------------------------------------------------- it starts
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_page(url: str, proc: subprocess.Popen, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the Space exited with status {proc.returncode} before serving its page")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return r.read().decode("utf-8", "replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"the Space did not answer at {url} within {timeout:.0f} s")


def test_space_app_starts_and_serves_the_demo(space, tmp_path, tiny_assets):
    port = _free_port()
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_SERVER_NAME": "127.0.0.1",
           "GRADIO_ANALYTICS_ENABLED": "False", "GRADIO_TEMP_DIR": str(tmp_path / "gradio"),
           "SIGNSPARK_ASSETS": str(tiny_assets), "HF_HUB_OFFLINE": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)  # the Space must run from its own copy of the package
    log = (tmp_path / "space.log").open("w")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=space, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        page = _wait_for_page(url, proc, START_TIMEOUT_S)
        assert "SignSparK" in page
        from gradio_client import Client
        from gradio_client.exceptions import AppError

        client = Client(url, verbose=False)
        api = client.view_api(print_info=False, return_format="dict")
        assert {"/text_to_sign", "/load_keyframes", "/keyframes_to_sign", "/segment"} <= set(api["named_endpoints"])
        for model in ("org/any-repo", "/etc"):  # a public Space: its menu only, one message for all
            with pytest.raises(AppError, match=r"^Model must be one of built-in, official\.$"):
                client.predict("hi", "ASL", model, 1, 1.0, 0, 1.0, "front", "skeleton", -1, False, "",
                               api_name="/text_to_sign")
    except AssertionError as e:
        log.flush()
        raise AssertionError(f"{e}\n--- Space output ---\n{(tmp_path / 'space.log').read_text()[-3000:]}") from None
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
