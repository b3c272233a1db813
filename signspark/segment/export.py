"""Writing segmentations: the official ``.pt`` tag dict, JSON reports, ELAN ``.eaf`` files.

All writers write to a temporary file beside the target and rename it, so a
failure never leaves a half-written file.

Formats:

* ``.pt``: ``{clip_id: (T,) int64 tensor}`` written with ``torch.save`` (plain
  tensors only, so ``torch.load(path, weights_only=True)`` reads it) - the form
  the official FAST tool produces and the official training data holds.
* ``.json``: ``{"fps": .., "policy": .., "clips": {clip_id: report}}`` with, per
  clip, ``num_frames``, ``duration_s``, ``tags``, ``segments`` (inclusive
  ``start``/``end`` frames and ``start_s``/``end_s`` seconds, ``end_s`` being
  the end of the last frame), ``keyframes`` and ``keyframe_times_s``.
* ``.eaf`` (ELAN, through ``pympi-ling``): tier ``signs`` with one annotation per
  segment, spanning its frames (value ``SIGN``); tier ``keyframes`` with one
  short annotation per keyframe covering that frame (value: the frame index).
  Times are milliseconds, ``round(frame * 1000 / fps)``.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import re
from pathlib import Path
from typing import Mapping

import numpy as np
import torch

from ..atomic import atomic_path
from ..keyframes import segment_bounds, select_keyframes

__all__ = [
    "SIGN_TIER", "KEYFRAME_TIER", "SIGN_VALUE",
    "write_pt", "clip_report", "write_json", "build_eaf", "write_eaf", "read_eaf_segments", "eaf_paths",
]

SIGN_TIER = "signs"
KEYFRAME_TIER = "keyframes"
SIGN_VALUE = "SIGN"
_FLAT_ARRAY = re.compile(r"\[([-0-9.eE,\s]*)\]")


def _atomic_write(path: Path, write) -> Path:
    """Call ``write(tmp_path)`` on a temporary sibling of ``path``, then rename it to ``path``."""
    path = Path(path)
    with atomic_path(path) as tmp:
        write(tmp)
    return path


def _ms(frame: int | float, fps: float) -> int:
    return int(round(frame * 1000.0 / fps))


def _check_fps(fps: float) -> float:
    fps = float(fps)
    if not (fps > 0 and np.isfinite(fps)):
        raise ValueError(f"fps must be a positive number of frames per second, got {fps}")
    return fps


# --------------------------------------------------------------------------- .pt
def write_pt(path: str | os.PathLike, tags: Mapping[str, np.ndarray | torch.Tensor]) -> Path:
    """``{clip_id: (T,) int64 tensor}`` with ``torch.save`` (official FAST output form)."""
    data = {str(k): torch.as_tensor(np.asarray(v), dtype=torch.int64).reshape(-1).clone() for k, v in tags.items()}
    return _atomic_write(Path(path), lambda tmp: torch.save(data, tmp))


# --------------------------------------------------------------------------- .json
def clip_report(tags, fps: float = 25.0, policy: str = "onset_middle_offset", **policy_kwargs) -> dict:
    """JSON-ready description of one clip's segmentation (see the module docstring)."""
    fps = _check_fps(fps)
    tags = np.asarray(tags, dtype=np.int64).reshape(-1)
    segments = segment_bounds(tags)
    keyframes = select_keyframes(segments, policy, **policy_kwargs)
    return {
        "num_frames": int(tags.shape[0]),
        "duration_s": round(tags.shape[0] / fps, 6),
        "segments": [{"start": s, "end": e, "start_s": round(s / fps, 6), "end_s": round((e + 1) / fps, 6)}
                     for s, e in segments],
        "keyframes": [int(k) for k in keyframes],
        "keyframe_times_s": [round(k / fps, 6) for k in keyframes],
        "tags": tags.tolist(),
    }


def write_json(path: str | os.PathLike, tags: Mapping[str, np.ndarray], fps: float = 25.0,
               policy: str = "onset_middle_offset", **policy_kwargs) -> Path:
    """Reports of several clips (``{clip_id: (T,) tags}``) as one JSON file."""
    doc = {"fps": _check_fps(fps), "policy": policy,
           "clips": {str(c): clip_report(t, fps, policy, **policy_kwargs) for c, t in tags.items()}}
    text = json.dumps(doc, indent=1, ensure_ascii=False)
    text = _FLAT_ARRAY.sub(lambda m: "[" + " ".join(m.group(1).split()) + "]", text)  # one line per list of numbers
    return _atomic_write(Path(path), lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))


