"""The "Video to sign" handler on clips the tests render themselves: outputs, handedness, limits, messages."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from gradio.components.plot import PlotData

from demo import handlers as H
from demo import video_to_sign as V
from signspark.pose.sequence import PoseSequence

pytestmark = pytest.mark.skipif(importlib.util.find_spec("mediapipe") is None,
                                reason="MediaPipe (the optional 'capture' extra) is not installed")

@pytest.fixture(scope="module")
def segmenter(one_sign):
    mp = pytest.MonkeyPatch()
    mp.setattr(H, "load_segmenter", lambda: one_sign)
    yield one_sign
    mp.undo()


@pytest.fixture(scope="module")
def captured(signing_video, segmenter):
    path, _ = signing_video
    calls = []
    out = V.video_to_sign(str(path), "front", "skeleton", False, "onset_middle_offset", 3,
                          progress=lambda x, desc="": calls.append((x, desc)))
    return out, calls


def _frames(path) -> tuple[tuple[int, int], int]:
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    return tuple(meta["size"]), sum(1 for _ in reader)


def test_outputs(captured, signing_video, segmenter):
    from signspark.capture import read_pose
    from signspark.keyframes import onset_middle_offset
    from signspark.segment.export import read_eaf_segments

    (video, fig, files, status), calls = captured
    _, source = signing_video
    assert [Path(f).name for f in files] == ["bl.npz", "bl.pose", "bl.eaf"]
    seq = PoseSequence.load(files[0])
    assert seq.num_frames == source.num_frames == 12 and seq.fps == 25
    assert segmenter.seen[0] == (12, 192)  # the FAST features of the capture
    sign = segmenter.sign
    assert seq.segments.tolist() == [list(sign)] and seq.keyframes.tolist() == onset_middle_offset([sign])
    with np.load(files[0]) as z:
        assert z["confidence"].shape == (12,) and z["part_confidence"].shape == (12, 3)
    assert read_pose(files[1]).num_frames == 12
    assert read_eaf_segments(files[2], fps=25) == [sign]
    assert _frames(video) == ((H.RENDER_SIZE, H.RENDER_SIZE), 12) and Path(video).name == "bl.avatar.mp4"
    assert isinstance(fig, PlotData) and fig.plot.startswith("data:image/")
    assert status.startswith("bl.mp4: 12 frames (0.5 s at 25 fps)") and "FAST found 1 sign(s); 3 keyframe(s)" in status
    descs = " ".join(d for _, d in calls)
    for stage in ("finding the body and hands", "fitting", "finding the signs", "rendering frame 12/12"):
        assert stage in descs
    fractions = [x for x, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] <= 1.0


def test_the_avatar_signs_with_the_signers_hand(captured, signing_video):
    """Our avatar fingerspells with its right hand (raised), its left rests: so does the captured clip, not mirrored."""
    import torch

    from signspark.body import BodyModel

    (_, _, files, _), _ = captured
    _, source = signing_video
    body = BodyModel.load()
    with torch.no_grad():
        got, want = body(PoseSequence.load(files[0])).joints, body(source).joints
    raised, want_raised = got[:, 21, 1] > got[:, 19, 1], want[:, 21, 1] > want[:, 19, 1]  # right wrist above its elbow
    assert want_raised.sum() >= 6 and float((raised == want_raised).float().mean()) >= 0.8
    assert (got[:, 20, 1] < got[:, 18, 1]).all()  # the left wrist stays below its elbow


def test_send_to_keyframes_fills_that_tab(captured):
    (_, _, files, _), _ = captured
    npz, rows, total, status = V.send_to_keyframes(files)
    keyframes = PoseSequence.load(files[0]).keyframes.tolist()
    assert npz == files[0] and total == 12
    assert rows == [[k, f"file:{k}"] for k in keyframes] and "3 keyframe(s) from bl.npz" in status
    with pytest.raises(gr.Error, match="Capture a video first"):
        V.send_to_keyframes([])
    # that tab renders them: the captured poses held at their frames
    _, _, kf_files, kf_status, _ = H.keyframes_to_sign(npz, "", "ASL", rows, total, "built-in", 1, 1.0, 0, "front",
                                                       "skeleton", False, progress=None)
    out = PoseSequence.load(kf_files[0])
    assert out.num_frames == 12 and out.keyframes.tolist() == keyframes and "3 keyframe(s) held" in kf_status


def test_a_video_without_a_person_gets_a_message(blank_video, segmenter):
    with pytest.raises(gr.Error) as e:
        V.video_to_sign(str(blank_video), "front", "skeleton", False, "onset_middle_offset", 3, progress=None)
    assert "No person was found in blank.mp4" in e.value.message
    assert str(blank_video.parent) not in e.value.message  # no server path


def test_too_long_is_refused_before_decoding(signing_video, monkeypatch):
    import signspark.capture.landmarks as landmarks

    def no_decoding(*args, **kwargs):
        raise AssertionError("the frames were decoded")

    monkeypatch.setattr(landmarks, "detect_landmarks", no_decoding)
    monkeypatch.setattr(V, "MAX_SECONDS", 0.2)
    with pytest.raises(gr.Error, match=r"bl.mp4 is 0.5 s long; the limit is 0.2 s"):
        V.video_to_sign(str(signing_video[0]), progress=None)


def test_too_large_is_refused(signing_video, monkeypatch):
    monkeypatch.setattr(V, "MAX_VIDEO_MB", 0.001)
    with pytest.raises(gr.Error, match=r"bl.mp4 is \d+ MB; the limit is 0.001 MB"):
        V.video_to_sign(str(signing_video[0]), progress=None)


def _headerless(src: Path, dst: Path) -> Path:
    """``src`` in Matroska (WebM's container) written to a pipe, as a browser records: no duration in the header."""
    import imageio_ffmpeg

    with open(dst, "wb") as fh:
        subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-i", str(src),
                        "-c", "copy", "-f", "matroska", "pipe:1"], stdout=fh, check=True)
    return dst


