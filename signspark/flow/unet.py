"""The velocity model: a temporal UNet with a transformer bottleneck.

:class:`VelocityUNet` predicts the flow-matching velocity ``v(x_t, t | text, keyframes, length)``
for a pose stream of ``J`` channels. Its parameters are named as in the released
SignSparK checkpoints (``embed_timestep.*``, ``unet.*``, ``embed_text.*``), so an
``official`` configuration loads them directly.

Forward, step by step (B batch, J channels, T frames, T a multiple of ``config.frame_multiple``):

1. keyframes substituted: ``x <- obs_x0 * M + x * (1 - M)``;
2. input ``[x | M | length mask]`` -> 3J channels;
3. conditioning ``emb = TimestepMLP(sinusoid(t)) + Linear(text)`` (t in [0, 1], not scaled);
4. :class:`TemporalUNet`: conditioning MLP, encoder (residual blocks + downsampling; skips
   saved before downsampling), RoPE transformer bottleneck, decoder (concatenating
   ``[x | skip]`` for every level but the first, whose skip is unused; upsampling on all
   levels), final conv block and 1x1 conv to J channels;
5. with ``prediction="data"`` that output is the clean pose (plus, with ``anchor="keyframes"``,
   the keyframes joined by straight lines; with ``"keyframes+rest"``, from and back to the rest pose),
   turned into the velocity ``(x1 - x) / (1 - t)``.

Example::

    >>> cfg = UNetConfig.preset("tiny", stream="hand")
    >>> model = VelocityUNet(cfg)
    >>> v = model(torch.randn(2, 90, 32), torch.rand(2), torch.randn(2, 640))
    >>> v.shape
    torch.Size([2, 90, 32])
"""

from __future__ import annotations

import torch
from torch import nn

from .blocks import (
    Conv1dBlock, Downsample, ProjIn, ResidualTemporalBlock, TimestepEmbedding,
    TransformerBottleneckBlock, Upsample, rope_cos_sin,
)
from ..hub import ModelFolderMixin
from .anchor import keyframe_path
from .config import UNetConfig

__all__ = ["TemporalUNet", "VelocityUNet", "count_parameters"]


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


class TemporalUNet(nn.Module):
    """The backbone: ``(B, 3J, T)`` and conditioning ``(B, cond_dim)`` -> ``(B, J, T)``."""

    def __init__(self, config: UNetConfig):
        super().__init__()
        cfg = config
        dims = cfg.level_dims
        L = len(dims)
        n, k = cfg.blocks_per_level, cfg.kernel_size
        cd = cfg.cond_dim
        self.time_mlp = nn.Sequential(
            nn.Linear(cd, cfg.cond_hidden), nn.SiLU(),
            nn.Linear(cfg.cond_hidden, cfg.cond_hidden), nn.SiLU(),
            nn.Linear(cfg.cond_hidden, cd),
        )

        def level(in_dim: int, out_dim: int, resample: nn.Module) -> nn.ModuleList:
            blocks = [ResidualTemporalBlock(in_dim if i == 0 else out_dim, out_dim, cd, k) for i in range(n)]
            # Index n is the (disabled) attention slot of the released model, index n+1 the resampler.
            return nn.ModuleList(blocks + [nn.Identity(), resample])

        self.downs = nn.ModuleList()
        for i, d in enumerate(dims):
            in_dim = 3 * cfg.in_channels if i == 0 else dims[i - 1]
            self.downs.append(level(in_dim, d, Downsample(d) if i < L - 1 else nn.Identity()))

        self.proj_in = ProjIn(dims[-1], cfg.mid_dim)
        self.proj_out = nn.Conv1d(cfg.mid_dim, dims[-1], 1)
        self.mid_blocks = nn.ModuleList(
            TransformerBottleneckBlock(cfg.mid_dim, cd, cfg.heads, cfg.ff_dim, cfg.rope_theta)
            for _ in range(cfg.mid_depth))

        self.ups = nn.ModuleList()
        for j in range(L - 1):
            skip = dims[L - 1 - j]
            out = dims[L - 2 - j]
            self.ups.append(level(2 * skip, out, Upsample(out)))

        self.final_conv = nn.Sequential(Conv1dBlock(dims[0], dims[0], k), nn.Conv1d(dims[0], cfg.in_channels, 1))
        nn.init.zeros_(self.final_conv[1].weight)
        nn.init.zeros_(self.final_conv[1].bias)
        self.head_dim = cfg.mid_dim // cfg.heads
        self.rope_theta = cfg.rope_theta
        self.blocks_per_level = n

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        c = self.time_mlp(cond)
        n = self.blocks_per_level
        skips = []
        for lvl in self.downs:
            for block in lvl[:n]:
                x = block(x, c)
            skips.append(x)
            x = lvl[n + 1](x)

        h = self.proj_in(x).transpose(1, 2)  # (B, T', mid)
        rope = rope_cos_sin(h.shape[1], self.head_dim, self.rope_theta, device=h.device, dtype=h.dtype)
        for blk in self.mid_blocks:
            h = blk(h, c, rope)
        x = self.proj_out(h.transpose(1, 2))

        for lvl in self.ups:
            x = torch.cat([x, skips.pop()], dim=1)
            for block in lvl[:n]:
                x = block(x, c)
            x = lvl[n + 1](x)
        # skips[0] (full resolution, first level) is intentionally unused, as in the released model.
        return self.final_conv(x)


