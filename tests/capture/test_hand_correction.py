"""The per-landmark hand correction: its frame follows the hand, a fitted table is recovered, the
built-in table moves only the palm's points, and the fit applies it unless told not to."""

import numpy as np
import pytest

from signspark.capture import layout as L
from signspark.capture.hand_correction import (CORRECTED_POINTS, apply_correction, correct_hand_landmarks,
                                               default_table, fit_correction, hand_frames)


def _hands(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 21, 3)) * 25 + 200


@pytest.mark.parametrize("side", ["left", "right"])
def test_fit_recovers_a_known_table(side):
    det = _hands()
    table = np.zeros((21, 3))
    table[list(CORRECTED_POINTS)] = np.random.default_rng(1).normal(size=(len(CORRECTED_POINTS), 3)) * 0.1
    ideal = apply_correction(det, table, side)
    np.testing.assert_allclose(fit_correction(det, ideal, side), table, atol=1e-4)


def test_offsets_follow_the_hand_when_it_turns_and_scales():
    det = _hands(1)[0]
    table = default_table()
    R = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    moved = (det - det[0]) @ R.T * 1.7 + np.array([40.0, -10.0, 3.0])
    a = apply_correction(det[None], table, "right")[0] - det
    b = apply_correction(moved[None], table, "right")[0] - moved
    np.testing.assert_allclose(b, a @ R.T * 1.7, atol=1e-3)
    _, frame, scale = hand_frames(det[None], "left")
    np.testing.assert_allclose(frame[0].T @ frame[0], np.eye(3), atol=1e-9)


def test_builtin_table_moves_the_palm_points_only(ideal_landmarks):
    table = default_table()
    assert table.shape == (21, 3) and np.isfinite(table).all()
    others = [k for k in range(21) if k not in CORRECTED_POINTS]
    assert (table[others] == 0).all() and np.abs(table[0]).max() > 0.05  # the wrist moves most
    lm = correct_hand_landmarks(ideal_landmarks)
    moved = np.linalg.norm(lm.points[L.RIGHT_HAND] - ideal_landmarks.points[L.RIGHT_HAND], axis=-1)
    assert (moved[:, others] == 0).all() and (moved[:, 0] > 1).all()
    assert np.array_equal(lm.points[L.POSE], ideal_landmarks.points[L.POSE])
    with pytest.raises(ValueError, match="21, 3"):
        correct_hand_landmarks(ideal_landmarks, np.zeros((20, 3)))
