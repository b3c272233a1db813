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

With ``ends`` (a model with ``anchor="keyframes+rest"``), the first and the last real frame of
every sample count as observed with the value ``ends`` (the rest pose, learned from the clips'
first and last frames) wherever they are not keyframes themselves: the path then rises from rest
to the first keyframe and returns to rest after the last, as signing does.

Example::

    >>> x = torch.tensor([[[9.0, 0.0, 9.0, 3.0, 9.0]]])
    >>> m = torch.tensor([[[False, True, False, True, False]]])
    >>> keyframe_path(x, m)
    tensor([[[0.0000, 0.0000, 1.5000, 3.0000, 3.0000]]])
"""

from __future__ import annotations

import torch

__all__ = ["keyframe_path", "smooth_between_keyframes"]


def keyframe_path(obs_x0: torch.Tensor, obs_mask: torch.Tensor, ends: torch.Tensor | None = None,
                  length_mask: torch.Tensor | None = None) -> torch.Tensor:
    """Straight lines through the observed values (see the module docstring).

    Args:
        obs_x0: (B, J, T) values, read where ``obs_mask`` is True.
        obs_mask: (B, J, T) bool.
        ends: (J,) value at each sample's first and last real frame where those are not observed;
            None: no such frames.
        length_mask: (B, 1, T) bool, True on real frames (None: all real); with ``ends`` only.

    Returns:
        (B, J, T) path, in the dtype of ``obs_x0``.
    """
    mask = obs_mask.to(torch.bool)
    B, J, T = mask.shape
    if ends is not None:
        last = (length_mask.reshape(B, T).sum(-1).clamp_min(1) - 1 if length_mask is not None
                else torch.full((B,), T - 1, device=mask.device))
        edge = torch.zeros(B, 1, T, dtype=torch.bool, device=mask.device)
        edge[:, 0, 0] = True
        edge[torch.arange(B, device=mask.device), 0, last] = True
        add = edge & ~mask
        obs_x0 = torch.where(add, ends.to(obs_x0.dtype).view(1, J, 1), obs_x0)
        mask = mask | add
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


def smooth_between_keyframes(x: torch.Tensor, obs_mask: torch.Tensor | None, sigma: float) -> torch.Tensor:
    """Gaussian smoothing in time that leaves the keyframes exactly where they are.

    ``x`` is smoothed with a Gaussian of ``sigma`` frames (edges replicated), then corrected by
    the straight-line path of the differences at the keyframes, so the result equals ``x`` on
    every observed value and is smooth in between (the correction is piecewise linear).

    Args:
        x: (B, J, T) motion.
        obs_mask: (B, J, T) bool keyframe mask, or None (no keyframe to keep).
        sigma: standard deviation of the kernel, frames; 0 returns ``x`` unchanged.

    Returns:
        (B, J, T), the dtype of ``x``.
    """
    if sigma <= 0:
        return x
    radius = max(1, int(round(3 * sigma)))
    offsets = torch.arange(-radius, radius + 1, dtype=torch.float32, device=x.device)
    kernel = torch.exp(-0.5 * (offsets / sigma) ** 2)
    kernel = (kernel / kernel.sum()).to(x.dtype)
    B, J, T = x.shape
    padded = torch.nn.functional.pad(x.reshape(B * J, 1, T), (radius, radius), mode="replicate")
    smooth = torch.nn.functional.conv1d(padded, kernel.view(1, 1, -1)).view(B, J, T)
    if obs_mask is None or not bool(obs_mask.any()):
        return smooth
    out = smooth + keyframe_path(x - smooth, obs_mask)
    return torch.where(obs_mask.to(torch.bool), x, out)  # exact, not within float rounding