class VelocityUNet(nn.Module, ModelFolderMixin):
    """Velocity field ``v(x_t, t | text, keyframes, length)`` over a ``(B, J, T)`` pose stream.

    Owns ``embed_timestep``, ``unet`` and ``embed_text`` (registered in that order,
    as in the released checkpoints; the text encoder is kept outside).
    """

    config_class = UNetConfig

    def __init__(self, config: UNetConfig):
        super().__init__()
        self.config = config
        self.embed_timestep = TimestepEmbedding(config.time_freqs, config.time_hidden, config.cond_dim)
        self.unet = TemporalUNet(config)
        self.embed_text = nn.Linear(config.text_dim, config.cond_dim)
        if config.anchor == "keyframes+rest":
            # The rest pose the path starts and ends at (normalised features); set from data before training.
            self.register_buffer("rest_anchor", torch.zeros(config.in_channels))

    @property
    def in_channels(self) -> int:
        return self.config.in_channels

    def forward(
        self,
        x: torch.Tensor,
        t: torch.Tensor | float,
        text_emb: torch.Tensor | None = None,
        obs_x0: torch.Tensor | None = None,
        obs_mask: torch.Tensor | None = None,
        length_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Predict the velocity.

        Args:
            x: (B, J, T) state at time ``t``.
            t: (B,) or scalar, in [0, 1] (0 noise, 1 data).
            text_emb: (B, text_dim) text vector; ``None`` or zeros means unconditional.
            obs_x0: (B, J, T) keyframe values (read where ``obs_mask`` is True).
            obs_mask: (B, J, T) bool, True at observed keyframe channels.
            length_mask: (B, 1, T) bool, True on real (non-padding) frames; ``None`` = all real.

        Returns:
            (B, J, T) velocity, in the dtype of the model.
        """
        B, J, T = x.shape
        if J != self.config.in_channels:
            raise ValueError(f"expected {self.config.in_channels} channels, got x of shape {tuple(x.shape)}")
        if T % self.config.frame_multiple:
            raise ValueError(f"T={T} frames is not a multiple of {self.config.frame_multiple}; pad the sequence")
        dtype = self.embed_text.weight.dtype
        x = x.to(dtype)
        if obs_mask is None:
            obs_mask = torch.zeros(B, J, T, dtype=torch.bool, device=x.device)
        else:
            obs_mask = obs_mask.to(torch.bool)
            x = torch.where(obs_mask, obs_x0.to(dtype), x)
        if length_mask is None:
            length_mask = torch.ones(B, 1, T, dtype=torch.bool, device=x.device)
        h = torch.cat([x, obs_mask.to(dtype), length_mask.to(dtype).expand(B, J, T)], dim=1)

        t = torch.as_tensor(t, device=x.device, dtype=torch.float32)
        if t.ndim == 0:
            t = t.expand(B)
        if text_emb is None:
            text_emb = torch.zeros(B, self.config.text_dim, device=x.device, dtype=dtype)
        emb = self.embed_timestep(t) + self.embed_text(text_emb.to(dtype))
        out = self.unet(h, emb)
        if self.config.prediction == "data":
            if self.config.anchor == "keyframes":
                out = out + keyframe_path(x, obs_mask)
            elif self.config.anchor == "keyframes+rest":
                out = out + keyframe_path(x, obs_mask, ends=self.rest_anchor, length_mask=length_mask)
            one_minus_t = (1.0 - t).clamp_min(self.config.min_one_minus_t).to(dtype).view(B, 1, 1)
            out = (out - x) / one_minus_t
        return out
