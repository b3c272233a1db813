"""Keyframe editing: poses taken from a file or from the lexicon, moved, dropped or inserted.

A :class:`PoseSource` is where a keyframe's pose can come from: an uploaded keyframe file
(:meth:`PoseSource.from_file`) or a text signed from the language's lexicon
(:meth:`PoseSource.from_text`). :func:`assemble_keyframes` builds the :class:`Keyframes` of
a KF2P request from rows ``(frame, source)``, where ``source`` is

* ``file:N`` - frame N of the file,
* ``lexicon:N`` - frame N of the signed text,
* ``lexicon:A`` - sign ``A`` of the lexicon (a letter, or a gloss) held alone.

Example::

    src = PoseSource.from_text("hello", "ASL")
    kf = assemble_keyframes([(0, "lexicon:0"), (30, "lexicon:L"), (60, "lexicon:90")], None, src, "ASL")
"""

from __future__ import annotations

import collections
import dataclasses
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from .keyframes import MAX_FRAMES, KeyframeFileError, Keyframes
from .pose.sequence import PoseFileError, PoseSequence
from .pose.streams import FULL_DIM

__all__ = ["PoseSource", "assemble_keyframes", "sign_pose", "MAX_KEYFRAMES"]

MAX_KEYFRAMES = 256
_CACHE_SIZE = 64


@dataclasses.dataclass
class PoseSource:
    """Poses keyframes can be taken from.

    Attributes:
        name: shown in messages (a file name, or ``lexicon 'hello' (ASL)``).
        features: (T, 296) float32 generator features of every frame.
        valid: frames whose pose is known (a JSON keyframe file gives only its keyframes).
        keyframes: the frames the source itself proposes to hold.
        fps, betas: carried into the generated clip.
        segments: (S, 2) signs of the source, when known.
    """

    name: str
    features: np.ndarray
    valid: np.ndarray
    keyframes: np.ndarray
    fps: float
    betas: np.ndarray | None = None
    segments: np.ndarray | None = None

    @property
    def num_frames(self) -> int:
        return int(self.features.shape[0])

    @classmethod
    def from_sequence(cls, seq: PoseSequence, name: str, betas: bool = True) -> "PoseSource":
        """Every frame of a PoseSequence; its ``keyframes`` are the proposal."""
        if seq.num_frames == 0:
            raise KeyframeFileError(f"{name}: the PoseSequence has no frames")
        proposed = np.asarray(seq.keyframes, np.int64)
        kf = Keyframes.from_pose_sequence(seq, frames=proposed if len(proposed) else [0])
        return cls(name, kf.features, np.arange(seq.num_frames), proposed, kf.fps, kf.betas if betas else None,
                   np.asarray(seq.segments, np.int64).reshape(-1, 2))

    @classmethod
    def from_file(cls, path: str | Path) -> "PoseSource":
        """A keyframe file: a PoseSequence .npz (all frames usable; its ``keyframes`` proposed) or JSON."""
        path = Path(path)
        if path.suffix.lower() == ".npz":
            try:
                seq = PoseSequence.load(path)
            except PoseFileError as e:
                raise KeyframeFileError(str(e)) from None
            return cls.from_sequence(seq, path.name)
        kf = Keyframes.load(path)  # JSON (or a clear error for anything else)
        return cls(path.name, kf.features, kf.frames, kf.frames, kf.fps, kf.betas)

    @classmethod
    def from_text(cls, text: str, language: str) -> "PoseSource":
        """``text`` signed from the language's lexicon (a take with one segment per sign; cached).

        Raises:
            UnknownLanguageError: ``language`` is not a known sign language (``None`` included).
        """
        from .signs.languages import get_language

        language = get_language(language).code  # None from an API client was an AttributeError
        key = (text, language)
        with _lock:
            if key in _takes:
                _takes.move_to_end(key)
                return _takes[key]
        from .signs.takes import sign_text

        src = cls.from_sequence(sign_text(text, language, seed=0), f"lexicon {text!r} ({language})", betas=False)
        with _lock:
            _takes[key] = src
            while len(_takes) > _CACHE_SIZE:
                _takes.popitem(last=False)
        return src


_takes: "collections.OrderedDict[tuple[str, str], PoseSource]" = collections.OrderedDict()
_lock = threading.Lock()


