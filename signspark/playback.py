"""What a video player needs to teach with a clip: when each sign or letter is made, and where it is in the text.

A player that highlights "the letter being signed now" needs, per sign, its time range and
its place in the shown text. :func:`cues` turns a clip's segments (inclusive frame ranges),
labels and fps into :class:`Cue` s; :func:`align_labels` finds each label (a fingerspelled
letter, a gloss) in the text, in order, ignoring case and accents (``"SCH"`` in "Schule",
``"A"`` in "Ä" ...); a label that is not in the text (the pinyin letters of Chinese text)
has no span, and the player shows the labels themselves instead. :func:`player_info` puts it
together as plain JSON-able data.

Example::

    info = player_info(out.pose, out.labels)        # {"fps": 25.0, "num_frames": 90, "cues": [...], ...}
    info["cues"][0]                                  # {"label": "H", "start": 0.2, "end": 0.64, "span": [0, 1], ...}
"""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import Sequence

import numpy as np

__all__ = ["Cue", "cues", "align_labels", "player_info", "SPEEDS"]

SPEEDS = (0.25, 0.5, 0.75, 1.0)
"""Playback rates a learning player offers (1 = as signed)."""


@dataclasses.dataclass(frozen=True)
class Cue:
    """One sign of a clip on the player's clock.

    Attributes:
        index: the sign's number (0-based).
        label: what is signed (letter, gloss), or ``"sign i"`` when unknown.
        start_frame, end_frame: first and last frame (inclusive).
        start, end: the same in seconds (``end`` = the end of the last frame).
        span: ``(first, stop)`` character range of the label in the text, or None.
    """

    index: int
    label: str
    start_frame: int
    end_frame: int
    start: float
    end: float
    span: tuple[int, int] | None = None

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["span"] = list(self.span) if self.span is not None else None
        return d


def _folded(text: str) -> tuple[str, list[int]]:
    """Text case-folded with accents removed, and for each folded character the index of its source character."""
    out, where = [], []
    for i, ch in enumerate(text):
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        for c in base.casefold():
            out.append(c)
            where.append(i)
    return "".join(out), where


def align_labels(text: str, labels: Sequence[str]) -> list[tuple[int, int] | None]:
    """Character spans of ``labels`` in ``text``, found in order (case and accents ignored).

    Each label is searched from where the previous one ended; a label not found gets None
    and the search goes on from the same place. ``"ß"`` matches a label ``"SS"`` or ``"ß"``.
    """
    folded, where = _folded(text or "")
    spans: list[tuple[int, int] | None] = []
    pos = 0
    for label in labels:
        key = _folded(str(label))[0].strip()
        at = folded.find(key, pos) if key else -1
        if at < 0:
            spans.append(None)
            continue
        stop = at + len(key)
        spans.append((where[at], where[stop - 1] + 1))
        pos = stop
    return spans


def cues(segments, fps: float, labels: Sequence[str] | None = None, text: str = "") -> list[Cue]:
    """The clip's signs as :class:`Cue` s.

    Args:
        segments: (S, 2) inclusive frame ranges.
        fps: frames per second (> 0).
        labels: one label per segment (else ``"sign i"``).
        text: the shown text, where labels are looked up (see :func:`align_labels`).
    """
    if not (np.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive number, got {fps}")
    segs = np.asarray(segments, dtype=np.int64).reshape(-1, 2)
    names = [str(x) for x in labels] if labels is not None and len(labels) == len(segs) else \
        [f"sign {i + 1}" for i in range(len(segs))]
    spans = align_labels(text, names) if labels is not None and text else [None] * len(segs)
    return [Cue(index=i, label=names[i], start_frame=int(s), end_frame=int(e), start=round(s / fps, 4),
                end=round((e + 1) / fps, 4), span=spans[i]) for i, (s, e) in enumerate(segs)]


def player_info(seq, labels: Sequence[str] | None = None, text: str | None = None, reveal: bool = True) -> dict:
    """JSON-able playback data of a clip: fps, frames, duration, the text and its cues.

    Args:
        seq: a :class:`signspark.pose.PoseSequence` (its segments, fps, text).
        labels: one label per segment (e.g. :attr:`GenerationOutput.labels`).
        text: the text to show (default: the clip's).
        reveal: False leaves out the text and the cues' labels (a practice clip whose word
            the learner has to read): the timing is kept, labels become ``"?"``.
    """
    text = seq.text if text is None else text
    cs = [c.to_dict() for c in cues(seq.segments, seq.fps, labels, text)]
    if not reveal:
        text = ""
        for c in cs:
            c["label"], c["span"] = "?", None
    return {"fps": float(seq.fps), "num_frames": int(seq.num_frames),
            "duration": round(seq.num_frames / float(seq.fps), 4), "text": text, "cues": cs}
