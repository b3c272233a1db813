"""One clip in the official LMDB schema (:class:`ClipRecord`) and its conversion to and from :class:`PoseSequence`.

Per frame, an official record holds (float32, 6D = first two rotation-matrix rows):

==================  ========  =====================================================
field               width     content
==================  ========  =====================================================
``left_features``   96        15 MANO finger joints x 6D (raw, *not* flipped), then the
                              hand's global (world) orientation in 6D
``right_features``  96        same for the right hand
``body_features``   126       all 21 SMPL-X ``body_pose`` joints x 6D
``face_features``   56        jaw 6D followed by 50 expression coefficients
``segment``         (T,) int  BIO tags: 0 out, 2 first frame of a sign, 1 inside
==================  ========  =====================================================

plus the strings ``language`` (e.g. ``"ASL"``), ``translation`` and ``gloss``.

What survives a round trip ``PoseSequence -> ClipRecord -> PoseSequence``:

* exactly (up to float tolerance; axis-angle comes back with angles in [0, pi]):
  both hands' finger poses, the **whole** ``body_pose`` (legs and spine too: the
  126-d body features store all 21 joints; only the 60-d *model stream* drops
  joints 0..10), the jaw and the 50 expression coefficients, language, text and gloss;
* as zeros: ``global_orient``, ``transl``, the eye poses and ``betas`` (the schema
  does not store them; the hands' world orientation in dims 90-95 depends on
  ``global_orient``, but in the released data it comes from a separate hand
  estimator and is never used, so it is not inverted);
* segments come back as ``segment_bounds`` of the tags, so touching segments
  merge (a BEGIN tag does not split a run), and keyframes are recomputed by the
  official mode 3 (onset, middle, offset of each segment); ``fps`` is not stored.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from ..keyframes import onset_middle_offset, segment_bounds, segments_to_tags
from ..pose.hand_features import hand_features
from ..pose.sequence import MAX_FRAMES, PoseSequence
from ..pose.streams import (
    OFFICIAL_BODY_WIDTH,
    OFFICIAL_HAND_WIDTH,
    FACE_DIM,
    body_pose_to_official,
    face_to_features,
    features_to_face,
    features_to_hand,
    official_to_body_pose,
)
from .safe_npz import DataError

__all__ = ["ClipRecord", "hand_features", "record_from_sequence", "FEATURE_WIDTHS", "TEXT_FIELDS"]

FEATURE_WIDTHS = {
    "left_features": OFFICIAL_HAND_WIDTH,
    "right_features": OFFICIAL_HAND_WIDTH,
    "body_features": OFFICIAL_BODY_WIDTH,
    "face_features": FACE_DIM,
}
TEXT_FIELDS = ("language", "translation", "gloss")

def _f64(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.asarray(x, dtype=np.float64))


def _np32(x: torch.Tensor) -> np.ndarray:
    return x.detach().cpu().numpy().astype(np.float32)


@dataclasses.dataclass
class ClipRecord:
    """One clip of an official SignSparK LMDB file.

    Attributes:
        clip_id: the record's key.
        language: sign-language tag as stored, e.g. ``"ASL"``.
        translation: spoken-language text.
        gloss: gloss string ("" when absent).
        segment: (T,) int64 BIO tags (0 out, 2 begin, 1 in).
        left_features, right_features: (T, 96) float32 (see the module docstring).
        body_features: (T, 126) float32, 21 body joints in 6D.
        face_features: (T, 56) float32, jaw 6D + 50 expression coefficients.

    Construction coerces dtypes and validates shapes and values, raising :class:`DataError`.
    """

    clip_id: str
    language: str
    translation: str
    gloss: str
    segment: np.ndarray
    left_features: np.ndarray
    right_features: np.ndarray
    body_features: np.ndarray
    face_features: np.ndarray

    def __post_init__(self) -> None:
        self.validate(f"clip {self.clip_id!r}")

    @property
    def num_frames(self) -> int:
        return int(self.segment.shape[0])

    def __len__(self) -> int:
        return self.num_frames

    def validate(self, where: str) -> None:
        """Coerce dtypes and check every field; raise :class:`DataError` prefixed with ``where``."""
        for name in TEXT_FIELDS:
            v = getattr(self, name)
            if not isinstance(v, str):
                raise DataError(f"{where}: {name} must be a string, got {type(v).__name__}")
        seg = np.asarray(self.segment)
        if seg.ndim != 1 or seg.shape[0] < 1:
            raise DataError(f"{where}: segment must have shape (T,) with T >= 1, got {seg.shape}")
        if seg.dtype.kind == "f" and np.isfinite(seg).all() and (seg == np.round(seg)).all():
            seg = seg.astype(np.int64)
        if seg.dtype.kind not in "iu":
            raise DataError(f"{where}: segment must hold integers, got dtype {seg.dtype}")
        bad = sorted(set(np.unique(seg).tolist()) - {0, 1, 2})
        if bad:
            raise DataError(f"{where}: segment tags must be 0, 1 or 2, found {bad[:5]}")
        T = seg.shape[0]
        if T > MAX_FRAMES:
            raise DataError(f"{where}: {T} frames is more than the limit of {MAX_FRAMES}")
        self.segment = seg.astype(np.int64)
        for name, width in FEATURE_WIDTHS.items():
            a = np.asarray(getattr(self, name))
            if a.dtype.kind not in "fiu":
                raise DataError(f"{where}: {name} must be numeric, got dtype {a.dtype}")
            if a.ndim != 2 or a.shape[1] != width:
                raise DataError(f"{where}: {name} must have shape (T, {width}), got {a.shape}")
            if a.shape[0] != T:
                raise DataError(f"{where}: {name} has {a.shape[0]} frames but segment has {T}; "
                                f"all fields of a clip must have the same number of frames")
            if not np.isfinite(a).all():
                frame = int(np.argwhere(~np.isfinite(a))[0, 0])
                raise DataError(f"{where}: {name} contains NaN or infinite values (first at frame {frame})")
            setattr(self, name, np.ascontiguousarray(a, dtype=np.float32))

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The official record fields (text as shape-(1,) unicode arrays), ready for ``np.savez``."""
        out = {name: np.array([getattr(self, name)], dtype=str) for name in TEXT_FIELDS}
        out["segment"] = self.segment.astype(np.int64)
        for name in FEATURE_WIDTHS:
            out[name] = getattr(self, name).astype(np.float32)
        return out

    def segments(self) -> list[tuple[int, int]]:
        """Inclusive sign ranges (official ``_segment_bounds``)."""
        return segment_bounds(self.segment)

    def keyframes(self) -> list[int]:
        """Official mode-3 keyframes: onset, middle and offset of each segment."""
        return onset_middle_offset(self.segments())

    def to_pose_sequence(self, fps: float = 25.0) -> PoseSequence:
        """SMPL-X parameters of this clip (see the module docstring for what comes back as zeros)."""
        T = self.num_frames
        jaw, expression = features_to_face(_f64(self.face_features))
        zeros3 = np.zeros((T, 3), np.float32)
        params = {
            "global_orient": zeros3,
            "body_pose": _np32(official_to_body_pose(_f64(self.body_features))),
            "jaw_pose": _np32(jaw),
            "leye_pose": zeros3,
            "reye_pose": zeros3,
            "left_hand_pose": _np32(features_to_hand(_f64(self.left_features[:, :90]), flip=False)),
            "right_hand_pose": _np32(features_to_hand(_f64(self.right_features[:, :90]), flip=False)),
            "expression": _np32(expression),
            "transl": zeros3,
        }
        segments = self.segments()
        return PoseSequence(
            params=params, fps=fps, language=self.language, text=self.translation, gloss=self.gloss,
            segments=np.asarray(segments, np.int64).reshape(-1, 2),
            keyframes=np.asarray(onset_middle_offset(segments), np.int64))


def record_from_sequence(seq: PoseSequence, labels: np.ndarray | None = None, clip_id: str = "") -> ClipRecord:
    """Official record of a clip.

    Args:
        seq: the clip.
        labels: (T,) BIO tags; default ``segments_to_tags(seq.segments, T)``.
        clip_id: the record's key (the writer sets it).
    """
    T = seq.num_frames
    if labels is None:
        labels = segments_to_tags(seq.segments, T)
    labels = np.asarray(labels)
    if labels.shape != (T,):
        raise DataError(f"clip {clip_id!r}: labels must have shape ({T},) to match the clip, got {labels.shape}")
    left, right = hand_features(seq)
    face = face_to_features(_f64(seq.params["jaw_pose"]), _f64(seq.params["expression"]))
    return ClipRecord(
        clip_id=clip_id, language=seq.language, translation=seq.text, gloss=seq.gloss,
        segment=labels, left_features=left, right_features=right,
        body_features=_np32(body_pose_to_official(_f64(seq.params["body_pose"]))),
        face_features=_np32(face))
