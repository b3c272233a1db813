"""Where clips to segment come from: an official LMDB file, a ``.npz`` file, a video or ``.pose``
file, or a folder of them.

Each clip comes out as ``(clip_id, features)`` with ``features`` (T, 192) =
``[left 96 | right 96]`` float32, or as ``(clip_id, error)`` when that clip
cannot be used, so one bad clip does not stop the others.

Accepted ``.npz`` files:

* a :class:`~signspark.pose.sequence.PoseSequence` (SMPL-X parameters); the hand
  features are computed with :func:`signspark.pose.hand_features.hand_features`;
* a features file with ``left_features`` and ``right_features`` arrays (T, 96),
  as in an official LMDB record.

A video (mp4, webm, mov, mkv, avi, ...) or MediaPipe Holistic ``.pose`` file given as the input is
captured first
(:func:`signspark.capture.fast_input.capture_fast_features`: landmarks, the SMPL-X + MANO fit);
a hand the capture did not see is zeros, as FAST takes a missing hand. This needs MediaPipe for
video (the ``capture`` extra), not for ``.pose``.

Clip ids: an LMDB record's key; a file's path relative to the input folder, without the suffix
(``sub/clip01``).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Iterator

import numpy as np

from .inference import SegmentInputError, clip_features

# Largest hand-feature array read from one .npz: 1.4 million frames of (T, 96) float32 (15 hours at 25 fps).
MAX_FEATURE_BYTES = 512 * 1024 * 1024

__all__ = ["ClipItem", "is_lmdb", "is_captured", "find_inputs", "iter_clips", "read_clip", "CAPTURED_SUFFIXES"]

ClipItem = tuple[str, "np.ndarray | Exception"]
CAPTURED_SUFFIXES = (".mp4", ".webm", ".mov", ".mkv", ".avi", ".m4v", ".mpg", ".mpeg", ".pose")
"""Inputs that are captured (video, MediaPipe Holistic ``.pose``) before FAST runs."""


def is_captured(path: Path) -> bool:
    """A video or ``.pose`` file: landmarks and a fit come before FAST."""
    return path.is_file() and path.suffix.lower() in CAPTURED_SUFFIXES


def is_lmdb(path: Path) -> bool:
    """A ``*.lmdb`` file or folder, or a folder holding ``data.mdb``."""
    return path.suffix == ".lmdb" or (path.is_dir() and (path / "data.mdb").is_file())


def find_inputs(path: str | os.PathLike) -> list[Path]:
    """The inputs ``path`` names: itself for a file or an LMDB; for a folder, the LMDB and ``.npz`` files it
    holds (sorted, recursive; videos and ``.pose`` files in a folder are not taken: beside the ``.npz``
    captured from them they would be segmented twice).

    Raises:
        FileNotFoundError: ``path`` does not exist, or a folder holds nothing usable.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder; expected an LMDB file, a .npz file, a video, "
                                f"a .pose file or a folder of them")
    if is_lmdb(path) or path.is_file():
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: not a regular file or a folder (a named pipe, device or socket)")
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()  # folders by (device, inode): a link back up is walked once
    for dirpath, dirnames, filenames in os.walk(path, followlinks=True):
        here = Path(dirpath)
        st = os.stat(here)
        if (st.st_dev, st.st_ino) in seen:  # two links to a parent made 2**40 paths before the OS said ELOOP
            dirnames.clear()
            continue
        seen.add((st.st_dev, st.st_ino))
        dirnames.sort()  # a folder reached by two paths keeps the same one, run after run
        for d in list(dirnames):
            if is_lmdb(here / d):
                found.append(here / d)
                dirnames.remove(d)
        # regular files only: opening a FIFO named clip.npz would wait for a writer for ever
        found += [here / f for f in filenames if f.endswith((".npz", ".lmdb")) and (here / f).is_file()]
    if not found:
        raise FileNotFoundError(f"{path}: folder holds no .npz files and no LMDB files (videos and .pose files are "
                                f"segmented one at a time, or captured first: signspark capture {path} -o FOLDER)")
    return sorted(found)


def _npz_features(path: Path, clip_id: str) -> np.ndarray:
    if not zipfile.is_zipfile(path):
        raise SegmentInputError(f"clip {clip_id!r}: {path} is not a .npz archive (not a zip file)")
    from ..npz import npz_headers, read_npz

    try:
        names = set(npz_headers(path, str(path)))
        if {"left_features", "right_features"} <= names:
            z = read_npz(path, str(path), ["left_features", "right_features"], unknown="skip",
                         max_member_bytes=MAX_FEATURE_BYTES, max_total_bytes=2 * MAX_FEATURE_BYTES)
            return clip_features(z["left_features"], z["right_features"], clip_id)
    except (OSError, ValueError) as e:
        if isinstance(e, SegmentInputError):
            raise
        raise SegmentInputError(f"clip {clip_id!r}: cannot read {path} as .npz ({e})") from None
    from ..pose.hand_features import hand_features
    from ..pose.sequence import PoseSequence

    try:
        seq = PoseSequence.load(path)
    except (OSError, ValueError) as e:
        raise SegmentInputError(f"clip {clip_id!r}: {path} is neither a PoseSequence nor a hand-features file: {e}") from None
    if seq.num_frames == 0:
        raise SegmentInputError(f"clip {clip_id!r}: the clip has no frames")
    left, right = hand_features(seq)
    return clip_features(left, right, clip_id)


