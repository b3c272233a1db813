"""A generated clip -> the finished files: mp4, a 3D avatar frame (.ply), the PoseSequence .npz,
the segments as JSON and ELAN, an animated 3D model (.glb).

:func:`write_outputs` is the last step of :meth:`signspark.pipeline.SignSparK.text_to_video`
(what ``signspark generate --video`` and the demo call). The .ply, .npz and segment files are
written in a second thread while the video renders (the renderer leaves CPU idle between
frames), so the call ends soon after the video is done; everything is written atomically.

``on_chunk`` asks for the video in short finished pieces while it renders
(:func:`signspark.render.render_video_chunks`), each handed to ``on_chunk`` as soon as it is
done, so that a page can show the first frames at once; the pieces are then joined into the
same mp4 (no re-encoding), and the side files wait for the first piece so as not to delay it.
``left_handed`` mirrors the signing first (:func:`signspark.pose.mirror_sequence`): every file
shows a left-handed signer.

Example::

    files = write_outputs(out, "results/", "hello", video=RenderOptions(view="hands"), ply_frame=40)
    files.video, files.ply, files.downloads
    files = write_outputs(out, "results/", "hello", video=RenderOptions(), glb=True, on_chunk=print)
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import time
from pathlib import Path
from typing import Any, Callable

__all__ = ["OutputFiles", "write_outputs", "file_stem", "avatar_ply", "left_handed_output"]


@dataclasses.dataclass
class OutputFiles:
    """What :func:`write_outputs` wrote (None for what was not asked for).

    Attributes:
        video: the H.264 mp4.
        backend: the renderer backend that drew the video.
        render_seconds: wall time of the video.
        ply: the avatar at one frame as a compact 3DGS .ply (y down, z away: the 3DGS convention).
        ply_frame: which frame the .ply shows.
        npz: the PoseSequence.
        segments_json, eaf: the segments (per-frame BIO tags, keyframes) as JSON and ELAN.
        glb: the clip as an animated glTF 2.0 binary (:func:`signspark.export.write_glb`).
        extra: what the ``also`` callable returned.
        chunks: the video's pieces when it was rendered in pieces (``on_chunk``), in order.
        first_chunk_seconds: from the start of :func:`write_outputs` to the first piece.
    """

    video: Path | None = None
    backend: str | None = None
    render_seconds: float = 0.0
    ply: Path | None = None
    ply_frame: int | None = None
    npz: Path | None = None
    segments_json: Path | None = None
    eaf: Path | None = None
    glb: Path | None = None
    extra: Any = None
    chunks: list = dataclasses.field(default_factory=list)
    first_chunk_seconds: float | None = None

    @property
    def downloads(self) -> list[Path]:
        """The data files a user takes away: .npz, segments JSON, ELAN, .glb."""
        return [p for p in (self.npz, self.segments_json, self.eaf, self.glb) if p is not None]


def file_stem(text: str, default: str = "signing") -> str:
    """A safe file-name stem from text: letters and digits kept, at most 40 characters."""
    safe = "".join(c if c.isalnum() else "_" for c in text.strip().lower())[:40].strip("_")
    return safe or default


def avatar_ply(seq, frame: int, path: str | Path, body_model=None) -> Path:
    """The Gaussian avatar posed at ``frame`` as a compact 3DGS .ply in the convention splat viewers expect.

    Our world is y up, z towards the viewer; 3DGS files (and ``gr.Model3D``'s viewer) follow the
    original 3DGS / COLMAP camera convention, y down and z away. A half turn about x maps one onto
    the other: means ``(x, y, z) -> (x, -y, -z)``, rotations ``q -> (0, 1, 0, 0) * q``. Compact: the
    degree-0 colour only (what common viewers read), a quarter of the full file's size.
    """
    import torch

    from signspark.render import Gaussians, posed_frame, save_ply

    g = posed_frame(seq, frame, body_model=body_model)
    flip = torch.tensor([1.0, -1.0, -1.0])
    w, x, y, z = g.quats.unbind(-1)
    quats = torch.stack([-x, w, -z, y], dim=-1)
    return save_ply(path, Gaussians(g.means * flip, quats, g.scales, g.colors, g.opacities), compact=True)


def left_handed_output(out):
    """A :class:`~signspark.pipeline.GenerationOutput` whose pose is signed by a left-handed signer
    (:func:`signspark.pose.mirror_sequence`: the pose is mirrored, the hands swap roles). Segments,
    labels, tags and keyframes are unchanged; ``features`` stay the generator's own."""
    from signspark.pose.mirror import mirror_sequence

    return dataclasses.replace(out, pose=mirror_sequence(out.pose))


def _side_files(out, folder: Path, stem: str, ply_frame: int | None, npz: bool, segments: bool,
                also: Callable[[Any], Any] | None, files: OutputFiles, glb: bool = False) -> None:
    seq = out.pose
    if ply_frame is not None:
        frame = seq.num_frames // 2 if ply_frame < 0 else min(int(ply_frame), seq.num_frames - 1)
        files.ply = avatar_ply(seq, frame, folder / f"{stem}.frame{frame:04d}.ply")
        files.ply_frame = frame
    if npz:
        files.npz = seq.save(folder / f"{stem}.npz")
    if segments and out.tags is not None:
        from signspark.segment import export

        files.segments_json = export.write_json(folder / f"{stem}.segments.json", {stem: out.tags}, seq.fps)
        files.eaf = export.write_eaf(folder / f"{stem}.eaf", out.tags, seq.fps)
    if glb:
        from signspark.export import write_glb
        from signspark.render.api import _builtin_body

        files.glb = write_glb(seq, folder / f"{stem}.glb", _builtin_body(), expressions=True).path
    if also is not None:
        files.extra = also(out)


def write_outputs(out, folder: str | Path, stem: str, *, video=None, ply_frame: int | None = None,
                  npz: bool = True, segments: bool = True, progress: Callable[[int, int], None] | None = None,
                  also: Callable[[Any], Any] | None = None, left_handed: bool = False, glb: bool = False,
                  on_chunk: Callable[[Any], None] | None = None, chunk_frames: int | None = None,
                  first_chunk_frames: int | None = None) -> OutputFiles:
    """Write the files of a generated clip into ``folder`` (created if needed).

    Args:
        out: a :class:`signspark.pipeline.GenerationOutput`.
        stem: file-name stem (see :func:`file_stem`).
        video: :class:`signspark.render.RenderOptions` for ``<stem>.mp4``, or None for no video.
            The caption (when on) shows the per-sign labels.
        ply_frame: frame of the 3D avatar ``.ply`` (clamped to the clip; negative: the middle frame),
            or None for none.
        npz: write the PoseSequence ``<stem>.npz``.
        segments: write ``<stem>.segments.json`` and ``<stem>.eaf`` when the clip has segments.
        progress: ``progress(done, total)`` per rendered frame.
        also: more work to run beside the video, called with ``out`` (its result lands in
            :attr:`OutputFiles.extra`).
        left_handed: mirror the signing first (a left-handed signer) in every file.
        glb: also write the clip as an animated glTF 2.0 binary ``<stem>.glb`` (with expressions).
        on_chunk: render the video in short pieces (``<stem>.parts/``) and call
            ``on_chunk(VideoChunk)`` for each as soon as it is finished (from this thread);
            ``<stem>.mp4`` is then joined from them.
        chunk_frames, first_chunk_frames: piece sizes (see :func:`signspark.render.chunk_plan`).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if left_handed:
        out = left_handed_output(out)
    files = OutputFiles()
    start = time.perf_counter()
    side_args = (out, folder, stem, ply_frame, npz, segments, also, files, glb)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="signspark-outputs") as pool:
        side = None
        try:
            if video is None or on_chunk is None:
                side = pool.submit(_side_files, *side_args)
            if video is not None:
                options = dataclasses.replace(video, segment_labels=video.segment_labels or out.labels)
                t0 = time.perf_counter()
                target = folder / f"{stem}.mp4"
                if on_chunk is None:
                    from signspark.render import render_video

                    files.video = Path(render_video(out.pose, target, options, progress=progress))
                else:
                    from signspark.render.chunks import (CHUNK_FRAMES, FIRST_CHUNK_FRAMES, concat_chunks,
                                                         render_video_chunks)

                    for chunk in render_video_chunks(out.pose, folder / f"{stem}.parts", options, stem=stem,
                                                     chunk_frames=chunk_frames or CHUNK_FRAMES,
                                                     first_chunk_frames=first_chunk_frames or FIRST_CHUNK_FRAMES,
                                                     progress=progress):
                        files.chunks.append(chunk)
                        if files.first_chunk_seconds is None:
                            files.first_chunk_seconds = time.perf_counter() - start
                        on_chunk(chunk)
                        if side is None:  # after the first piece: it must not wait for the side files
                            side = pool.submit(_side_files, *side_args)
                    files.video = concat_chunks(files.chunks, target)
                files.render_seconds = time.perf_counter() - t0
                files.backend = _backend_name(options.backend)
        finally:
            if side is not None:
                concurrent.futures.wait([side])  # it writes into the folder: never leave it running
        if side is None:  # no piece was rendered (cannot happen for a clip of >= 1 frame)
            _side_files(*side_args)
        else:
            side.result()
    return files


def _backend_name(name: str) -> str:
    """The backend ``auto`` resolves to (the best available splat renderer)."""
    if name != "auto":
        return name
    from signspark.render import available_backends

    usable = [b for b in available_backends() if b in ("gsplat", "gl", "torch")]
    return usable[0] if usable else name