def sign_pose(name: str, language: str) -> np.ndarray:
    """(296,) features of one sign (a letter or gloss) held: the middle keyframe of it signed alone."""
    src = PoseSource.from_text(name, language)
    frames = src.keyframes if len(src.keyframes) else np.asarray([src.num_frames // 2])
    if src.segments is not None and len(src.segments):
        s, e = src.segments[0]
        inside = frames[(frames >= s) & (frames <= e)]
        frames = inside if len(inside) else frames
    return src.features[int(frames[len(frames) // 2])]


def _row_pose(i: int, source: str, file_src: PoseSource | None, text_src: PoseSource | None,
              language: str) -> np.ndarray:
    kind, _, ref = source.partition(":")
    kind, ref = kind.strip().lower(), ref.strip()
    where = f"keyframe row {i + 1} ({source!r})"
    if kind == "file":
        if file_src is None:
            raise KeyframeFileError(f"{where}: no keyframe file is given")
        try:
            n = int(ref)
        except ValueError:
            raise KeyframeFileError(f"{where}: write file:N with N a frame of the file") from None
        if n not in set(file_src.valid.tolist()):
            have = "0.." + str(file_src.num_frames - 1) if len(file_src.valid) == file_src.num_frames \
                else ", ".join(map(str, file_src.valid[:20].tolist()))
            raise KeyframeFileError(f"{where}: {file_src.name} has no pose at frame {n} (it has {have})")
        return file_src.features[n]
    if kind == "lexicon":
        if ref.lstrip("-").isdigit():
            if text_src is None:
                raise KeyframeFileError(f"{where}: lexicon:N takes frame N of the signed text; give a text "
                                        f"first, or name a sign (lexicon:A)")
            n = int(ref)
            if not 0 <= n < text_src.num_frames:
                raise KeyframeFileError(f"{where}: {text_src.name} has frames 0..{text_src.num_frames - 1}")
            return text_src.features[n]
        if not ref:
            raise KeyframeFileError(f"{where}: write lexicon:<sign> (e.g. lexicon:A) or lexicon:N")
        return sign_pose(ref, language)
    raise KeyframeFileError(f"{where}: the source must be file:N or lexicon:<sign or N>")


def assemble_keyframes(rows: Sequence[tuple[int, str]], file_src: PoseSource | None, text_src: PoseSource | None,
                       language: str, total_frames: int = 0, max_frames: int = MAX_FRAMES) -> Keyframes:
    """Keyframes of a KF2P request from ``(frame, source)`` rows (see the module docstring).

    With no rows, the file's (else the text's) proposed keyframes are held. The clip is
    ``total_frames`` long, or (0) just long enough for the keyframes and the source.

    Raises:
        KeyframeFileError: no keyframes, a duplicate frame, a keyframe outside the clip, a
            source that does not exist; the message names the row.
    """
    rows = [(int(f), str(s)) for f, s in rows]
    base = file_src or text_src
    if not rows:
        if base is None:
            raise KeyframeFileError("no keyframes: give a keyframe file, a text to sign, or rows")
        tag = "file" if file_src is not None else "lexicon"
        rows = [(int(k), f"{tag}:{int(k)}") for k in base.keyframes]
        if not rows:
            raise KeyframeFileError(f"{base.name} names no keyframes: add rows")
    if len(rows) > MAX_KEYFRAMES:
        raise KeyframeFileError(f"{len(rows)} keyframes given; the limit is {MAX_KEYFRAMES}")
    frames = [f for f, _ in rows]
    if min(frames) < 0:
        raise KeyframeFileError(f"keyframe frames must be >= 0, got {min(frames)}")
    dup = sorted({f for f in frames if frames.count(f) > 1})
    if dup:
        raise KeyframeFileError(f"frame(s) {dup} appear more than once: one keyframe per frame")
    T = int(total_frames) or max(max(frames) + 1, base.num_frames if base is not None else 0)
    if max(frames) >= T:
        raise KeyframeFileError(f"a keyframe at frame {max(frames)} does not fit in {T} frames: make the clip "
                                f"longer (or let its length follow the keyframes)")
    if T > max_frames:
        raise KeyframeFileError(f"the clip would have {T} frames; the limit is {max_frames}")
    features = np.zeros((T, FULL_DIM), np.float32)
    for i, (f, source) in enumerate(rows):
        features[f] = _row_pose(i, source, file_src, text_src, language)
    fps = base.fps if base is not None else 25.0
    return Keyframes(features, np.asarray(frames, np.int64), T, fps, file_src.betas if file_src is not None else None)
