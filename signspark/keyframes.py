"""BIO tags -> sign segments -> keyframes, and the generator's conditioning mask.

Tags per frame: ``0`` outside a sign, ``2`` first frame of a sign (BEGIN),
``1`` inside a sign. Segments follow the official ``_segment_bounds``
semantics: label 2 is treated exactly like 1, so a BEGIN in the middle of a
run does **not** split it; runs touching either end are closed.

Example::

    >>> segment_bounds([0, 2, 1, 1, 1, 0])
    [(1, 4)]
    >>> onset_middle_offset([(1, 4)])
    [1, 2, 4]
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

import numpy as np
import torch

OUT, IN, BEGIN = 0, 1, 2

__all__ = [
    "OUT", "IN", "BEGIN",
    "segment_bounds", "segments_to_tags", "repair_bio",
    "onset_middle_offset", "uniform_per_segment", "random_keyframes", "every_frame",
    "POLICIES", "select_keyframes", "keyframes_from_tags", "keyframe_mask",
]


def _labels(labels) -> np.ndarray:
    a = labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)
    a = a.reshape(-1).astype(np.int64)
    if a.size and ((a < 0) | (a > 2)).any():
        raise ValueError(f"BIO tags must be 0, 1 or 2; got values {sorted(set(a.tolist()) - {0, 1, 2})}")
    return a


def segment_bounds(labels) -> list[tuple[int, int]]:
    """Inclusive ``(start, end)`` ranges of the runs of non-zero tags (official semantics).

    Args:
        labels: (T,) ints in {0, 1, 2}.
    """
    signing = (_labels(labels) > 0).astype(np.int8)
    padded = np.concatenate([[0], signing, [0]])
    diff = np.diff(padded)
    starts = np.flatnonzero(diff == 1)
    ends = np.flatnonzero(diff == -1) - 1
    return [(int(s), int(e)) for s, e in zip(starts, ends)]


def segments_to_tags(segments: Iterable[Sequence[int]], num_frames: int) -> np.ndarray:
    """Inclusive segments -> (T,) int64 BIO tags (BEGIN at each start)."""
    tags = np.zeros(num_frames, np.int64)
    for s, e in segments:
        if not (0 <= s <= e < num_frames):
            raise ValueError(f"segment ({s}, {e}) is outside [0, {num_frames - 1}]")
        tags[s:e + 1] = IN
        tags[s] = BEGIN
    return tags


def repair_bio(tags, min_run: int = 2, min_run_at_start: int = 6) -> np.ndarray:
    """Make predicted tags valid BIO.

    * A run of 1s that does not start with a BEGIN gets one at its first frame,
      if the run is at least ``min_run`` frames long (``min_run_at_start`` when
      it starts at frame 0, where a clip often opens mid-sign); shorter such
      runs are dropped to 0 as noise.
    * Consecutive BEGINs collapse to one (the first), the rest become 1.
    """
    t = _labels(tags).copy()
    T = len(t)
    i = 0
    while i < T:
        if t[i] == IN and (i == 0 or t[i - 1] == OUT):
            j = i
            while j < T and t[j] == IN:
                j += 1
            need = min_run_at_start if i == 0 else min_run
            if j - i >= need:
                t[i] = BEGIN
            else:
                t[i:j] = OUT
            i = j
        else:
            i += 1
    repeated = np.zeros(T, bool)
    repeated[1:] = (t[1:] == BEGIN) & (t[:-1] == BEGIN)
    t[repeated] = IN
    return t


# ---------------------------------------------------------------------- policies
def onset_middle_offset(segments: Iterable[Sequence[int]]) -> list[int]:
    """The paper's policy (official mode 3): start, floor((start+end)/2) and end of each segment, sorted, unique."""
    out: set[int] = set()
    for s, e in segments:
        out.update((int(s), (int(s) + int(e)) // 2, int(e)))
    return sorted(out)


def uniform_per_segment(segments: Iterable[Sequence[int]], k: int = 3) -> list[int]:
    """``k`` evenly spaced frames per segment, ends included (k=1 gives the middle); a ``k`` at
    least the segment's length gives every frame of it (work bounded by the segment, not by ``k``)."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    out: set[int] = set()
    for s, e in segments:
        n = int(e) - int(s) + 1
        if k == 1:
            out.add((int(s) + int(e)) // 2)
        elif k >= n:  # k points spaced at most one frame apart hit every frame: no need to make k of them
            out.update(range(int(s), int(e) + 1))
        else:
            out.update(int(round(x)) for x in np.linspace(s, e, k))
    return sorted(out)


def random_keyframes(segments: Iterable[Sequence[int]], k: int = 3, generator: np.random.Generator | None = None) -> list[int]:
    """Up to ``k`` random frames per segment (ablation)."""
    rng = generator if generator is not None else np.random.default_rng(0)
    out: set[int] = set()
    for s, e in segments:
        n = int(e) - int(s) + 1
        out.update((int(s) + rng.choice(n, size=min(k, n), replace=False)).tolist())
    return sorted(out)


def every_frame(segments: Iterable[Sequence[int]]) -> list[int]:
    """Every frame inside a segment (upper bound for ablations)."""
    out: set[int] = set()
    for s, e in segments:
        out.update(range(int(s), int(e) + 1))
    return sorted(out)


POLICIES: dict[str, Callable[..., list[int]]] = {
    "onset_middle_offset": onset_middle_offset,
    "uniform": uniform_per_segment,
    "random": random_keyframes,
    "every_frame": every_frame,
}


def select_keyframes(segments: Iterable[Sequence[int]], policy: str = "onset_middle_offset", **kwargs) -> list[int]:
    """Apply a named keyframe policy to segments."""
    try:
        fn = POLICIES[policy]
    except KeyError:
        raise ValueError(f"unknown keyframe policy {policy!r}; expected one of {sorted(POLICIES)}") from None
    segments = [(int(s), int(e)) for s, e in segments]
    bad = [seg for seg in segments if seg[0] < 0 or seg[1] < seg[0]]
    if bad:
        raise ValueError(f"segments must be inclusive (start, end) ranges with 0 <= start <= end, got {bad}")
    return fn(segments, **kwargs)


def keyframes_from_tags(labels, policy: str = "onset_middle_offset", **kwargs) -> list[int]:
    """BIO tags -> keyframes (official ``generate_keyframes`` mode 3 with the default policy)."""
    return select_keyframes(segment_bounds(labels), policy, **kwargs)


# ---------------------------------------------------------------------- conditioning mask
def keyframe_mask(
    keyframes: Sequence[Sequence[int]],
    num_channels: int,
    num_frames: int,
    joint_mask_prob: float = 0.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Observation mask ``(B, J, T)`` bool, True on every channel at each keyframe < T.

    If ``0.1 < joint_mask_prob < 1``, each keyframe instead marks a random
    subset of individual scalar channels of size ``randint(int(p*J), J)``
    (upper bound exclusive), as the official training code does.

    Args:
        keyframes: one list of frame indices per batch item.
    """
    B = len(keyframes)
    mask = torch.zeros(B, num_channels, num_frames, dtype=torch.bool)
    partial = 0.1 < joint_mask_prob < 1.0
    for b, kfs in enumerate(keyframes):
        for f in kfs:
            f = int(f)
            if not 0 <= f < num_frames:
                continue
            if partial:
                lo = int(joint_mask_prob * num_channels)
                n = int(torch.randint(lo, num_channels, (1,), generator=generator))
                idx = torch.randperm(num_channels, generator=generator)[:n]
                mask[b, idx, f] = True
            else:
                mask[b, :, f] = True
    return mask
