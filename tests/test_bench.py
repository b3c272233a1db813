"""The benchmark scripts still run and print their tables (tiny settings; no timing is checked)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, timeout: int = 300) -> str:
    env = dict(os.environ, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    out = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.mark.parametrize("script", ["body", "generate", "segment", "render", "demo_request", "dsgs_request", "load",
                                    "motion_quality", "hostile", "kf2p_regions", "gpu"])
def test_bench_help(script):
    assert "usage:" in _run(f"bench/{script}.py", "--help")


def test_motion_quality_bench_prints_both_motions_and_the_baseline():
    out = _run("bench/motion_quality.py", "--languages", "ASL", "--seeds", "1", "--steps", "1")
    rows = [line.split() for line in out.splitlines() if line.startswith("ASL")]
    assert [r[1] for r in rows] == ["generated", "straight", "lexicon"]
    assert float(rows[2][2]) == 0.0  # the take against itself
    assert float(rows[1][2]) > 0.0  # straight lines leave the take's path between keyframes


def test_render_bench_prints_a_row_per_backend():
    out = _run("bench/render.py", "--clip", "synthetic", "--frames", "4", "--size", "64", "--repeat", "1",
               "--backends", "skeleton", "gsplat")
    assert "| skeleton |" in out and "fps over 1 runs" in out
    assert "| gsplat   |" in out  # listed with its reason when it cannot run here


def test_demo_bench_runs_end_to_end(tmp_path):
    out = _run("bench/demo_request.py", "--tiny", "--text", "ab", "--runs", "1", "--steps", "1", "--size", "64",
               "--backend", "skeleton", "--clients", "1", "--requests", "1", timeout=600)
    for line in ("generate + render", "demo request: first frame", "whole demo request", "round trip",
                 "requests/minute; "):
        assert line in out, out
    assert " 0 error(s)" in out


def test_hostile_battery_tries_every_command():
    from signspark.cli import COMMANDS

    lines = _run("bench/hostile.py", "--list").splitlines()
    cli = [line for line in lines if not line.startswith("demo ")]
    assert {line.split(":")[0] for line in cli} >= {*COMMANDS, "demo"}
    assert len(cli) >= 120 and sum(line.startswith("demo ") for line in lines) >= 40


def test_kf2p_regions_bench_prints_both_keyframe_sets():
    out = _run("bench/kf2p_regions.py", "--languages", "ASL", "--words", "1", "--steps", "1")
    rows = {line[:24].strip(): [float(x) for x in line[24:].split()] for line in out.splitlines()
            if line.startswith(("onset/", "+ first"))}
    assert set(rows) == {"onset/middle/offset", "+ first and last frame"}
    assert all(len(v) == 3 and min(v) >= 0 for v in rows.values())


def test_kf2p_region_errors_split_the_clip_at_its_first_and_last_keyframe():
    import importlib.util

    import numpy as np

    spec = importlib.util.spec_from_file_location("kf2p_regions", ROOT / "bench" / "kf2p_regions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    region_errors = module.region_errors
    ref = np.zeros((6, 2, 3))
    out = np.zeros((6, 2, 3))
    out[0, :, 0] = 0.010  # 10 mm before the first keyframe (frame 1)
    out[3, :, 1] = 0.004  # 4 mm between keyframes 1 and 4
    out[5, :, 2] = 0.002  # 2 mm after the last
    errors = region_errors(ref, out, np.array([4, 1]))
    assert errors == pytest.approx({"before": 10.0, "between": 2.0, "after": 2.0})


def test_gpu_bench_runs_every_section_at_toy_sizes_on_the_cpu(tmp_path):
    """``--smoke``: the GPU script's code paths (model, tests, render, request) without a GPU."""
    import json

    _run("bench/gpu.py", "--smoke", "--out", str(tmp_path), "--sections", "unet", "tests", "render", "request",
         timeout=600)
    report = json.loads((tmp_path / "gpu.json").read_text())
    sections = report["sections"]
    assert set(sections) == {"unet", "tests", "render", "request"}
    assert not [k for k, v in sections.items() if "error" in v or "skipped" in v], sections
    cells = sections["unet"]["timings"]
    assert {(c["dtype"], c["guidance"]) for c in cells} == {(d, g) for d in ("fp32", "bf16", "fp16")
                                                          for g in ("batched", "two passes")}
    assert all(c["ms_median"] > 0 for c in cells)
    assert 0 < sections["unet"]["deviation_bf16"]["body_forward"]["max_abs"] < 0.1
    assert sections["tests"]["returncode"] == 0 and "3 skipped" in sections["tests"]["summary"][0]
    same = [r for r in sections["render"]["agreement"] if r["against"] == "torch"]
    assert same and all(r["mean_abs"] == 0 for r in same)  # the smoke run's stand-in is the torch backend itself
    assert sections["request"]["rows"][0]["frames"] > 0 and sections["request"]["rows"][0]["mp4_bytes"] > 0
    assert "## render" in (tmp_path / "gpu.md").read_text()


def test_gpu_bench_refuses_to_run_without_cuda_unless_smoke(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is here")
    out = subprocess.run([sys.executable, "bench/gpu.py", "--out", str(tmp_path)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2 and "needs a CUDA GPU" in out.stderr
