"""The fit, fed with the landmarks our own body gives (no MediaPipe needed)."""

import dataclasses

import numpy as np
import pytest
import torch

from signspark.body.joints import JOINT_INDEX, hand_joint_indices
from signspark.capture import layout as L


def _pa_error(a: torch.Tensor, b: torch.Tensor) -> float:
    """Mean per-frame similarity-Procrustes point error (same units as the points)."""
    from signspark.capture.geometry import similarity_fit

    R, s, t = similarity_fit(b, a)
    return float((s[:, None, None] * b @ R.transpose(1, 2) + t[:, None] - a).norm(dim=-1).mean())


@pytest.fixture(scope="module")
def fitted(ideal_landmarks, body):
    from signspark.capture import FitOptions, fit_landmarks

    # our body's own landmarks: nothing for the MediaPipe hand correction to correct
    return fit_landmarks(ideal_landmarks, FitOptions(fov_y=25.0, hand_correction=False), body_model=body)


def test_skeleton_matches_the_body_model(spelled, body):
    from signspark.capture.skeleton import FitSkeleton, rodrigues

    p = {k: torch.as_tensor(v) for k, v in spelled.params.items()}
    full = torch.cat([p[k] for k in ("global_orient", "body_pose", "jaw_pose", "leye_pose", "reye_pose",
                                     "left_hand_pose", "right_hand_pose")], 1).view(-1, 55, 3)
    ours = FitSkeleton.from_body(body).forward(rodrigues(full), p["transl"])
    with torch.no_grad():
        ref = body(spelled).joints
    assert float((ours - ref).norm(dim=-1).max()) < 1e-5


def test_fit_recovers_the_hands_and_arms(fitted, spelled, body):
    seq = fitted.sequence
    assert seq.num_frames == spelled.num_frames
    for v in seq.params.values():
        assert np.isfinite(v).all()
    with torch.no_grad():
        gt, out = body(spelled).joints, body(seq).joints
    for side in ("left", "right"):
        ids = list(hand_joint_indices(side))
        assert _pa_error(gt[:, ids], out[:, ids]) < 0.004  # metres
    arm = [JOINT_INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist",
                                    "right_wrist")]
    assert _pa_error(gt[:, arm], out[:, arm]) < 0.03
    assert fitted.reprojection_px.mean() < 3.0
    assert (fitted.part_confidence > 0.5).all() and fitted.confidence.shape == (spelled.num_frames,)


def test_missing_hand_is_interpolated_then_rests_never_nan(ideal_landmarks, body):
    from signspark.capture import FitOptions, fit_landmarks
    from signspark.capture.fit import RELAXED_HAND

    lm = dataclasses.replace(ideal_landmarks, points={k: v.copy() for k, v in ideal_landmarks.points.items()},
                             confidence={k: v.copy() for k, v in ideal_landmarks.confidence.items()})
    lm.points[L.RIGHT_HAND][2:4] = np.nan  # junk under a zero confidence must not leak
    lm.points[L.RIGHT_HAND][2:4] = 0.0
    lm.confidence[L.RIGHT_HAND][2:4] = 0.0  # a short gap
    lm.confidence[L.LEFT_HAND][:] = 0.0  # never seen
    res = fit_landmarks(lm, FitOptions(fov_y=25.0, max_gap=3, hand_iterations=10, body_iterations=10), body_model=body)
    p = res.sequence.params
    assert all(np.isfinite(v).all() for v in p.values())
    np.testing.assert_allclose(p["left_hand_pose"], np.tile(RELAXED_HAND["left"], (lm.num_frames, 1)), atol=1e-6)
    assert (res.part_confidence[:, 1] == 0).all()
    rh = p["right_hand_pose"]
    np.testing.assert_allclose(rh[2], rh[1] + (rh[4] - rh[1]) / 3, atol=1e-5)  # linear through the gap
    assert 0 < res.part_confidence[2, 2] < 1 and res.part_confidence[0, 2] > 0.5


def test_analytic_only_fit_is_close_already(ideal_landmarks, spelled, body):
    from signspark.capture import FitOptions, fit_landmarks

    opts = FitOptions(fov_y=25.0, hand_iterations=0, body_iterations=0, hand_correction=False, handshape_prior=False)
    res = fit_landmarks(ideal_landmarks, opts, body_model=body)
    with torch.no_grad():
        gt, out = body(spelled).joints, body(res.sequence).joints
    ids = list(hand_joint_indices("right"))
    assert _pa_error(gt[:, ids], out[:, ids]) < 0.004


def test_mirrored_landmarks_swap_the_hands(ideal_landmarks):
    from signspark.capture.api import mirror_landmarks

    m = mirror_landmarks(ideal_landmarks)
    np.testing.assert_allclose(m.points[L.LEFT_HAND][..., 0], ideal_landmarks.width - ideal_landmarks.points[L.RIGHT_HAND][..., 0])
    np.testing.assert_allclose(m.points[L.POSE][:, 11], [[ideal_landmarks.width - p[0], p[1], p[2]]
                                                         for p in ideal_landmarks.points[L.POSE][:, 12]], atol=1e-4)
    back = mirror_landmarks(m)
    np.testing.assert_allclose(back.points[L.POSE], ideal_landmarks.points[L.POSE], atol=1e-4)


def test_no_shoulders_is_a_clear_error(ideal_landmarks, body):
    from signspark.capture import LandmarkError, fit_landmarks

    lm = dataclasses.replace(ideal_landmarks, confidence={k: np.zeros_like(v) for k, v in ideal_landmarks.confidence.items()})
    with pytest.raises(LandmarkError, match="shoulders"):
        fit_landmarks(lm, body_model=body)


def test_fill_gaps():
    from signspark.capture.gaps import fill_gaps

    v = np.arange(20, dtype=np.float32)[:, None] * np.ones((1, 2), np.float32)
    seen = np.ones(20, bool)
    seen[3:5] = False  # short: interpolated
    seen[8:18] = False  # long: rest, ramped
    out, w = fill_gaps(v, seen, max_gap=4, rest=np.array([-1.0, -1.0]))
    np.testing.assert_allclose(out[3:5, 0], [3, 4])
    assert (out[11:15] == -1).all() and (w[8:18] == 0).all() and w[3] > 0 and (w[seen] == 1).all()
    out, w = fill_gaps(v, np.zeros(20, bool), 4, np.zeros(2))
    assert (out == 0).all() and (w == 0).all()
