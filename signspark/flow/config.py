"""Configuration of the UNet velocity model, and its named presets.

``official`` reproduces the released SignSparK UNet exactly (same state-dict
keys and shapes, ~835 M parameters); ``small`` is the same family scaled down
for CPUs (< 20 M parameters, text width 640 kept so the same text encoders
fit); ``tiny`` is for tests.

Example::

    >>> cfg = UNetConfig.preset("small", stream="full")
    >>> cfg.in_channels
    296
"""

from __future__ import annotations

import dataclasses
from typing import Any

from signspark.pose.streams import STREAM_DIMS

__all__ = ["UNetConfig", "PRESETS", "ANCHORS"]

ANCHORS = ("none", "keyframes", "keyframes+rest")


@dataclasses.dataclass
class UNetConfig:
    """Widths and depths of :class:`signspark.flow.unet.VelocityUNet`.

    Attributes:
        in_channels: J, channels per frame of the stream (90 hand, 60 body, 56 face, 296 full).
            The UNet itself reads 3J channels (pose | keyframe mask | length mask).
        level_dims: channel width of each encoder level; the number of levels
            fixes the temporal downsampling (``2 ** (levels - 1)``; T must be a multiple).
        blocks_per_level: residual temporal blocks per level (encoder and decoder).
        kernel_size: temporal kernel of the residual blocks' convolutions.
        cond_dim: width of the conditioning vector (timestep + text).
        time_freqs: sinusoid frequencies of the timestep embedding (embedding width 2x this).
        time_hidden: hidden width of the timestep-embedding MLP.
        cond_hidden: hidden width of the UNet's conditioning MLP.
        text_dim: width of the text vector (640 for M-CLIP and the built-in encoder).
        mid_dim: width of the transformer bottleneck.
        mid_depth: number of transformer bottleneck blocks.
        heads: attention heads in the bottleneck (head width ``mid_dim // heads``).
        ff_dim: SwiGLU hidden width.
        rope_theta: RoPE base.
        stream: stream name the model was built for (informational; ``in_channels`` rules).
        prediction: what the network's last layer predicts. ``"velocity"`` (the official model)
            outputs the velocity directly. ``"data"`` outputs the clean pose ``x1`` and the
            velocity follows from the straight path, ``v = (x1 - x_t) / (1 - t)`` with ``1 - t``
            clamped at ``min_one_minus_t``. Narrow models need it: the unused full-resolution skip
            forces the per-frame noise of ``x_t`` through the coarse levels, which a few dozen
            channels cannot carry, while the clean pose is smooth and low-dimensional.
        min_one_minus_t: the clamp of ``1 - t`` for ``prediction="data"`` (0.02 keeps Euler exact
            up to 50 steps).
        anchor: what the predicted clean pose is relative to (``prediction="data"`` only).
            ``"none"``: the network's output is the pose. ``"keyframes"``: the pose is the
            keyframes joined by straight lines (:func:`~signspark.flow.anchor.keyframe_path`) plus
            the network's output, so an untrained model already moves smoothly through the
            keyframes and a small one only learns how signs depart from straight lines.
            ``"keyframes+rest"``: the same path, starting and ending at a rest pose (the model's
            ``rest_anchor``, set from the training clips' first and last frames) wherever the first
            or last frame is not a keyframe: the rise to the first sign and the return after the last.
    """

    in_channels: int = 296
    level_dims: tuple[int, ...] = (512, 1024, 2048, 2048)
    blocks_per_level: int = 3
    kernel_size: int = 5
    cond_dim: int = 512
    time_freqs: int = 256
    time_hidden: int = 2048
    cond_hidden: int = 2048
    text_dim: int = 640
    mid_dim: int = 1024
    mid_depth: int = 8
    heads: int = 16
    ff_dim: int = 4096
    rope_theta: float = 10000.0
    stream: str = "full"
    prediction: str = "velocity"
    min_one_minus_t: float = 0.02
    anchor: str = "none"

    def __post_init__(self) -> None:
        self.level_dims = tuple(int(d) for d in self.level_dims)
        if len(self.level_dims) < 2:
            raise ValueError(f"level_dims needs at least 2 levels, got {self.level_dims}")
        if self.mid_dim % self.heads:
            raise ValueError(f"mid_dim {self.mid_dim} is not divisible by heads {self.heads}")
        if (self.mid_dim // self.heads) % 2:
            raise ValueError("the attention head width must be even for RoPE")
        if self.prediction not in ("velocity", "data"):
            raise ValueError(f"prediction must be 'velocity' or 'data', got {self.prediction!r}")
        if self.anchor not in ANCHORS:
            raise ValueError(f"anchor must be one of {list(ANCHORS)}, got {self.anchor!r}")
        if self.anchor != "none" and self.prediction != "data":
            raise ValueError(f"anchor={self.anchor!r} needs prediction='data' (it offsets the predicted pose)")
        if not 0 < self.min_one_minus_t < 1:
            raise ValueError(f"min_one_minus_t must be in (0, 1), got {self.min_one_minus_t}")

    @property
    def frame_multiple(self) -> int:
        """Sequence lengths must be a multiple of this (one halving per level but the last)."""
        return 2 ** (len(self.level_dims) - 1)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["level_dims"] = list(self.level_dims)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "UNetConfig":
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"unknown UNet config fields {unknown}; known: {sorted(names)}")
        return cls(**d)

    @classmethod
    def preset(cls, name: str, stream: str = "full", **overrides) -> "UNetConfig":
        """A named configuration (``official``, ``small``, ``tiny``) for a stream."""
        try:
            base = PRESETS[name]
        except KeyError:
            raise ValueError(f"unknown UNet preset {name!r}; expected one of {sorted(PRESETS)}") from None
        if stream not in STREAM_DIMS:
            raise ValueError(f"unknown stream {stream!r}; expected one of {sorted(STREAM_DIMS)}")
        return cls(**{**base, "in_channels": STREAM_DIMS[stream], "stream": stream, **overrides})


PRESETS: dict[str, dict[str, Any]] = {
    # The released checkpoints: 834-837 M parameters depending on the stream.
    "official": {},
    # CPU-friendly, same family: 17.9 M parameters for the full stream.
    "small": dict(
        level_dims=(64, 128, 256, 256), blocks_per_level=2, cond_dim=256, time_freqs=128,
        time_hidden=512, cond_hidden=512, mid_dim=256, mid_depth=4, heads=4, ff_dim=768,
    ),
    # For tests: a few hundred thousand parameters.
    "tiny": dict(
        level_dims=(32, 48, 64), blocks_per_level=1, cond_dim=32, time_freqs=16,
        time_hidden=64, cond_hidden=64, mid_dim=64, mid_depth=1, heads=4, ff_dim=128,
    ),
}
