"""The FAST sign segmenter: per-frame BIO tags from the two hands' MANO features.

Architecture (per frame ``t``, hidden width ``H``)::

    left (T,96) ─► HandStream ─┐                        ┌─► Transformer encoder ─► head ─► (T,3) logits
                               ├─ concat ─► Mixer (H) ──┤   (L layers, local
    right (T,96) ─► HandStream ─┘                        └─   attention with relative-position bias)

* **HandStream**: Conv1d(96 -> H/2, kernel ``k``, zero "same" padding) over time,
  LayerNorm, GELU, then a residual 3-layer MLP. The two hands have separate weights.
* **Mixer**: a 2-layer MLP over the concatenated streams with a residual, mixing the hands.
* **Encoder**: pre-norm Transformer layers (LayerNorm eps 1e-6). Each query attends
  to the frames within ``attention_radius`` of it; the positional encoding is a
  learned per-head bias indexed by the relative offset ``j - i``.
* **Head**: LayerNorm + Linear(H -> 3): logits for 0 = out, 1 = in, 2 = begin.

Input per hand is the official 96-d layout: 15 finger joints x 6D, then the
hand's global orientation in 6D. A missing hand is all zeros.

Why local attention with relative positions (the official model uses full
attention with an absolute sinusoidal encoding): the output at frame ``t``
then depends only on frames ``t - R .. t + R`` with
``R = kernel_size // 2 + layers * attention_radius`` (:attr:`FastConfig.receptive_radius`),
and not on where ``t`` sits inside a window. Windowed inference with ``R``
frames of context on each side (see :mod:`signspark.segment.inference`) is
therefore *exactly* the whole-sequence result, wherever the windows fall.

Example::

    >>> cfg = FastConfig(hidden=64, layers=2)
    >>> model = FastSegmenter(cfg)
    >>> logits = model(torch.zeros(2, 50, 192))   # (B, T, 2*96) -> (B, T, 3)
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from ..hub import ModelFolderMixin

__all__ = ["FastConfig", "FastSegmenter", "HAND_FEATURES", "NUM_TAGS", "MODEL_TYPE"]

HAND_FEATURES = 96  # 15 finger joints x 6D + 6D global orientation
NUM_TAGS = 3  # 0 out, 1 in, 2 begin
MODEL_TYPE = "signspark-fast"


@dataclasses.dataclass
class FastConfig:
    """Hyper-parameters of :class:`FastSegmenter` (saved as ``config.json``).

    Attributes:
        hidden: model width ``H`` (each hand stream is ``H/2`` wide).
        layers: Transformer encoder layers.
        heads: attention heads (must divide ``hidden``).
        ff_dim: width of the encoder's feed-forward layer.
        kernel_size: odd temporal kernel of the hand streams' convolution (frames).
        attention_radius: each frame attends to frames within this many frames of it.
        dropout: dropout in training.
        window: frames kept from each window in windowed inference (the context on
            each side is :attr:`receptive_radius`, added automatically).
        fps: frame rate the model was trained at (frames per second).
        feature_dim: per-hand feature width (96 in the official layout).
    """

    hidden: int = 128
    layers: int = 3
    heads: int = 4
    ff_dim: int = 256
    kernel_size: int = 5
    attention_radius: int = 12
    dropout: float = 0.1
    window: int = 1024
    fps: float = 25.0
    feature_dim: int = HAND_FEATURES

    def __post_init__(self) -> None:
        problems = []
        if self.hidden < 2 or self.hidden % 2:
            problems.append(f"hidden must be even and >= 2 (got {self.hidden})")
        if self.heads < 1 or self.hidden % self.heads:
            problems.append(f"heads ({self.heads}) must divide hidden ({self.hidden})")
        if self.layers < 1:
            problems.append(f"layers must be >= 1 (got {self.layers})")
        if self.kernel_size < 1 or self.kernel_size % 2 == 0:
            problems.append(f"kernel_size must be odd and >= 1 (got {self.kernel_size})")
        if self.attention_radius < 0:
            problems.append(f"attention_radius must be >= 0 (got {self.attention_radius})")
        if self.window < 1:
            problems.append(f"window must be >= 1 (got {self.window})")
        if not 0.0 <= self.dropout < 1.0:
            problems.append(f"dropout must be in [0, 1) (got {self.dropout})")
        if problems:
            raise ValueError("invalid FAST config: " + "; ".join(problems))

    @property
    def receptive_radius(self) -> int:
        """Frames on each side that can influence one frame's output."""
        return self.kernel_size // 2 + self.layers * self.attention_radius

    @property
    def input_dim(self) -> int:
        """Width of the concatenated ``[left | right]`` input."""
        return 2 * self.feature_dim

    def to_dict(self) -> dict:
        return {"model_type": MODEL_TYPE, **dataclasses.asdict(self)}

    @classmethod
    def from_dict(cls, data: dict) -> "FastConfig":
        """Build from ``config.json`` contents; keys this version does not know are ignored."""
        if data.get("model_type", MODEL_TYPE) != MODEL_TYPE:
            raise ValueError(f"config is for model type {data.get('model_type')!r}, expected {MODEL_TYPE!r}")
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    @classmethod
    def load(cls, path: str | Path) -> "FastConfig":
        from ..safe_json import load_json

        data = load_json(path)  # size, nesting and numbers checked: a folder may come from anyone
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a JSON object, got {type(data).__name__}")
        return cls.from_dict(data)


