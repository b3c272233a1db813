"""Fixtures for the export tests: the built-in body, a test clip, the .glb reader and the Khronos validator."""

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

JS_TOOLS = Path(__file__).resolve().parents[1] / "js"  # tests/js: package.json of the Node test tools


@pytest.fixture(scope="session")
def body():
    from signspark.body import BodyModel

    return BodyModel.load()


@pytest.fixture(scope="session")
def clip():
    """A 12-frame clip that exercises every channel: random joint rotations, translation, expressions, shape."""
    from signspark.pose import PoseSequence
    from signspark.pose.streams import SMPLX_FRAME_KEYS

    rng = np.random.default_rng(7)
    T = 12
    params = {k: rng.normal(0, 0.3, (T, d)).astype(np.float32) for k, d in SMPLX_FRAME_KEYS.items()}
    params["expression"] = rng.normal(0, 1.0, (T, 50)).astype(np.float32)
    params["global_orient"][:, 1] += np.linspace(0, 2 * np.pi, T)  # a full turn: quaternion signs flip on the way
    return PoseSequence.from_params(params, betas=rng.normal(0, 0.5, 10), fps=20.0, language="ASL",
                                    text="test – ü ß 你好")


@pytest.fixture(scope="session")
def glb_module():
    name = "signspark_tests_glb_reader"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parent / "glb_reader.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def validate():
    """``validate(path) -> (exit status, report dict or None)`` through the Khronos glTF validator (Node).

    scripts/run-tests.sh installs it (``npm ci`` in tests/js); without Node or the package the
    tests that need it are skipped.
    """
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (apt-get install nodejs npm; scripts/run-tests.sh does it as root)")
    if not (JS_TOOLS / "node_modules" / "gltf-validator").is_dir():
        pytest.skip("the glTF validator is not installed (npm ci in tests/js; scripts/run-tests.sh does it)")

    def run(path):
        proc = subprocess.run([node, str(JS_TOOLS / "validate_gltf.mjs"), str(path)], capture_output=True, text=True,
                              timeout=300)
        report = json.loads(proc.stdout) if proc.stdout.strip() else None
        return proc.returncode, report

    return run