def test_a_recording_without_duration_is_read_at_a_constant_rate(signing_video, tmp_path, monkeypatch):
    webm = _headerless(signing_video[0], tmp_path / "recording.mkv")
    assert V.read_header(webm).seconds is None
    clip, fps, limit = V._prepare(webm, tmp_path)
    assert clip != webm and fps == 25 and limit == int(V.MAX_SECONDS * 25)
    header = V.read_header(clip)
    assert header.fps == 25 and abs(header.seconds - 12 / 25) < 0.03
    monkeypatch.setattr(V, "MAX_SECONDS", 0.2)  # known only once decoded: decoding stops at the limit
    with pytest.raises(gr.Error, match="recording.mkv is longer than 0.2 s"):
        V._prepare(webm, tmp_path)


def test_capture_rate():
    for fps, want in ((25.0, 25.0), (30.0, 30.0), (29.97, 29.97), (50.0, 25.0), (60.0, 30.0), (120.0, 30.0),
                      (None, V.DEFAULT_FPS)):
        assert V._capture_rate(V.VideoHeader(fps, 1.0, 64, 64)) == pytest.approx(want)


@pytest.mark.parametrize("kwargs, message", [
    (dict(video=None), "Upload a video of signing"),
    (dict(per_segment=0), r"Keyframes per sign must be an integer in \[1, 10\], got 0"),
    (dict(per_segment=2.5), r"Keyframes per sign must be an integer"),
    (dict(policy="sometimes"), "Unknown keyframe policy 'sometimes'"),
    (dict(view="above"), "Unknown view 'above'"),
])
def test_bad_input_is_a_message(signing_video, kwargs, message):
    args = dict(video=str(signing_video[0]), view="front", backend="skeleton", mirrored=False,
                policy="onset_middle_offset", per_segment=3)
    args.update(kwargs)
    with pytest.raises(gr.Error, match=message):
        V.video_to_sign(**args, progress=None)


def test_not_a_video(tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(gr.Error, match="notes.mp4 cannot be read as a video") as e:
        V.video_to_sign(str(bad), progress=None)
    assert str(tmp_path) not in e.value.message
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(gr.Error, match="notes.txt is not a video"):
        V.video_to_sign(str(text), progress=None)


def test_the_tab_shows_the_webcam_as_the_camera_sees_it():
    """Recorded webcam video is stored unmirrored (Gradio flips only its preview): shown unmirrored too, it
    matches the avatar beside it, which signs with the same hand."""
    from demo.app import build_demo

    props = {c["props"].get("elem_id"): c["props"] for c in build_demo().config["components"] if "props" in c}
    video = props["v2s_video_in"]
    assert video["sources"] == ["upload", "webcam"] and video["webcam_options"]["mirror"] is False
    assert props["v2s_video_out"]["autoplay"] is True


def test_messages_name_files_not_server_paths():
    names = V._Names("clip.mp4", {"/srv/tmp/v2s-1": ".", "/srv/tmp/v2s-1/constant-rate.mp4": "clip.mp4"})
    assert names.clean("/srv/tmp/v2s-1/constant-rate.mp4: frame 3 is truncated") == "clip.mp4: frame 3 is truncated"
    assert names.clean("cannot write /srv/tmp/v2s-1/clip.npz") == "Cannot write ./clip.npz"
