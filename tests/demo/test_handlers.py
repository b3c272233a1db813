"""The demo's request handlers, called directly (no server): outputs, files, and readable errors."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import gradio as gr
import numpy as np
import pytest

from demo import handlers as H
from demo.timeline import timeline_figure
from signspark.pose.sequence import PoseSequence
from signspark.pose.streams import params_to_full

FAST = dict(model="built-in", steps=2, guidance=1.5, seed=0, speed=2.0, view="front", backend="skeleton")


def _t2s_steps(text="hi", language="ASL", ply_frame=-1, left_handed=False, **kw) -> list[tuple]:
    """Every yield of the streaming text-to-sign handler."""
    a = {**FAST, **kw}
    return list(H.text_to_sign(text, language, a["model"], a["steps"], a["guidance"], a["seed"], a["speed"], a["view"],
                               a["backend"], ply_frame, left_handed, progress=None))


def _t2s(text="hi", language="ASL", ply_frame=-1, **kw):
    """The finished result as ``(mp4, ply, timeline, [npz, json, eaf], status)``."""
    video, ply, fig, downloads, status, info, pieces = _t2s_steps(text, language, ply_frame, **kw)[-1]
    assert downloads[0] == video and H.animated_model(downloads) == downloads[-1]  # the mp4 and the .glb too
    return video, ply, fig, downloads[1:-1], status


def _video_meta(path) -> tuple[tuple[int, int], int]:
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    n = sum(1 for _ in reader)
    return tuple(meta["size"]), n


def _pose_file(tmp_path: Path, T: int = 20, keyframes=(0, 9, 19), seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    seq = PoseSequence.zeros(T, language="ASL", text="test", keyframes=np.asarray(keyframes, np.int64))
    seq.params["right_hand_pose"] = rng.normal(0, 0.3, (T, 45)).astype(np.float32)
    seq.params["body_pose"] = rng.normal(0, 0.1, (T, 63)).astype(np.float32)
    return seq.save(tmp_path / "poses.npz")


@pytest.fixture(scope="module")
def hello():
    return _t2s("hi", ply_frame=3)


# ---------------------------------------------------------------------------------------------- text -> sign
def test_text_to_sign_outputs(hello):
    video, ply, fig, files, status = hello
    npz, seg_json, eaf = files
    seq = PoseSequence.load(npz)
    assert seq.language == "ASL" and seq.text == "hi"
    size, frames = _video_meta(video)
    assert size == (H.RENDER_SIZE, H.RENDER_SIZE)
    assert frames == seq.num_frames
    assert f"{seq.num_frames} frames" in status and "seed 0" in status and "3D frame 3" in status
    from signspark.render import load_ply

    assert len(load_ply(ply)) > 1000
    assert Path(ply).name.endswith("frame0003.ply")
    assert fig.type == "matplotlib" and fig.plot.startswith("data:image/webp;base64,")  # drawn beside the video


def test_text_to_sign_streams_its_pieces_first():
    steps = _t2s_steps("hello", ply_frame=3)
    first, *middle, last = steps
    skip = gr.skip()
    info = first[5]
    assert info["stream"] is True and info["text"] == "hello" and first[6] == [] and first[0] == skip
    assert [c["label"] for c in info["cues"]] == list("HELLO") and info["cues"][0]["span"] == [0, 1]
    assert "rendering" in first[4]
    assert middle and all(m[0] == skip and m[5] == skip for m in middle)  # pieces only, the mp4 at the end
    pieces = middle[-1][6]
    assert [len(m[6]) for m in middle] == list(range(1, len(middle) + 1))  # one more piece each time
    assert last[6] == pieces and last[5] == {**info, "stream": False}
    frames = [_video_meta(p)[1] for p in pieces]
    from signspark.render.chunks import FIRST_CHUNK_FRAMES

    assert frames[0] == FIRST_CHUNK_FRAMES and sum(frames) == info["num_frames"] == _video_meta(last[0])[1]
    assert "first frames shown after" in last[4] and H.animated_model(last[3]).endswith("hello.glb")


def test_3d_views_open_on_request():
    video, ply, fig, downloads, status, info, pieces = _t2s_steps("hi")[-1]
    assert H.show_3d_views(ply, downloads) == (ply, H.animated_model(downloads))
    assert H.show_3d_views({"path": ply}, [{"path": d} for d in downloads])[1].endswith("hi.glb")
    assert H.clear_3d_views() == (None, None)
    with pytest.raises(gr.Error, match="Generate a clip first"):
        H.show_3d_views(None, [])


def test_left_handed_signer(hello):
    video, ply, fig, files, status = _t2s("hi", ply_frame=3, left_handed=True)
    right, left = PoseSequence.load(hello[3][0]), PoseSequence.load(files[0])
    from signspark.pose.mirror import mirror_sequence

    np.testing.assert_allclose(left.params["left_hand_pose"], mirror_sequence(right).params["left_hand_pose"],
                               atol=1e-5)


def test_practice_round():
    state = H.new_practice_state()
    video, info, status, feedback, state = H.practice_new("ASL", "short", 1.5, "hands", False, state, progress=None)
    word = state["word"]
    assert 2 <= len(word) <= 4 and _video_meta(video)[0] == (H.PRACTICE_SIZE, H.PRACTICE_SIZE)
    assert info["text"] == "" and all(c["label"] == "?" for c in info["cues"])  # the word is not sent to the page
    assert word not in str(info) and word not in status and feedback == ""
    html, score, revealed, state = H.practice_check(word[:-1] + ("x" if word[-1] != "x" else "y"), state)
    assert revealed["text"] == word and [c["label"] for c in revealed["cues"]] == list(word.upper())
    assert "practice-wrong" in html and "practice-ok" in html and f"<b>{word}</b>" in html
    assert "0 of 1 word(s)" in score
    html, score, _, state = H.practice_check(word.upper(), state)  # a second answer to the same word
    assert "Exactly right" in html and "0 of 1 word(s)" in score  # only the first answer counts
    _, _, _, _, state = H.practice_new("ASL", "short", 1.5, "front", True, state, progress=None)
    assert state["word"] and state["checked"] is False and len(state["seen"]) == 2


@pytest.mark.parametrize("call, message", [
    (lambda s: H.practice_check("abc", s), "Press New word first"),
    (lambda s: H.practice_check("  ", {**s, "word": "cat", "language": "ASL"}), "Type the word you read"),
    (lambda s: H.practice_new("ASL", "huge", 1.0, "hands", False, s, progress=None), "Unknown word length"),
    (lambda s: H.practice_new("ASL", "short", 9, "hands", False, s, progress=None), "Signing speed must be"),
    (lambda s: H.practice_new("ASL", "short", 1.0, "top", False, s, progress=None), "Unknown view"),
])
def test_practice_errors_are_messages(call, message):
    with pytest.raises(gr.Error, match=message):
        call(H.new_practice_state())


def test_avatar_ply_is_in_the_3dgs_convention(hello, tmp_path):
    """The viewer's .ply is the avatar turned half about x (y down, z away), as 3DGS files are."""
    import torch

    from signspark.render import export_ply_frame, load_ply
    from signspark.render.gaussians import quaternion_to_matrix

    seq = PoseSequence.load(hello[3][0])
    ours = load_ply(export_ply_frame(seq, 3, tmp_path / "world.ply"))
    shown = load_ply(hello[1])
    flip = torch.diag(torch.tensor([1.0, -1.0, -1.0]))
    torch.testing.assert_close(shown.means, ours.means @ flip, atol=1e-5, rtol=0)
    torch.testing.assert_close(quaternion_to_matrix(shown.quats), flip @ quaternion_to_matrix(ours.quats),
                               atol=1e-4, rtol=0)
    torch.testing.assert_close(shown.colors, ours.colors)


