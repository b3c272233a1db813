"""Building blocks of the temporal UNet.

All temporal tensors are channel-first ``(B, C, T)``; the transformer
bottleneck works frame-first ``(B, T, C)``. ``c`` is the conditioning vector
``(B, cond_dim)`` (timestep + text) that drives every AdaLN-zero modulation.

Attribute names follow the released SignSparK checkpoints so that their state
dicts load without renaming.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "rms_norm", "RMSNorm", "RMSNorm1d", "Conv1dBlock", "AdaLNZero", "ResidualTemporalBlock",
    "Downsample", "Upsample", "ProjIn", "TransformerBottleneckBlock", "TimestepEmbedding",
    "timestep_sinusoid", "rope_cos_sin", "apply_rope",
]


def rms_norm(x: torch.Tensor, scale: torch.Tensor, dim: int = -1, eps: float = 1e-6) -> torch.Tensor:
    """``x / (||x||_2 / sqrt(d) + eps) * scale`` over dimension ``dim`` (``scale`` broadcast along it)."""
    # vector_norm has a zero (sub)gradient at 0, unlike sqrt(mean(x^2)): zero-initialised
    # convolutions feed exact zeros here at the start of training.
    xf = x.float()
    rms = torch.linalg.vector_norm(xf, dim=dim, keepdim=True) * xf.shape[dim] ** -0.5
    return (xf / (rms + eps)).to(x.dtype) * scale


class RMSNorm(nn.Module):
    """RMS normalisation over the last dimension: ``x / (rms(x) + eps) * scale``.

    The epsilon is added *outside* the square root, as in the released model
    (``rms(x) = ||x||_2 / sqrt(d)``).
    """

    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.scale = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return rms_norm(x, self.scale, -1, self.eps)


class RMSNorm1d(nn.Module):
    """:class:`RMSNorm` over the channels of a ``(B, C, T)`` tensor, at each frame."""

    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.norm = RMSNorm(dim, eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return rms_norm(x, self.norm.scale[:, None], 1, self.norm.eps)


class Conv1dBlock(nn.Module):
    """Conv1d (same padding) -> RMSNorm over channels -> Mish. ``(B, Cin, T) -> (B, Cout, T)``."""

    def __init__(self, in_dim: int, out_dim: int, kernel_size: int = 5):
        super().__init__()
        self.conv = nn.Conv1d(in_dim, out_dim, kernel_size, padding=kernel_size // 2)
        self.norm = RMSNorm1d(out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.mish(self.norm(self.conv(x)))


class AdaLNZero(nn.Module):
    """Gated adaptive RMS-norm: ``(norm(x) * (1 + scale) + shift) * tanh(gate)``.

    ``shift, scale, gate`` are the three chunks (in that order) of a
    zero-initialised ``Linear(cond_dim -> 3 dim)`` of ``c``, so the block
    outputs zeros at initialisation. ``x`` is ``(B, T, dim)``; ``c`` is ``(B, cond_dim)``.
    """

    def __init__(self, dim: int, cond_dim: int):
        super().__init__()
        self.norm = RMSNorm(dim)
        self.proj = nn.Linear(cond_dim, 3 * dim)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        shift, scale, gate = self.proj(c).unsqueeze(1).chunk(3, dim=-1)
        return (self.norm(x) * (1 + scale) + shift) * torch.tanh(gate)

    def forward_channels_first(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """The same on a ``(B, dim, T)`` tensor (normalised over channels), without transposes."""
        shift, scale, gate = self.proj(c).unsqueeze(-1).chunk(3, dim=1)
        h = rms_norm(x, self.norm.scale[:, None], 1, self.norm.eps)
        return (h * (1 + scale) + shift) * torch.tanh(gate)


class ResidualTemporalBlock(nn.Module):
    """Two conv blocks, each followed by an additive AdaLN-zero modulation, plus a residual.

    ``h = conv1(x); h += ada1(h); h = conv2(h); h += ada2(h); return h + residual(x)``,
    with ``residual`` a 1x1 conv when the width changes. ``conv2`` starts at zero.
    """

    def __init__(self, in_dim: int, out_dim: int, cond_dim: int, kernel_size: int = 5):
        super().__init__()
        self.conv1 = Conv1dBlock(in_dim, out_dim, kernel_size)
        self.conv2 = Conv1dBlock(out_dim, out_dim, kernel_size)
        self.ada1 = AdaLNZero(out_dim, cond_dim)
        self.ada2 = AdaLNZero(out_dim, cond_dim)
        self.residual_proj = nn.Conv1d(in_dim, out_dim, 1) if in_dim != out_dim else nn.Identity()
        nn.init.zeros_(self.conv2.conv.weight)
        nn.init.zeros_(self.conv2.conv.bias)

    def _modulate(self, ada: AdaLNZero, h: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        return h + ada.forward_channels_first(h, c)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        h = self._modulate(self.ada1, self.conv1(x), c)
        h = self._modulate(self.ada2, self.conv2(h), c)
        return h + self.residual_proj(x)


class Downsample(nn.Module):
    """Halve T: Conv1d(k3, stride 2, pad 1)."""

    def __init__(self, dim: int):
        super().__init__()
        self.conv = nn.Conv1d(dim, dim, 3, stride=2, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


class Upsample(nn.Module):
    """Double T: ConvTranspose1d(k4, stride 2, pad 1)."""

    def __init__(self, dim: int):
        super().__init__()
        self.conv = nn.ConvTranspose1d(dim, dim, 4, stride=2, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


class ProjIn(nn.Module):
    """Bottleneck input: 1x1 conv to the transformer width, then RMSNorm over channels."""

    def __init__(self, in_dim: int, out_dim: int):
        super().__init__()
        self.proj = nn.Conv1d(in_dim, out_dim, 1)
        self.norm = RMSNorm1d(out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.proj(x))


# ---------------------------------------------------------------------- RoPE
def rope_cos_sin(num_frames: int, head_dim: int, theta: float = 10000.0,
                 device=None, dtype=torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """Rotary angles for positions ``0..T-1``: cos and sin, each ``(T, head_dim // 2)``."""
    inv = theta ** (-torch.arange(0, head_dim, 2, device=device, dtype=torch.float32) / head_dim)
    ang = torch.arange(num_frames, device=device, dtype=torch.float32)[:, None] * inv[None]
    return ang.cos().to(dtype), ang.sin().to(dtype)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate interleaved pairs ``(2i, 2i+1)`` of ``x`` ``(B, H, T, D)`` by the per-position angles."""
    x1, x2 = x[..., 0::2], x[..., 1::2]
    r1 = x1 * cos - x2 * sin
    r2 = x1 * sin + x2 * cos
    return torch.stack((r1, r2), dim=-1).flatten(-2)


class TransformerBottleneckBlock(nn.Module):
    """Self-attention (RoPE), cross-attention to the conditioning token, SwiGLU; each sub-block
    is a residual and is followed by ``x <- x + AdaLNZero(x, c)``.

    ``x`` is ``(B, T, dim)``, ``c`` is ``(B, cond_dim)``. There is no padding mask, as in the
    released model. The context is a single token, so the cross-attention output is its value
    projection broadcast over time; ``q_ca`` is still evaluated (it must exist for loading and
    so that every parameter takes part in the graph for distributed training).
    """

    def __init__(self, dim: int, cond_dim: int, heads: int, ff_dim: int, rope_theta: float = 10000.0):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.rope_theta = rope_theta
        self.norm_sa = RMSNorm(dim)
        self.to_qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out_sa = nn.Linear(dim, dim, bias=False)
        self.norm_ca = RMSNorm(dim)
        self.norm_ctx = RMSNorm(cond_dim)
        self.q_ca = nn.Linear(dim, dim, bias=False)
        self.kv_ca = nn.Linear(cond_dim, 2 * dim, bias=False)
        self.out_ca = nn.Linear(dim, dim, bias=False)
        self.norm_ff = RMSNorm(dim)
        self.ff_gate = nn.Linear(dim, ff_dim, bias=False)
        self.ff_up = nn.Linear(dim, ff_dim, bias=False)
        self.ff_down = nn.Linear(ff_dim, dim, bias=False)
        self.ada_sa = AdaLNZero(dim, cond_dim)
        self.ada_ca = AdaLNZero(dim, cond_dim)
        self.ada_ff = AdaLNZero(dim, cond_dim)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        B, T, _ = x.shape
        return x.view(B, T, self.heads, self.head_dim).transpose(1, 2)

    def _merge(self, x: torch.Tensor) -> torch.Tensor:
        B, H, T, D = x.shape
        return x.transpose(1, 2).reshape(B, T, H * D)

    def forward(self, x: torch.Tensor, c: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        cos, sin = rope
        q, k, v = self.to_qkv(self.norm_sa(x)).chunk(3, dim=-1)
        q, k, v = self._heads(q), self._heads(k), self._heads(v)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        x = x + self.out_sa(self._merge(F.scaled_dot_product_attention(q, k, v)))
        x = x + self.ada_sa(x, c)

        ctx = self.norm_ctx(c).unsqueeze(1)  # (B, 1, cond_dim)
        k_ca, v_ca = self.kv_ca(ctx).chunk(2, dim=-1)
        q_ca = self._heads(self.q_ca(self.norm_ca(x)))
        att = F.scaled_dot_product_attention(q_ca, self._heads(k_ca), self._heads(v_ca))
        x = x + self.out_ca(self._merge(att))
        x = x + self.ada_ca(x, c)

        n = self.norm_ff(x)
        x = x + self.ff_down(F.silu(self.ff_gate(n)) * self.ff_up(n))
        x = x + self.ada_ff(x, c)
        return x


# ---------------------------------------------------------------------- timestep
def timestep_sinusoid(t: torch.Tensor, num_freqs: int, max_period: float = 10000.0) -> torch.Tensor:
    """``t`` (B,) in [0, 1], unscaled -> ``(B, 2 num_freqs)`` as ``[cos | sin]``.

    Frequencies are ``exp(-ln(max_period) i / num_freqs)``, ``i = 0..num_freqs-1``.
    """
    i = torch.arange(num_freqs, device=t.device, dtype=torch.float32)
    freqs = torch.exp(-math.log(max_period) * i / num_freqs)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([args.cos(), args.sin()], dim=-1)


class TimestepEmbedding(nn.Module):
    """``t`` (B,) -> sinusoid -> Linear, SiLU, Linear -> ``(B, cond_dim)``."""

    def __init__(self, num_freqs: int, hidden: int, out_dim: int):
        super().__init__()
        self.num_freqs = num_freqs
        self.time_embed = nn.Sequential(nn.Linear(2 * num_freqs, hidden), nn.SiLU(), nn.Linear(hidden, out_dim))

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        emb = timestep_sinusoid(t, self.num_freqs)
        return self.time_embed(emb.to(self.time_embed[0].weight.dtype))
