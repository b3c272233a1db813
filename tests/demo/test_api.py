"""Every API endpoint of the demo through ``gradio_client`` against an in-process launch."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from signspark.pose.sequence import PoseSequence

T2S_ARGS = dict(language="ASL", model="built-in", steps=2, guidance=1.5, seed=0, speed=2.0, view="front",
                backend="skeleton", ply_frame=-1, left_handed=False, notation="")


@pytest.fixture(scope="module")
def served():
    from demo.app import build_demo, launch_kwargs

    demo = build_demo()
    kw = launch_kwargs(concurrency=2)
    demo.queue(**kw["queue"]).launch(prevent_thread_lock=True, server_name="127.0.0.1", ssr_mode=False, quiet=True,
                                     **kw["launch"])
    try:
        yield demo
    finally:
        demo.close()


@pytest.fixture(scope="module")
def client(served):
    return Client(served.local_url, verbose=False)


@pytest.fixture(scope="module")
def pose_file(tmp_path_factory) -> Path:
    rng = np.random.default_rng(0)
    seq = PoseSequence.zeros(16, language="ASL", keyframes=np.array([0, 7, 15]))
    seq.params["right_hand_pose"] = rng.normal(0, 0.3, (16, 45)).astype(np.float32)
    return seq.save(tmp_path_factory.mktemp("api") / "clip.npz")


def test_text_to_sign(client):
    video, ply, plot, files, status, info, pieces = client.predict("hi", *T2S_ARGS.values(),
                                                                   api_name="/text_to_sign")
    glb = next(f for f in files if f.endswith(".glb"))
    assert Path(video).suffix == ".mp4" and Path(video).stat().st_size > 1000
    assert Path(ply).suffix == ".ply" and Path(ply).stat().st_size > 10_000
    assert Path(glb).suffix == ".glb" and Path(glb).read_bytes()[:4] == b"glTF"
    assert plot["type"] == "matplotlib" and plot["plot"].startswith("data:image/")
    names = sorted(Path(f).name for f in files)
    assert names == ["hi.eaf", "hi.glb", "hi.mp4", "hi.npz", "hi.segments.json"]
    seq = PoseSequence.load(next(f for f in files if f.endswith(".npz")))
    assert f"{seq.num_frames} frames" in status and seq.text == "hi"
    assert info["fps"] == seq.fps and info["num_frames"] == seq.num_frames  # the timing of the signs
    assert pieces and all(Path(p).suffix == ".mp4" for p in pieces)


def test_text_to_sign_left_handed(client):
    *_, files, status, info, pieces = client.predict("hi", **{**T2S_ARGS, "left_handed": True},
                                                     api_name="/text_to_sign")
    right = client.predict("hi", *T2S_ARGS.values(), api_name="/text_to_sign")[3]
    from signspark.pose.mirror import mirror_sequence

    left = PoseSequence.load(next(f for f in files if f.endswith(".npz")))
    right = PoseSequence.load(next(f for f in right if f.endswith(".npz")))
    np.testing.assert_allclose(left.params["left_hand_pose"], mirror_sequence(right).params["left_hand_pose"],
                               atol=1e-5)


def test_a_session_does_not_grow_with_its_requests(served, client):
    """Gradio 6 keeps a copy of every output left unchanged by a streamed step, per request; not here."""
    for _ in range(3):
        client.predict("hi", **{**T2S_ARGS, "steps": 1}, api_name="/text_to_sign")
    session = served.state_holder.session_data[client.session_hash]
    assert set(session.blocks_config.blocks) <= set(served.blocks)
    assert set(session.config_values) <= set(served.blocks)


def test_practice_endpoints(client):
    video, info, status, feedback = client.predict("ASL", "short", 1.5, "hands", False, api_name="/practice_new")
    assert Path(video).suffix == ".mp4" and info["text"] == "" and "a short word" in status
    html, score, revealed = client.predict("zzzz", api_name="/practice_check")  # the session remembers the word
    word = revealed["text"]
    assert 2 <= len(word) <= 4 and word in html and "1 word(s)" in score
    with pytest.raises(AppError, match="Type the word you read"):
        client.predict("", api_name="/practice_check")


def test_default_renderer_works_in_the_server_threads(client):
    """The best available renderer (OpenGL here) once used in this thread still works in the server's threads."""
    from signspark.render import RenderOptions, available_backends, render_frames

    best = next((b for b in available_backends() if b in ("gsplat", "gl", "torch")), None)
    if best is None:
        pytest.skip("no Gaussian renderer runs here")
    next(render_frames(PoseSequence.zeros(1), RenderOptions(backend=best, size=64)))  # set up in this thread first
    video, *_, status, _, _ = client.predict("hi", **{**T2S_ARGS, "backend": "auto", "steps": 1, "speed": 2.0},
                                             api_name="/text_to_sign")
    assert f"rendered ({best})" in status and Path(video).stat().st_size > 1000