def test_text_to_sign_segment_files_agree(hello):
    _, _, _, (npz, seg_json, eaf), _ = hello
    seq = PoseSequence.load(npz)
    doc = json.loads(Path(seg_json).read_text())
    clip = next(iter(doc["clips"].values()))
    assert clip["num_frames"] == seq.num_frames
    assert [[s["start"], s["end"]] for s in clip["segments"]] == seq.segments.tolist()
    from signspark.segment.export import read_eaf_segments

    assert [list(s) for s in read_eaf_segments(eaf, seq.fps)] == seq.segments.tolist()
    if len(seq.segments):  # keyframes default to onset/middle/offset of each sign
        assert set(seq.segments[:, 0]) <= set(seq.keyframes.tolist())


def test_text_to_sign_same_seed_same_motion(hello):
    again = _t2s("hi", ply_frame=3)
    a, b = PoseSequence.load(hello[3][0]), PoseSequence.load(again[3][0])
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert again[3][0] != hello[3][0]  # each request has its own work folder


@pytest.mark.parametrize("text, expected", [
    ("", "Type a word"),
    ("   ", "Type a word"),
    ("x" * (H.MAX_TEXT_CHARS + 1), f"limit is {H.MAX_TEXT_CHARS}"),
])
def test_text_to_sign_bad_text(text, expected):
    with pytest.raises(gr.Error, match=expected):
        _t2s(text)


