"""Fixtures for the capture tests: a short fingerspelled clip, its ideal landmarks, and a rendered video."""

import importlib.util

import pytest

HAS_MEDIAPIPE = importlib.util.find_spec("mediapipe") is not None
needs_mediapipe = pytest.mark.skipif(not HAS_MEDIAPIPE, reason="MediaPipe (the optional 'capture' extra) is not installed")


@pytest.fixture(scope="session")
def body():
    from signspark.body import BodyModel

    return BodyModel.load()


@pytest.fixture(scope="session")
def spelled():
    """ASL 'bl' (right hand signing, left hand resting), 12 frames around the letters."""
    from signspark.signs import spell

    seq = spell("bl", "ASL")
    mid = seq.num_frames // 2
    return seq.slice(mid - 6, mid + 6)


@pytest.fixture(scope="session")
def ideal_landmarks(spelled, body):
    from signspark.capture import landmarks_from_sequence

    lm, cam = landmarks_from_sequence(spelled, body_model=body, size=384)
    return lm


@pytest.fixture(scope="session")
def rendered(spelled, body, tmp_path_factory):
    """(video path, the clip) rendered front view at 384 px with the OpenGL mesh or splat backend."""
    from signspark.render import RenderOptions, available_backends, render_video

    backend = "gl" if "gl" in available_backends() else "torch"
    path = tmp_path_factory.mktemp("video") / "spelled.mp4"
    render_video(spelled, path, RenderOptions(backend=backend, size=384, highlight_keyframes=False), body_model=body)
    return path


