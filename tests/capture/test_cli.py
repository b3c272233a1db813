"""``signspark capture`` and ``signspark export-pose``."""

import numpy as np

from signspark.cli import main

from .conftest import needs_mediapipe


def test_export_pose_then_capture_a_folder_with_a_bad_file(spelled, tmp_path, capsys):
    from signspark.pose import PoseSequence

    spelled.save(tmp_path / "clip.npz")
    clips = tmp_path / "clips"
    clips.mkdir()
    assert main(["export-pose", str(tmp_path / "clip.npz"), "-o", str(clips / "good.pose"), "--size", "384"]) == 0
    (clips / "bad.pose").write_bytes(b"garbage")
    out = tmp_path / "fitted"
    code = main(["capture", str(clips), "-o", str(out), "--landmarks", str(tmp_path / "lm"), "--no-progress",
                 "--iterations", "5", "5", "--fov", "25"])
    err = capsys.readouterr().err
    assert code == 1 and "bad.pose" in err and "1 of 2 clips failed" in err
    assert err.count(str(clips / "bad.pose")) == 1  # the clip's path once, not before its own message again
    seq = PoseSequence.load(out / "good.npz")
    assert seq.num_frames == spelled.num_frames
    with np.load(out / "good.npz") as z:
        assert z["confidence"].shape == (spelled.num_frames,) and z["part_confidence"].shape == (spelled.num_frames, 3)
    assert (tmp_path / "lm" / "good.pose").is_file() and not (out / "bad.npz").exists()


def test_capture_errors_exit_2(tmp_path, capsys):
    assert main(["capture", str(tmp_path / "missing.mp4"), "-o", str(tmp_path / "x.npz")]) == 2
    (tmp_path / "a.pose").write_bytes(b"x")
    assert main(["capture", str(tmp_path / "a.pose"), "-o", str(tmp_path / "x.mp4")]) == 2
    assert main(["capture", str(tmp_path / "a.pose"), "-o", str(tmp_path / "x.npz")]) == 2
    assert "a.pose" in capsys.readouterr().err
    assert not (tmp_path / "x.npz").exists()


@needs_mediapipe
def test_capture_video(rendered, tmp_path):
    from signspark.pose import PoseSequence

    out = tmp_path / "v.npz"
    assert main(["capture", str(rendered), "-o", str(out), "--max-frames", "4", "--no-progress",
                 "--landmarks", str(tmp_path / "v.pose")]) == 0
    assert PoseSequence.load(out).num_frames == 4 and (tmp_path / "v.pose").stat().st_size > 0


def test_handshape_prior_can_be_turned_off():
    import argparse

    from signspark.commands import capture as cmd

    parser = argparse.ArgumentParser()
    cmd.add_parser(parser.add_subparsers())
    on = cmd._options(parser.parse_args(["capture", "clip.mp4"]))
    off = cmd._options(parser.parse_args(["capture", "clip.mp4", "--no-handshape-prior"]))
    assert on.handshape_prior and not off.handshape_prior