@pytest.mark.parametrize("kw, expected", [
    (dict(steps=0), r"Sampling steps must be an integer in \[1, 50\], got 0'"),
    (dict(steps=2.5), "Sampling steps must be an integer"),
    (dict(steps="NaN"), "Sampling steps must be an integer in .* got 'NaN'"),
    (dict(speed=float("nan")), r"Signing speed must be a number in \[0.25, 4\], got nan"),
    (dict(guidance="inf"), "Guidance must be a number in"),
    (dict(seed=-4), "Seed must be an integer in"),
    (dict(seed=10**40), r"Seed must be an integer .*\(41 digits\)|got 1000"),
    (dict(steps="9" * 10_000), r"Sampling steps must be .*\(10002 characters\)"),
    (dict(view="sideways"), "(?i)unknown view 'sideways'"),
    (dict(backend="teapot"), "(?i)unknown renderer backend 'teapot'"),
    (dict(model="/no/such/folder"), r"Model must be one of built-in, official\.'"),
])
def test_text_to_sign_bad_settings(kw, expected):
    with pytest.raises(gr.Error, match=expected):
        _t2s("hi", **kw)


REFUSED_MODELS = ["/etc", "/no/such/folder", "/", "../../..", "~", "org/some-model", "LionelLow/SignSparK-2",
                  "official/../..", "built-in/x", "file:///etc/passwd", "https://huggingface.co/x/y"]


def test_a_model_off_the_menu_gets_one_message_whatever_it_is():
    """No probing: /etc (a folder), a missing folder and a Hub repo id are refused alike."""
    messages = set()
    for choice in REFUSED_MODELS:
        with pytest.raises(gr.Error) as e:
            _t2s("hi", model=choice)
        messages.add(e.value.message)
    assert messages == {"Model must be one of built-in, official."}


def test_refusing_a_model_does_not_look_at_the_file_system(monkeypatch):
    from pathlib import Path

    from demo.models import ModelMenu, ModelNotOffered

    def no(*a, **k):
        raise AssertionError("the file system was asked")

    menu = ModelMenu()
    for name in ("is_dir", "exists", "resolve", "stat", "expanduser"):
        monkeypatch.setattr(Path, name, no)
    for choice in REFUSED_MODELS:
        with pytest.raises(ModelNotOffered):
            menu.source(choice)
    assert menu.source("Built-in") == H.BUILTIN and menu.source(" official ") == H.OFFICIAL


def test_folders_named_at_launch_are_offered(tmp_path, tiny_assets):
    from demo.models import ModelMenu

    menu, entry = ModelMenu.for_launch([tiny_assets / "models" / "generator"])
    H.set_model_menu(menu)
    try:
        assert entry == H.BUILTIN and H.model_choices() == [H.BUILTIN, H.OFFICIAL, "generator"]
        assert H.load_pipeline("generator") is not None
        with pytest.raises(gr.Error, match=r"Model must be one of built-in, official, generator\."):
            _t2s("hi", model=str(tiny_assets / "models"))
    finally:
        H.set_model_menu(ModelMenu())
        H.clear_caches()


def test_any_model_accepts_what_is_typed(tiny_assets):
    from demo.models import ModelMenu

    H.set_model_menu(ModelMenu(any_model=True))
    try:
        assert H.load_pipeline(str(tiny_assets / "models" / "generator")) is not None
        with pytest.raises(gr.Error) as e:
            _t2s("hi", model="/no/such/folder")
        assert "neither an existing folder nor a Hub repo id" in e.value.message
        assert "/no/such" not in e.value.message  # paths are shown by their base name
    finally:
        H.set_model_menu(ModelMenu())
        H.clear_caches()


def test_error_messages_show_no_server_paths(tmp_path):
    bad = tmp_path / "deep" / "folder" / "broken.npz"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"not a zip")
    with pytest.raises(gr.Error) as e:
        H.segment(str(bad), "", "onset_middle_offset", progress=None)
    assert "broken.npz" in e.value.message and str(tmp_path) not in e.value.message


