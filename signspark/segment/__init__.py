"""FAST sign segmentation: hand features -> per-frame BIO tags -> sign segments -> keyframes.

Modules:

* :mod:`~signspark.segment.model` - the network and its config (:class:`FastSegmenter`, :class:`FastConfig`);
* :mod:`~signspark.segment.inference` - windowed batched inference, loading/saving model folders (:class:`Segmenter`);
* :mod:`~signspark.segment.sources` - reading clips from LMDB files, ``.npz`` files and folders;
* :mod:`~signspark.segment.export` - ``.pt`` / ``.json`` / ELAN ``.eaf`` writers;
* :mod:`~signspark.segment.metrics` - frame accuracy, onset F1, segment F1.

Tags, segments and keyframe policies live in :mod:`signspark.keyframes`.

Usage::

    from signspark.segment import Segmenter
    seg = Segmenter.from_pretrained("path/to/fast")      # or a Hub repo id; None = built-in
    result = seg.segment_clip(left, right)              # (T, 96) each
    result.segments, result.keyframes("onset_middle_offset")
"""

from .inference import (
    ClipSegmentation,
    ModelNotFoundError,
    SegmentInputError,
    Segmenter,
    clip_features,
    decode_tags,
    default_model_dir,
    load_model,
    plan_windows,
    predict_logits,
    save_model,
)
from .model import FastConfig, FastSegmenter

__all__ = [
    "FastConfig", "FastSegmenter", "Segmenter", "ClipSegmentation", "SegmentInputError", "ModelNotFoundError",
    "clip_features", "decode_tags", "default_model_dir", "load_model", "save_model", "plan_windows",
    "predict_logits",
]