# --------------------------------------------------------------------------- .eaf
def build_eaf(tags, fps: float = 25.0, media: str | os.PathLike | None = None, eaf_path: Path | None = None,
              policy: str = "onset_middle_offset", **policy_kwargs):
    """A ``pympi.Elan.Eaf`` with a ``signs`` tier and a ``keyframes`` tier for one clip.

    Args:
        tags: (T,) BIO tags.
        fps: frame rate of the clip (frames per second) for converting frames to milliseconds.
        media: video or audio file to link (absolute URL plus a path relative to ``eaf_path``).
    """
    from pympi.Elan import Eaf

    fps = _check_fps(fps)
    tags = np.asarray(tags, dtype=np.int64).reshape(-1)
    segments = segment_bounds(tags)
    eaf = Eaf(author="signspark")
    eaf.remove_tier("default")
    eaf.add_tier(SIGN_TIER)
    eaf.add_tier(KEYFRAME_TIER)
    for s, e in segments:
        eaf.add_annotation(SIGN_TIER, _ms(s, fps), _ms(e + 1, fps), SIGN_VALUE)
    for k in select_keyframes(segments, policy, **policy_kwargs):
        start = _ms(k, fps)
        eaf.add_annotation(KEYFRAME_TIER, start, max(_ms(k + 1, fps), start + 1), str(int(k)))
    if media is not None:
        media = Path(media)
        mime = mimetypes.guess_type(media.name)[0] or "video/mp4"
        rel = None
        if eaf_path is not None:
            try:
                rel = "./" + Path(os.path.relpath(media.resolve(), Path(eaf_path).resolve().parent)).as_posix()
            except ValueError:  # different drives
                rel = None
        eaf.add_linked_file(media.resolve().as_uri(), relpath=rel, mimetype=mime)
    return eaf


def write_eaf(path: str | os.PathLike, tags, fps: float = 25.0, media: str | os.PathLike | None = None,
              policy: str = "onset_middle_offset", **policy_kwargs) -> Path:
    """Write one clip's segmentation as an ELAN file (see :func:`build_eaf`)."""
    from pympi.Elan import to_string

    path = Path(path)
    eaf = build_eaf(tags, fps, media, path, policy, **policy_kwargs)
    text = to_string(eaf)
    return _atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def eaf_paths(out: str | os.PathLike, clip_ids: list[str]) -> dict[str, Path]:
    """One distinct ``.eaf`` path per clip: ``out`` itself for a single clip, else ``OUT.<clip>.eaf``.

    Clip ids are made file-name safe (characters other than letters, digits, ``.``, ``_`` and
    ``-`` become ``_``); where two ids map to the same name (``a/b`` and ``a_b``, or ``A`` and
    ``a`` on a case-insensitive file system), all but the id that is already its own safe name
    get a short hash of the id (``OUT.a_b-1f2e3d4c.eaf``), so no clip overwrites another.
    """
    out = Path(out)
    if len(clip_ids) == 1:
        return {clip_ids[0]: out}
    safe = {c: re.sub(r"[^\w.\-]+", "_", c).strip("._") or "clip" for c in clip_ids}
    groups: dict[str, list[str]] = {}
    for c in clip_ids:
        groups.setdefault(safe[c].casefold(), []).append(c)
    names: dict[str, str] = {}
    for members in groups.values():
        keep = members[0] if len(members) == 1 else next((c for c in sorted(members) if safe[c] == c), None)
        for c in members:
            names[c] = safe[c] if c == keep else f"{safe[c]}-{hashlib.sha1(c.encode('utf-8')).hexdigest()[:8]}"
    if len({n.casefold() for n in names.values()}) != len(names):
        raise ValueError("clip ids give clashing ELAN file names; write .json or .pt instead")
    return {c: out.with_name(f"{out.stem}.{names[c]}.eaf") for c in clip_ids}


def read_eaf_segments(path: str | os.PathLike, fps: float = 25.0, tier: str = SIGN_TIER) -> list[tuple[int, int]]:
    """Inclusive frame ranges of the annotations of ``tier`` in an ELAN file (inverse of :func:`write_eaf`)."""
    from pympi.Elan import Eaf

    fps = _check_fps(fps)
    eaf = Eaf(str(path))
    if tier not in eaf.get_tier_names():
        raise KeyError(f"{path}: no tier {tier!r}; tiers are {sorted(eaf.get_tier_names())}")
    out = []
    for start, end, *_ in sorted(eaf.get_annotation_data_for_tier(tier)):
        out.append((int(round(start * fps / 1000.0)), int(round(end * fps / 1000.0)) - 1))
    return out
