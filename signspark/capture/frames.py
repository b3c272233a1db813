"""Frames in: a video file or a folder of images, streamed one frame at a time.

Videos are decoded by the ffmpeg that ``imageio-ffmpeg`` ships (mp4, webm,
mov, mkv, avi ...); a folder is read in file-name order (png, jpg, bmp, webp).
Frames never pile up in memory: :func:`open_frames` returns the clip's
:class:`FrameSource` and a generator of ``(H, W, 3)`` uint8 RGB frames.

Limits, each with a clear error: frames larger than :data:`MAX_SIDE` pixels on a side are
refused; videos are decoded at most :data:`PROCESS_SIDE` pixels on their long side by default
(MediaPipe works on much smaller images; landmarks are returned in the *original* pixel
coordinates by the caller); at most :data:`MAX_FRAMES` frames are read.

Example::

    info, frames = open_frames("clip.mp4", max_frames=100)
    for rgb in frames:            # (H, W, 3) uint8
        ...
"""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path
from typing import Iterator

import numpy as np

__all__ = ["FrameSource", "FrameError", "open_frames", "is_video", "VIDEO_SUFFIXES", "IMAGE_SUFFIXES",
           "MAX_FRAMES", "MAX_SIDE", "PROCESS_SIDE"]

VIDEO_SUFFIXES = (".mp4", ".webm", ".mov", ".mkv", ".avi", ".m4v", ".mpg", ".mpeg")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")
MAX_FRAMES = 100_000  # about an hour at 25 fps, the PoseSequence limit
MAX_STATED_FPS = 240   # a higher (or no) frame rate in a video's header is not a camera's
DEFAULT_FPS = 25       # the rate of image folders, and of videos that state none
MAX_SIDE = 8192  # pixels: larger frames are refused
PROCESS_SIDE = 1280  # default: larger videos are decoded downscaled to this long side


class FrameError(ValueError):
    """A video or image folder cannot be read, or breaks a limit; the message names the file."""


@dataclasses.dataclass(frozen=True)
class FrameSource:
    """What is known about a clip before its frames are read.

    Attributes:
        path: the video file or image folder.
        fps: frames per second (25 for image folders unless given).
        width, height: size of the original frames in pixels.
        frame_width, frame_height: size of the frames yielded (smaller when downscaled).
        num_frames: frames that will be read, or an estimate from the container (None if unknown).
    """

    path: Path
    fps: float
    width: int
    height: int
    frame_width: int
    frame_height: int
    num_frames: int | None


def is_video(path: str | os.PathLike) -> bool:
    """True for a file whose suffix is a known video container."""
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def _check_limit(max_frames: int | None) -> int:
    if max_frames is None:
        return MAX_FRAMES
    if int(max_frames) < 1:
        raise FrameError(f"max_frames must be at least 1, got {max_frames}")
    return min(int(max_frames), MAX_FRAMES)


def _scaled(w: int, h: int, process_side: int | None) -> tuple[int, int]:
    if not process_side or max(w, h) <= process_side:
        return w, h
    s = process_side / max(w, h)
    return max(2, int(round(w * s / 2)) * 2), max(2, int(round(h * s / 2)) * 2)


def open_frames(path: str | os.PathLike, max_frames: int | None = None, process_side: int | None = PROCESS_SIDE,
                fps: float | None = None) -> tuple[FrameSource, Iterator[np.ndarray]]:
    """Open a video file or an image folder.

    Args:
        path: video file or folder of images.
        max_frames: read at most this many frames (None: up to :data:`MAX_FRAMES`; a longer
            clip is an error then, not silently cut).
        process_side: downscale frames whose long side is larger than this (None keeps the size).
            Applies to videos only; image folders are read as they are.
        fps: frame rate to report for an image folder (default 25); for a video, overrides a
            missing or broken rate in the container.

    Returns:
        (:class:`FrameSource`, generator of (frame_height, frame_width, 3) uint8 RGB frames).

    Raises:
        FrameError: missing file, unknown format, unreadable video, empty folder, frames of
            different sizes, frames larger than :data:`MAX_SIDE`, or more than :data:`MAX_FRAMES`.
    """
    p = Path(path)
    limit = _check_limit(max_frames)
    if fps is not None and not (math.isfinite(fps) and 0 < fps <= 1000):
        raise FrameError(f"fps must be in (0, 1000], got {fps}")
    if p.is_dir():
        return _open_folder(p, limit, max_frames is None, fps or float(DEFAULT_FPS))
    if not p.is_file():
        raise FrameError(f"{p}: not a regular file (a named pipe, device or socket)" if p.exists()
                         else f"{p}: no such file or folder")
    if not is_video(p):
        raise FrameError(f"{p}: not a video ({p.suffix or 'no suffix'}); expected one of {', '.join(VIDEO_SUFFIXES)}")
    return _open_video(p, limit, max_frames is None, process_side, fps)


