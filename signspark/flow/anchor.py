"""The keyframe path: keyframes joined by straight lines, per channel, in time.

A model with ``anchor="keyframes"`` (see :class:`~signspark.flow.config.UNetConfig`) predicts
the clean pose as this path plus a correction, so that before any training it already
passes through every keyframe and moves at constant speed between them; training only has
to learn how signs depart from straight lines (arcs, holds, the approach to a contact).

For every sample ``b``, channel ``j`` and frame ``t``:

* between two observed frames ``p <= t <= n`` of that channel: linear interpolation
  ``x[p] + (x[n] - x[p]) (t - p) / (n - p)``;
* before the first or after the last observed frame: that keyframe's value (held);
* a channel with no observed frame: 0 (the normalised mean pose).

Example::

    >>> x = torch.tensor([[[9.0, 0.0, 9.0, 3.0, 9.0]]])
    >>> m = torch.tensor([[[False, True, False, True, False]]])
    >>> keyframe_path(x, m)
    tensor([[[0.0000, 0.0000, 1.5000, 3.0000, 3.0000]]])
"""

from __future__ import annotations

import torch

__all__ = ["keyframe_path"]


def keyframe_path(obs_x0: torch.Tensor, obs_mask: torch.Tensor) -> torch.Tensor:
    """Straight lines through the observed values (see the module docstring).

    Args:
        obs_x0: (B, J, T) values, read where ``obs_mask`` is True.
        obs_mask: (B, J, T) bool.

    Returns:
        (B, J, T) path, in the dtype of ``obs_x0``.
    """
    mask = obs_mask.to(torch.bool)
    B, J, T = mask.shape
    idx = torch.arange(T, device=mask.device).expand(B, J, T)
    # Index of the last observed frame at or before t (-1: none) and the first at or after t (T: none).
    prev = torch.where(mask, idx, torch.full_like(idx, -1)).cummax(dim=-1).values
    nxt = torch.where(mask, idx, torch.full_like(idx, T)).flip(-1).cummin(dim=-1).values.flip(-1)
    has_prev, has_next = prev >= 0, nxt < T
    prev_c, nxt_c = prev.clamp(0, T - 1), nxt.clamp(0, T - 1)
    x = torch.where(mask, obs_x0, torch.zeros_like(obs_x0))
    x_prev = x.gather(-1, prev_c)
    x_next = x.gather(-1, nxt_c)
    span = (nxt - prev).clamp_min(1).to(x.dtype)
    w = ((idx - prev).to(x.dtype) / span).clamp(0.0, 1.0)
    between = x_prev + (x_next - x_prev) * w
    path = torch.where(has_prev & has_next, between,
                       torch.where(has_prev, x_prev, torch.where(has_next, x_next, torch.zeros_like(x))))
    return path