def _mlp(width: int, depth: int, dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(depth):
        layers.append(nn.Linear(width, width))
        if i < depth - 1:
            layers += [nn.GELU(), nn.Dropout(dropout)]
    return nn.Sequential(*layers)


class HandStream(nn.Module):
    """One hand: (B, T, F) -> (B, T, H/2). Temporal conv, then a per-frame MLP."""

    def __init__(self, cfg: FastConfig):
        super().__init__()
        width = cfg.hidden // 2
        self.conv = nn.Conv1d(cfg.feature_dim, width, cfg.kernel_size, padding=cfg.kernel_size // 2)
        self.norm = nn.LayerNorm(width)
        self.mlp = _mlp(width, 3, cfg.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv(x.transpose(1, 2)).transpose(1, 2)
        h = F.gelu(self.norm(h))
        return h + self.mlp(h)


class LocalAttention(nn.Module):
    """Multi-head self-attention over a band ``|i - j| <= radius`` with a learned relative-position bias.

    Computed block-wise: frames are grouped in blocks of ``b = max(radius, 1)``
    and each block's queries see the keys of the previous, own and next block
    (``3b`` keys), so the cost per frame is ``O(b)``, not ``O(T)``.
    """

    def __init__(self, cfg: FastConfig):
        super().__init__()
        self.heads = cfg.heads
        self.radius = cfg.attention_radius
        self.qkv = nn.Linear(cfg.hidden, 3 * cfg.hidden)
        self.out = nn.Linear(cfg.hidden, cfg.hidden)
        self.rel_bias = nn.Parameter(torch.zeros(cfg.heads, 2 * cfg.attention_radius + 1))
        self.dropout = cfg.dropout

    def forward(self, x: torch.Tensor, allowed: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        """x (B, nb*b, H); allowed (B, 1, nb, b, 3b) additive 0/-inf; offsets (b, 3b) long in [0, 2r]."""
        B, T, H = x.shape
        b = offsets.shape[0]
        nb = T // b
        d = H // self.heads
        q, k, v = self.qkv(x).view(B, nb, b, 3, self.heads, d).permute(3, 0, 4, 1, 2, 5)  # (B, h, nb, b, d) each
        q = q * d ** -0.5
        # keys/values of the previous, own and next block as views of one padded copy (no 3x concatenation)
        k, v = F.pad(k, (0, 0, 0, 0, 1, 1)), F.pad(v, (0, 0, 0, 0, 1, 1))  # (B, h, nb+2, b, d)
        kt = k.transpose(-1, -2)
        scores = torch.cat([q @ kt[:, :, i:i + nb] for i in range(3)], dim=-1)  # (B, h, nb, b, 3b)
        scores = scores + allowed
        scores += self.rel_bias[:, offsets][None, :, None]
        attn = scores.softmax(-1)
        if self.training and self.dropout:
            attn = F.dropout(attn, self.dropout)
        y = sum(attn[..., i * b:(i + 1) * b] @ v[:, :, i:i + nb] for i in range(3))  # (B, h, nb, b, d)
        return self.out(y.permute(0, 2, 3, 1, 4).reshape(B, T, H))


def _neighbour_blocks(x: torch.Tensor) -> torch.Tensor:
    """(..., nb, b, d) -> (..., nb, 3b, d): each block with its previous and next block (zeros past the ends)."""
    pad = torch.zeros_like(x[..., :1, :, :])
    padded = torch.cat([pad, x, pad], dim=-3)
    return torch.cat([padded[..., :-2, :, :], padded[..., 1:-1, :, :], padded[..., 2:, :, :]], dim=-2)


class EncoderLayer(nn.Module):
    def __init__(self, cfg: FastConfig):
        super().__init__()
        self.norm1 = nn.LayerNorm(cfg.hidden, eps=1e-6)
        self.attn = LocalAttention(cfg)
        self.norm2 = nn.LayerNorm(cfg.hidden, eps=1e-6)
        self.ff = nn.Sequential(
            nn.Linear(cfg.hidden, cfg.ff_dim), nn.GELU(), nn.Dropout(cfg.dropout), nn.Linear(cfg.ff_dim, cfg.hidden))
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x, allowed, offsets):
        x = x + self.drop(self.attn(self.norm1(x), allowed, offsets))
        return x + self.drop(self.ff(self.norm2(x)))


class FastSegmenter(nn.Module, ModelFolderMixin):
    """Per-frame BIO logits from two-hand features.

    ``forward(features (B, T, 2*F), mask (B, T) bool | None) -> logits (B, T, 3)``,
    ``features = [left | right]`` with ``F = cfg.feature_dim`` (96). Frames where
    ``mask`` is False are padding: they are zeroed, never attended to, and their
    logits are meaningless.
    """

    config_class = FastConfig

    def __init__(self, config: FastConfig | None = None):
        super().__init__()
        self.config = cfg = config or FastConfig()
        self.left = HandStream(cfg)
        self.right = HandStream(cfg)
        self.mixer = nn.Sequential(nn.LayerNorm(cfg.hidden), _mlp(cfg.hidden, 2, cfg.dropout))
        self.layers = nn.ModuleList(EncoderLayer(cfg) for _ in range(cfg.layers))
        self.head = nn.Sequential(nn.LayerNorm(cfg.hidden, eps=1e-6), nn.Linear(cfg.hidden, NUM_TAGS))

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def _attention_mask(self, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """mask (B, nb*b) -> additive (B, 1, nb, b, 3b) and relative offsets (b, 3b) for :class:`LocalAttention`."""
        r = self.config.attention_radius
        b = max(r, 1)
        B, T = mask.shape
        nb = T // b
        qi = torch.arange(b, device=mask.device)
        kj = torch.arange(3 * b, device=mask.device)
        rel = kj[None, :] - b - qi[:, None]  # key position - query position
        band = rel.abs() <= r
        keys = _neighbour_blocks(mask.view(B, nb, b, 1)).view(B, nb, 1, 3 * b)
        allowed = band[None, None] & keys
        allowed = allowed | (rel == 0)[None, None]  # padding queries see themselves (no all-masked rows)
        additive = torch.zeros(allowed.shape, dtype=torch.float32, device=mask.device)
        additive.masked_fill_(~allowed, float("-inf"))
        return additive.unsqueeze(1), rel.clamp(-r, r) + r

    def forward(self, features: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        cfg = self.config
        if features.ndim != 3 or features.shape[-1] != cfg.input_dim:
            raise ValueError(
                f"FAST input: expected (B, T, {cfg.input_dim}) = [left {cfg.feature_dim} | right {cfg.feature_dim}], "
                f"got shape {tuple(features.shape)}")
        B, T, _ = features.shape
        if mask is None:
            mask = torch.ones(B, T, dtype=torch.bool, device=features.device)
        b = max(cfg.attention_radius, 1)
        pad = -T % b
        if pad:  # whole blocks for the attention; the extra frames are padding
            features = F.pad(features, (0, 0, 0, pad))
            mask = F.pad(mask, (0, pad), value=False)
        x = features * mask.unsqueeze(-1).to(features.dtype)
        h = torch.cat([self.left(x[..., :cfg.feature_dim]), self.right(x[..., cfg.feature_dim:])], dim=-1)
        h = h + self.mixer(h)
        allowed, offsets = self._attention_mask(mask)
        for layer in self.layers:
            h = layer(h, allowed, offsets)
        return self.head(h[:, :T])
