"""Batched, differentiable rotation conversions.

Conventions
-----------
* Axis-angle: ``(..., 3)`` vector whose direction is the axis and whose norm is
  the angle in radians (SMPL-X convention).
* Matrix: ``(..., 3, 3)`` rotation matrix acting on column vectors.
* 6D: ``(..., 6)``, the first two **rows** of the matrix flattened row-major
  (the official SignSparK / pytorch3d convention). Decoding re-orthonormalises
  with Gram-Schmidt, so any non-degenerate 6D vector maps to a rotation.
* Left-hand flip: conjugation ``R' = F R F`` with ``F = diag(1, -1, -1)``; in
  axis-angle terms ``(x, y, z) -> (x, -y, -z)``. It is an involution.

Example::

    aa = torch.randn(8, 15, 3)
    d6 = axis_angle_to_rot6d(aa)            # (8, 15, 6)
    back = rot6d_to_axis_angle(d6)          # equals aa up to 2*pi wrapping
"""

from __future__ import annotations

import torch

__all__ = [
    "axis_angle_to_matrix",
    "matrix_to_axis_angle",
    "matrix_to_rot6d",
    "rot6d_to_matrix",
    "axis_angle_to_rot6d",
    "rot6d_to_axis_angle",
    "flip_matrix",
    "flip_rot6d",
    "flip_axis_angle",
]

_FLIP_SIGNS = (1.0, -1.0, -1.0)


def _check_last(x: torch.Tensor, dims: tuple[int, ...], what: str) -> None:
    if tuple(x.shape[-len(dims):]) != dims:
        raise ValueError(f"{what}: expected shape (..., {', '.join(map(str, dims))}), got {tuple(x.shape)}")


def axis_angle_to_matrix(aa: torch.Tensor) -> torch.Tensor:
    """Rodrigues' formula. ``aa`` (..., 3) radians -> (..., 3, 3).

    Uses Taylor expansions of sin(t)/t and (1-cos t)/t^2 near zero so that the
    result and its gradient stay finite at the identity.
    """
    _check_last(aa, (3,), "axis_angle_to_matrix")
    theta2 = (aa * aa).sum(-1, keepdim=True)  # (..., 1)
    theta = torch.sqrt(theta2.clamp_min(1e-24))
    small = theta2 < 1e-8
    a = torch.where(small, 1.0 - theta2 / 6.0, torch.sin(theta) / theta)
    b = torch.where(small, 0.5 - theta2 / 24.0, (1.0 - torch.cos(theta)) / theta2.clamp_min(1e-24))
    x, y, z = aa.unbind(-1)
    zero = torch.zeros_like(x)
    k = torch.stack([zero, -z, y, z, zero, -x, -y, x, zero], dim=-1).reshape(*aa.shape[:-1], 3, 3)
    eye = torch.eye(3, dtype=aa.dtype, device=aa.device).expand_as(k)
    return eye + a[..., None] * k + b[..., None] * (k @ k)


def matrix_to_axis_angle(R: torch.Tensor) -> torch.Tensor:
    """Rotation matrix (..., 3, 3) -> axis-angle (..., 3), angle in [0, pi].

    Goes through a unit quaternion (largest-component branch), which is
    accurate at the identity, for tiny angles and at 180 degrees.
    """
    _check_last(R, (3, 3), "matrix_to_axis_angle")
    q = _matrix_to_quaternion(R)  # (..., 4) w, x, y, z with w >= 0
    w = q[..., :1]
    v = q[..., 1:]
    s = torch.linalg.vector_norm(v, dim=-1, keepdim=True)
    angle = 2.0 * torch.atan2(s, w)
    small = s < 1e-6
    # angle / s -> 2 / w as s -> 0 (w -> 1)
    scale = torch.where(small, 2.0 / w.clamp_min(1e-12) * (1.0 + s * s / (3.0 * w * w).clamp_min(1e-12)),
                        angle / s.clamp_min(1e-12))
    return v * scale


