"""`signspark evaluate` end to end on a tiny LMDB written in the test."""

import json

import numpy as np
import pytest

from signspark.cli import main
from signspark.data.lmdb_store import write_lmdb
from signspark.eval.report import load_clips
from signspark.pose.sequence import PoseSequence

from .standins import linear_to_joints, random_clip


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    base = tmp_path_factory.mktemp("data")
    asl = [(f"asl{i}", random_clip(18 + 2 * i, "ASL", f"sentence {i}", seed=i)) for i in range(3)]
    dgs = [(f"dgs{i}", random_clip(16 + i, "DGS", f"satz {i}", seed=10 + i)) for i in range(2)]
    write_lmdb(base / "test" / "Toy-ASL_test.lmdb", asl)
    write_lmdb(base / "test" / "Toy-DGS_test.lmdb", dgs)
    write_lmdb(base / "dev" / "Toy-ASL_dev.lmdb", asl[:1])
    return base


def keyframe_standin(req):
    """Rest pose everywhere except the given keyframes, copied in."""
    out = PoseSequence.zeros(req.num_frames, language=req.language, text=req.text)
    if req.keyframe_poses is not None:
        for k, v in req.keyframe_poses.params.items():
            out.params[k][req.keyframes] = v
    return out


@pytest.fixture
def standins(monkeypatch):
    import signspark.commands.evaluate as cmd

    monkeypatch.setattr(cmd, "_load_generator", lambda args: (keyframe_standin, "stand-in"))
    monkeypatch.setattr(cmd, "_load_joints", lambda args: linear_to_joints())


def test_load_clips_round_robin_and_filters(data_dir):
    clips = load_clips(data_dir, "test", max_clips=3)
    assert [c.clip_id for c in clips] == ["asl0", "dgs0", "asl1"]
    assert clips[1].language == "DGS" and clips[1].sequence.text == "satz 0"
    assert clips[0].tags is not None and clips[0].tags.shape == (18,) and clips[0].source.endswith("Toy-ASL_test.lmdb")
    assert len(load_clips(data_dir, "test")) == 5
    assert [c.clip_id for c in load_clips(data_dir, "test", languages=["dgs"])] == ["dgs0", "dgs1"]
    assert [c.clip_id for c in load_clips(data_dir, "test", names=["DGS"])] == ["dgs0", "dgs1"]


def test_cli_writes_a_report(data_dir, tmp_path, standins, capsys):
    out = tmp_path / "report"
    rc = main(["evaluate", "--data", str(data_dir), "--split", "test", "--steps", "1", "2", "--max-clips", "4",
               "--seed", "3", "--no-segmentation", "--quiet", "-o", str(out)])
    assert rc == 0
    assert sorted(p.name for p in out.iterdir()) == ["metrics_vs_steps.png", "report.json", "report.md"]
    report = json.loads((out / "report.json").read_text())
    assert report["settings"]["num_clips"] == 4 and report["settings"]["clips_per_language"] == {"ASL": 2, "DGS": 2}
    assert report["settings"]["model"] == "stand-in" and report["settings"]["seed"] == 3
    rows = {(r["task"], r["steps"], r["language"]): r for r in report["results"]}
    assert len(rows) == 2 * 2 * 3
    kf = rows[("kf2p", 1, "all")]["metrics"]
    assert kf["body/keyframe_mpjpe_mm"] == pytest.approx(0.0, abs=1e-6)  # the keyframes were copied exactly
    assert kf["body/mpjpe_mm"] > 0
    t2p = rows[("t2p", 1, "all")]["metrics"]
    assert t2p["hand/mpjpe_mm"] > kf["hand/mpjpe_mm"]  # keyframes help the stand-in
    assert "wrote" in capsys.readouterr().out


def test_cli_segments_with_a_given_fast_model(data_dir, tmp_path, standins):
    import torch

    from signspark.segment import FastConfig, FastSegmenter, save_model

    torch.manual_seed(0)
    save_model(tmp_path / "fast", FastSegmenter(FastConfig(hidden=16, layers=1, heads=2, ff_dim=16)))
    out = tmp_path / "report"
    rc = main(["evaluate", "--data", str(data_dir), "--steps", "1", "--tasks", "t2p", "--fast", str(tmp_path / "fast"),
               "--quiet", "-o", str(out)])
    assert rc == 0
    seg = json.loads((out / "report.json").read_text())["segmentation"]
    assert set(seg) == {"ASL", "DGS", "all"} and seg["all"]["num_clips"] == 5
    assert 0.0 <= seg["all"]["frame_accuracy"] <= 1.0
    assert "## Segmentation" in (out / "report.md").read_text()


@pytest.mark.parametrize("argv, message", [
    (["--steps", "0"], "--steps"),
    (["--max-clips", "0"], "--max-clips"),
    (["--split", "dev", "--languages", "CSL"], "no clips"),
    (["--fast", "/nonexistent/fast-model"], "fast-model"),
])
def test_cli_user_errors(data_dir, tmp_path, standins, capsys, argv, message):
    rc = main(["evaluate", "--data", str(data_dir), "-o", str(tmp_path / "r"), "--quiet", *argv])
    assert rc == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "r" / "report.json").exists()


def test_cli_missing_split_is_a_clear_error(tmp_path, standins, capsys):
    assert main(["evaluate", "--data", str(tmp_path), "-o", str(tmp_path / "r")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_cli_with_a_tiny_real_generator(data_dir, tmp_path, monkeypatch):
    """The real pipeline (random tiny weights) through `--model`: checks the plumbing, not the motion."""
    import torch

    import signspark.commands.evaluate as cmd
    from signspark.flow.config import UNetConfig
    from signspark.flow.unet import VelocityUNet
    from signspark.pipeline import SignSparK
    from signspark.text.encoder import load_text_encoder

    torch.manual_seed(0)
    unet = VelocityUNet(UNetConfig.preset("tiny", stream="full")).eval()
    SignSparK({"full": unet}, load_text_encoder({"type": "builtin", "dim": 640})).save_pretrained(tmp_path / "gen")
    monkeypatch.setattr(cmd, "_load_joints", lambda args: linear_to_joints())
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        out = tmp_path / "report"
        argv = ["evaluate", "--data", str(data_dir), "--model", str(tmp_path / "gen"), "--device", "cpu",
                "--steps", "1", "2", "--max-clips", "2", "--no-segmentation", "--quiet", "-o", str(out)]
        assert main(argv) == 0
        first = json.loads((out / "report.json").read_text())
        assert main(argv) == 0  # same seed, same numbers
        second = json.loads((out / "report.json").read_text())
    finally:
        torch.set_num_threads(threads)
    assert first["settings"]["model"] == str(tmp_path / "gen")
    rows = {(r["task"], r["steps"], r["language"]): r["metrics"] for r in first["results"]}
    assert set(rows) == {(t, s, lang) for t in ("t2p", "kf2p") for s in (1, 2) for lang in ("ASL", "DGS", "all")}
    assert all(np.isfinite(v) and v > 0 for m in rows.values() for k, v in m.items() if k.endswith("mpjpe_mm")
               and not k.endswith("keyframe_mpjpe_mm"))
    assert rows[("kf2p", 1, "all")]["frames_pred"] == rows[("kf2p", 1, "all")]["frames_ref"]
    assert rows[("kf2p", 1, "all")]["hand/keyframe_mpjpe_mm"] < 0.1  # the pipeline holds the given keyframes
    assert rows[("kf2p", 1, "all")]["body/keyframe_mpjpe_mm"] < 0.1
    assert [r["metrics"] for r in first["results"]] == [r["metrics"] for r in second["results"]]
