import math

import pytest
import torch

from signspark.pose import rotations as R


def _random_aa(n, gen, max_angle=math.pi):
    axis = torch.nn.functional.normalize(torch.randn(n, 3, generator=gen, dtype=torch.float64), dim=-1)
    angle = torch.rand(n, 1, generator=gen, dtype=torch.float64) * max_angle
    return axis * angle


def _special_aa():
    return torch.tensor([
        [0.0, 0.0, 0.0],
        [1e-9, 0.0, 0.0],
        [0.0, 1e-6, -1e-7],
        [math.pi, 0.0, 0.0],
        [0.0, math.pi, 0.0],
        [0.0, 0.0, math.pi],
        [math.pi / math.sqrt(3)] * 3,
        [0.0, math.pi - 1e-6, 0.0],
    ], dtype=torch.float64)


def test_matrix_is_rotation():
    gen = torch.Generator().manual_seed(0)
    m = R.axis_angle_to_matrix(_random_aa(500, gen))
    eye = torch.eye(3, dtype=m.dtype).expand_as(m)
    assert torch.allclose(m @ m.transpose(-1, -2), eye, atol=1e-10)
    assert torch.allclose(torch.linalg.det(m), torch.ones(500, dtype=m.dtype), atol=1e-10)


def test_axis_angle_matrix_round_trip_random_and_special():
    gen = torch.Generator().manual_seed(1)
    aa = torch.cat([_random_aa(1000, gen, max_angle=math.pi - 1e-3), _special_aa()])
    m = R.axis_angle_to_matrix(aa)
    back = R.matrix_to_axis_angle(m)
    # compare as rotations (180 degrees has two axis-angle representatives)
    assert torch.allclose(R.axis_angle_to_matrix(back), m, atol=1e-5)
    ok = aa.norm(dim=-1) < math.pi - 1e-3
    assert torch.allclose(back[ok], aa[ok], atol=1e-5)


def test_identity_and_tiny_angles_exact():
    aa = torch.tensor([[0.0, 0.0, 0.0], [1e-8, -2e-8, 3e-8]])
    assert torch.allclose(R.axis_angle_to_matrix(aa)[0], torch.eye(3))
    assert torch.allclose(R.matrix_to_axis_angle(R.axis_angle_to_matrix(aa)), aa, atol=1e-7)


def test_180_degrees():
    for axis in torch.eye(3, dtype=torch.float64):
        aa = axis * math.pi
        back = R.matrix_to_axis_angle(R.axis_angle_to_matrix(aa))
        assert math.isclose(back.norm().item(), math.pi, abs_tol=1e-5)
        assert torch.allclose(back.abs(), aa.abs(), atol=1e-5)


def test_rot6d_is_first_two_rows_row_major():
    m = R.axis_angle_to_matrix(torch.tensor([0.3, -0.2, 0.9]))
    d6 = R.matrix_to_rot6d(m)
    assert torch.equal(d6, torch.cat([m[0], m[1]]))


def test_rot6d_round_trip_and_gram_schmidt():
    gen = torch.Generator().manual_seed(2)
    aa = torch.cat([_random_aa(500, gen), _special_aa()])
    m = R.axis_angle_to_matrix(aa)
    assert torch.allclose(R.rot6d_to_matrix(R.matrix_to_rot6d(m)), m, atol=1e-5)
    # a non-orthonormal 6D vector decodes to the Gram-Schmidt rotation
    d6 = torch.tensor([2.0, 0.0, 0.0, 1.0, 3.0, 0.0])
    assert torch.allclose(R.rot6d_to_matrix(d6), torch.eye(3), atol=1e-6)


def test_flip_sign_pattern_involution_and_axis_angle():
    gen = torch.Generator().manual_seed(3)
    aa = _random_aa(200, gen)
    d6 = R.axis_angle_to_rot6d(aa)
    flipped = R.flip_rot6d(d6)
    signs = torch.tensor([1, -1, -1, -1, 1, 1], dtype=d6.dtype)
    assert torch.allclose(flipped, d6 * signs, atol=1e-6)
    assert torch.allclose(R.flip_rot6d(flipped), d6, atol=1e-6)
    assert torch.allclose(R.axis_angle_to_matrix(R.flip_axis_angle(aa)), R.flip_matrix(R.axis_angle_to_matrix(aa)), atol=1e-6)


def test_gradients_finite_at_identity():
    aa = torch.zeros(4, 3, requires_grad=True)
    R.rot6d_to_axis_angle(R.axis_angle_to_rot6d(aa)).sum().backward()
    assert torch.isfinite(aa.grad).all()


def test_shape_errors_are_clear():
    with pytest.raises(ValueError, match=r"\(\.\.\., 3\)"):
        R.axis_angle_to_matrix(torch.zeros(4, 4))
    with pytest.raises(ValueError, match="6"):
        R.rot6d_to_matrix(torch.zeros(2, 5))