def test_unknown_language_is_a_readable_error():
    with pytest.raises(gr.Error) as e:
        _t2s("hi", language="Klingon")
    assert "Klingon" in e.value.message and "Traceback" not in e.value.message


def test_official_model_offline_gives_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(gr.Error) as e:
        _t2s("hi", model="official")
    msg = e.value.message
    assert "official SignSparK model is not available" in msg and "offline" in msg


def test_missing_builtin_model_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNSPARK_ASSETS", str(tmp_path / "empty"))
    H.clear_caches()
    try:
        with pytest.raises(gr.Error, match="built-in generator is not installed"):
            _t2s("hi")
    finally:
        monkeypatch.undo()
        H.clear_caches()


def test_unavailable_backend_is_a_readable_error():
    from signspark.render import available_backends

    if "gsplat" in available_backends():
        pytest.skip("gsplat runs here")
    with pytest.raises(gr.Error) as e:
        _t2s("hi", backend="gsplat")
    assert "gsplat" in e.value.message


def test_pipelines_are_cached():
    assert H.load_pipeline("built-in") is H.load_pipeline("")


# ---------------------------------------------------------------------------------------------- keyframes
def test_load_keyframes_from_a_pose_file(tmp_path):
    rows, total, status = H.load_keyframes(str(_pose_file(tmp_path)), "", "ASL")
    assert rows == [[0, "file:0"], [9, "file:9"], [19, "file:19"]]
    assert total == 20 and "3 keyframe(s)" in status


def test_load_keyframes_from_json(tmp_path):
    doc = {"fps": 25, "num_frames": 12, "keyframes": [
        {"frame": 2, "right_hand_pose": [0.1] * 45}, {"frame": 8, "body_pose": [0.0] * 63}]}
    path = tmp_path / "kf.json"
    path.write_text(json.dumps(doc))
    rows, total, _ = H.load_keyframes(str(path), "", "ASL")
    assert rows == [[2, "file:2"], [8, "file:8"]] and total == 12


@pytest.mark.parametrize("content, name, expected", [
    (None, None, "Upload a keyframe file"),
    ("not json", "kf.json", "not valid JSON"),
    ('{"num_frames": 5, "keyframes": [{"frame": 9, "features": []}]}', "kf.json", "outside"),
    ("hello", "kf.txt", r"expected a keyframe file \(.npz or .json\)"),
])
def test_load_keyframes_bad_input(tmp_path, content, name, expected):
    path = None
    if name:
        path = tmp_path / name
        path.write_text(content)
    with pytest.raises(gr.Error, match=expected):
        H.load_keyframes(str(path) if path else None, "", "ASL")


def test_keyframes_to_sign_holds_the_edited_keyframes(tmp_path):
    src = _pose_file(tmp_path)
    source = PoseSequence.load(src)
    feats = params_to_full(source.params).numpy()
    # move frame 9 -> 12, drop 19, insert frame 15 with the pose of source frame 4
    table = [[0, "file:0"], [12, "file:9"], [15, "file:4"]]
    video, fig, files, status, info = H.keyframes_to_sign(
        str(src), "", "ASL", table, 0, "built-in", 2, 1.5, 3, "front", "skeleton", progress=None)
    assert info["num_frames"] == 20 and info["stream"] is False and Path(files[-1]).suffix == ".glb"
    out = PoseSequence.load(files[0])
    assert out.num_frames == 20  # the upload's length: every keyframe fits
    assert out.keyframes.tolist() == [0, 12, 15]
    got = params_to_full(out.params).numpy()
    for frame, from_frame in [(0, 0), (12, 9), (15, 4)]:
        np.testing.assert_allclose(got[frame], feats[from_frame], atol=2e-3)
    assert _video_meta(video) == ((H.RENDER_SIZE, H.RENDER_SIZE), 20)
    assert "3 keyframe(s) held over 20 frames" in status


def test_keyframes_to_sign_total_frames_and_empty_table(tmp_path):
    src = _pose_file(tmp_path, keyframes=(0, 5))
    _, _, files, _, _ = H.keyframes_to_sign(str(src), "", "ASL", [], 16, "built-in", 1, 1.0, 0, "front", "skeleton",
                                         progress=None)
    out = PoseSequence.load(files[0])
    assert out.num_frames == 16 and out.keyframes.tolist() == [0, 5]


