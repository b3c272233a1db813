"""A capture as FAST input: the fitted hands' features, with hands that were not seen zeroed.

FAST reads ``[left 96 | right 96]`` per frame (15 finger joints x 6D + the wrist's world
orientation in 6D, :func:`signspark.pose.hand_features.hand_features`) and takes a hand whose
features are all zero as missing. The fit fills every frame (short gaps interpolated, long ones
eased to a relaxed hand), so its own ``part_confidence`` says which frames were really seen:
a hand is zeroed where its confidence is below ``min_confidence`` (default 0.1: beyond about
eleven frames into a gap, at rest, or fitted with a residual over about 1.5 cm).

Example::

    result = capture("clip.mp4")
    x = fast_features(result.fit)                  # (T, 192) float32
    Segmenter.from_pretrained().segment({"clip": x})
    seg = segment_capture(result)                  # the same in one call: a ClipSegmentation
"""

from __future__ import annotations

import os

import numpy as np

__all__ = ["fast_features", "MIN_HAND_CONFIDENCE", "capture_fast_features", "segment_capture"]

MIN_HAND_CONFIDENCE = 0.1


def fast_features(fit, min_confidence: float = MIN_HAND_CONFIDENCE) -> np.ndarray:
    """(T, 192) float32 FAST features of a fit; hands below ``min_confidence`` are zeros.

    Args:
        fit: a :class:`~signspark.capture.fit.FitResult`, or a ``(PoseSequence, part_confidence
            (T, 3))`` pair (what a capture ``.npz`` holds).
        min_confidence: a hand's frames with ``part_confidence`` below this are zeroed.
    """
    from ..pose.hand_features import hand_features

    if isinstance(fit, tuple):
        seq, part = fit
    else:
        seq, part = fit.sequence, fit.part_confidence
    part = np.asarray(part, np.float32)
    T = seq.num_frames
    if part.shape != (T, 3):
        raise ValueError(f"part_confidence must have shape ({T}, 3) to match the clip, got {part.shape}")
    left, right = hand_features(seq)
    left = np.where(part[:, 1:2] >= min_confidence, left, 0.0)
    right = np.where(part[:, 2:3] >= min_confidence, right, 0.0)
    return np.concatenate([left, right], axis=1).astype(np.float32)


def capture_fast_features(path: str | os.PathLike, *, mirrored: bool = False, max_frames: int | None = None,
                          options=None, min_confidence: float = MIN_HAND_CONFIDENCE):
    """Capture a video or ``.pose`` file and return ``(features (T, 192), fps, CaptureResult)``.

    Raises:
        the errors of :func:`signspark.capture.capture` (messages name the file).
    """
    from .api import capture

    result = capture(path, mirrored=mirrored, max_frames=max_frames, options=options)
    return fast_features(result.fit, min_confidence), float(result.landmarks.fps), result


def segment_capture(result, segmenter=None, min_confidence: float = MIN_HAND_CONFIDENCE, clip_id: str = "clip"):
    """FAST segmentation of a capture.

    Args:
        result: a :class:`~signspark.capture.api.CaptureResult` or :class:`~signspark.capture.fit.FitResult`.
        segmenter: a :class:`~signspark.segment.Segmenter` (default: the built-in model, loaded once
            per call; pass one to reuse it).
        min_confidence: see :func:`fast_features`.
        clip_id: the name of the clip in the result.

    Returns:
        a :class:`~signspark.segment.ClipSegmentation` (``.tags`` (T,), ``.segments``, ``.keyframes()``).
    """
    from ..segment import Segmenter

    fit = getattr(result, "fit", result)
    seg = segmenter if segmenter is not None else Segmenter.from_pretrained()
    return seg.segment({clip_id: fast_features(fit, min_confidence)})[clip_id]
