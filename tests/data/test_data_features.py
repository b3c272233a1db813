"""ClipRecord, hand_features and the PoseSequence <-> record conversion."""

import dataclasses

import numpy as np
import pytest
import torch

from lmdb_fixtures import make_record, random_sequence, single_torch_thread  # noqa: F401
from signspark.data import ClipRecord, DataError, hand_features, record_from_sequence
from signspark.keyframes import segments_to_tags
from signspark.pose.rotations import axis_angle_to_matrix, rot6d_to_matrix
from signspark.pose.streams import hand_to_features

# SMPL-X parents of joints 0..21 (pelvis, hips, spine1, knees, spine2, ankles, spine3, feet, neck,
# collars, head, shoulders, elbows, wrists): an independent forward-kinematics reference.
SMPLX_PARENTS = [-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19]


def _global_rotations(seq) -> np.ndarray:
    T = seq.num_frames
    local = np.concatenate([seq.params["global_orient"], seq.params["body_pose"]], axis=1).reshape(T, 22, 3)
    local = axis_angle_to_matrix(torch.from_numpy(local.astype(np.float64))).numpy()
    world = np.zeros_like(local)
    for j, p in enumerate(SMPLX_PARENTS):
        world[:, j] = local[:, j] if p < 0 else world[:, p] @ local[:, j]
    return world


def test_hand_features_fingers_raw_and_wrist_world_orientation():
    seq = random_sequence(T=9, seed=1, segments=[(1, 5)])
    left, right = hand_features(seq)
    assert left.shape == right.shape == (9, 96) and left.dtype == np.float32
    np.testing.assert_allclose(left[:, :90], hand_to_features(seq.params["left_hand_pose"]).numpy(), atol=1e-6)
    np.testing.assert_allclose(right[:, :90], hand_to_features(seq.params["right_hand_pose"]).numpy(), atol=1e-6)
    world = _global_rotations(seq)
    for feats, joint in ((left, 20), (right, 21)):
        R = rot6d_to_matrix(torch.from_numpy(feats[:, 90:].astype(np.float64))).numpy()
        np.testing.assert_allclose(R, world[:, joint], atol=1e-5)


def test_wrist_orientation_ignores_joints_off_the_chain():
    seq = random_sequence(T=3, seed=2, segments=[])
    seq.params["global_orient"][:] = 0
    seq.params["body_pose"][:] = 0
    seq.params["body_pose"][:, 3 * 0:3 * 0 + 3] = [0.3, 0.2, 0.1]  # left hip: not on any wrist chain
    seq.params["body_pose"][:, 3 * 18:3 * 18 + 3] = [0.0, 0.0, 0.7]  # right elbow (joint 19): right chain only
    left, right = hand_features(seq)
    np.testing.assert_allclose(left[:, 90:], np.tile([1, 0, 0, 0, 1, 0], (3, 1)), atol=1e-6)
    expected = axis_angle_to_matrix(torch.tensor([0.0, 0.0, 0.7], dtype=torch.float64)).numpy()[:2].reshape(6)
    np.testing.assert_allclose(right[:, 90:], np.tile(expected, (3, 1)), atol=1e-6)


def test_record_from_sequence_fields_and_default_labels():
    seq = random_sequence(T=20, seed=3, segments=[(2, 5), (9, 12)])
    rec = record_from_sequence(seq, clip_id="c1")
    assert rec.clip_id == "c1" and rec.language == "ASL" and rec.translation == seq.text and rec.gloss == seq.gloss
    assert rec.body_features.shape == (20, 126) and rec.face_features.shape == (20, 56)
    np.testing.assert_array_equal(rec.segment, segments_to_tags([(2, 5), (9, 12)], 20))
    np.testing.assert_allclose(rec.face_features[:, 6:], seq.params["expression"], atol=0)
    labels = np.zeros(20, np.int64)
    labels[4:8] = 1
    assert record_from_sequence(seq, labels=labels).segment.tolist() == labels.tolist()
    with pytest.raises(DataError, match=r"labels must have shape \(20,\)"):
        record_from_sequence(seq, labels=np.zeros(19))


def test_round_trip_keeps_poses_and_zeroes_what_the_schema_lacks():
    seq = random_sequence(T=16, seed=4, segments=[(1, 4), (8, 14)])
    back = record_from_sequence(seq).to_pose_sequence(fps=30.0)
    for key in ("body_pose", "left_hand_pose", "right_hand_pose", "jaw_pose", "expression"):
        np.testing.assert_allclose(back.params[key], seq.params[key], atol=2e-5, err_msg=key)
    for key in ("global_orient", "transl", "leye_pose", "reye_pose"):
        assert not back.params[key].any(), key
    assert not back.betas.any() and back.fps == 30.0
    assert (back.language, back.text, back.gloss) == (seq.language, seq.text, seq.gloss)
    assert back.segments.tolist() == [[1, 4], [8, 14]]
    assert back.keyframes.tolist() == [1, 2, 4, 8, 11, 14]


def test_touching_segments_merge_as_official_segment_bounds():
    seq = random_sequence(T=10, seed=5, segments=[(1, 3), (4, 6)])
    back = record_from_sequence(seq).to_pose_sequence()
    assert back.segments.tolist() == [[1, 6]]


@pytest.mark.parametrize("change, message", [
    (dict(left_features=np.zeros((12, 90), np.float32)), r"left_features must have shape \(T, 96\)"),
    (dict(body_features=np.zeros((12, 255), np.float32)), r"body_features must have shape \(T, 126\)"),
    (dict(face_features=np.zeros((11, 56), np.float32)), "face_features has 11 frames but segment has 12"),
    (dict(segment=np.full(12, 3)), "segment tags must be 0, 1 or 2"),
    (dict(segment=np.zeros(0, np.int64)), "T >= 1"),
    (dict(translation=None), "translation must be a string"),
])
def test_record_validation(change, message):
    rec = make_record("bad", T=12)
    with pytest.raises(DataError, match=message):
        dataclasses.replace(rec, **change)


def test_record_rejects_non_finite_values():
    rec = make_record("bad", T=12)
    right = rec.right_features.copy()
    right[7, 3] = np.inf
    with pytest.raises(DataError, match=r"clip 'bad': right_features contains NaN or infinite values \(first at frame 7\)"):
        ClipRecord(**{**dataclasses.asdict(rec), "right_features": right})
