"""Joint-position metrics between a generated clip and its reference.

Conventions (the "SOKE-code convention" for the DTW metrics):

* Per-frame distance = mean Euclidean distance over the scored joints of a group, after
  aligning the **prediction** frame onto the reference frame:

  - JPE: translation so the anchor joints coincide (pelvis for the body, wrist for a hand);
  - PA-JPE: per-frame similarity Procrustes (rotation, uniform scale, translation).

* DTW-JPE / DTW-PA-JPE: classic DTW over the (N, M) matrix of those per-frame distances
  (prediction frame i against reference frame j, so lengths may differ). The SOKE-code
  value is the **accumulated path cost** ``D[-1, -1]`` in metres, summed over the path and
  not divided by its length (``dtw_jpe``, ``dtw_pa_jpe``). We also give the same cost
  divided by the path length, in millimetres (``dtw_jpe_mean_mm``, ``dtw_pa_jpe_mean_mm``),
  which does not grow with clip length.
* MPJPE / PA-MPJPE: frame i against frame i (no time warping), mean over frames, in mm,
  with the same translation / Procrustes alignment. Clips of different length are cropped
  to the shorter one (``cropped`` says so).
* Keyframe adherence (``keyframe_mpjpe_mm``): translation-aligned error in mm at the
  keyframe indices only, between the output and the keyframe poses it was given.

Inputs are :class:`~signspark.eval.joints.GroupJoints` (points + anchor) or plain
(T, J, 3) arrays in metres, for which joint 0 is the anchor.

Example::

    >>> s = dtw_jpe(pred_groups["body"], ref_groups["body"])
    >>> s.cost, s.mean_mm            # SOKE-code sum (m), per-pair mean (mm)
    >>> clip_metrics(pred_groups, ref_groups, keyframes=[0, 12, 30])
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence

import numpy as np

from .alignment import ALIGNMENTS, align_procrustes, as_points, best_rotation, similarity_scale
from .dtw import dtw
from .joints import GroupJoints

__all__ = [
    "DTWScore", "frame_errors", "pairwise_errors", "dtw_error", "dtw_jpe", "dtw_pa_jpe",
    "mpjpe", "pa_mpjpe", "keyframe_error", "clip_metrics", "HAND_GROUPS", "METRIC_NAMES",
]

MM = 1000.0
HAND_GROUPS = ("left_hand", "right_hand")
METRIC_NAMES = (
    "dtw_jpe", "dtw_pa_jpe", "dtw_jpe_mean_mm", "dtw_pa_jpe_mean_mm", "mpjpe_mm", "pa_mpjpe_mm", "keyframe_mpjpe_mm",
)
_PAIR_BUDGET = 4_000_000  # floats per chunk of the pairwise computation (~32 MB)


def _as_group(x, what: str) -> GroupJoints:
    if isinstance(x, GroupJoints):
        pts = as_points(x.points, what)
        anchor = np.asarray(x.anchor, dtype=np.float64)
    else:
        pts = as_points(x, what)
        anchor = pts[..., 0, :]
    if pts.ndim != 3:
        raise ValueError(f"{what} must have shape (T, J, 3), got {pts.shape}")
    if len(pts) == 0:
        raise ValueError(f"{what} has no frames")
    if anchor.shape != (pts.shape[0], 3):
        raise ValueError(f"{what} anchor must have shape ({pts.shape[0]}, 3), got {anchor.shape}")
    return GroupJoints(pts, anchor)


def _check(pred: GroupJoints, ref: GroupJoints, align: str) -> None:
    if align not in ALIGNMENTS:
        raise ValueError(f"align must be one of {ALIGNMENTS}, got {align!r}")
    if pred.points.shape[1] != ref.points.shape[1]:
        raise ValueError(f"pred has {pred.points.shape[1]} joints per frame but ref has {ref.points.shape[1]}")


def _errors(p: np.ndarray, r: np.ndarray, pa: np.ndarray, ra: np.ndarray, align: str) -> np.ndarray:
    """Mean joint distance of broadcast (..., J, 3) sets after aligning ``p`` onto ``r``."""
    if align == "translation":
        p = p - pa[..., None, :]
        r = r - ra[..., None, :]
    elif align == "procrustes":
        p = align_procrustes(p, r)
    return np.linalg.norm(p - r, axis=-1).mean(axis=-1)


def frame_errors(pred, ref, align: str = "translation") -> np.ndarray:
    """Per-frame error of frame-aligned clips, (T,) float64 metres (T = the shorter length)."""
    pred, ref = _as_group(pred, "pred"), _as_group(ref, "ref")
    _check(pred, ref, align)
    T = min(len(pred), len(ref))
    return _errors(pred.points[:T], ref.points[:T], pred.anchor[:T], ref.anchor[:T], align)


def pairwise_errors(pred, ref, align: str = "translation") -> np.ndarray:
    """(N, M) float64 metres: error of prediction frame i aligned onto reference frame j.

    Each frame set is centred once (on its anchor, or its centroid for Procrustes) and the
    N x M cross-covariances come from one matrix product, so memory stays at one chunk of
    (rows, M, J, 3) whatever N is.
    """
    pred, ref = _as_group(pred, "pred"), _as_group(ref, "ref")
    _check(pred, ref, align)
    N, M, J = len(pred), len(ref), pred.points.shape[1]
    if align == "translation":
        p = pred.points - pred.anchor[:, None]
        r = ref.points - ref.anchor[:, None]
    elif align == "procrustes":
        p = pred.points - pred.points.mean(axis=1, keepdims=True)
        r = ref.points - ref.points.mean(axis=1, keepdims=True)
        var_p = (p ** 2).sum(axis=(1, 2))
    else:
        p, r = pred.points, ref.points
    out = np.empty((N, M))
    rows = max(1, _PAIR_BUDGET // max(1, M * J * 3))
    for a in range(0, N, rows):
        b = min(N, a + rows)
        pc = p[a:b]
        if align == "procrustes":
            # H[n, m] = sum_j r[m, j] p[n, j]^T, shape (rows, M, 3, 3)
            H = np.ascontiguousarray(np.tensordot(pc, r, axes=([1], [1])).transpose(0, 2, 3, 1))
            rot = best_rotation(H)
            s = similarity_scale(rot, H, var_p[a:b, None])
            moved = s[..., None, None] * np.matmul(pc[:, None], np.swapaxes(rot, -1, -2))  # (rows, M, J, 3)
        else:
            moved = pc[:, None]
        diff = moved - r[None]
        out[a:b] = np.sqrt((diff * diff).sum(axis=-1)).mean(axis=-1)
    return out


@dataclasses.dataclass
class DTWScore:
    """Attributes:
        cost: accumulated DTW cost in metres, the SOKE-code value (sum over the path).
        path_length: number of matched frame pairs on the optimal path.
    """

    cost: float
    path_length: int

    @property
    def mean_mm(self) -> float:
        """Path-length-normalised cost: mean per-pair error in millimetres."""
        return self.cost / self.path_length * MM


def dtw_error(pred, ref, align: str = "translation") -> DTWScore:
    """DTW over per-frame errors with the given alignment (see the module docstring)."""
    r = dtw(pairwise_errors(pred, ref, align))
    return DTWScore(cost=r.cost, path_length=r.path_length)


def dtw_jpe(pred, ref) -> DTWScore:
    """DTW-JPE: anchor-translation alignment per frame pair."""
    return dtw_error(pred, ref, "translation")


def dtw_pa_jpe(pred, ref) -> DTWScore:
    """DTW-PA-JPE: similarity Procrustes alignment per frame pair."""
    return dtw_error(pred, ref, "procrustes")


def mpjpe(pred, ref, align: str = "translation") -> float:
    """Mean per-joint position error in mm, frame i against frame i (cropped to the shorter clip)."""
    return float(frame_errors(pred, ref, align).mean() * MM)


def pa_mpjpe(pred, ref) -> float:
    """MPJPE in mm after per-frame similarity Procrustes alignment."""
    return mpjpe(pred, ref, "procrustes")


def keyframe_error(pred, ref, keyframes: Sequence[int], align: str = "translation") -> float:
    """Error in mm at the keyframe indices between the output and the given keyframe poses.

    Args:
        pred: the generated clip's joints.
        ref: the joints the keyframes were taken from (indexed by the same frame numbers).
        keyframes: frame indices; those outside either clip are ignored.

    Returns:
        The mean error, or NaN when no keyframe lies inside both clips.
    """
    pred, ref = _as_group(pred, "pred"), _as_group(ref, "ref")
    _check(pred, ref, align)
    k = np.asarray(list(keyframes), dtype=np.int64).reshape(-1)
    k = k[(k >= 0) & (k < min(len(pred), len(ref)))]
    if k.size == 0:
        return float("nan")
    return float(_errors(pred.points[k], ref.points[k], pred.anchor[k], ref.anchor[k], align).mean() * MM)


def clip_metrics(pred_groups: Mapping[str, object], ref_groups: Mapping[str, object],
                 keyframes: Sequence[int] | None = None) -> dict[str, float]:
    """All pose metrics of one clip, as a flat ``{"<group>/<metric>": value}`` dict.

    Groups are those present in both mappings (normally ``body``, ``left_hand``,
    ``right_hand``); when both hands are present a ``hand`` entry holds their mean.
    Metrics are :data:`METRIC_NAMES` (``keyframe_mpjpe_mm`` only with keyframes), plus
    ``frames_pred``, ``frames_ref`` and ``cropped`` (1.0 when MPJPE cropped the longer clip).
    """
    out: dict[str, float] = {}
    names = [g for g in pred_groups if g in ref_groups]
    if not names:
        raise ValueError(f"no joint group in common: pred has {list(pred_groups)}, ref has {list(ref_groups)}")
    for g in names:
        p, r = _as_group(pred_groups[g], f"pred {g}"), _as_group(ref_groups[g], f"ref {g}")
        jpe, pa = dtw_jpe(p, r), dtw_pa_jpe(p, r)
        out[f"{g}/dtw_jpe"] = jpe.cost
        out[f"{g}/dtw_pa_jpe"] = pa.cost
        out[f"{g}/dtw_jpe_mean_mm"] = jpe.mean_mm
        out[f"{g}/dtw_pa_jpe_mean_mm"] = pa.mean_mm
        out[f"{g}/mpjpe_mm"] = mpjpe(p, r)
        out[f"{g}/pa_mpjpe_mm"] = pa_mpjpe(p, r)
        if keyframes is not None:
            out[f"{g}/keyframe_mpjpe_mm"] = keyframe_error(p, r, keyframes)
        out["frames_pred"], out["frames_ref"] = float(len(p)), float(len(r))
    if all(h in names for h in HAND_GROUPS):
        for m in METRIC_NAMES:
            vals = [out.get(f"{h}/{m}") for h in HAND_GROUPS]
            if None not in vals:
                out[f"hand/{m}"] = float(np.mean(vals))
    out["cropped"] = float(out["frames_pred"] != out["frames_ref"])
    return out
