"""Conditional flow-matching objective with keyframe replacement.

With data ``x1`` (B, J, T), noise ``x0 ~ N(0, I)``, keyframe mask ``M`` and
``t ~ U[t_min, 1)`` per sample (t = 0 noise, t = 1 data)::

    x0~ = M ? x1 : x0                       keyframed noise
    x_t = M ? x1 : t x1 + (1 - t) x0        interpolant, keyframes exact
    v*  = x1 - x0~                          target velocity (zero at keyframes)
    v^  = model(x_t, t, text, obs_x0=x1, obs_mask=M, length_mask=m)
    x1^ = x_t + (1 - t) v^                  one-step reconstruction

Losses are mean squared errors over the real (non-padding) frames and all
channels of each sample; keyframe frames are included:

* ``flow``  = |v* - v^|^2
* ``recon`` = |x1 - x1^|^2
* ``vel``   = first differences in time of x1 vs x1^, mask shifted to the later frame
* ``acc``   = second differences, mask ``m[..., 2:]``

``total = 0.5 flow + 1.0 recon + 0.5 vel + 0.1 acc`` (the released training
weights), averaged over the batch. For classifier-free guidance, the text vector
of a sample is zeroed with probability ``text_drop_prob`` and its whole
keyframe mask with probability ``keyframe_drop_prob`` (0.1 each).

Example::

    objective = FlowObjective()
    losses = objective(model, x1, text_emb, obs_mask, length_mask, generator=g)
    losses["loss"].backward()
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

__all__ = ["LossWeights", "FlowObjective", "masked_mse"]


@dataclasses.dataclass
class LossWeights:
    flow: float = 0.5
    recon: float = 1.0
    vel: float = 0.5
    acc: float = 0.1


def masked_mse(a: torch.Tensor, b: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Per-sample mean of ``(a - b)^2`` over frames where ``mask`` (B, 1, T) holds and all channels.

    Returns (B,). A sample with no valid frame gives 0.
    """
    m = mask.to(a.dtype)
    J = a.shape[1]
    num = ((a - b) ** 2 * m).sum(dim=(1, 2))
    den = (m.sum(dim=(1, 2)) * J).clamp_min(1.0)
    return num / den


def _rand(shape, generator: torch.Generator | None, device, normal: bool) -> torch.Tensor:
    gdev = generator.device if generator is not None else device
    fn = torch.randn if normal else torch.rand
    return fn(*shape, generator=generator, device=gdev).to(device)


class FlowObjective(nn.Module):
    """The training loss of the velocity model (see the module docstring)."""

    def __init__(self, weights: LossWeights | None = None, text_drop_prob: float = 0.1,
                 keyframe_drop_prob: float = 0.1, t_min: float = 1e-3):
        super().__init__()
        self.weights = weights or LossWeights()
        self.text_drop_prob = text_drop_prob
        self.keyframe_drop_prob = keyframe_drop_prob
        self.t_min = t_min

    def forward(
        self,
        model: nn.Module,
        x1: torch.Tensor,
        text_emb: torch.Tensor,
        obs_mask: torch.Tensor,
        length_mask: torch.Tensor,
        generator: torch.Generator | None = None,
    ) -> dict[str, torch.Tensor]:
        """Compute the losses.

        Args:
            model: velocity model with the :class:`~signspark.flow.unet.VelocityUNet` signature.
            x1: (B, J, T) data.
            text_emb: (B, D) text vectors.
            obs_mask: (B, J, T) bool keyframe mask.
            length_mask: (B, 1, T) bool, True on real frames.
            generator: source of the noise, times and dropout draws.

        Returns:
            dict with scalar ``loss`` (weighted total) and the batch means of ``flow``,
            ``recon``, ``vel`` and ``acc``.
        """
        B, J, T = x1.shape
        dev = x1.device
        x1 = x1.float()
        obs_mask = obs_mask.to(torch.bool)
        length_mask = length_mask.to(torch.bool)

        drop_text = _rand((B,), generator, dev, normal=False) < self.text_drop_prob
        drop_kf = _rand((B,), generator, dev, normal=False) < self.keyframe_drop_prob
        text_emb = text_emb * (~drop_text).to(text_emb.dtype)[:, None]
        obs_mask = obs_mask & ~drop_kf[:, None, None]

        t = self.t_min + (1.0 - self.t_min) * _rand((B,), generator, dev, normal=False)
        x0 = _rand((B, J, T), generator, dev, normal=True)
        x0 = torch.where(obs_mask, x1, x0)
        tb = t[:, None, None]
        xt = torch.where(obs_mask, x1, tb * x1 + (1 - tb) * x0)
        target = x1 - x0

        v = model(xt, t, text_emb, obs_x0=x1, obs_mask=obs_mask, length_mask=length_mask).float()
        x1_hat = xt + (1 - tb) * v

        flow = masked_mse(v, target, length_mask)
        recon = masked_mse(x1_hat, x1, length_mask)
        vel = masked_mse(x1_hat.diff(dim=-1), x1.diff(dim=-1), length_mask[..., 1:])
        acc = masked_mse(x1_hat.diff(n=2, dim=-1), x1.diff(n=2, dim=-1), length_mask[..., 2:])
        w = self.weights
        total = w.flow * flow + w.recon * recon + w.vel * vel + w.acc * acc
        return {"loss": total.mean(), "flow": flow.mean(), "recon": recon.mean(),
                "vel": vel.mean(), "acc": acc.mean()}
