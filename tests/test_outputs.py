"""`text_to_video` / `write_outputs` options: a left-handed signer, the animated .glb, the video in pieces."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from signspark.pose.mirror import mirror_sequence
from signspark.pose.sequence import PoseSequence
from signspark.render import RenderOptions

SMALL = RenderOptions(backend="skeleton", size=64, caption=True)


@pytest.fixture(scope="module")
def pipe():
    from signspark.flow.config import UNetConfig
    from signspark.flow.unet import VelocityUNet
    from signspark.pipeline import SignSparK
    from signspark.text.encoder import load_text_encoder

    torch.manual_seed(0)
    unet = VelocityUNet(UNetConfig.preset("tiny", stream="full")).eval()
    return SignSparK({"full": unet}, load_text_encoder({"type": "builtin", "dim": 640}), retrieval="fingerspelling")


def test_left_handed_mirrors_the_pose_in_every_file(pipe, tmp_path):
    right, _ = pipe.text_to_video("ab", "ASL", tmp_path / "r", render=None, steps=1, seed=0)
    left, files = pipe.text_to_video("ab", "ASL", tmp_path / "l", render=None, steps=1, seed=0, left_handed=True)
    saved = PoseSequence.load(files.npz)
    expected = mirror_sequence(right.pose)
    for key in ("right_hand_pose", "left_hand_pose", "body_pose", "global_orient"):
        np.testing.assert_allclose(saved.params[key], expected.params[key], atol=1e-6)
        np.testing.assert_allclose(left.pose.params[key], expected.params[key], atol=1e-6)
    # the signing hand (ASL fingerspelling: the right) is now the left
    assert np.abs(saved.params["left_hand_pose"]).sum() > 0
    np.testing.assert_allclose(saved.params["left_hand_pose"], right.pose.params["right_hand_pose"] * np.tile(
        [1.0, -1.0, -1.0], 15), atol=1e-6)
    assert left.labels == right.labels and saved.segments.tolist() == right.pose.segments.tolist()


def test_glb_is_written_and_offered(pipe, tmp_path):
    out, files = pipe.text_to_video("ab", "ASL", tmp_path, render=None, steps=1, seed=0, glb=True)
    assert files.glb is not None and files.glb.name == "ab.glb" and files.glb in files.downloads
    data = files.glb.read_bytes()
    assert data[:4] == b"glTF" and b'"signing"' in data[:200_000]  # the animation


def test_video_in_pieces_then_the_whole_mp4(pipe, tmp_path):
    got, side_done_at_first = [], []
    out, files = pipe.text_to_video(
        "abc", "ASL", tmp_path, render=SMALL, ply_frame=None, steps=1, seed=0,
        on_chunk=lambda c: (got.append(c), side_done_at_first.append((tmp_path / "abc.npz").exists())))
    assert got and got == files.chunks and got[0].start_frame == 0
    assert sum(c.num_frames for c in got) == out.num_frames
    assert [c.start_frame for c in got[1:]] == [c.start_frame + c.num_frames for c in got[:-1]]
    assert side_done_at_first[0] is False  # the side files wait for the first piece
    assert files.first_chunk_seconds is not None and files.first_chunk_seconds > 0
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(files.video))
    next(reader)
    assert files.video.name == "abc.mp4" and sum(1 for _ in reader) == out.num_frames
    assert files.npz.is_file() and files.segments_json.is_file()
