"""The .pose reader and writer (no MediaPipe needed)."""

import numpy as np
import pytest

from signspark.capture import layout as L


def test_round_trip_keeps_points_confidence_and_world(ideal_landmarks, tmp_path):
    from signspark.capture import read_pose, write_pose

    lm = ideal_landmarks
    path = write_pose(lm, tmp_path / "clip.pose")
    back = read_pose(path)
    assert back.num_frames == lm.num_frames and (back.width, back.height) == (lm.width, lm.height)
    assert back.fps == pytest.approx(lm.fps)
    for comp in L.COMPONENTS:
        np.testing.assert_allclose(back.points[comp], lm.points[comp], atol=1e-3)
        np.testing.assert_array_equal(back.confidence[comp], lm.confidence[comp])
    np.testing.assert_allclose(back.world, lm.world, atol=1e-5)


def test_file_is_holistic_layout_for_pose_format(ideal_landmarks, tmp_path):
    from pose_format import Pose

    from signspark.capture import write_pose

    pose = Pose.read((write_pose(ideal_landmarks, tmp_path / "a.pose")).read_bytes())
    names = [c.name for c in pose.header.components]
    assert names == [L.POSE, L.FACE, L.LEFT_HAND, L.RIGHT_HAND, L.POSE_WORLD]
    assert [len(c.points) for c in pose.header.components] == [33, 468, 21, 21, 33]
    assert pose.body.data.shape == (ideal_landmarks.num_frames, 1, 576, 3)
    # z is stored raw (MediaPipe scale), as pose-format's video_to_pose writes it
    rh = pose.get_components([L.RIGHT_HAND]).body.data[:, 0]
    np.testing.assert_allclose(rh[..., 2] * ideal_landmarks.width, ideal_landmarks.points[L.RIGHT_HAND][..., 2], atol=1e-3)
    # absent face points are masked
    assert pose.body.data.mask[:, 0, 33 + 50].all() and not pose.body.data.mask[:, 0, 33 + 1].any()


def test_export_pose_from_sequence(spelled, body, tmp_path):
    from signspark.capture import export_pose, read_pose

    path = export_pose(spelled, tmp_path / "seq.pose", body_model=body, size=256)
    lm = read_pose(path)
    assert lm.num_frames == spelled.num_frames and lm.width == 256
    assert lm.present(L.RIGHT_HAND).all() and lm.present(L.POSE).all()
    inside = (lm.points[L.POSE][:, 11:17, :2] > 0) & (lm.points[L.POSE][:, 11:17, :2] < 256)
    assert inside.all()  # shoulders, elbows, wrists are in the picture


def test_broken_and_foreign_files_get_clear_errors(tmp_path):
    from signspark.capture import PoseFormatError, read_pose

    bad = tmp_path / "bad.pose"
    bad.write_bytes(b"\x00\x01not a pose file")
    with pytest.raises(PoseFormatError, match="bad.pose"):
        read_pose(bad)
    with pytest.raises(PoseFormatError, match="no such file"):
        read_pose(tmp_path / "missing.pose")


def test_reduced_face_is_dropped_with_a_warning(ideal_landmarks, tmp_path):
    from pose_format import Pose

    from signspark.capture import read_pose, write_pose

    pose = Pose.read(write_pose(ideal_landmarks, tmp_path / "a.pose").read_bytes())
    reduced = pose.get_components([L.POSE, L.FACE, L.LEFT_HAND, L.RIGHT_HAND], {L.FACE: [str(i) for i in range(100)]})
    with open(tmp_path / "reduced.pose", "wb") as fh:
        reduced.write(fh)
    with pytest.warns(UserWarning, match="face is left out"):
        lm = read_pose(tmp_path / "reduced.pose")
    assert not lm.present(L.FACE).any() and lm.present(L.RIGHT_HAND).all()


def test_layout_matches_mediapipe_when_installed():
    mp = pytest.importorskip("mediapipe")
    und = lambda edges: {tuple(sorted(e)) for e in edges}  # noqa: E731
    assert und(L.POSE_LIMBS) == und(mp.solutions.pose.POSE_CONNECTIONS)
    assert und(L.HAND_LIMBS) == und(mp.solutions.hands.HAND_CONNECTIONS)
    fm = mp.solutions.face_mesh_connections
    assert und(L.face_limbs()) == und(fm.FACEMESH_CONTOURS)
    assert und(L.face_limbs(478)) == und(fm.FACEMESH_CONTOURS | fm.FACEMESH_IRISES)
    assert [p.name for p in mp.solutions.pose.PoseLandmark] == list(L.POSE_POINT_NAMES)
    assert [p.name for p in mp.solutions.hands.HandLandmark] == list(L.HAND_POINT_NAMES)