def _matrix_to_quaternion(R: torch.Tensor) -> torch.Tensor:
    m = R
    m00, m11, m22 = m[..., 0, 0], m[..., 1, 1], m[..., 2, 2]
    # 4 * q_i^2 for each component, clamped so sqrt stays real.
    q_abs = torch.sqrt(torch.stack([
        1.0 + m00 + m11 + m22,
        1.0 + m00 - m11 - m22,
        1.0 - m00 + m11 - m22,
        1.0 - m00 - m11 + m22,
    ], dim=-1).clamp_min(1e-12))
    m21_12 = m[..., 2, 1] - m[..., 1, 2]
    m02_20 = m[..., 0, 2] - m[..., 2, 0]
    m10_01 = m[..., 1, 0] - m[..., 0, 1]
    m10p01 = m[..., 1, 0] + m[..., 0, 1]
    m02p20 = m[..., 0, 2] + m[..., 2, 0]
    m21p12 = m[..., 2, 1] + m[..., 1, 2]
    cands = torch.stack([
        torch.stack([q_abs[..., 0] ** 2, m21_12, m02_20, m10_01], dim=-1),
        torch.stack([m21_12, q_abs[..., 1] ** 2, m10p01, m02p20], dim=-1),
        torch.stack([m02_20, m10p01, q_abs[..., 2] ** 2, m21p12], dim=-1),
        torch.stack([m10_01, m02p20, m21p12, q_abs[..., 3] ** 2], dim=-1),
    ], dim=-2)  # (..., 4 candidates, 4)
    cands = cands / (2.0 * q_abs[..., :, None])
    best = q_abs.argmax(dim=-1)
    q = torch.gather(cands, -2, best[..., None, None].expand(*best.shape, 1, 4)).squeeze(-2)
    q = q / torch.linalg.vector_norm(q, dim=-1, keepdim=True)
    return torch.where(q[..., :1] < 0, -q, q)


def matrix_to_rot6d(R: torch.Tensor) -> torch.Tensor:
    """(..., 3, 3) -> (..., 6): rows 0 and 1, row-major."""
    _check_last(R, (3, 3), "matrix_to_rot6d")
    return R[..., :2, :].reshape(*R.shape[:-2], 6)


def rot6d_to_matrix(d6: torch.Tensor) -> torch.Tensor:
    """(..., 6) -> (..., 3, 3) by Gram-Schmidt; the result has rows (b1, b2, b1 x b2)."""
    _check_last(d6, (6,), "rot6d_to_matrix")
    a1, a2 = d6[..., :3], d6[..., 3:]
    b1 = torch.nn.functional.normalize(a1, dim=-1)
    b2 = torch.nn.functional.normalize(a2 - (b1 * a2).sum(-1, keepdim=True) * b1, dim=-1)
    b3 = torch.linalg.cross(b1, b2, dim=-1)
    return torch.stack([b1, b2, b3], dim=-2)


def axis_angle_to_rot6d(aa: torch.Tensor) -> torch.Tensor:
    """(..., 3) -> (..., 6)."""
    return matrix_to_rot6d(axis_angle_to_matrix(aa))


def rot6d_to_axis_angle(d6: torch.Tensor) -> torch.Tensor:
    """(..., 6) -> (..., 3)."""
    return matrix_to_axis_angle(rot6d_to_matrix(d6))


def _signs(x: torch.Tensor) -> torch.Tensor:
    return torch.tensor(_FLIP_SIGNS, dtype=x.dtype, device=x.device)


def flip_matrix(R: torch.Tensor) -> torch.Tensor:
    """Left-hand flip of (..., 3, 3) matrices: F R F with F = diag(1, -1, -1)."""
    _check_last(R, (3, 3), "flip_matrix")
    s = _signs(R)
    return R * s[:, None] * s[None, :]


def flip_rot6d(d6: torch.Tensor) -> torch.Tensor:
    """Left-hand flip in 6D, exactly as the official loader: decode (Gram-Schmidt), conjugate, re-encode.

    On an orthonormal 6D vector this is the sign pattern (+, -, -, -, +, +).
    """
    return matrix_to_rot6d(flip_matrix(rot6d_to_matrix(d6)))


def flip_axis_angle(aa: torch.Tensor) -> torch.Tensor:
    """Left-hand flip in axis-angle: (x, y, z) -> (x, -y, -z)."""
    _check_last(aa, (3,), "flip_axis_angle")
    return aa * _signs(aa)
