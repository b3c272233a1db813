"""One call from a video or ``.pose`` file to a fitted PoseSequence, and the capture ``.npz`` file.

Example::

    from signspark.capture import capture, save_capture
    result = capture("signing.mp4", mirrored=False, max_frames=750)
    save_capture(result, "signing.npz")          # a PoseSequence .npz with confidence arrays
    result.sequence                               # PoseSequence

The saved file is a normal PoseSequence ``.npz`` (``PoseSequence.load`` reads it) with three
more arrays: ``confidence`` (T,), ``part_confidence`` (T, 3) for body, left and right hand, and
``camera_transl`` (T, 3) metres (see :class:`signspark.capture.fit.FitResult`).
"""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path
from typing import Callable

import numpy as np

from ..atomic import atomic_file
from .fit import FitOptions, FitResult, fit_landmarks
from .landmarks import Landmarks, LandmarkError

__all__ = ["capture", "CaptureResult", "save_capture", "CaptureError", "is_pose_file", "mirror_landmarks"]

ProgressFn = Callable[[int, "int | None"], None]


class CaptureError(LandmarkError):
    """The input cannot be captured (unknown kind of file); the message names it."""


@dataclasses.dataclass
class CaptureResult:
    """Landmarks and fit of one clip.

    Attributes:
        landmarks: the :class:`Landmarks` (detected or read from ``.pose``).
        fit: the :class:`FitResult`.
        seconds: wall time of landmark detection and of the fit.
    """

    landmarks: Landmarks
    fit: FitResult
    seconds: dict[str, float]

    @property
    def sequence(self):
        return self.fit.sequence


def is_pose_file(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() == ".pose"


def capture(source: str | os.PathLike, *, mirrored: bool = False, max_frames: int | None = None,
            options: FitOptions | None = None, body_model=None, progress: ProgressFn | None = None,
            text: str = "", language: str = "") -> CaptureResult:
    """Capture a clip: landmarks (MediaPipe, or read from a ``.pose`` file), then the SMPL-X + MANO fit.

    Args:
        source: a video file, a folder of frames, or a ``.pose`` file (Holistic layout).
        mirrored: the video is mirrored (selfie view); for ``.pose`` input, the landmarks are
            flipped horizontally and the hands swapped.
        max_frames: use at most this many frames.
        options: :class:`FitOptions`.
        body_model: whose bone lengths the fit uses (default: the built-in body).
        progress: ``progress(frames_done, total_or_None)`` during detection.
        text, language: stored in the PoseSequence.

    Raises:
        signspark.capture.frames.FrameError, LandmarkError (NoPersonError, PoseFormatError,
        MediaPipeUnavailableError): with messages naming the file.
    """
    t0 = time.perf_counter()
    if is_pose_file(source):
        from .pose_format_io import read_pose

        lm = read_pose(source)
        if max_frames is not None:
            lm = lm.slice(0, int(max_frames))
        if mirrored:
            lm = mirror_landmarks(lm)
    else:
        from .landmarks import detect_landmarks

        lm = detect_landmarks(source, mirrored=mirrored, max_frames=max_frames, progress=progress)
    t1 = time.perf_counter()
    fit = fit_landmarks(lm, options, body_model=body_model)
    fit.sequence.text, fit.sequence.language = text, language
    return CaptureResult(lm, fit, {"landmarks": t1 - t0, "fit": time.perf_counter() - t1})


def mirror_landmarks(lm: Landmarks) -> Landmarks:
    """Flip landmarks horizontally (x -> width - x) and swap left and right (a mirrored view undone)."""
    from . import layout as L

    pose_swap = list(range(L.NUM_POSE))
    for i, name in enumerate(L.POSE_POINT_NAMES):
        for a, b in (("LEFT", "RIGHT"), ("RIGHT", "LEFT")):
            if name.startswith(a):
                pose_swap[i] = L.POSE_POINT_NAMES.index(b + name[len(a):])
    pts = {k: v.copy() for k, v in lm.points.items()}
    conf = {k: v.copy() for k, v in lm.confidence.items()}
    for k in pts:
        present = conf[k] > 0
        pts[k][..., 0] = np.where(present, lm.width - pts[k][..., 0], 0.0)
    pts[L.POSE], conf[L.POSE] = pts[L.POSE][:, pose_swap], conf[L.POSE][:, pose_swap]
    pts[L.LEFT_HAND], pts[L.RIGHT_HAND] = pts[L.RIGHT_HAND], pts[L.LEFT_HAND]
    conf[L.LEFT_HAND], conf[L.RIGHT_HAND] = conf[L.RIGHT_HAND], conf[L.LEFT_HAND]
    world = None
    if lm.world is not None:
        world = lm.world[:, pose_swap].copy()
        world[..., 0] *= -1
    # the face mesh has no left/right index swap here: its points keep their indices, flipped in x
    return dataclasses.replace(lm, points=pts, confidence=conf, world=world, mirrored=not lm.mirrored)


def save_capture(result: CaptureResult | FitResult, path: str | os.PathLike) -> Path:
    """Write the fitted PoseSequence ``.npz`` with ``confidence``, ``part_confidence`` and ``camera_transl`` (atomically)."""
    fit = result.fit if isinstance(result, CaptureResult) else result
    path = Path(path)
    if path.suffix != ".npz":
        raise CaptureError(f"{path}: a capture is saved as .npz")
    arrays = fit.sequence.to_arrays()
    arrays.update(confidence=fit.confidence.astype(np.float32), part_confidence=fit.part_confidence.astype(np.float32),
                  camera_transl=fit.camera_transl.astype(np.float32))
    with atomic_file(path) as fh:
        np.savez(fh, **arrays)
    return path
