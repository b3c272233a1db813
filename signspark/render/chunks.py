"""A clip rendered as short finished video pieces, for showing it while it renders.

:func:`render_video_chunks` renders a clip frame by frame (as :func:`~signspark.render.render_video`)
but closes a small **fragmented mp4** every few frames and yields it at once: a player can
show the first frames while the rest is still being drawn. Each chunk is a complete file on
its own (H.264 starting on a keyframe; ``ftyp`` + ``moov`` + ``moof``/``mdat`` fragments),
which is what a browser's Media Source Extensions append one after another (``sequence``
mode), and what :func:`concat_chunks` joins, without re-encoding, into the ordinary
``+faststart`` mp4 to download.

The first chunk is short (a few frames, ready soonest); the next ones grow to
``chunk_frames``. Each chunk's encoder is closed in a background thread while the next
frames render, so rendering never waits for the encoder's tail.

Example::

    for chunk in render_video_chunks(seq, "parts/", RenderOptions(caption=True)):
        send(chunk.path)                       # chunk.start_seconds, chunk.duration, chunk.codec
    concat_chunks(chunks, "hello.mp4")
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ..atomic import atomic_path
from .video import Mp4Writer, VideoError

__all__ = ["VideoChunk", "chunk_plan", "render_video_chunks", "concat_chunks", "mp4_codec",
           "FIRST_CHUNK_FRAMES", "CHUNK_FRAMES"]

FIRST_CHUNK_FRAMES = 2   # the first piece: two frames, ready soonest
CHUNK_FRAMES = 25        # later pieces grow to this (one second at 25 fps)
MAX_CHUNK_FRAMES = 1000


@dataclasses.dataclass(frozen=True)
class VideoChunk:
    """One finished piece of a clip.

    Attributes:
        path: the fragmented mp4 of this piece.
        index: 0, 1, ... in playing order.
        start_frame: the clip frame it starts with; num_frames: how many frames it holds.
        fps: frames per second.
        codec: the RFC 6381 codec string of its video (``"avc1.64001f"``), what
            ``MediaSource.isTypeSupported('video/mp4; codecs="..."')`` asks about.
    """

    path: Path
    index: int
    start_frame: int
    num_frames: int
    fps: float
    codec: str

    @property
    def start_seconds(self) -> float:
        return self.start_frame / self.fps

    @property
    def duration(self) -> float:
        return self.num_frames / self.fps


def chunk_plan(num_frames: int, chunk_frames: int = CHUNK_FRAMES,
               first_chunk_frames: int = FIRST_CHUNK_FRAMES) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` frame ranges of the chunks (stop exclusive) covering ``num_frames``.

    The first chunk has ``first_chunk_frames``; each next one doubles, up to ``chunk_frames``.
    """
    for name, value in (("num_frames", num_frames), ("chunk_frames", chunk_frames),
                        ("first_chunk_frames", first_chunk_frames)):
        if int(value) != value or not 1 <= value <= (10**7 if name == "num_frames" else MAX_CHUNK_FRAMES):
            raise ValueError(f"{name} must be a whole number >= 1 (chunks at most {MAX_CHUNK_FRAMES} frames), "
                             f"got {value}")
    plan, start, size = [], 0, min(int(first_chunk_frames), int(chunk_frames))
    while start < num_frames:
        stop = min(num_frames, start + size)
        plan.append((start, stop))
        start, size = stop, min(2 * size, int(chunk_frames))
    return plan


def mp4_codec(path: str | os.PathLike) -> str:
    """The RFC 6381 codec string (``avc1.PPCCLL``) of an H.264 mp4, read from its ``avcC`` box."""
    data = Path(path).read_bytes()[:65536]  # the moov of a fragmented mp4 comes first and is small
    at = data.find(b"avcC")
    if at < 0 or len(data) < at + 8:
        raise VideoError(f"{path}: no H.264 configuration (avcC) found; is it an H.264 mp4?")
    profile, compat, level = data[at + 5], data[at + 6], data[at + 7]
    return f"avc1.{profile:02x}{compat:02x}{level:02x}"


