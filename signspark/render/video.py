"""MP4 writing through the ffmpeg that imageio-ffmpeg bundles: H.264, yuv420p, +faststart.

Browsers play the result. Frames are streamed to the encoder one at a time (the
clip is never held in memory), into a temporary file beside the target that is
renamed on success and removed on failure. The encoder is stopped when the writer
is aborted and, on Linux, when the rendering process dies; temporary files that a
killed process left are removed by the next write to the same target. A background thread feeds the ffmpeg
process, so :meth:`Mp4Writer.write` returns at once (up to a few queued frames)
and rendering goes on while the encoder takes the previous frames.

Example::

    with Mp4Writer("out.mp4", fps=25) as w:
        for frame in frames:          # (H, W, 3) uint8
            w.write(frame)
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from fractions import Fraction
from pathlib import Path

import numpy as np

__all__ = ["Mp4Writer", "VideoError"]


class VideoError(RuntimeError):
    """The encoder could not be started or failed while writing."""


def _die_with_parent_hook():
    """A ``preexec_fn`` that makes the child get SIGKILL when its parent dies (Linux), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def hook() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)

    return hook


class _Encoder:
    """The ffmpeg process of one video: raw RGB frames on stdin, an H.264 mp4 out.

    On Linux the process is tied to its parent (``PR_SET_PDEATHSIG``): if the rendering process is
    killed, so is the encoder, instead of going on writing a file nobody will rename. ``send`` and
    ``close`` mirror imageio-ffmpeg's writer; ``kill`` stops it at once.
    """

    def __init__(self, path: Path, width: int, height: int, fps: float, crf: int, preset: str,
                 movflags: str = "+faststart", extra: list[str] | None = None):
        import imageio_ffmpeg

        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error", "-nostdin",
               "-f", "rawvideo", "-vcodec", "rawvideo", "-s", f"{width}x{height}", "-pix_fmt", "rgb24",
               "-r", str(Fraction(fps).limit_denominator()), "-i", "-", "-an",
               "-vcodec", "libx264", "-pix_fmt", "yuv420p", "-preset", preset, "-crf", str(crf), *(extra or []),
               "-movflags", movflags, "-f", "mp4", str(path)]
        self._stderr = tempfile.TemporaryFile()
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._stderr,
                                         preexec_fn=_die_with_parent_hook())
        except OSError as e:
            self._stderr.close()
            raise VideoError(f"cannot start the ffmpeg encoder: {e}") from e

    def _message(self) -> str:
        self._stderr.seek(0)
        text = self._stderr.read(4000).decode("utf-8", "replace").strip()
        return text.splitlines()[-1] if text else f"ffmpeg exited with status {self.proc.returncode}"

    def send(self, data: bytes) -> None:
        try:
            self.proc.stdin.write(data)
        except (BrokenPipeError, OSError, ValueError) as e:
            self.proc.poll()
            raise VideoError(self._message() if self.proc.returncode else f"{type(e).__name__}: {e}") from None

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        rc = self.proc.wait()
        try:
            if rc != 0:
                raise VideoError(self._message())
        finally:
            self._stderr.close()

    def kill(self) -> None:
        self.proc.kill()
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.wait()
        self._stderr.close()


