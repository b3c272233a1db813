"""``signspark segment VIDEO`` / ``.pose``: capture first, then FAST, the usual outputs."""

import json

import numpy as np

from signspark.cli import main

from .conftest import needs_mediapipe


@needs_mediapipe
def test_segment_a_video_writes_json_and_eaf_linked_to_it(rendered, tmp_path):
    from signspark.segment.export import read_eaf_segments

    out = tmp_path / "spelled.json"
    assert main(["segment", str(rendered), "-o", str(out), "--no-progress", "--keyframes"]) == 0
    report = json.loads(out.read_text())
    clip = report["clips"]["spelled"]
    assert clip["num_frames"] == 12 and report["fps"] == 25.0
    assert set(clip["tags"]) <= {0, 1, 2}
    eaf = tmp_path / "spelled.eaf"
    assert main(["segment", str(rendered), "-o", str(eaf), "--no-progress", "--max-frames", "8"]) == 0
    text = eaf.read_text()
    assert "spelled.mp4" in text  # the video itself is the linked media
    assert isinstance(read_eaf_segments(eaf), list)


def test_segment_a_pose_file_and_read_clip(ideal_landmarks, tmp_path):
    from signspark.capture import write_pose
    from signspark.segment.sources import read_clip

    pose = tmp_path / "clip.pose"
    write_pose(ideal_landmarks, pose)
    out = tmp_path / "tags.pt"
    assert main(["segment", str(pose), "-o", str(out), "--no-progress"]) == 0
    import torch

    tags = torch.load(out, weights_only=True)
    assert list(tags) == ["clip"] and tags["clip"].shape == (ideal_landmarks.num_frames,)
    clip_id, features, fps = read_clip(pose)
    assert clip_id == "clip" and features.shape == (ideal_landmarks.num_frames, 192) and fps == 25.0
    assert np.abs(features[:, 96:]).sum() > 0  # the signing right hand was seen


@needs_mediapipe
def test_segment_a_broken_video_names_it(tmp_path, capsys):
    bad = tmp_path / "broken.webm"
    bad.write_bytes(b"no video here")
    assert main(["segment", str(bad), "-o", str(tmp_path / "x.json"), "--no-progress"]) == 1
    assert "broken.webm" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


def test_segment_capture_is_fast_on_the_capture(ideal_landmarks, body):
    from signspark.capture import fast_features, fit_landmarks, segment_capture
    from signspark.capture.fit import FitOptions
    from signspark.segment import Segmenter

    fit = fit_landmarks(ideal_landmarks, FitOptions(fov_y=25.0, hand_iterations=3, body_iterations=3,
                                                    hand_correction=False), body_model=body)
    seg = Segmenter.from_pretrained()
    result = segment_capture(fit, seg)
    assert np.array_equal(result.tags, seg.segment({"c": fast_features(fit)})["c"].tags)
    assert result.num_frames == ideal_landmarks.num_frames
