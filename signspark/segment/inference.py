"""Running a FAST model on clips of any length: windows, batching, tags, segments, keyframes.

Windowing (overlapping windows, stitched centres). A clip of ``T`` frames is
cut into consecutive *centres* of ``window`` frames; each centre is run with
``R = config.receptive_radius`` real frames of context on each side (fewer at
the clip's ends) and only the centre's logits are kept. Because the model's
output at a frame depends only on the ``R`` frames either side of it (local
attention with relative positions, see :mod:`signspark.segment.model`), the
stitched result equals running the whole clip at once, up to float rounding:
it does not depend on where the windows fall. A clip no longer than
``window + 2R`` is run as one piece. Pieces from many clips are padded, masked
and batched together (``batch_frames`` frames per forward pass).

Usage::

    seg = Segmenter.from_pretrained("assets/models/fast")
    result = seg.segment_clip(left, right)          # left, right: (T, 96) float arrays
    result.tags, result.segments, result.keyframes()
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from ..keyframes import BEGIN, IN, OUT, repair_bio, segment_bounds, select_keyframes
from .model import HAND_FEATURES, NUM_TAGS, FastConfig, FastSegmenter

__all__ = [
    "SegmentInputError", "ModelNotFoundError", "ClipSegmentation", "Segmenter",
    "clip_features", "plan_windows", "predict_logits", "decode_tags",
    "default_model_dir", "load_model", "save_model",
]


class SegmentInputError(ValueError):
    """Input features of a clip are unusable (wrong width, empty, non-finite); the message names the clip."""


class ModelNotFoundError(FileNotFoundError):
    """No FAST model folder where one was expected."""


def default_model_dir() -> Path:
    """The built-in FAST model folder, ``assets/models/fast`` (may not exist yet)."""
    from ..assets import builtin_model_dir

    return builtin_model_dir("fast")


# --------------------------------------------------------------------------- model files
def save_model(folder: str | os.PathLike, model: FastSegmenter, card: str | None = None) -> Path:
    """Write ``model.safetensors`` + ``config.json`` (+ ``README.md``) atomically."""
    return model.save_pretrained(folder, card=card)


def load_model(path_or_repo_id: str | os.PathLike | None = None, device: str | torch.device = "cpu") -> FastSegmenter:
    """Load a FAST model folder (local or a Hub repo id) in eval mode; ``None`` is the built-in model.

    Raises:
        ModelNotFoundError: no built-in model yet (the message says how to train one), or the
            folder has no weights.
    """
    if path_or_repo_id is None:
        path_or_repo_id = default_model_dir()
        if not (path_or_repo_id / "config.json").is_file():
            raise ModelNotFoundError(
                f"no built-in FAST segmentation model at {path_or_repo_id}. Train one with "
                f"`python train/train_fast.py --data BASE --train-names NAME --out {path_or_repo_id}` "
                f"(official-schema LMDB files under BASE/train and BASE/dev), "
                f"or pass --model with a model folder or a Hub repo id.")
    try:
        return FastSegmenter.from_pretrained(path_or_repo_id, device=device)
    except FileNotFoundError as e:
        raise ModelNotFoundError(f"{path_or_repo_id} is not a FAST model folder: {e}") from e


# --------------------------------------------------------------------------- input
def clip_features(left, right, clip_id: str = "clip", feature_dim: int = HAND_FEATURES) -> np.ndarray:
    """Validate two hands' features and return ``[left | right]`` as (T, 2*96) float32.

    Args:
        left, right: (T, 96) per-hand features (15 finger joints x 6D + 6D global
            orientation); a missing hand is zeros. ``None`` stands for a hand
            missing in every frame.

    Raises:
        SegmentInputError: wrong shapes, no frames, or NaN/inf values (the message names ``clip_id``).
    """
    arrays = {}
    for name, a in (("left", left), ("right", right)):
        if a is None:
            continue
        a = a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
        if a.ndim != 2 or a.shape[1] != feature_dim:
            raise SegmentInputError(
                f"clip {clip_id!r}: {name}-hand features must have shape (T, {feature_dim}) "
                f"(15 finger joints x 6D + global orientation 6D), got {a.shape}")
        if a.dtype.kind not in "fiu":
            raise SegmentInputError(f"clip {clip_id!r}: {name}-hand features must be numeric, got dtype {a.dtype}")
        arrays[name] = a
    if not arrays:
        raise SegmentInputError(f"clip {clip_id!r}: no hand features given")
    lengths = {a.shape[0] for a in arrays.values()}
    if len(lengths) > 1:
        raise SegmentInputError(f"clip {clip_id!r}: left and right hands have different frame counts {sorted(lengths)}")
    T = lengths.pop()
    if T == 0:
        raise SegmentInputError(f"clip {clip_id!r}: the clip has no frames")
    out = np.zeros((T, 2 * feature_dim), np.float32)
    for name, a in arrays.items():
        if not np.isfinite(a).all():
            frame = int(np.argwhere(~np.isfinite(a))[0, 0])
            raise SegmentInputError(f"clip {clip_id!r}: {name}-hand features contain NaN or inf (first at frame {frame})")
        sl = slice(0, feature_dim) if name == "left" else slice(feature_dim, 2 * feature_dim)
        out[:, sl] = a
    return out


# --------------------------------------------------------------------------- windows
def plan_windows(num_frames: int, window: int, context: int) -> list[tuple[int, int, int, int]]:
    """Pieces covering a clip: ``(start, stop, keep_start, keep_stop)`` frame ranges (stop exclusive).

    The model runs on frames ``start:stop``; frames ``keep_start:keep_stop`` of its
    output are kept. The kept ranges tile ``0:num_frames`` exactly.
    """
    if num_frames <= window + 2 * context:
        return [(0, num_frames, 0, num_frames)]
    pieces = []
    for c in range(0, num_frames, window):
        c_end = min(c + window, num_frames)
        pieces.append((max(0, c - context), min(num_frames, c_end + context), c, c_end))
    return pieces


@torch.inference_mode()
def predict_logits(
    model: FastSegmenter,
    clips: Sequence[np.ndarray | torch.Tensor],
    window: int | None = None,
    batch_frames: int = 8192,
    progress: bool = False,
) -> list[torch.Tensor]:
    """Per-frame BIO logits for several clips at once.

    Args:
        model: a FAST model (put in eval mode here).
        clips: each (T_i, 2*96) ``[left | right]`` features (see :func:`clip_features`).
        window: centre frames per window (default ``model.config.window``).
        batch_frames: about how many (padded) frames go through the model per forward pass.
        progress: show a tqdm bar over batches.

    Returns:
        One (T_i, 3) float32 CPU tensor per clip.
    """
    model.eval()
    cfg = model.config
    window = int(window or cfg.window)
    if window < 1:
        raise ValueError(f"window must be >= 1 frame, got {window}")
    device = next(model.parameters()).device
    R = cfg.receptive_radius
    tensors = [torch.as_tensor(np.asarray(c) if not isinstance(c, torch.Tensor) else c, dtype=torch.float32)
               for c in clips]
    for i, t in enumerate(tensors):
        if t.ndim != 2 or t.shape[1] != cfg.input_dim or t.shape[0] == 0:
            raise SegmentInputError(f"clip #{i}: expected (T >= 1, {cfg.input_dim}) features, got {tuple(t.shape)}")
    # (clip index, start, stop, keep_start, keep_stop), longest first so batches pad little.
    pieces = [(i, *p) for i, t in enumerate(tensors) for p in plan_windows(t.shape[0], window, R)]
    pieces.sort(key=lambda p: p[2] - p[1], reverse=True)
    outputs = [torch.empty(t.shape[0], NUM_TAGS) for t in tensors]

    batches, current = [], []
    for p in pieces:
        longest = current[0][2] - current[0][1] if current else p[2] - p[1]
        if current and longest * (len(current) + 1) > batch_frames:
            batches.append(current)
            current = []
        current.append(p)
    if current:
        batches.append(current)

    iterator = batches
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(batches, desc="segmenting", unit="batch")
    for batch in iterator:
        L = max(p[2] - p[1] for p in batch)
        x = torch.zeros(len(batch), L, cfg.input_dim)
        mask = torch.zeros(len(batch), L, dtype=torch.bool)
        for b, (i, s, e, _, _) in enumerate(batch):
            x[b, : e - s] = tensors[i][s:e]
            mask[b, : e - s] = True
        logits = model(x.to(device), mask.to(device)).float().cpu()
        for b, (i, s, e, ks, ke) in enumerate(batch):
            outputs[i][ks:ke] = logits[b, ks - s: ke - s]
    return outputs


def decode_tags(logits: torch.Tensor | np.ndarray, repair: bool = True, min_run: int = 2) -> np.ndarray:
    """(T, 3) logits -> (T,) int64 tags.

    Argmax, then (with ``repair``) :func:`signspark.keyframes.repair_bio` makes the
    tags valid BIO, and a BEGIN inside a run that would start a sign shorter than
    ``min_run`` frames (typically a BEGIN predicted on a sign's last frame) becomes 1.
    Segments are unaffected by the latter (a BEGIN inside a run never splits it);
    onsets are.
    """
    tags = np.asarray(torch.as_tensor(logits).argmax(-1).cpu().numpy(), dtype=np.int64)
    if not repair:
        return tags
    tags = repair_bio(tags)
    begins = np.flatnonzero(tags == BEGIN)
    for b in begins:
        if b == 0 or tags[b - 1] == OUT:
            continue
        n = 1
        while b + n < len(tags) and tags[b + n] == IN:
            n += 1
        if n < min_run:
            tags[b] = IN
    return tags


# --------------------------------------------------------------------------- result
@dataclasses.dataclass
class ClipSegmentation:
    """Tags of one clip and what follows from them.

    Attributes:
        clip_id: the clip's name.
        tags: (T,) int64 valid BIO tags (0 out, 1 in, 2 begin).
        segments: inclusive (start, end) sign ranges (official ``_segment_bounds`` semantics).
    """

    clip_id: str
    tags: np.ndarray
    segments: list[tuple[int, int]]

    @classmethod
    def from_tags(cls, clip_id: str, tags) -> "ClipSegmentation":
        tags = np.asarray(tags, dtype=np.int64)
        return cls(clip_id, tags, segment_bounds(tags))

    @property
    def num_frames(self) -> int:
        return int(self.tags.shape[0])

    def keyframes(self, policy: str = "onset_middle_offset", **kwargs) -> list[int]:
        """Keyframe indices from the segments by a policy of :mod:`signspark.keyframes`."""
        return select_keyframes(self.segments, policy, **kwargs)


class Segmenter:
    """A FAST model with windowed, batched inference and BIO post-processing.

    Args:
        model: the network.
        window: centre frames per window (default from the model's config).
        batch_frames: frames per forward pass.
    """

    def __init__(self, model: FastSegmenter, window: int | None = None, batch_frames: int = 8192):
        self.model = model.eval()
        self.window = window or model.config.window
        self.batch_frames = batch_frames

    @classmethod
    def from_pretrained(cls, path_or_repo_id: str | os.PathLike | None = None, device: str | torch.device = "cpu",
                        **kwargs) -> "Segmenter":
        """Load a model folder or Hub repo id (``None``: the built-in model) as in :func:`load_model`."""
        return cls(load_model(path_or_repo_id, device=device), **kwargs)

    @property
    def config(self) -> FastConfig:
        return self.model.config

    def logits(self, clips: Sequence[np.ndarray], progress: bool = False) -> list[torch.Tensor]:
        """(T_i, 192) features -> (T_i, 3) logits per clip."""
        return predict_logits(self.model, clips, self.window, self.batch_frames, progress=progress)

    def segment(self, clips: dict[str, np.ndarray], progress: bool = False) -> dict[str, ClipSegmentation]:
        """``{clip_id: (T, 192) features}`` -> ``{clip_id: ClipSegmentation}`` (tags repaired to valid BIO)."""
        ids = list(clips)
        logits = self.logits([clips[c] for c in ids], progress=progress)
        return {c: ClipSegmentation.from_tags(c, decode_tags(lg)) for c, lg in zip(ids, logits)}

    def segment_clip(self, left, right, clip_id: str = "clip") -> ClipSegmentation:
        """One clip from its (T, 96) left and right hand features (``None`` for a missing hand)."""
        features = clip_features(left, right, clip_id, self.config.feature_dim)
        return self.segment({clip_id: features})[clip_id]
