"""bench/hamnosys_coverage.py runs as a module and prints its figures (no timing is checked)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_coverage_script_prints_its_figures():
    out = subprocess.run([sys.executable, "-m", "bench.hamnosys_coverage", "--repeats", "1", "--show", "0",
                          "--every", "200"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    for line in ("entries:  1364", "parsed:", "failed:", "failure reasons:", "unsupported symbols:",
                 "ms per sign", "animated:", "approximated or left out", "animation time:"):
        assert line in out.stdout, out.stdout