@pytest.mark.parametrize("table, total, expected", [
    ([[3, "file:0"], [3, "file:1"]], 0, r"Frame\(s\) \[3\] appear more than once"),
    ([[3, "file:99"]], 0, "has no pose at frame 99"),
    ([[3, "camera:1"]], 0, "must be file:N or lexicon"),
    ([["soon", "file:1"]], 0, "is not a number"),
    ([[30, "file:1"]], 20, "does not fit in 20 frames"),
    ([[3, "lexicon:4"]], 0, "give a text first"),
])
def test_keyframes_to_sign_bad_table(tmp_path, table, total, expected):
    src = _pose_file(tmp_path)
    with pytest.raises(gr.Error, match=expected):
        H.keyframes_to_sign(str(src), "", "ASL", table, total, "built-in", 1, 1.0, 0, "front", "skeleton",
                            progress=None)


def test_keyframes_table_accepts_the_api_payload(tmp_path):
    src = _pose_file(tmp_path)
    payload = {"headers": ["frame", "source"], "data": [[0, "file:0"], [10, "file:19"], [None, None]]}
    _, _, files, _, _ = H.keyframes_to_sign(str(src), "", "ASL", payload, 0, "built-in", 1, 1.0, 0, "front", "skeleton",
                                         progress=None)
    assert PoseSequence.load(files[0]).keyframes.tolist() == [0, 10]


def test_lexicon_keyframes_and_letters():
    rows, total, status = H.load_keyframes(None, "abc", "ASL")
    assert rows and all(src.startswith("lexicon:") for _, src in rows) and total > max(f for f, _ in rows)
    table = rows[:2] + [[total - 1, "lexicon:B"]]
    _, _, files, status, _ = H.keyframes_to_sign(None, "abc", "ASL", table, 0, "built-in", 1, 1.0, 0, "front",
                                              "skeleton", progress=None)
    out = PoseSequence.load(files[0])
    assert out.keyframes.tolist() == sorted(f for f, _ in table) and out.text == "abc"


def test_rendering_and_plotting_stay_in_the_demo_threads(tmp_path, monkeypatch):
    """Every tab renders in the long-lived render threads (an OpenGL context made in a server thread
    that ends is never freed) and draws its plots in the one plot thread (matplotlib's fonts are per thread)."""
    import threading

    import demo.timeline
    from signspark.pipeline import SignSparK

    seen = {"render": set(), "plot": set()}
    to_video, figure = SignSparK.text_to_video, demo.timeline.timeline_figure

    def spy_video(self, *a, **k):
        seen["render"].add(threading.current_thread().name.split("_")[0])
        return to_video(self, *a, **k)

    def spy_figure(*a, **k):
        seen["plot"].add(threading.current_thread().name.split("_")[0])
        return figure(*a, **k)

    monkeypatch.setattr(SignSparK, "text_to_video", spy_video)
    monkeypatch.setattr(demo.timeline, "timeline_figure", spy_figure)
    _t2s("hi")
    H.practice_new("ASL", "short", 1.0, "hands", False, None, progress=None)
    H.keyframes_to_sign(None, "ab", "ASL", None, 0, "built-in", 1, 1.0, 0, "front", "skeleton", progress=None)
    H.segment(str(_pose_file(tmp_path, T=30)), "", "onset_middle_offset", progress=None)
    assert seen == {"render": {"demo-render"}, "plot": {"demo-plot"}}


# ---------------------------------------------------------------------------------------------- segmentation
def test_segment_a_pose_file(tmp_path):
    fig, rows, files, status = H.segment(str(_pose_file(tmp_path, T=30)), "", "onset_middle_offset", progress=None)
    eaf, seg_json = files
    doc = json.loads(Path(seg_json).read_text())
    clip = doc["clips"]["poses"]
    assert clip["num_frames"] == 30 and len(clip["tags"]) == 30
    assert [[r[1], r[2]] for r in rows] == [[s["start"], s["end"]] for s in clip["segments"]]
    assert all(r[3] == pytest.approx(r[1] / 25) for r in rows)
    assert Path(eaf).suffix == ".eaf" and fig.type == "matplotlib" and fig.plot.startswith("data:image/webp")
    assert status.startswith("poses: 30 frames")