class Mp4Writer:
    """Stream (H, W, 3) uint8 RGB frames into an H.264 mp4.

    Args:
        path: target ``.mp4`` file (its folder is created).
        fps: frames per second (> 0).
        crf: x264 constant rate factor (lower is better quality; 23 is the default).
        preset: x264 speed preset (``ultrafast`` ... ``veryslow``).
        fragmented: write a fragmented mp4 (``empty_moov``, one fragment per keyframe) instead of a
            ``+faststart`` one: what a browser's Media Source Extensions append piece by piece
            (:mod:`signspark.render.chunks`).

    The frame size is fixed by the first frame; odd widths or heights are padded
    by one pixel (edge colour) because yuv420p needs even sizes.
    """

    def __init__(self, path: str | os.PathLike, fps: float, crf: int = 23, preset: str = "superfast",
                 fragmented: bool = False):
        self.path = Path(path)
        if self.path.suffix.lower() != ".mp4":
            raise ValueError(f"{self.path}: the video is written as .mp4; give a path ending in .mp4")
        if not (np.isfinite(fps) and 0 < fps <= 240):
            raise ValueError(f"fps must be in (0, 240], got {fps}")
        self.fps, self.crf, self.preset = float(fps), int(crf), preset
        # Fragmented pieces have no B-frames: each starts at time 0 with no composition delay, so
        # pieces placed one after another (a player's ``sequence`` mode, ffmpeg's concat) line up exactly.
        self.fragmented = bool(fragmented)
        self.movflags = "frag_keyframe+empty_moov+default_base_moof" if fragmented else "+faststart"
        self._gen = None
        self._tmp: Path | None = None
        self._size: tuple[int, int] | None = None  # (H, W) of incoming frames
        self.frames_written = 0
        self._queue: queue.Queue | None = None
        self._feeder: threading.Thread | None = None
        self._error: BaseException | None = None

    _QUEUE_FRAMES = 4

    def _feed(self) -> None:
        """Background thread: hand queued frames to ffmpeg (the pipe write blocks, not the caller)."""
        while True:
            data = self._queue.get()
            if data is None:
                return
            if self._error is None:
                try:
                    self._gen.send(data)
                except BaseException as e:  # noqa: BLE001 - reported by the next write() or close()
                    self._error = e

    def _stop_feeder(self) -> None:
        if self._feeder is not None:
            self._queue.put(None)
            self._feeder.join()
            self._feeder = None

    def _start(self, h: int, w: int) -> None:
        from ..atomic import _temporary_sibling

        self._tmp = _temporary_sibling(self.path, ".tmp.mp4")  # also removes what killed writers left
        W, H = w + (w % 2), h + (h % 2)
        try:
            self._gen = _Encoder(self._tmp, W, H, self.fps, self.crf, self.preset, self.movflags,
                                 ["-bf", "0"] if self.fragmented else [])
        except BaseException:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None
            raise
        self._size = (h, w)
        self._queue = queue.Queue(maxsize=self._QUEUE_FRAMES)
        self._feeder = threading.Thread(target=self._feed, name="mp4-writer", daemon=True)
        self._feeder.start()

    def write(self, frame: np.ndarray) -> None:
        """Append one (H, W, 3) uint8 frame."""
        frame = np.asarray(frame)
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise ValueError(f"frames must be (H, W, 3) uint8, got {frame.shape} {frame.dtype}")
        if self._gen is None:
            self._start(frame.shape[0], frame.shape[1])
        elif frame.shape[:2] != self._size:
            raise ValueError(f"frame {self.frames_written} is {frame.shape[:2]}, earlier frames were {self._size}")
        h, w = frame.shape[:2]
        if h % 2 or w % 2:
            frame = np.pad(frame, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
        if self._error is not None:
            self._fail("writing")
        self._queue.put(np.ascontiguousarray(frame).tobytes())
        self.frames_written += 1

    def _fail(self, what: str) -> None:
        e = self._error
        self.abort()
        raise VideoError(f"the ffmpeg encoder failed {what} {self.path}: {e}") from e

    def close(self) -> Path:
        """Finish encoding and move the file into place; returns the path."""
        if self._gen is None:
            raise VideoError(f"no frames were written to {self.path}")
        self._stop_feeder()
        if self._error is not None:
            self._fail("writing")
        try:
            self._gen.close()
        except Exception as e:
            self.abort()
            raise VideoError(f"the ffmpeg encoder failed finishing {self.path}: {e}") from e
        self._gen = None
        try:
            os.replace(self._tmp, self.path)
        except OSError as e:  # e.g. a folder of that name: the finished temporary must not stay behind
            from ..atomic import OutputError

            self._tmp.unlink(missing_ok=True)
            raise OutputError(f"cannot write {self.path}: {e.strerror or e}") from None
        finally:
            self._tmp = None
        return self.path

    def abort(self) -> None:
        """Stop the encoder and delete the partial file (the target is left untouched)."""
        if self._feeder is not None:
            self._error = self._error or VideoError("aborted")  # the feeder drops what is still queued
            self._stop_feeder()
        if self._gen is not None:
            try:  # stop the encoder at once: finishing a file that is deleted anyway wastes time
                getattr(self._gen, "kill", self._gen.close)()
            except Exception:
                pass
            self._gen = None
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None

    def __enter__(self) -> "Mp4Writer":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
