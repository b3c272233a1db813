"""Movements of the whole arm last long enough for a natural peak wrist speed."""

import numpy as np

from signspark.signs.kinematics import forward, pose_vector
from signspark.signs.motion import PEAK_WRIST_SPEED, arm_travel_seconds
from signspark.signs.takes import sign_text


def _wrist_speeds(take) -> np.ndarray:
    full = pose_vector(body_pose=take.params["body_pose"], left_hand_pose=take.params["left_hand_pose"],
                       right_hand_pose=take.params["right_hand_pose"])
    wrists = forward(full)[0][:, [20, 21]]
    return np.linalg.norm(np.diff(wrists, axis=0), axis=-1) * take.fps  # (T-1, 2) m/s


def test_travel_time_grows_with_distance():
    from signspark.signs.placement import rest_keypose
    from signspark.signs.signers import DEFAULT_SIGNER
    from signspark.signs.dsgs.lexicon import dsgs_lexicon

    rest = rest_keypose(DEFAULT_SIGNER)
    assert arm_travel_seconds(rest, rest) == 0.0
    chest = dsgs_lexicon().form("KINDER", DEFAULT_SIGNER, 0).keys[0][1]
    forehead = dsgs_lexicon().form("LERNEN", DEFAULT_SIGNER, 0).keys[0][1]
    assert 0.3 < arm_travel_seconds(rest, chest) < arm_travel_seconds(rest, forehead) < 1.5


def test_lexical_signs_move_at_human_speeds():
    # before the travel times, the rise from rest to a sign at the face peaked near 4 m/s at the wrist
    take = sign_text("Die Kinder lernen", "DSGS", seed=0)
    peak = _wrist_speeds(take).max()
    assert peak < 1.6 * PEAK_WRIST_SPEED, f"wrist peaks at {peak:.2f} m/s"
