"""The video in short finished pieces: sizes, order, files a browser can append, and the joined mp4."""

from __future__ import annotations

import numpy as np
import pytest

from signspark.pose.sequence import PoseSequence
from signspark.render import RenderOptions, chunk_plan, concat_chunks, render_video_chunks
from signspark.render.chunks import mp4_codec


def _clip(T: int = 30) -> PoseSequence:
    seq = PoseSequence.zeros(T, language="ASL", text="test")
    seq.params["body_pose"][:, 50] = np.linspace(-1.0, 1.0, T)  # the right elbow bends: frames differ
    return seq


def _frames(path) -> int:
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    next(reader)
    return sum(1 for _ in reader)


def test_chunk_plan_starts_small_and_grows():
    assert chunk_plan(60, 25, 4) == [(0, 4), (4, 12), (12, 28), (28, 53), (53, 60)]
    assert chunk_plan(3, 25, 4) == [(0, 3)]
    assert chunk_plan(10, 2, 4) == [(0, 2), (2, 4), (4, 6), (6, 8), (8, 10)]  # first never longer than the rest
    for bad in (0, 2.5, -1):
        with pytest.raises(ValueError, match="whole number"):
            chunk_plan(bad)
    with pytest.raises(ValueError, match="chunk_frames"):
        chunk_plan(10, 0)


def test_chunks_play_in_order_and_join_into_the_whole_clip(tmp_path):
    seq = _clip(30)
    opts = RenderOptions(backend="skeleton", size=64)
    done = []
    chunks = list(render_video_chunks(seq, tmp_path / "parts", opts, chunk_frames=10, first_chunk_frames=3,
                                      progress=lambda d, t: done.append((d, t))))
    assert [(c.index, c.start_frame, c.num_frames) for c in chunks] == [(0, 0, 3), (1, 3, 6), (2, 9, 10), (3, 19, 10),
                                                                         (4, 29, 1)]
    assert done[-1] == (30, 30)
    for c in chunks:
        assert c.path.is_file() and c.path.name == f"chunk.{c.index:04d}.mp4"
        assert _frames(c.path) == c.num_frames
        head = c.path.read_bytes()[:4096]
        assert b"moov" in head and b"mvex" in head  # fragmented: what Media Source Extensions append
        assert c.codec.startswith("avc1.") and len(c.codec) == 11 and c.codec == mp4_codec(c.path)
    assert chunks[2].start_seconds == pytest.approx(9 / 25) and chunks[2].duration == pytest.approx(10 / 25)
    whole = concat_chunks(chunks, tmp_path / "whole.mp4")
    assert _frames(whole) == 30
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parts", "whole.mp4"]  # no list file left behind
    head = whole.read_bytes()[:64]
    assert b"ftyp" in head and whole.read_bytes().find(b"moov") < whole.read_bytes().find(b"mdat")  # +faststart


def test_stopping_early_leaves_only_finished_chunks(tmp_path):
    gen = render_video_chunks(_clip(40), tmp_path, RenderOptions(backend="skeleton", size=64), chunk_frames=8,
                              first_chunk_frames=8)
    first = next(gen)
    gen.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert first.path.name in names and all(n.startswith("chunk.") and n.endswith(".mp4") for n in names)
    for name in names:
        assert _frames(tmp_path / name) == 8  # no half-written piece


def test_concat_errors(tmp_path):
    with pytest.raises(ValueError, match="no chunks"):
        concat_chunks([], tmp_path / "a.mp4")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        concat_chunks([tmp_path / "missing.mp4"], tmp_path / "a.mp4")
    (tmp_path / "c.mp4").write_bytes(b"not a video")
    with pytest.raises(ValueError, match=".mp4"):
        concat_chunks([tmp_path / "c.mp4"], tmp_path / "a.webm")
    from signspark.render import VideoError

    with pytest.raises(VideoError, match="joining 1 video chunks"):
        concat_chunks([tmp_path / "c.mp4"], tmp_path / "a.mp4")
    assert not (tmp_path / "a.mp4").exists()
    with pytest.raises(VideoError, match="avcC"):
        mp4_codec(tmp_path / "c.mp4")
