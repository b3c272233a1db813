import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from signspark.eval.joints import GroupJoints
from signspark.eval.pose_metrics import (
    clip_metrics, dtw_jpe, dtw_pa_jpe, frame_errors, keyframe_error, mpjpe, pa_mpjpe, pairwise_errors,
)


def motion(T=30, J=12, seed=0):
    """Joints that move a lot between frames (metres)."""
    rng = np.random.default_rng(seed)
    return rng.normal(scale=0.2, size=(T, J, 3))


def test_identical_sequences_score_zero():
    x = motion()
    assert dtw_jpe(x, x).cost == pytest.approx(0.0, abs=1e-12)
    assert dtw_pa_jpe(x, x).cost == pytest.approx(0.0, abs=1e-9)
    assert mpjpe(x, x) == pytest.approx(0.0, abs=1e-9)
    assert pa_mpjpe(x, x) == pytest.approx(0.0, abs=1e-6)


def test_time_warped_copy_has_zero_dtw_but_positive_mpjpe():
    x = motion(T=25)
    warp = np.sort(np.concatenate([np.arange(25), [2, 2, 9, 17, 17]]))
    y = x[warp]
    s = dtw_jpe(y, x)
    assert s.cost == pytest.approx(0.0, abs=1e-12)
    assert s.path_length == len(warp)
    assert dtw_pa_jpe(y, x).cost == pytest.approx(0.0, abs=1e-9)
    assert mpjpe(y, x) > 10.0  # cropped to 25 frames, now out of step
    m = clip_metrics({"body": y}, {"body": x})
    assert m["cropped"] == 1.0 and m["frames_pred"] == 30 and m["frames_ref"] == 25


def test_similarity_transformed_copy_has_zero_pa_but_positive_jpe():
    x = motion(T=20, J=21, seed=1)
    R = Rotation.random(20, random_state=5).as_matrix()
    y = 1.3 * x @ np.swapaxes(R, 1, 2) + np.array([0.1, -0.2, 0.3])
    assert pa_mpjpe(y, x) == pytest.approx(0.0, abs=1e-6)
    assert dtw_pa_jpe(y, x).cost == pytest.approx(0.0, abs=1e-9)
    assert mpjpe(y, x) > 50.0
    assert dtw_jpe(y, x).cost > 0.5


def test_known_offset_gives_known_error():
    T, J = 16, 12
    x = motion(T=T, J=J, seed=2)
    y = x.copy()
    y[:, 5] += [0.003, 0.0, 0.004]  # 5 mm on one of 12 joints
    expected_mm = 5.0 / J
    assert mpjpe(y, x) == pytest.approx(expected_mm)
    s = dtw_jpe(y, x)
    assert s.path_length == T
    assert s.cost == pytest.approx(T * expected_mm / 1000)  # SOKE-code: sum over the path, metres
    assert s.mean_mm == pytest.approx(expected_mm)


def test_translation_alignment_uses_the_anchor_not_the_centroid():
    x = motion(T=10, J=12, seed=3)
    anchor = np.zeros((10, 3))
    shifted = GroupJoints(x + 0.05, anchor + 0.05)  # the whole body moved 5 cm in each axis: no error
    assert mpjpe(shifted, GroupJoints(x, anchor)) == pytest.approx(0.0, abs=1e-9)
    only_pts = GroupJoints(x + [0.03, 0.0, 0.04], anchor)  # the joints moved but the anchor did not: 50 mm
    assert mpjpe(only_pts, GroupJoints(x, anchor)) == pytest.approx(50.0)
    # A plain array uses joint 0 as the anchor, so a pure translation costs nothing.
    assert mpjpe(x + [0.03, 0.0, 0.04], x) == pytest.approx(0.0, abs=1e-9)


def test_pairwise_matrix_matches_frame_errors_on_the_diagonal_and_chunks():
    import signspark.eval.pose_metrics as pm

    x, y = motion(T=9, seed=4), motion(T=9, seed=5)
    for align in ("none", "translation", "procrustes"):
        P = pairwise_errors(y, x, align)
        np.testing.assert_allclose(np.diag(P), frame_errors(y, x, align))
    old = pm._PAIR_BUDGET
    try:
        pm._PAIR_BUDGET = 50  # forces one row per chunk
        np.testing.assert_allclose(pairwise_errors(y, x, "procrustes"), P)
    finally:
        pm._PAIR_BUDGET = old


def test_keyframe_error_only_looks_at_keyframes():
    x = motion(T=20, seed=6)
    y = x.copy()
    y[7, 3] += [0.012, 0.0, 0.0]  # an error on a non-keyframe
    assert keyframe_error(y, x, [0, 10, 19]) == pytest.approx(0.0, abs=1e-9)
    y[10, 3] += [0.0, 0.024, 0.0]
    assert keyframe_error(y, x, [0, 10, 19]) == pytest.approx(24.0 / 12 / 3)
    assert np.isnan(keyframe_error(y, x, [25, 30]))


def test_clip_metrics_keys_and_hand_mean():
    body, lh, rh = motion(J=12, seed=7), motion(J=21, seed=8), motion(J=21, seed=9)
    lh2 = lh.copy()
    lh2[:, 1:] += [0.0021, 0, 0]  # 20 of 21 joints 2.1 mm off: 2 mm on the left hand, 0 on the right
    m = clip_metrics({"body": body, "left_hand": lh2, "right_hand": rh},
                     {"body": body, "left_hand": lh, "right_hand": rh}, keyframes=[0, 5])
    assert m["left_hand/mpjpe_mm"] == pytest.approx(2.0)
    assert m["right_hand/mpjpe_mm"] == pytest.approx(0.0, abs=1e-9)
    assert m["hand/mpjpe_mm"] == pytest.approx(1.0)
    assert m["hand/keyframe_mpjpe_mm"] == pytest.approx(1.0)
    for g in ("body", "left_hand", "right_hand", "hand"):
        for k in ("dtw_jpe", "dtw_pa_jpe", "dtw_jpe_mean_mm", "dtw_pa_jpe_mean_mm", "mpjpe_mm", "pa_mpjpe_mm"):
            assert f"{g}/{k}" in m
    assert m["cropped"] == 0.0
    assert "body/keyframe_mpjpe_mm" not in clip_metrics({"body": body}, {"body": body})


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="joints per frame"):
        mpjpe(motion(J=12), motion(J=21))
    with pytest.raises(ValueError, match="align"):
        frame_errors(motion(), motion(), "rigid")
    with pytest.raises(ValueError, match="no frames"):
        mpjpe(np.zeros((0, 12, 3)), motion())
    with pytest.raises(ValueError, match="in common"):
        clip_metrics({"body": motion()}, {"left_hand": motion(J=21)})