def test_text_to_sign_error_is_a_message(client):
    with pytest.raises(AppError, match="Type a word or a short sentence"):
        client.predict("", *T2S_ARGS.values(), api_name="/text_to_sign")
    with pytest.raises(AppError) as e:
        client.predict("hi", **{**T2S_ARGS, "model": "no/such-model-here"}, api_name="/text_to_sign")
    assert str(e.value) == "Model must be one of built-in, official."  # a public server: its menu only
    with pytest.raises(AppError, match=r"Sampling steps must be a number in \[1, 50\], got 'NaN'"):
        client.predict("hi", **{**T2S_ARGS, "steps": "NaN"}, api_name="/text_to_sign")


def test_load_keyframes(client, pose_file):
    table, total, status = client.predict(handle_file(str(pose_file)), "", "ASL", api_name="/load_keyframes")
    assert table["data"] == [[0, "file:0"], [7, "file:7"], [15, "file:15"]]
    assert total == 16 and "3 keyframe(s)" in status


def test_keyframes_to_sign(client, pose_file):
    table = {"headers": ["frame", "source"], "data": [[0, "file:0"], [10, "file:7"]], "metadata": None}
    video, plot, files, status, info = client.predict(
        handle_file(str(pose_file)), "", "ASL", table, 20, "built-in", 1, 1.0, 0, "front", "skeleton", False,
        api_name="/keyframes_to_sign")
    out = PoseSequence.load(files[0])
    assert Path(files[-1]).suffix == ".glb" and info["num_frames"] == 20
    assert out.num_frames == 20 and out.keyframes.tolist() == [0, 10]
    assert Path(video).suffix == ".mp4" and plot["type"] == "matplotlib"
    assert "2 keyframe(s) held over 20 frames" in status


def test_keyframes_to_sign_bad_table(client, pose_file):
    table = {"headers": ["frame", "source"], "data": [[3, "webcam:1"]], "metadata": None}
    with pytest.raises(AppError, match="must be file:N or lexicon"):
        client.predict(handle_file(str(pose_file)), "", "ASL", table, 0, "built-in", 1, 1.0, 0, "front", "skeleton",
                       False, api_name="/keyframes_to_sign")


def test_segment(client, pose_file):
    plot, table, files, status = client.predict(handle_file(str(pose_file)), "", "onset_middle_offset",
                                                api_name="/segment")
    assert plot["type"] == "matplotlib"
    assert sorted(Path(f).suffix for f in files) == [".eaf", ".json"]
    doc = json.loads(Path(next(f for f in files if f.endswith(".json"))).read_text())
    clip = doc["clips"]["clip"]
    assert [[r[1], r[2]] for r in table["data"]] == [[s["start"], s["end"]] for s in clip["segments"]]
    assert status.startswith("clip: 16 frames")


@pytest.mark.skipif(importlib.util.find_spec("mediapipe") is None, reason="MediaPipe is not installed")
def test_video_to_sign(client, signing_video, blank_video):
    path, source = signing_video
    video, plot, files, status = client.predict(handle_file(str(path)), "front", "skeleton", False,
                                                "onset_middle_offset", 3, api_name="/video_to_sign")
    seq = PoseSequence.load(next(f for f in files if f.endswith(".npz")))
    assert seq.num_frames == source.num_frames and Path(video).suffix == ".mp4"
    assert {Path(f).suffix for f in files} <= {".npz", ".pose", ".eaf"} and len(files) >= 2
    assert plot["type"] == "matplotlib" and status.startswith(f"bl.mp4: {seq.num_frames} frames")
    with pytest.raises(AppError, match="No person was found in blank.mp4"):
        client.predict(handle_file(str(blank_video)), "front", "skeleton", False, "onset_middle_offset", 3,
                       api_name="/video_to_sign")


def test_text_to_sign_motion(client):
    status = client.predict("hi", *T2S_ARGS.values(), "lexicon", api_name="/text_to_sign")[4]
    assert "the lexicon's motion" in status
    status = client.predict("hi", *T2S_ARGS.values(), "generated", api_name="/text_to_sign")[4]
    assert "2 steps, 2 model evaluations" in status
    with pytest.raises(AppError, match="Motion must be one of"):
        client.predict("hi", *T2S_ARGS.values(), "dance", api_name="/text_to_sign")