def _open_folder(p: Path, limit: int, strict: bool, fps: float) -> tuple[FrameSource, Iterator[np.ndarray]]:
    from PIL import Image

    files = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise FrameError(f"{p}: no images ({', '.join(IMAGE_SUFFIXES)}) in this folder")
    if strict and len(files) > limit:
        raise FrameError(f"{p}: {len(files)} images is more than the limit of {limit} frames")
    files = files[:limit]
    try:
        with Image.open(files[0]) as im:
            w, h = im.size
    except Exception as e:  # PIL raises many kinds
        raise FrameError(f"{files[0]}: cannot read as an image ({type(e).__name__}: {e})") from None
    if max(w, h) > MAX_SIDE:
        raise FrameError(f"{files[0]}: {w}x{h} pixels is larger than the limit of {MAX_SIDE} on a side")
    info = FrameSource(p, float(fps), w, h, w, h, len(files))

    def gen() -> Iterator[np.ndarray]:
        for f in files:
            try:
                with Image.open(f) as im:
                    rgb = np.asarray(im.convert("RGB"))
            except Exception as e:
                raise FrameError(f"{f}: cannot read as an image ({type(e).__name__}: {e})") from None
            if rgb.shape[:2] != (h, w):
                raise FrameError(f"{f}: {rgb.shape[1]}x{rgb.shape[0]} pixels, but the first image is {w}x{h}; "
                                 "all frames of a folder must have one size")
            yield rgb

    return info, gen()


def _start(p: Path, output_params: list[str] | None):
    import imageio_ffmpeg

    gen = imageio_ffmpeg.read_frames(str(p), pix_fmt="rgb24", output_params=output_params)
    try:
        meta = next(gen)
    except (OSError, RuntimeError, StopIteration) as e:
        gen.close()
        msg = str(e).strip().splitlines()
        raise FrameError(f"{p}: cannot read as a video ({msg[-1] if msg else type(e).__name__})") from None
    return gen, meta


def _open_video(p: Path, limit: int, strict: bool, process_side: int | None,
                fps: float | None) -> tuple[FrameSource, Iterator[np.ndarray]]:
    gen, meta = _start(p, None)
    w, h = (int(s) for s in meta.get("size", (0, 0)))
    if w < 1 or h < 1:
        gen.close()
        raise FrameError(f"{p}: the video has no picture (size {w}x{h})")
    if max(w, h) > MAX_SIDE:
        gen.close()
        raise FrameError(f"{p}: {w}x{h} pixels is larger than the limit of {MAX_SIDE} on a side")
    fw, fh = _scaled(w, h, process_side)
    rate = float(meta.get("fps") or 0.0)
    filters = []
    if fps is None and not (math.isfinite(rate) and 0 < rate <= MAX_STATED_FPS):
        # A browser's recording (MediaRecorder WebM) states no frame rate: ffmpeg would repeat each
        # frame up to the container's 1000 ticks per second. Resample it to a constant rate instead.
        rate = float(DEFAULT_FPS)
        filters.append(f"fps={DEFAULT_FPS}")
    if (fw, fh) != (w, h):
        filters.append(f"scale={fw}:{fh}:flags=area")
    if filters:
        gen.close()
        gen, meta = _start(p, ["-vf", ",".join(filters)])
    if fps is not None:
        rate = float(fps)
    duration = float(meta.get("duration") or 0.0)
    estimate = int(round(duration * rate)) if duration > 0 else None
    if estimate is not None:
        estimate = min(estimate, limit)
    info = FrameSource(p, rate, w, h, fw, fh, estimate)
    nbytes = fw * fh * 3

    def frames() -> Iterator[np.ndarray]:
        n = 0
        try:
            for buf in gen:
                if n >= limit:
                    if strict:
                        raise FrameError(f"{p}: the video is longer than the limit of {limit} frames; "
                                         "give max_frames (--max-frames) to read only the start")
                    return
                if len(buf) != nbytes:
                    raise FrameError(f"{p}: frame {n} is truncated ({len(buf)} of {nbytes} bytes)")
                yield np.frombuffer(buf, np.uint8).reshape(fh, fw, 3)
                n += 1
        except (OSError, RuntimeError) as e:
            msg = str(e).strip().splitlines()
            raise FrameError(f"{p}: decoding failed after {n} frames ({msg[-1] if msg else type(e).__name__})") from None
        finally:
            gen.close()
        if n == 0:
            raise FrameError(f"{p}: the video holds no frames")

    return info, frames()
