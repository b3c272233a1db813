"""bench/capture.py still runs and prints its table (tiny settings, ideal landmarks; no timing checked)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_capture_bench_runs_on_ideal_landmarks():
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run([sys.executable, "bench/capture.py", "--ideal", "--words", "ASL:ab", "--size", "128",
                          "--iterations", "2", "2"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "| ASL:ab |" in out.stdout and "hand PA-MPJPE" in out.stdout