def _lmdb_clips(path: Path) -> Iterator[ClipItem]:
    from ..data import DataError, LmdbClipStore

    try:
        store = LmdbClipStore(path)
    except (DataError, OSError) as e:
        yield str(path), SegmentInputError(f"{path}: cannot read as an official LMDB file: {e}")
        return
    with store:
        for clip_id in store.clip_ids:
            try:
                record = store.read(clip_id)
                yield clip_id, clip_features(record.left_features, record.right_features, clip_id)
            except (DataError, SegmentInputError) as e:
                yield clip_id, e


def _captured_features(path: Path, clip_id: str, capture: dict, fps_out: dict | None) -> np.ndarray:
    from ..capture.fast_input import capture_fast_features
    from ..capture.landmarks import LandmarkError, MediaPipeUnavailableError

    try:
        features, fps, _ = capture_fast_features(path, **capture)
    except MediaPipeUnavailableError:
        raise
    except (LandmarkError, ValueError, OSError) as e:
        msg = str(e)
        raise SegmentInputError(msg if str(path) in msg or path.name in msg else f"{path}: {msg}") from None
    if fps_out is not None:
        fps_out[clip_id] = fps
    return features


def iter_clips(path: str | os.PathLike, capture: dict | None = None, fps_out: dict | None = None
               ) -> Iterator[ClipItem]:
    """``(clip_id, (T, 192) float32 features | exception)`` for every clip under ``path``.

    A clip id seen twice is reported as an error the second time.

    Args:
        path: an input or a folder (see the module docstring).
        capture: keyword arguments of :func:`~signspark.capture.fast_input.capture_fast_features`
            for videos and ``.pose`` files (``mirrored``, ``max_frames``, ``options``, ``min_confidence``).
        fps_out: if given, receives ``{clip_id: frames per second}`` of the captured clips.

    Raises:
        signspark.capture.MediaPipeUnavailableError: a video needs MediaPipe and it is not installed.
    """
    root = Path(path)
    seen: set[str] = set()
    for source in find_inputs(root):
        if is_lmdb(source):
            items = _lmdb_clips(source)
        else:
            rel = source.relative_to(root) if source != root else Path(source.name)
            clip_id = rel.with_suffix("").as_posix()
            try:
                if is_captured(source):
                    items = iter([(clip_id, _captured_features(source, clip_id, capture or {}, fps_out))])
                else:
                    items = iter([(clip_id, _npz_features(source, clip_id))])
            except SegmentInputError as e:
                items = iter([(clip_id, e)])
        for clip_id, item in items:
            if clip_id in seen and not isinstance(item, Exception):
                item = SegmentInputError(f"clip {clip_id!r}: the clip id appears more than once in {root}")
            seen.add(clip_id)
            yield clip_id, item


def read_clip(path: str | os.PathLike, clip_id: str = "", scratch: str | os.PathLike | None = None
              ) -> tuple[str, np.ndarray, float]:
    """One clip to segment: ``(clip id, (T, 192) hand features, fps)``.

    ``path`` is a ``.npz`` (PoseSequence or hand features), a video or ``.pose`` file (captured
    first, at the video's frame rate), an LMDB folder, or a bare LMDB
    ``data.mdb`` file (copied into ``scratch``, a folder the caller owns, to be opened).
    ``clip_id`` picks a clip of an LMDB file (default: its first); a PoseSequence's own
    frame rate is returned, 25 otherwise.

    Raises:
        SegmentInputError: no such clip, an empty or unreadable file (the message says which).
    """
    path = Path(path)
    if path.suffix.lower() == ".mdb":
        import shutil

        if scratch is None:
            raise ValueError("a bare data.mdb file needs a scratch folder to be opened as an LMDB environment")
        folder = Path(scratch) / "upload.lmdb"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / "data.mdb")
        path = folder
    if is_lmdb(path):
        from ..data import DataError, LmdbClipStore

        try:
            with LmdbClipStore(path) as store:
                if not store.clip_ids:
                    raise SegmentInputError("the LMDB file holds no clips")
                clip = clip_id or store.clip_ids[0]
                if clip not in store:
                    shown = ", ".join(store.clip_ids[:10]) + (" ..." if len(store) > 10 else "")
                    raise SegmentInputError(f"no clip {clip!r} in the LMDB file; it has {len(store)}: {shown}")
                record = store.read(clip)
                return clip, clip_features(record.left_features, record.right_features, clip), 25.0
        except DataError as e:
            raise SegmentInputError(str(e)) from None
    fps = 25.0
    captured: dict[str, float] = {}
    if not is_captured(path):
        try:
            from ..pose.sequence import PoseSequence

            fps = float(PoseSequence.load(path).fps)
        except (OSError, ValueError):
            pass  # a hand-features file: no frame rate stored
    for clip, item in iter_clips(path, fps_out=captured):
        fps = captured.get(clip, fps)
        if isinstance(item, Exception):
            raise item
        return clip_id or clip, item, fps
    raise SegmentInputError(f"{path}: no clip found")
