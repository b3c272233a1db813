"""Left-handed signing: mirroring a PoseSequence across the sagittal plane, checked on the posed body."""

import numpy as np
import pytest

from signspark.body.joints import JOINT_INDEX, SMPLX_JOINT_NAMES, hand_joint_indices, mirror_joint_map
from signspark.pose import PoseSequence
from signspark.pose.mirror import mirror_full_pose, mirror_sequence
from signspark.pose.streams import SMPLX_FRAME_KEYS

X = np.array([-1.0, 1.0, 1.0], np.float32)
# fingertip vertex joints (66-75) and their twins
_TIPS = [JOINT_INDEX[f"{s}_{f}"] for s in ("left", "right") for f in ("thumb", "index", "middle", "ring", "pinky")]


@pytest.fixture(scope="module")
def body():
    from signspark.body import BodyModel

    return BodyModel.load()


@pytest.fixture(scope="module")
def jz():
    from signspark.signs import spell

    return spell("jz", "ASL")


def _twins(joints: np.ndarray) -> np.ndarray:
    """(T, 127, 3) joints -> skeleton (55) and fingertips (10) of the twin side, x negated."""
    skel = joints[:, mirror_joint_map()] * X
    tips = joints[:, _TIPS[5:] + _TIPS[:5]] * X
    return np.concatenate([skel, tips], axis=1)


def _own(joints: np.ndarray) -> np.ndarray:
    return np.concatenate([joints[:, :55], joints[:, _TIPS]], axis=1)


def _random_sequence(T=5, seed=0, transl=True) -> PoseSequence:
    rng = np.random.default_rng(seed)
    params = {k: rng.normal(0, 0.4, (T, d)).astype(np.float32) for k, d in SMPLX_FRAME_KEYS.items()}
    params["expression"] = rng.normal(0, 1.0, (T, 50)).astype(np.float32)
    if not transl:
        params["transl"][:] = 0
    return PoseSequence.from_params(params, fps=25.0, language="ASL", text="random",
                                    segments=np.array([[0, 2]]), keyframes=np.array([1]))


def test_axis_angle_convention():
    """(x, y, z) -> (x, -y, -z) on the twin joint; joints on the plane keep their own rotation."""
    pose = np.zeros((55, 3), np.float32)
    li, ri = SMPLX_JOINT_NAMES.index("left_elbow"), SMPLX_JOINT_NAMES.index("right_elbow")
    pose[li] = [0.1, 0.2, 0.3]
    pose[0] = [0.4, 0.5, 0.6]
    out = mirror_full_pose(pose)
    np.testing.assert_allclose(out[ri], [0.1, -0.2, -0.3])
    np.testing.assert_allclose(out[li], 0)
    np.testing.assert_allclose(out[0], [0.4, -0.5, -0.6])
    with pytest.raises(ValueError, match=r"\(\.\.\., 55, 3\)"):
        mirror_full_pose(np.zeros((54, 3)))


def test_random_pose_mirrors_joint_positions_exactly(body):
    seq = _random_sequence()
    m = mirror_sequence(seq, body)
    a = body(seq).joints.numpy()
    b = body(m).joints.numpy()
    err = np.abs(_own(b) - _twins(a)).max()
    assert err < 1e-4, f"mirrored joints are off by {err * 1000:.3f} mm"


def test_without_a_body_the_pelvis_is_taken_on_the_plane(body):
    seq = _random_sequence(seed=1)
    a, b = mirror_sequence(seq), mirror_sequence(seq, body)
    for k in seq.params:
        np.testing.assert_allclose(a.params[k], b.params[k], atol=1e-7)  # built-in pelvis at x = 0


def test_mirror_twice_is_identity_and_metadata_is_kept():
    seq = _random_sequence(seed=2)
    m = mirror_sequence(seq)
    back = mirror_sequence(m)
    for k in seq.params:
        np.testing.assert_allclose(back.params[k], seq.params[k], atol=1e-7, err_msg=k)
    for s in (m, back):
        assert (s.fps, s.language, s.text, s.gloss) == (seq.fps, seq.language, seq.text, seq.gloss)
        np.testing.assert_array_equal(s.segments, seq.segments)
        np.testing.assert_array_equal(s.keyframes, seq.keyframes)
        np.testing.assert_array_equal(s.betas, seq.betas)
    np.testing.assert_array_equal(m.params["expression"], seq.params["expression"])  # expressions stay
    assert not np.shares_memory(m.params["expression"], seq.params["expression"])


def test_swaps_hands_with_the_mano_conjugation():
    seq = _random_sequence(seed=3)
    m = mirror_sequence(seq)
    signs = np.tile([1, -1, -1], 15)
    np.testing.assert_allclose(m.params["left_hand_pose"], seq.params["right_hand_pose"] * signs)
    np.testing.assert_allclose(m.params["right_hand_pose"], seq.params["left_hand_pose"] * signs)
    np.testing.assert_allclose(m.params["leye_pose"], seq.params["reye_pose"] * [1, -1, -1])
    np.testing.assert_allclose(m.params["jaw_pose"], seq.params["jaw_pose"] * [1, -1, -1])
    np.testing.assert_allclose(m.params["transl"], seq.params["transl"] * [-1, 1, 1])


def test_fingerspelled_j_and_z_become_left_handed(body, jz):
    """ASL J and Z trace paths with the right hand; mirrored, the left hand traces them, mirrored."""
    m = mirror_sequence(jz, body)
    a = body(jz).joints.numpy()
    b = body(m).joints.numpy()
    err = np.abs(_own(b) - _twins(a)).max()
    assert err < 1e-4, f"mirrored joints are off by {err * 1000:.3f} mm"

    right, left = list(hand_joint_indices("right")), list(hand_joint_indices("left"))
    # the letter's handshape (all 21 hand points relative to the wrist, mirrored) is now on the left hand
    for t in range(jz.num_frames):
        r_shape = (a[t, right] - a[t, right[0]]) * X
        l_shape = b[t, left] - b[t, left[0]]
        np.testing.assert_allclose(l_shape, r_shape, atol=1e-4)
    # the signing hand is the left one: it moves (J and Z trace paths), the right one stays nearly still
    def travel(j, idx):
        return np.linalg.norm(np.diff(j[:, idx], axis=0), axis=-1).sum()

    wl, wr = JOINT_INDEX["left_wrist"], JOINT_INDEX["right_wrist"]
    assert travel(a, wr) > 5 * travel(a, wl)  # the original is right-handed
    assert travel(b, wl) > 5 * travel(b, wr)
    np.testing.assert_allclose(travel(b, wl), travel(a, wr), rtol=1e-4)
    # and the handshape pose parameters moved over with the conjugation
    np.testing.assert_allclose(m.params["left_hand_pose"], jz.params["right_hand_pose"] * np.tile([1, -1, -1], 15),
                               atol=1e-7)


def test_rejects_other_types():
    with pytest.raises(TypeError, match="PoseSequence"):
        mirror_sequence({"body_pose": np.zeros((1, 63))})
