"""Segmentation metrics over BIO tags (0 out, 1 in, 2 begin).

* **frame accuracy**: fraction of frames whose tag (all three classes) is right.
* **onset F1 (±k frames)**: onsets are the frames that start a sign: a BEGIN tag,
  or the first frame of a run of non-zero tags. Predicted and true onsets are
  matched one-to-one, nearest first, when at most ``k`` frames apart.
* **segment F1 (IoU ≥ t)**: segments are :func:`signspark.keyframes.segment_bounds`
  (official semantics: a BEGIN inside a run does not split it); predicted and true
  segments are matched one-to-one, best IoU first, when their frame IoU ≥ ``t``.

F1 is ``2·TP / (#pred + #true)``; with nothing predicted and nothing true it is 1.
:func:`score_clips` sums counts over clips (micro average).

Example::

    >>> segment_f1([0, 2, 1, 1, 0], [0, 2, 1, 1, 1])
    1.0
"""

from __future__ import annotations

import dataclasses
from typing import Iterable, Sequence

import numpy as np

from ..keyframes import BEGIN, segment_bounds

__all__ = [
    "onsets", "match_onsets", "match_segments", "frame_accuracy", "onset_f1", "segment_f1",
    "SegmentationScores", "score_clips",
]


def _tags(x) -> np.ndarray:
    a = np.asarray(x.detach().cpu().numpy() if hasattr(x, "detach") else x).reshape(-1).astype(np.int64)
    return a


def _f1(tp: int, n_pred: int, n_true: int) -> float:
    return 1.0 if n_pred + n_true == 0 else 2.0 * tp / (n_pred + n_true)


def onsets(tags) -> list[int]:
    """Frames that start a sign: BEGIN tags and first frames of non-zero runs."""
    t = _tags(tags)
    prev = np.concatenate([[0], t[:-1]])
    return np.flatnonzero((t == BEGIN) | ((t > 0) & (prev == 0))).tolist()


def _greedy(pairs: list[tuple[float, int, int]]) -> int:
    """Count one-to-one matches taking ``(cost, i, j)`` pairs cheapest first."""
    used_p, used_t, n = set(), set(), 0
    for _, i, j in sorted(pairs):
        if i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
            n += 1
    return n


def match_onsets(pred: Sequence[int], true: Sequence[int], tolerance: int = 2) -> int:
    """Number of one-to-one matches between onset lists within ``tolerance`` frames (nearest pairs first)."""
    true_sorted = np.asarray(sorted(true), dtype=np.int64)
    order = np.argsort(np.asarray(true, dtype=np.int64), kind="stable")
    pairs = []
    for i, p in enumerate(pred):
        lo = int(np.searchsorted(true_sorted, p - tolerance, side="left"))
        hi = int(np.searchsorted(true_sorted, p + tolerance, side="right"))
        for k in range(lo, hi):
            pairs.append((abs(int(true_sorted[k]) - p), i, int(order[k])))
    return _greedy(pairs)


def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0]) + 1
    if inter <= 0:
        return 0.0
    union = (a[1] - a[0] + 1) + (b[1] - b[0] + 1) - inter
    return inter / union


def match_segments(pred: Sequence[tuple[int, int]], true: Sequence[tuple[int, int]], iou: float = 0.5) -> int:
    """Number of one-to-one matches between inclusive segments with IoU ≥ ``iou`` (best IoU first).

    Each list must be sorted and non-overlapping (as :func:`segment_bounds` gives).
    """
    true_ends = np.asarray([t[1] for t in true], dtype=np.int64)
    pairs = []
    for i, p in enumerate(pred):
        j = int(np.searchsorted(true_ends, p[0], side="left"))  # first true segment ending at or after p's start
        while j < len(true) and true[j][0] <= p[1]:
            v = _iou(p, true[j])
            if v >= iou:
                pairs.append((-v, i, j))
            j += 1
    return _greedy(pairs)


def frame_accuracy(pred, true) -> float:
    """Fraction of frames with the right tag."""
    p, t = _tags(pred), _tags(true)
    if p.shape != t.shape:
        raise ValueError(f"tag sequences differ in length: {p.shape[0]} predicted vs {t.shape[0]} true")
    return float((p == t).mean()) if t.size else 1.0


def onset_f1(pred, true, tolerance: int = 2) -> float:
    """F1 of sign onsets matched within ``tolerance`` frames."""
    po, to = onsets(pred), onsets(true)
    return _f1(match_onsets(po, to, tolerance), len(po), len(to))


def segment_f1(pred, true, iou: float = 0.5) -> float:
    """F1 of segments matched at IoU ≥ ``iou``."""
    ps, ts = segment_bounds(pred), segment_bounds(true)
    return _f1(match_segments(ps, ts, iou), len(ps), len(ts))


@dataclasses.dataclass
class SegmentationScores:
    """Micro-averaged scores over clips (see the module docstring)."""

    frame_accuracy: float
    onset_f1: float
    segment_f1: float
    num_clips: int
    num_frames: int
    tolerance: int = 2
    iou: float = 0.5

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        return (f"frame acc {self.frame_accuracy:.3f} | onset F1 (±{self.tolerance}) {self.onset_f1:.3f} | "
                f"segment F1 (IoU≥{self.iou:g}) {self.segment_f1:.3f} | {self.num_clips} clips, {self.num_frames} frames")


def score_clips(pairs: Iterable[tuple[object, object]], tolerance: int = 2, iou: float = 0.5) -> SegmentationScores:
    """Scores over ``(predicted tags, true tags)`` pairs, one per clip, counts summed over clips."""
    correct = frames = clips = 0
    o_tp = o_p = o_t = s_tp = s_p = s_t = 0
    for pred, true in pairs:
        p, t = _tags(pred), _tags(true)
        if p.shape != t.shape:
            raise ValueError(f"clip {clips}: {p.shape[0]} predicted tags vs {t.shape[0]} true tags")
        clips += 1
        frames += t.size
        correct += int((p == t).sum())
        po, to = onsets(p), onsets(t)
        o_tp += match_onsets(po, to, tolerance)
        o_p += len(po)
        o_t += len(to)
        ps, ts = segment_bounds(p), segment_bounds(t)
        s_tp += match_segments(ps, ts, iou)
        s_p += len(ps)
        s_t += len(ts)
    return SegmentationScores(
        frame_accuracy=correct / frames if frames else 1.0,
        onset_f1=_f1(o_tp, o_p, o_t), segment_f1=_f1(s_tp, s_p, s_t),
        num_clips=clips, num_frames=frames, tolerance=tolerance, iou=iou)