def render_video_chunks(seq, folder: str | os.PathLike, options=None, *, chunk_frames: int = CHUNK_FRAMES,
                        first_chunk_frames: int = FIRST_CHUNK_FRAMES, stem: str = "chunk", compare=None,
                        body_model=None, progress: Callable[[int, int], None] | None = None
                        ) -> Iterator[VideoChunk]:
    """Render ``seq`` into ``folder/<stem>.NNNN.mp4`` pieces, yielding each as soon as it is finished.

    Arguments as :func:`signspark.render.render_frames` (``options`` a :class:`RenderOptions`);
    chunk sizes as :func:`chunk_plan`. Chunks are yielded in order; every file is written
    atomically. If rendering fails, or the caller stops early (closing the generator), the
    open chunk is discarded and the chunks already yielded stay in ``folder``.
    """
    from .api import RenderOptions, _as_sequence, render_frames

    opts = (options or RenderOptions()).resolved()
    seq = _as_sequence(seq, "seq")
    other = _as_sequence(compare, "compare") if compare is not None else None
    total = max(seq.num_frames, other.num_frames if other is not None else 0)
    plan = chunk_plan(total, chunk_frames, first_chunk_frames)
    fps = float(opts.fps or seq.fps)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pending: collections.deque = collections.deque()  # (future of the closed file, index, start, stop)
    writer: Mp4Writer | None = None

    def finished(item) -> VideoChunk:
        future, index, start, stop = item
        path = future.result()
        return VideoChunk(path=Path(path), index=index, start_frame=start, num_frames=stop - start, fps=fps,
                          codec=mp4_codec(path))

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="signspark-chunks")
    try:
        frames = render_frames(seq, opts, compare=other, body_model=body_model, progress=progress)
        index = 0
        for t, frame in enumerate(frames):
            start, stop = plan[index]
            if writer is None:
                writer = Mp4Writer(folder / f"{stem}.{index:04d}.mp4", fps=fps, crf=opts.crf, preset=opts.preset,
                                   fragmented=True)
            writer.write(frame)
            if t + 1 == stop:
                pending.append((pool.submit(writer.close), index, start, stop))
                writer, index = None, index + 1
            while pending and pending[0][0].done():
                yield finished(pending.popleft())
        while pending:
            yield finished(pending.popleft())
    finally:
        if writer is not None:
            writer.abort()
        pool.shutdown(wait=True)  # a chunk still closing finishes (or fails) before we return


def concat_chunks(chunks: Sequence[VideoChunk | str | os.PathLike], out_path: str | os.PathLike) -> Path:
    """Join chunk files, in the given order, into one ``+faststart`` mp4 without re-encoding (atomic).

    The chunks must come from one :func:`render_video_chunks` call (same size, fps and encoder
    settings).
    """
    import imageio_ffmpeg

    paths = [Path(c.path if isinstance(c, VideoChunk) else c) for c in chunks]
    if not paths:
        raise ValueError("no chunks to join")
    for p in paths:
        if not p.is_file():
            raise FileNotFoundError(f"video chunk {p} does not exist")
    out_path = Path(out_path)
    if out_path.suffix.lower() != ".mp4":
        raise ValueError(f"{out_path}: the joined video is written as .mp4; give a path ending in .mp4")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, listing = tempfile.mkstemp(prefix=f".{out_path.stem}.", suffix=".concat.txt", dir=out_path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("".join(f"file '{_quoted(p.resolve())}'\n" for p in paths))
        with atomic_path(out_path) as tmp:
            cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-y", "-f", "concat", "-safe", "0",
                   "-i", listing, "-c", "copy", "-movflags", "+faststart", "-f", "mp4", str(tmp)]
            result = subprocess.run(cmd, capture_output=True, check=False)
            if result.returncode != 0:
                raise VideoError(f"joining {len(paths)} video chunks into {out_path} failed: "
                                 f"{result.stderr.decode(errors='replace').strip()[-500:]}")
    finally:
        Path(listing).unlink(missing_ok=True)
    return out_path


def _quoted(path: Path) -> str:
    """A path for ffmpeg's concat list (single quotes escaped)."""
    return str(path).replace("'", "'\\''")