def test_segment_an_lmdb_upload(tmp_path):
    from signspark.data import write_lmdb

    seqs = [("clipA", PoseSequence.load(_pose_file(tmp_path, T=24, seed=2))),
            ("clipB", PoseSequence.load(_pose_file(tmp_path, T=33, seed=3)))]
    lmdb_dir = write_lmdb(tmp_path / "up.lmdb", seqs)
    mdb = lmdb_dir / "data.mdb" if lmdb_dir.is_dir() else lmdb_dir
    _, _, files, status = H.segment(str(mdb), "clipB", "uniform", progress=None)
    assert status.startswith("clipB: 33 frames")
    _, _, _, status = H.segment(str(mdb), "", "uniform", progress=None)
    assert status.startswith("clipA: 24 frames")
    with pytest.raises(gr.Error, match="No clip 'nope'"):
        H.segment(str(mdb), "nope", "uniform", progress=None)


@pytest.mark.parametrize("name, content, policy, expected", [
    (None, None, "uniform", "Upload a PoseSequence"),
    ("clip.npz", b"not a zip", "uniform", "not a .npz archive|neither a PoseSequence nor|cannot read"),
    ("data.mdb", b"\0" * 4096, "uniform", "LMDB"),
    ("clip.npz", b"x", "sideways", "Unknown keyframe policy"),
])
def test_segment_bad_input(tmp_path, name, content, policy, expected):
    path = None
    if name:
        path = tmp_path / name
        path.write_bytes(content)
    with pytest.raises(gr.Error, match=expected):
        H.segment(str(path) if path else None, "", policy, progress=None)


def test_upload_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(H, "MAX_UPLOAD_MB", 0.001)
    with pytest.raises(gr.Error, match="limit is 0.001 MB"):
        H.segment(str(_pose_file(tmp_path)), "", "uniform", progress=None)


# ---------------------------------------------------------------------------------------------- housekeeping
def test_prune_work_dirs_removes_only_old_folders():
    root = H.work_root()
    root.mkdir(parents=True, exist_ok=True)
    old, new = root / "t2s-old", root / "t2s-new"
    old.mkdir(exist_ok=True)
    new.mkdir(exist_ok=True)
    (old / "x.mp4").write_bytes(b"0")
    past = time.time() - 2 * H.WORK_MAX_AGE_S
    os.utime(old, (past, past))
    assert H.prune_work_dirs() >= 1
    assert not old.exists() and new.exists()


def test_timeline_figure_draws_segments_keyframes_and_tags():
    tags = np.array([0, 2, 1, 1, 0, 2, 1, 0, 0, 0])
    fig = timeline_figure(10, 25.0, [(1, 3), (5, 6)], [1, 2, 3], labels=["A", "B"], tags=tags, title="t")
    seg_ax, tag_ax = fig.axes[:2]
    assert [t.get_text() for t in seg_ax.texts] == ["A", "B"]
    assert len(seg_ax.lines) == 3  # one red line per keyframe
    assert tag_ax.get_ylim() == (-0.4, 2.4)
    assert len(timeline_figure(5).axes) == 1  # without tags: the segment row only


def test_timeline_figure_draws_a_picture_above_a_sign():
    from matplotlib.offsetbox import AnnotationBbox
    from PIL import Image

    pic = Image.new("RGBA", (40, 50), (0, 0, 0, 255))
    fig = timeline_figure(10, 25.0, [(1, 3), (5, 6)], [1], labels=["KIND", "A"], pictures=[pic, None])
    boxes = [a for a in fig.axes[0].artists if isinstance(a, AnnotationBbox)]
    assert len(boxes) == 1 and boxes[0].xy == (2.0, 1.45)
    assert fig.get_size_inches()[1] == 3.2  # a picture row is one inch


def test_text_to_sign_signs_pasted_hamnosys_in_any_language():
    a = FAST
    notation = "KIND: hamflathand hamextfingero hampalmd hamchest hammoved\nhamfinger2 hamextfingeru hampalml hamchin hamtouch"
    steps = list(H.text_to_sign("", "DGS", a["model"], a["steps"], a["guidance"], a["seed"], a["speed"], a["view"],
                                a["backend"], -1, False, notation, progress=None))
    video, ply, fig, downloads, status, info, pieces = steps[-1]
    seq = PoseSequence.load(next(d for d in downloads if d.endswith(".npz")))
    assert seq.gloss.split() == ["KIND", "SIGN2"] and len(seq.segments) == 2 and seq.language == "DGS"
    with pytest.raises(gr.Error, match="hamnonsense"):
        list(H.text_to_sign("", "DGS", a["model"], a["steps"], a["guidance"], a["seed"], a["speed"], a["view"],
                            a["backend"], -1, False, "hamflathand hamnonsense", progress=None))
