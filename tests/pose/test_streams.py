import numpy as np
import pytest
import torch

from signspark.pose import streams as S
from signspark.pose.rotations import axis_angle_to_rot6d, flip_rot6d


def _params(T=7, seed=0):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: (torch.rand(*s, generator=g) - 0.5) * 2.0  # angles within (-1, 1) rad per component
    body = r(T, 63)
    body[:, :33] = 0.0  # legs and spine are not in any stream
    return {
        "global_orient": torch.zeros(T, 3), "body_pose": body, "jaw_pose": r(T, 3) * 0.3,
        "leye_pose": torch.zeros(T, 3), "reye_pose": torch.zeros(T, 3),
        "left_hand_pose": r(T, 45), "right_hand_pose": r(T, 45), "expression": r(T, 50), "transl": torch.zeros(T, 3),
    }


def test_widths():
    assert S.STREAM_DIMS == {"hand": 90, "body": 60, "face": 56, "full": 296}
    p = _params()
    assert S.params_to_full(p).shape == (7, 296)
    assert S.params_to_stream(p, "hand", hand="both").shape == (7, 180)
    assert S.params_to_stream(p, "body").shape == (7, 60)
    assert S.params_to_stream(p, "face").shape == (7, 56)


@pytest.mark.parametrize("flip_left", [True, False])
def test_full_round_trip_exact(flip_left):
    p = _params()
    back = S.full_to_params(S.params_to_full(p, flip_left=flip_left), flip_left=flip_left)
    for k in p:
        assert torch.allclose(back[k], p[k], atol=1e-5), k


def test_layout_order_and_left_flip():
    p = _params()
    full = S.params_to_full(p, flip_left=True)
    right = axis_angle_to_rot6d(p["right_hand_pose"].reshape(7, 15, 3)).reshape(7, 90)
    left = axis_angle_to_rot6d(p["left_hand_pose"].reshape(7, 15, 3)).reshape(7, 90)
    assert torch.allclose(full[:, S.FULL_SLICES["right"]], right, atol=1e-6)
    assert torch.allclose(full[:, S.FULL_SLICES["left"]], flip_rot6d(left.reshape(7, 15, 6)).reshape(7, 90), atol=1e-6)
    # body stream = body_pose joints 11..20 (SMPL-X ids 12..21) = official body[:, 66:]
    official = S.body_pose_to_official(p["body_pose"])
    assert official.shape == (7, 126)
    assert torch.allclose(full[:, S.FULL_SLICES["body"]], official[:, 66:])
    assert torch.allclose(full[:, 240:246], axis_angle_to_rot6d(p["jaw_pose"]), atol=1e-6)
    assert torch.allclose(full[:, 246:], p["expression"])


def test_body_stream_zeroes_legs_and_spine():
    p = _params()
    p["body_pose"][:, :33] = 0.7
    back = S.features_to_body(S.body_to_features(p["body_pose"]))
    assert torch.count_nonzero(back[:, :33]) == 0
    assert torch.allclose(back[:, 33:], p["body_pose"][:, 33:], atol=1e-5)


def test_official_126_round_trip_and_numpy_input():
    p = _params()
    bp = p["body_pose"].numpy()
    assert np.allclose(S.official_to_body_pose(S.body_pose_to_official(bp)).numpy(), bp, atol=1e-5)


def test_short_expression_padded_and_errors():
    f = S.face_to_features(torch.zeros(3, 3), torch.ones(3, 10))
    assert f.shape == (3, 56) and torch.all(f[:, 16:] == 0)
    with pytest.raises(ValueError, match="at most 50"):
        S.face_to_features(torch.zeros(3, 3), torch.ones(3, 51))
    with pytest.raises(ValueError, match="296"):
        S.full_to_params(torch.zeros(3, 295))
    with pytest.raises(ValueError, match="unknown stream"):
        S.stream_dim("legs")
