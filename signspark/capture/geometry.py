"""Small batched rotation helpers for the analytic initialisation (torch, any leading batch shape)."""

from __future__ import annotations

import torch

__all__ = ["swing", "similarity_fit", "frame_from_two", "matrix_to_rotvec"]


def swing(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Axis-angle (..., 3) of the smallest rotation taking direction ``a`` (..., 3) to ``b`` (..., 3).

    Neither needs unit length; for opposite directions a perpendicular axis is used.
    """
    a = a / a.norm(dim=-1, keepdim=True).clamp_min(1e-9)
    b = b / b.norm(dim=-1, keepdim=True).clamp_min(1e-9)
    axis = torch.cross(a, b, dim=-1)
    s = axis.norm(dim=-1, keepdim=True)
    c = (a * b).sum(-1, keepdim=True)
    angle = torch.atan2(s, c)
    # opposite directions: any axis perpendicular to a
    alt = torch.cross(a, torch.tensor([0.0, 0.0, 1.0], dtype=a.dtype).expand_as(a), dim=-1)
    alt = torch.where(alt.norm(dim=-1, keepdim=True) < 1e-6,
                      torch.cross(a, torch.tensor([0.0, 1.0, 0.0], dtype=a.dtype).expand_as(a), dim=-1), alt)
    axis = torch.where(s < 1e-7, alt, axis)
    return axis / axis.norm(dim=-1, keepdim=True).clamp_min(1e-12) * angle


def similarity_fit(src: torch.Tensor, dst: torch.Tensor, weights: torch.Tensor | None = None
                   ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Weighted similarity (Umeyama) aligning ``src`` to ``dst``: ``dst ~ s * R @ src + t``.

    Args:
        src, dst: (B, N, 3) point sets.
        weights: (B, N) non-negative, or None for equal weights.

    Returns:
        R (B, 3, 3) proper rotations, s (B,), t (B, 3).
    """
    if weights is None:
        weights = torch.ones(src.shape[:2], dtype=src.dtype)
    w = weights / weights.sum(-1, keepdim=True).clamp_min(1e-9)
    mu_s = (w[..., None] * src).sum(1)
    mu_d = (w[..., None] * dst).sum(1)
    xs, xd = src - mu_s[:, None], dst - mu_d[:, None]
    cov = torch.einsum("bn,bni,bnj->bij", w, xd, xs)
    U, S, Vh = torch.linalg.svd(cov)
    d = torch.sign(torch.det(U @ Vh))
    D = torch.ones_like(S)
    D[:, 2] = torch.where(d == 0, torch.ones_like(d), d)
    R = U @ torch.diag_embed(D) @ Vh
    var = (w * (xs * xs).sum(-1)).sum(-1).clamp_min(1e-12)
    s = (S * D).sum(-1) / var
    t = mu_d - s[:, None] * (R @ mu_s[..., None])[..., 0]
    return R, s, t


def frame_from_two(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """(..., 3, 3) orthonormal frame with columns ``u``, ``n = u x v``, ``u x n`` (all normalised)."""
    u = u / u.norm(dim=-1, keepdim=True).clamp_min(1e-9)
    n = torch.cross(u, v, dim=-1)
    n = n / n.norm(dim=-1, keepdim=True).clamp_min(1e-9)
    return torch.stack([u, n, torch.cross(u, n, dim=-1)], dim=-1)


def matrix_to_rotvec(R: torch.Tensor) -> torch.Tensor:
    """Rotation matrices (..., 3, 3) -> axis-angle (..., 3) (through :mod:`signspark.pose.rotations`)."""
    from ..pose.rotations import matrix_to_axis_angle

    return matrix_to_axis_angle(R)
