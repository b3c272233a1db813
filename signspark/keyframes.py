"""BIO tags -> sign segments -> keyframes; poses to hold (:class:`Keyframes`) and the conditioning mask.

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

import dataclasses
import math
import os
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import torch

from .options import MAX_GENERATED_FRAMES
from .pose.sequence import PoseFileError, PoseSequence
from .safe_json import JsonInputError, integer, load_json, number_list
from .pose.streams import FULL_DIM, params_to_full

OUT, IN, BEGIN = 0, 1, 2

__all__ = [
    "OUT", "IN", "BEGIN",
    "segment_bounds", "segments_to_tags", "repair_bio",
    "onset_middle_offset", "uniform_per_segment", "random_keyframes", "every_frame",
    "POLICIES", "select_keyframes", "keyframes_from_tags", "keyframe_mask",
    "Keyframes", "KeyframeFileError", "MAX_FRAMES",
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


# ---------------------------------------------------------------------- poses to hold
MAX_FRAMES = MAX_GENERATED_FRAMES  # longest clip the generator produces (about 41 s at 25 fps)
_PARAM_KEYS = ("body_pose", "left_hand_pose", "right_hand_pose", "jaw_pose", "expression")


class KeyframeFileError(PoseFileError):
    """A keyframe file is unreadable or malformed; the message says what and how to fix it."""


# ---------------------------------------------------------------------------------------------- keyframes
@dataclasses.dataclass
class Keyframes:
    """Poses to hold at given frames.

    Attributes:
        features: (num_frames, 296) float32 full-stream features (left hand flipped); only the
            rows in ``frames`` are read.
        frames: (K,) int64 sorted frame indices to hold.
        num_frames: length of the clip the keyframes belong to.
        fps: frame rate.
        betas: (10,) body shape to carry into the output, or None.
    """

    features: np.ndarray
    frames: np.ndarray
    num_frames: int
    fps: float = 25.0
    betas: np.ndarray | None = None

    def __post_init__(self):
        self.features = np.asarray(self.features, np.float32)
        self.frames = np.unique(np.asarray(self.frames, np.int64).reshape(-1))
        if self.features.ndim != 2 or self.features.shape[1] != FULL_DIM:
            raise KeyframeFileError(f"keyframe features must be (num_frames, {FULL_DIM}), got {self.features.shape}")
        if self.features.shape[0] != self.num_frames:
            raise KeyframeFileError(f"keyframe features have {self.features.shape[0]} rows for {self.num_frames} frames")
        if len(self.frames) == 0:
            raise KeyframeFileError("no keyframes given: name at least one frame to hold")
        if self.frames[0] < 0 or self.frames[-1] >= self.num_frames:
            raise KeyframeFileError(f"keyframes must lie in [0, {self.num_frames - 1}], got {self.frames.tolist()}")
        if not np.isfinite(self.features[self.frames]).all():
            raise KeyframeFileError("keyframe features contain NaN or infinite values")

    def condition(self, num_frames: int, padded_frames: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The generator's conditioning: keyframe features ``(1, 296, Tp)`` float32 and the
        observation mask ``(1, 296, Tp)`` bool (True on every channel at each held frame < ``num_frames``);
        ``Tp = padded_frames`` (default ``num_frames``)."""
        Tp = int(padded_frames or num_frames)
        kf = torch.zeros(1, FULL_DIM, Tp)
        n = min(int(num_frames), self.num_frames, Tp)
        kf[0, :, :n] = torch.from_numpy(self.features[:n]).T
        held = self.frames[self.frames < min(int(num_frames), Tp)]
        return kf, keyframe_mask([held.tolist()], FULL_DIM, Tp)

    @classmethod
    def from_pose_sequence(cls, seq: PoseSequence, frames=None) -> "Keyframes":
        """Hold ``frames`` (default: ``seq.keyframes``) of a PoseSequence."""
        frames = seq.keyframes if frames is None else frames
        feats = params_to_full(seq.params).numpy()
        return cls(feats, frames, seq.num_frames, float(seq.fps), seq.betas.copy())

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Keyframes":
        """Read a keyframe file: a PoseSequence ``.npz`` (its ``keyframes`` array names the held
        frames) or a ``.json`` file (see :meth:`from_json`)."""
        path = Path(path)
        if not path.is_file():
            why = ("is a folder, not a keyframe file" if path.is_dir() else
                   "not a regular file (a named pipe, device or socket); give a .npz or .json file" if path.exists()
                   else "no such keyframe file")  # a FIFO or a folder was called missing
            raise KeyframeFileError(f"{path}: {why}")
        if path.suffix.lower() == ".json":
            try:
                data = load_json(path)  # size and nesting depth limited, no NaN or 1e400
            except JsonInputError as e:
                raise KeyframeFileError(str(e)) from None
            return cls.from_json(data, source=str(path))
        if path.suffix.lower() == ".npz":
            try:
                seq = PoseSequence.load(path)
            except PoseFileError as e:
                raise KeyframeFileError(str(e)) from None
            if len(seq.keyframes) == 0:
                raise KeyframeFileError(f"{path}: the PoseSequence has an empty `keyframes` array; "
                                        f"set it to the frame indices to hold")
            return cls.from_pose_sequence(seq)
        raise KeyframeFileError(f"{path}: keyframe files are .npz (PoseSequence) or .json, got {path.suffix!r}")

    @classmethod
    def from_json(cls, data: Any, source: str = "keyframes") -> "Keyframes":
        """``{"fps": 25, "num_frames": N, "keyframes": [{"frame": i, "features": [296 floats]}, ...]}``;
        instead of ``features`` an entry may give SMPL-X axis-angle parameters ``body_pose`` (63),
        ``left_hand_pose`` / ``right_hand_pose`` (45), ``jaw_pose`` (3), ``expression`` (<= 50);
        missing ones are the rest pose."""
        if not isinstance(data, Mapping):
            raise KeyframeFileError(f"{source}: expected a JSON object with 'num_frames' and 'keyframes'")
        try:
            n = integer(data["num_frames"], f"{source}: num_frames", 1, MAX_FRAMES)
            entries = data["keyframes"]
        except KeyError:
            raise KeyframeFileError(f"{source}: needs an integer 'num_frames' and a list 'keyframes'") from None
        except JsonInputError as e:
            raise KeyframeFileError(str(e)) from None
        if not isinstance(entries, list):
            raise KeyframeFileError(f"{source}: 'keyframes' must be a list of objects")
        try:
            fps = float(data.get("fps", 25.0))
        except (TypeError, ValueError):
            fps = float("nan")
        if not (math.isfinite(fps) and 0 < fps <= 1000):
            raise KeyframeFileError(f"{source}: 'fps' must be a number in (0, 1000], got {data.get('fps')!r}")
        feats = np.zeros((n, FULL_DIM), np.float32)
        frames = []
        for i, e in enumerate(entries):
            where = f"{source}: keyframes[{i}]"
            if not isinstance(e, Mapping) or "frame" not in e:
                raise KeyframeFileError(f"{where}: expected an object with 'frame' and 'features' or SMPL-X parameters")
            f = e["frame"]
            if isinstance(f, bool) or not isinstance(f, int):
                raise KeyframeFileError(f"{where}: 'frame' must be an integer, got {f!r}")
            if not 0 <= f < n:
                raise KeyframeFileError(f"{where}: frame {f} is outside [0, {n - 1}]")
            if f in frames:
                raise KeyframeFileError(f"{where}: frame {f} is given twice")
            if "features" in e:
                row = _float_array(e["features"], where + ".features")
                if row.shape != (FULL_DIM,):
                    raise KeyframeFileError(f"{where}: 'features' must hold {FULL_DIM} numbers, got shape {row.shape}")
            else:
                given = {k: _float_array(e[k], f"{where}.{k}")[None] for k in _PARAM_KEYS if k in e}
                if not given:
                    raise KeyframeFileError(f"{where}: give 'features' ({FULL_DIM}) or SMPL-X parameters {list(_PARAM_KEYS)}")
                try:
                    seq = PoseSequence.from_params(given)
                except PoseFileError as err:
                    raise KeyframeFileError(f"{where}: {err}") from None
                row = params_to_full(seq.params)[0].numpy()
            feats[f] = row
            frames.append(f)
        return cls(feats, np.asarray(frames, np.int64), n, fps)


def _float_array(value: Any, where: str) -> np.ndarray:
    """A flat list of finite numbers (nested lists, strings and nulls are refused)."""
    try:
        return number_list(value, where)
    except JsonInputError as e:
        raise KeyframeFileError(str(e)) from None
