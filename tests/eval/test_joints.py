import numpy as np
import pytest

from signspark.eval.joints import (
    BODY_JOINTS, GROUPS, PoseToJoints, evaluation_params, hand_joint_names, joint_names, select_groups,
)

from .standins import LinearBody, linear_to_joints, random_clip


def test_groups_pick_the_documented_joints():
    names = joint_names()
    assert len(names) == 127 and names[0] == "pelvis"
    assert len(BODY_JOINTS) == 12 and len(set(BODY_JOINTS)) == 12
    for side in ("left", "right"):
        h = hand_joint_names(side)
        assert len(h) == 21 and len(set(h)) == 21 and h[0] == f"{side}_wrist"
        assert all(n.startswith(side) for n in h)
    joints = np.arange(5 * 127 * 3, dtype=np.float64).reshape(5, 127, 3)
    g = select_groups(joints, names)
    assert g["body"].points.shape == (5, 12, 3) and g["left_hand"].points.shape == (5, 21, 3)
    np.testing.assert_array_equal(g["body"].anchor, joints[:, 0])  # pelvis
    np.testing.assert_array_equal(g["right_hand"].anchor, joints[:, names.index("right_wrist")])
    np.testing.assert_array_equal(g["body"].points[:, -1], joints[:, names.index("nose")])
    tips = [names.index(f"left_{f}") for f in ("thumb", "index", "middle", "ring", "pinky")]
    np.testing.assert_array_equal(g["left_hand"].points[:, -5:], joints[:, tips])


def test_missing_joints_are_reported():
    with pytest.raises(ValueError, match="nose"):
        select_groups(np.zeros((2, 55, 3)))  # skeleton joints only: no fingertips, ears, nose
    with pytest.raises(ValueError, match=r"\(T, N, 3\)"):
        select_groups(np.zeros((2, 127)))


def test_evaluation_params_follow_the_convention():
    seq = random_clip(6, "ASL", "hi", seed=0)
    seq.params["transl"][:] = 1.5
    seq.betas[:] = 0.7
    ev = evaluation_params(seq)
    p = ev.params
    for key in ("global_orient", "transl", "leye_pose", "reye_pose"):
        assert not p[key].any(), key
    assert not p["body_pose"][:, :33].any()  # 11 lower joints; with global_orient the first 36 parameters
    np.testing.assert_array_equal(p["body_pose"][:, 33:], seq.params["body_pose"][:, 33:])
    np.testing.assert_array_equal(p["expression"][:, :10], seq.params["expression"][:, :10])
    assert not p["expression"][:, 10:].any()
    for key in ("jaw_pose", "left_hand_pose", "right_hand_pose"):
        np.testing.assert_array_equal(p[key], seq.params[key])
    assert not ev.betas.any()
    np.testing.assert_allclose(evaluation_params(seq, betas=np.full(10, 0.2)).betas, 0.2)
    assert seq.params["transl"].max() == 1.5  # the input is not modified


def test_pose_to_joints_uses_the_convention():
    to_joints = linear_to_joints()
    a = random_clip(8, "ASL", "hi", seed=1)
    b = random_clip(8, "ASL", "hi", seed=1)
    b.params["global_orient"][:] = 0.9  # ignored by the convention
    b.params["body_pose"][:, :33] = -0.4
    b.params["expression"][:, 20:] = 2.0
    ga, gb = to_joints(a), to_joints(b)
    for k in GROUPS:
        np.testing.assert_allclose(ga[k].points, gb[k].points)
    assert isinstance(to_joints.body_model, LinearBody) and len(to_joints.body_model.calls) == 2


@pytest.mark.slow
def test_builtin_body_model_under_the_convention():
    """The real built-in body: shapes, anchors, and which parameters the scores ignore."""
    to_joints = PoseToJoints.default()
    a = random_clip(5, "ASL", "hi", seed=2, segments=[(0, 4)])
    ga = to_joints(a)
    assert ga["body"].points.shape == (5, 12, 3) and ga["right_hand"].points.shape == (5, 21, 3)
    np.testing.assert_allclose(ga["body"].anchor, np.broadcast_to(ga["body"].anchor[0], (5, 3)), atol=1e-6)  # pelvis fixed
    b = random_clip(5, "ASL", "hi", seed=2, segments=[(0, 4)])
    b.params["global_orient"][:] = 1.0
    b.params["transl"][:] = 3.0
    b.params["body_pose"][:, :33] = 0.5  # legs and spine
    b.betas[:] = 1.0
    gb = to_joints(b)
    for k in GROUPS:
        np.testing.assert_allclose(ga[k].points, gb[k].points, atol=1e-6)
    c = random_clip(5, "ASL", "hi", seed=2, segments=[(0, 4)])
    c.params["right_hand_pose"] += 0.3
    gc = to_joints(c)
    np.testing.assert_allclose(gc["left_hand"].points, ga["left_hand"].points, atol=1e-6)
    np.testing.assert_allclose(gc["body"].points, ga["body"].points, atol=1e-6)
    assert np.abs(gc["right_hand"].points - ga["right_hand"].points).max() > 1e-3
