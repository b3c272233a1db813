"""Video -> landmarks with MediaPipe, on clips the tests render themselves."""

import numpy as np
import pytest

from signspark.capture import layout as L

from .conftest import needs_mediapipe

pytestmark = needs_mediapipe


@pytest.fixture(scope="module")
def detected(rendered):
    from signspark.capture import detect_landmarks

    calls = []
    lm = detect_landmarks(rendered, progress=lambda done, total: calls.append(done))
    return lm, calls


def test_detects_body_and_the_signing_hand(detected, ideal_landmarks):
    lm, calls = detected
    assert lm.num_frames == ideal_landmarks.num_frames and calls[-1] == lm.num_frames
    assert lm.present(L.POSE).all() and lm.present(L.RIGHT_HAND).mean() > 0.8
    shoulders = np.linalg.norm(lm.points[L.POSE][:, 11:13, :2] - ideal_landmarks.points[L.POSE][:, 11:13, :2], axis=-1)
    assert np.median(shoulders) < 10  # pixels


def test_handedness_right_hand_lands_on_right_hand_pose(detected, ideal_landmarks, body, spelled):
    """Our avatar signs with its right hand (raised), the left rests: MediaPipe's right hand is ours."""
    from signspark.capture import FitOptions, fit_landmarks

    lm, _ = detected
    seen = lm.present(L.RIGHT_HAND)
    d = np.linalg.norm(lm.points[L.RIGHT_HAND][seen, :, :2] - ideal_landmarks.points[L.RIGHT_HAND][seen, :, :2], axis=-1)
    assert np.median(d) < 10  # the detected right hand is where our right hand is (it appears on the image's left)
    assert lm.points[L.RIGHT_HAND][seen, 0, 0].mean() < lm.width / 2
    res = fit_landmarks(lm, FitOptions(fov_y=25.0), body_model=body)
    import torch

    with torch.no_grad():
        j, gt = body(res.sequence).joints, body(spelled).joints
    # the right wrist is raised (above its elbow) where ours is, the left one rests below its elbow
    raised, gt_raised = j[:, 21, 1] > j[:, 19, 1], gt[:, 21, 1] > gt[:, 19, 1]
    assert gt_raised.any() and float((raised == gt_raised).float().mean()) >= 0.8
    assert (j[:, 20, 1] < j[:, 18, 1]).all()
    assert np.abs(res.sequence.params["right_hand_pose"]).max() > 0.5


def test_mirrored_flag_swaps_hands(rendered, ideal_landmarks):
    from signspark.capture import detect_landmarks

    lm = detect_landmarks(rendered, mirrored=True, max_frames=3)
    assert lm.num_frames == 3 and lm.mirrored
    seen = lm.present(L.LEFT_HAND)
    assert seen.any()
    # seen mirrored, the raised hand is taken for the left hand, on the image's right
    assert lm.points[L.LEFT_HAND][seen, 0, 0].mean() > lm.width / 2


def test_frame_folder_and_max_frames(rendered, tmp_path):
    from PIL import Image

    from signspark.capture import detect_landmarks
    from signspark.capture.frames import open_frames

    info, frames = open_frames(rendered, max_frames=2)
    for k, rgb in enumerate(frames):
        Image.fromarray(rgb).save(tmp_path / f"{k:03d}.png")
    lm = detect_landmarks(tmp_path, fps=30)
    assert lm.num_frames == 2 and lm.fps == 30 and lm.present(L.POSE).all()


def test_video_without_a_person_is_a_clear_error(blank_video):
    from signspark.capture import NoPersonError, detect_landmarks

    with pytest.raises(NoPersonError, match="no person"):
        detect_landmarks(blank_video)


def test_other_model_complexities_are_refused(rendered):
    from signspark.capture import LandmarkError, detect_landmarks

    with pytest.raises(LandmarkError, match="only 1 works offline"):
        detect_landmarks(rendered, model_complexity=2)


def test_unreadable_video_names_the_file(tmp_path):
    from signspark.capture import FrameError, detect_landmarks

    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(FrameError, match="broken.mp4"):
        detect_landmarks(bad)


def test_a_recording_that_states_no_frame_rate_is_read_at_25_fps(tmp_path):
    """Browser recordings (MediaRecorder WebM) state no frame rate; ffmpeg must not repeat frames up to
    the container's 1000 ticks per second."""
    import subprocess

    import imageio_ffmpeg

    from signspark.capture.frames import open_frames

    out = tmp_path / "recording.webm"
    # 3 s at 30 frames/s with a 1 ms time base and no stated rate, as a browser writes it
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=64x64:rate=1000", "-t", "3", "-vf",
                    "select='not(mod(n\\,33))+not(mod(n\\,47))',setpts=N/30/TB", "-fps_mode", "vfr",
                    "-enc_time_base", "1/1000", "-c:v", "libvpx", "-b:v", "100k", "-f", "webm", str(out)], check=True)
    gen = imageio_ffmpeg.read_frames(str(out))
    stated = next(gen).get("fps")
    gen.close()
    assert not stated or stated > 240  # the file is what the test means it to be
    info, frames = open_frames(out)
    n = sum(1 for _ in frames)
    assert info.fps == 25 and abs(n - 75) <= 2
