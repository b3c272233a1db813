"""PoseSequence: one signing clip as SMPL-X parameters per frame, and its ``.npz`` format.

File format (``np.savez``; no pickles, ``allow_pickle=False`` on load):

=================  ==============  ===========================================
key                shape / dtype   meaning
=================  ==============  ===========================================
global_orient      (T, 3) float32  root rotation, axis-angle (radians)
body_pose          (T, 63)         21 body joints, axis-angle
jaw_pose           (T, 3)
leye_pose          (T, 3)
reye_pose          (T, 3)
left_hand_pose     (T, 45)         15 joints, relative to a flat hand
right_hand_pose    (T, 45)
expression         (T, 50)
betas              (10,) float32   body shape, one per clip
transl             (T, 3)          metres
fps                ()  float
language           ()  str         e.g. "ASL"; "" when unknown
text               ()  str
gloss              ()  str         "" when absent
segments           (S, 2) int64    inclusive (start, end) frame ranges
keyframes          (K,) int64      sorted frame indices
=================  ==============  ===========================================

The first ten keys are the standard SMPL-X names, so other SMPL-X tools read
the file as it is.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Mapping

import numpy as np

from ..atomic import atomic_file
from ..npz import NpzError, read_npz
from .streams import NUM_EXPRESSION, SMPLX_FRAME_KEYS

NUM_BETAS = 10
MAX_FRAMES = 100_000  # about an hour at 25 fps; larger files are refused as hostile or broken

# Per-frame capture quality that captured clips carry (see signspark.capture): read by the tools that
# want them, ignored by PoseSequence. Width per frame: confidence (T,), the others (T, 3).
CAPTURE_KEYS = {"confidence": 1, "part_confidence": 3, "camera_transl": 3}
# Every member a PoseSequence file may hold; anything else is refused without being decompressed.
FILE_KEYS = (*SMPLX_FRAME_KEYS, "betas", "fps", "language", "text", "gloss", "segments", "keyframes", *CAPTURE_KEYS)
MAX_TEXT_BYTES = 64 * 1024  # text, gloss and language as stored (4 bytes per character)
MAX_MEMBER_BYTES = MAX_FRAMES * 64 * 8  # the widest per-frame array in float64
MAX_FILE_BYTES = MAX_FRAMES * (sum(SMPLX_FRAME_KEYS.values()) + 2 * 300) * 8

__all__ = ["PoseSequence", "PoseFileError", "NUM_BETAS", "MAX_FRAMES", "FILE_KEYS", "CAPTURE_KEYS"]


class PoseFileError(ValueError):
    """A PoseSequence file or array set is malformed; the message says what and where."""


@dataclasses.dataclass
class PoseSequence:
    """A signing clip.

    Attributes:
        params: SMPL-X parameters, frame-first float32 arrays keyed by the names
            in :data:`signspark.pose.streams.SMPLX_FRAME_KEYS` (``(T, D)``).
        betas: (10,) float32 body shape.
        fps: frames per second.
        language: sign-language code such as ``"ASL"`` ("" when unknown).
        text: the spoken-language text.
        gloss: optional gloss string ("" when absent).
        segments: (S, 2) int64 inclusive sign ranges.
        keyframes: (K,) int64 sorted keyframe indices.
    """

    params: dict[str, np.ndarray]
    betas: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(NUM_BETAS, np.float32))
    fps: float = 25.0
    language: str = ""
    text: str = ""
    gloss: str = ""
    segments: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 2), np.int64))
    keyframes: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0,), np.int64))

    def __post_init__(self) -> None:
        self.params = {k: np.asarray(v, dtype=np.float32) for k, v in self.params.items()}
        self.betas = np.asarray(self.betas, dtype=np.float32)
        self.segments = np.asarray(self.segments, dtype=np.int64).reshape(-1, 2)
        self.keyframes = np.asarray(self.keyframes, dtype=np.int64).reshape(-1)
        self.validate()

    # ------------------------------------------------------------------ construction
    @classmethod
    def zeros(cls, num_frames: int, **meta) -> "PoseSequence":
        """A rest-pose clip of ``num_frames`` frames (flat hands, arms in T-pose)."""
        params = {k: np.zeros((num_frames, d), np.float32) for k, d in SMPLX_FRAME_KEYS.items()}
        return cls(params=params, **meta)

    @classmethod
    def from_params(cls, params: Mapping[str, object], **meta) -> "PoseSequence":
        """Build from a (possibly partial) mapping of SMPL-X parameters (numpy or torch).

        Missing per-frame keys are filled with zeros; expressions shorter than 50
        are zero-padded.
        """
        arrays = {k: _to_numpy(v) for k, v in params.items() if k in SMPLX_FRAME_KEYS}
        if not arrays:
            raise PoseFileError(f"no SMPL-X parameters given; expected some of {list(SMPLX_FRAME_KEYS)}")
        T = next(iter(arrays.values())).shape[0]
        full = {}
        for k, d in SMPLX_FRAME_KEYS.items():
            a = arrays.get(k)
            if a is None:
                a = np.zeros((T, d), np.float32)
            elif k == "expression" and a.ndim == 2 and a.shape[1] < NUM_EXPRESSION:
                a = np.concatenate([a, np.zeros((a.shape[0], NUM_EXPRESSION - a.shape[1]), a.dtype)], axis=1)
            full[k] = a
        if "betas" in params and "betas" not in meta:
            meta["betas"] = _to_numpy(params["betas"]).reshape(-1)[:NUM_BETAS]
        return cls(params=full, **meta)

    # ------------------------------------------------------------------ properties
    @property
    def num_frames(self) -> int:
        return int(self.params["body_pose"].shape[0])

    def __len__(self) -> int:
        return self.num_frames

    @property
    def duration(self) -> float:
        """Seconds."""
        return self.num_frames / float(self.fps)

    def slice(self, start: int, stop: int) -> "PoseSequence":
        """Frames ``[start, stop)``; segments and keyframes are clipped and shifted."""
        start, stop = max(0, start), min(self.num_frames, stop)
        segs = self.segments.copy()
        if len(segs):
            segs = segs[(segs[:, 1] >= start) & (segs[:, 0] < stop)]
            segs = np.clip(segs, start, stop - 1) - start
        kfs = self.keyframes[(self.keyframes >= start) & (self.keyframes < stop)] - start
        return dataclasses.replace(
            self, params={k: v[start:stop].copy() for k, v in self.params.items()}, segments=segs, keyframes=kfs)

    # ------------------------------------------------------------------ validation
    def validate(self, source: str = "PoseSequence") -> None:
        """Check keys, shapes, dtypes and finiteness; raise :class:`PoseFileError` naming the problem."""
        missing = [k for k in SMPLX_FRAME_KEYS if k not in self.params]
        if missing:
            raise PoseFileError(f"{source}: missing SMPL-X keys {missing}")
        T = self.params["body_pose"].shape[0] if self.params["body_pose"].ndim == 2 else -1
        if T <= 0:
            raise PoseFileError(f"{source}: body_pose must have shape (T, 63) with T >= 1, got {self.params['body_pose'].shape}")
        if T > MAX_FRAMES:
            raise PoseFileError(f"{source}: {T} frames is more than the limit of {MAX_FRAMES}")
        for k, d in SMPLX_FRAME_KEYS.items():
            a = self.params[k]
            if a.shape != (T, d):
                raise PoseFileError(f"{source}: {k} must have shape ({T}, {d}), got {a.shape}")
            if not np.isfinite(a).all():
                bad = int(np.argwhere(~np.isfinite(a))[0, 0])
                raise PoseFileError(f"{source}: {k} contains NaN or infinite values (first at frame {bad})")
        if self.betas.shape != (NUM_BETAS,):
            raise PoseFileError(f"{source}: betas must have shape ({NUM_BETAS},), got {self.betas.shape}")
        if not np.isfinite(self.betas).all():
            raise PoseFileError(f"{source}: betas contain NaN or infinite values")
        if not (np.isfinite(self.fps) and 0 < self.fps <= 1000):
            raise PoseFileError(f"{source}: fps must be in (0, 1000], got {self.fps}")
        if len(self.segments) and ((self.segments < 0).any() or (self.segments >= T).any()
                                   or (self.segments[:, 1] < self.segments[:, 0]).any()):
            raise PoseFileError(f"{source}: segments must be inclusive ranges within [0, {T - 1}], got {self.segments.tolist()}")
        if len(self.keyframes) and ((self.keyframes < 0).any() or (self.keyframes >= T).any()):
            raise PoseFileError(f"{source}: keyframes must lie in [0, {T - 1}], got {self.keyframes.tolist()}")
        self.keyframes = np.unique(self.keyframes)

    # ------------------------------------------------------------------ file format
    def to_arrays(self) -> dict[str, np.ndarray]:
        out = {k: v.astype(np.float32) for k, v in self.params.items()}
        out.update(
            betas=self.betas.astype(np.float32),
            fps=np.asarray(self.fps, np.float64),
            language=np.asarray(self.language),
            text=np.asarray(self.text),
            gloss=np.asarray(self.gloss),
            segments=self.segments.astype(np.int64),
            keyframes=self.keyframes.astype(np.int64),
        )
        return out

    def save(self, path: str | os.PathLike) -> Path:
        """Write ``.npz`` atomically (temporary file in the same folder, then rename)."""
        path = Path(path)
        if path.suffix != ".npz":
            raise PoseFileError(f"{path}: a PoseSequence is saved as .npz")
        with atomic_file(path) as fh:
            np.savez(fh, **self.to_arrays())
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "PoseSequence":
        """Read and validate a ``.npz`` written by :meth:`save` (or any SMPL-X npz with the standard keys).

        The archive is read with :func:`signspark.npz.read_npz`: members other than the
        keys of the file format are refused, and sizes and shapes are checked from the
        headers before any data is decompressed (at most :data:`MAX_FRAMES` frames).

        Raises :class:`PoseFileError` for unreadable files, pickled objects, unexpected
        members, missing keys, wrong shapes or dtypes and non-finite values.
        """
        path = Path(path)
        try:
            data = read_npz(path, str(path), FILE_KEYS, unknown="refuse", check=_check_headers,
                            max_member_bytes=MAX_MEMBER_BYTES, max_total_bytes=MAX_FILE_BYTES)
        except NpzError as e:
            raise PoseFileError(f"{e} (expected a PoseSequence .npz)") from None
        return cls.from_arrays(data, source=str(path))

    @classmethod
    def from_arrays(cls, data: Mapping[str, np.ndarray], source: str = "arrays") -> "PoseSequence":
        """Build from the arrays of the file format, validating everything."""
        for k in list(SMPLX_FRAME_KEYS) + ["betas"]:
            if k in data and not np.issubdtype(np.asarray(data[k]).dtype, np.floating):
                raise PoseFileError(f"{source}: {k} must be floating point, got dtype {np.asarray(data[k]).dtype}")
        if "body_pose" not in data:
            raise PoseFileError(f"{source}: missing SMPL-X key 'body_pose'")
        params = {}
        T = np.asarray(data["body_pose"]).shape[0] if np.asarray(data["body_pose"]).ndim else 0
        for k, d in SMPLX_FRAME_KEYS.items():
            if k in data:
                a = np.asarray(data[k])
                if k == "expression" and a.ndim == 2 and a.shape[0] == T and 0 < a.shape[1] < NUM_EXPRESSION:
                    a = np.concatenate([a, np.zeros((T, NUM_EXPRESSION - a.shape[1]), a.dtype)], axis=1)
                params[k] = a
            elif k in ("leye_pose", "reye_pose", "transl", "global_orient", "expression", "jaw_pose"):
                params[k] = np.zeros((T, d), np.float32)
        betas = np.asarray(data.get("betas", np.zeros(NUM_BETAS, np.float32)))
        if betas.ndim == 2:  # per-frame betas: keep the first frame's
            betas = betas[0]
        if betas.shape[0] > NUM_BETAS:
            betas = betas[:NUM_BETAS]
        elif betas.shape[0] < NUM_BETAS:
            betas = np.concatenate([betas, np.zeros(NUM_BETAS - betas.shape[0], betas.dtype)])

        def scalar(key, default, kind):
            if key not in data:
                return default
            a = np.asarray(data[key])
            if a.ndim != 0:
                raise PoseFileError(f"{source}: {key} must be a scalar, got shape {a.shape}")
            try:
                return kind(a.item())
            except (TypeError, ValueError):
                raise PoseFileError(f"{source}: {key} has an invalid value {a.item()!r}") from None

        for key in ("segments", "keyframes"):
            if key in data and not np.issubdtype(np.asarray(data[key]).dtype, np.integer):
                raise PoseFileError(f"{source}: {key} must be integers, got dtype {np.asarray(data[key]).dtype}")
        segments = np.asarray(data.get("segments", np.zeros((0, 2), np.int64)))
        if segments.size and (segments.ndim != 2 or segments.shape[1] != 2):
            raise PoseFileError(f"{source}: segments must have shape (S, 2), got {segments.shape}")
        seq = cls.__new__(cls)
        seq.params = {k: np.asarray(v, np.float32) for k, v in params.items()}
        seq.betas = np.asarray(betas, np.float32)
        seq.fps = scalar("fps", 25.0, float)
        seq.language = scalar("language", "", str)
        seq.text = scalar("text", "", str)
        seq.gloss = scalar("gloss", "", str)
        seq.segments = segments.astype(np.int64).reshape(-1, 2)
        seq.keyframes = np.asarray(data.get("keyframes", np.zeros(0, np.int64))).astype(np.int64).reshape(-1)
        seq.validate(source)
        return seq


def _check_headers(headers) -> None:
    """Refuse a PoseSequence file from its array headers alone, before the data is read."""
    import math

    for key, (shape, dtype) in headers.items():
        if key in SMPLX_FRAME_KEYS:
            if len(shape) != 2 or shape[1] > 2 * SMPLX_FRAME_KEYS[key]:
                raise ValueError(f"{key} must have shape (T, {SMPLX_FRAME_KEYS[key]}), got {shape}")
            if shape[0] > MAX_FRAMES:
                raise ValueError(f"{key} has {shape[0]} frames, more than the limit of {MAX_FRAMES}")
        elif key == "betas":
            if len(shape) not in (1, 2) or shape[-1] > 300 or (len(shape) == 2 and shape[0] > MAX_FRAMES):
                raise ValueError(f"betas must have shape (B,) or (T, B) with B <= 300, got {shape}")
        elif key in ("segments", "keyframes"):
            if math.prod(shape) > 2 * MAX_FRAMES:
                raise ValueError(f"{key} holds {math.prod(shape)} values, more than the limit of {2 * MAX_FRAMES}")
        elif key in CAPTURE_KEYS:
            if not 1 <= len(shape) <= 2 or shape[0] > MAX_FRAMES or math.prod(shape[1:]) > CAPTURE_KEYS[key]:
                raise ValueError(f"{key} must have shape (T,) or (T, {CAPTURE_KEYS[key]}) with T <= {MAX_FRAMES}, "
                                 f"got {shape}")
        elif key == "fps":
            if math.prod(shape) != 1:
                raise ValueError(f"fps must be a scalar, got shape {shape}")
        elif math.prod(shape) * dtype.itemsize > MAX_TEXT_BYTES:  # language, text, gloss
            raise ValueError(f"{key} is {math.prod(shape) * dtype.itemsize} bytes, more than the limit of "
                             f"{MAX_TEXT_BYTES}")


def _to_numpy(x) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=np.float32)
