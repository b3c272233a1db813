"""Sampling a full-body sequence from one or several stream models.

A generator is a set of velocity models, one per stream: a single ``full`` model
(296 channels), or the released ``hand`` + ``body`` + ``face`` models. The hand
model serves both hands: each request becomes two batch items interleaved
``L0, R0, L1, R1, ...``, the left hand in the flipped convention (as in the
official data); the full-stream layout keeps the left hand flipped too, and
:func:`signspark.pose.streams.full_to_params` flips it back.

Channels no model produces keep the rest pose (identity rotations, zero expression).

Example::

    feats, nfe = sample_full_body({"full": model}, text_emb, lengths=[125], steps=8, guidance=2.0,
                                  generator=torch.Generator().manual_seed(0))
    feats.shape   # (1, 296, 128): padded to a multiple of 8
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import torch

from signspark.pose.sequence import PoseSequence
from signspark.pose.streams import FULL_DIM, FULL_SLICES, params_to_full

from .samplers import GuidedField, sample

__all__ = ["STREAM_ORDER", "rest_features", "padded_length", "sample_full_body"]

STREAM_ORDER = ("full", "hand", "body", "face")


def rest_features() -> torch.Tensor:
    """(296,) full-stream features of the rest pose (identity 6D rotations, zero expression)."""
    return params_to_full(PoseSequence.zeros(1).params)[0].float()


def padded_length(num_frames: int, multiple: int) -> int:
    """Smallest multiple of ``multiple`` >= ``num_frames``."""
    return -(-int(num_frames) // multiple) * multiple


def _channels(stream: str) -> slice:
    if stream == "full":
        return slice(0, FULL_DIM)
    if stream in ("body", "face"):
        return FULL_SLICES[stream]
    raise ValueError(stream)


def _to_hands(a: torch.Tensor) -> torch.Tensor:
    """(B, 296, T) -> (2B, 90, T) interleaved left, right."""
    left, right = a[:, FULL_SLICES["left"]], a[:, FULL_SLICES["right"]]
    return torch.stack([left, right], dim=1).flatten(0, 1)


def _from_hands(h: torch.Tensor, out: torch.Tensor) -> None:
    B = out.shape[0]
    h = h.reshape(B, 2, *h.shape[1:])
    out[:, FULL_SLICES["left"]] = h[:, 0]
    out[:, FULL_SLICES["right"]] = h[:, 1]


@torch.no_grad()
def sample_full_body(
    models: Mapping[str, torch.nn.Module],
    text_emb: torch.Tensor,
    lengths: Sequence[int],
    keyframes: torch.Tensor | None = None,
    keyframe_mask: torch.Tensor | None = None,
    steps: int = 8,
    sampler: str = "euler",
    guidance: float | None = None,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
    frame_multiple: int = 8,
    batched_guidance: bool = True,
) -> tuple[torch.Tensor, int]:
    """Generate full-body features.

    Args:
        models: ``{stream: VelocityUNet}`` with streams among ``full``, ``hand``, ``body``, ``face``.
        text_emb: (B, D) one text vector per request (zeros: unconditional).
        lengths: B frame counts; the batch is padded to a multiple of ``frame_multiple``.
        keyframes: (B, 296, T_pad) keyframe features (left hand flipped), or None.
        keyframe_mask: (B, 296, T_pad) bool, True where a keyframe channel is held.
        steps, sampler, guidance: see :func:`signspark.flow.samplers.sample`.
        generator: source of the noise (streams drawn in the fixed order full, hand, body, face).
        batched_guidance: see :class:`~signspark.flow.samplers.GuidedField`.

    Returns:
        ((B, 296, T_pad) float32 features with keyframe channels exactly as given, model forwards).
    """
    if not models:
        raise ValueError("no stream models given")
    unknown = sorted(set(models) - set(STREAM_ORDER))
    if unknown:
        raise ValueError(f"unknown streams {unknown}; expected some of {list(STREAM_ORDER)}")
    device = torch.device(device) if device is not None else next(iter(models.values())).embed_text.weight.device
    B = text_emb.shape[0]
    if len(lengths) != B:
        raise ValueError(f"{len(lengths)} lengths for {B} text vectors")
    T = padded_length(max(lengths), frame_multiple)
    if keyframes is not None and keyframes.shape[-1] != T:
        raise ValueError(f"keyframes cover {keyframes.shape[-1]} frames, expected the padded length {T}")
    frame = torch.arange(T, device=device)
    length_mask = (frame[None] < torch.as_tensor(list(lengths), device=device)[:, None])[:, None]  # (B, 1, T)
    text_emb = text_emb.to(device)
    out = rest_features().to(device)[None, :, None].repeat(B, 1, T)
    if keyframes is not None:
        keyframes = keyframes.to(device).float()
        keyframe_mask = keyframe_mask.to(device).bool()
    nfe = 0
    for stream in (s for s in STREAM_ORDER if s in models):
        model = models[stream]
        if stream == "hand":
            obs = _to_hands(keyframes) if keyframes is not None else None
            mask = _to_hands(keyframe_mask) if keyframes is not None else None
            text, lmask = text_emb.repeat_interleave(2, 0), length_mask.repeat_interleave(2, 0)
        else:
            ch = _channels(stream)
            obs = keyframes[:, ch] if keyframes is not None else None
            mask = keyframe_mask[:, ch] if keyframes is not None else None
            text, lmask = text_emb, length_mask
        J = model.config.in_channels
        shape = (text.shape[0], J, T)
        if obs is not None and obs.shape[1] != J:
            raise ValueError(f"{stream} model reads {J} channels, keyframes give {obs.shape[1]}")
        field = GuidedField(model, text, guidance=guidance, obs_x0=obs, obs_mask=mask, length_mask=lmask,
                            batched_guidance=batched_guidance)
        res = sample(field, shape, steps=steps, sampler=sampler, generator=generator, device=device)
        nfe += res.nfe
        if stream == "hand":
            _from_hands(res.x, out)
        else:
            out[:, _channels(stream)] = res.x
    return out, nfe


def features_to_numpy(features: torch.Tensor, length: int) -> np.ndarray:
    """(296, T_pad) -> (length, 296) float32 frame-first numpy."""
    return features[:, :length].T.contiguous().cpu().numpy().astype(np.float32)
