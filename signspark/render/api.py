"""The one public render call: PoseSequence -> frames -> mp4 (and a posed frame -> .ply).

Per frame: body model (vertices, joints) -> avatar Gaussians bound to the mesh ->
shading and back-face culling for the current camera -> backend -> panel
decorations (keyframe border, caption) -> side-by-side composition -> encoder.
A backend with ``poses_avatars`` (OpenGL) takes the posed mesh and the avatar instead
and does the avatar's posing, culling and shading in its shaders.

Example::

    from signspark.render import render_video, RenderOptions
    render_video(seq, "hello.mp4", RenderOptions(view="three_quarter", caption=True))
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import os
import re
import threading
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import torch

from ..pose.sequence import PoseSequence
from .avatar import GaussianAvatar, as_faces, default_avatar
from .backends.base import BACKEND_NAMES, Backend, FrameData, get_backend
from .camera import Camera
from .compose import caption_for_frame, draw_border, draw_caption, side_by_side
from .gaussians import Gaussians
from .ply import save_ply
from .video import Mp4Writer
from .views import VIEWS, camera_for_view

__all__ = ["RenderOptions", "render_frames", "render_video", "export_ply_frame", "posed_frame", "parse_color"]

ProgressFn = Callable[[int, int], None]

_NAMED_COLORS = {"white": (255, 255, 255), "black": (0, 0, 0), "grey": (128, 128, 128), "gray": (128, 128, 128),
                 "green": (0, 177, 64)}


def parse_color(value) -> tuple[int, int, int]:
    """``"white"``, ``"black"``, ``"#rrggbb"`` or three 0-255 numbers -> (r, g, b) ints."""
    if isinstance(value, str):
        v = value.strip().lower()
        if v in _NAMED_COLORS:
            return _NAMED_COLORS[v]
        if re.fullmatch(r"#?[0-9a-f]{6}", v):
            v = v.lstrip("#")
            return tuple(int(v[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]
        raise ValueError(f"background {value!r} is not a colour; use white, black or #rrggbb")
    try:
        rgb = tuple(int(round(float(c))) for c in value)
    except (TypeError, ValueError):
        raise ValueError(f"background {value!r} is not a colour; give (r, g, b) in 0..255") from None
    if len(rgb) != 3 or any(not 0 <= c <= 255 for c in rgb):
        raise ValueError(f"background {value!r} must be three numbers in 0..255")
    return rgb  # type: ignore[return-value]


@dataclasses.dataclass
class RenderOptions:
    """How to render.

    Attributes:
        backend: "auto" (gsplat on CUDA, else OpenGL, else PyTorch), "gsplat", "gl", "torch",
            "mesh" (OpenGL shaded mesh) or "skeleton".
        view: "front", "three_quarter", "side" (profile) or "hands" (see :mod:`signspark.render.views`).
        size: panel size in pixels: one int (square) or (width, height).
        background: (r, g, b) 0-255, or "white" / "black" / "#rrggbb".
        highlight_keyframes: draw a coloured border on the sequence's keyframes.
        keyframe_color: border colour (r, g, b).
        caption: None/False for none; True or "auto" for the clip's text (or gloss) and the
            current sign; any other string is shown instead of the text, with the current sign.
        segment_labels: optional label per segment (gloss, letter ...) for the caption's second line.
        labels: panel names with ``compare``: (reference, generated).
        fps: output frame rate (default: the sequence's).
        fov_y: camera vertical field of view, degrees.
        crf, preset: x264 quality and speed settings (superfast: a third less encoder time than
            veryfast for files about 1.6x larger, still tens of kB per second at 512 px).
        avatar: a :class:`GaussianAvatar` (default: :func:`default_avatar` for the body model).
        chunk_size: frames posed per body-model batch.
    """

    backend: str = "auto"
    view: str = "front"
    size: int | tuple[int, int] = 512
    background: tuple[int, int, int] | str = (255, 255, 255)
    highlight_keyframes: bool = True
    keyframe_color: tuple[int, int, int] = (230, 60, 40)
    caption: bool | str | None = None
    segment_labels: list[str] | None = None
    labels: tuple[str, str] = ("reference", "generated")
    fps: float | None = None
    fov_y: float = 25.0
    crf: int = 23
    preset: str = "superfast"
    avatar: GaussianAvatar | None = None
    chunk_size: int = 32

    def resolved(self) -> "RenderOptions":
        """A copy with size, background and names checked and normalised (raises ValueError)."""
        size = self.size
        if isinstance(size, (int, np.integer)):
            size = (int(size), int(size))
        try:
            w, h = (int(s) for s in size)
        except (TypeError, ValueError):
            raise ValueError(f"size must be an int or (width, height), got {self.size!r}") from None
        if not (16 <= w <= 4096 and 16 <= h <= 4096):
            raise ValueError(f"size must be between 16 and 4096 pixels, got {w}x{h}")
        if self.view not in VIEWS:
            raise ValueError(f"unknown view {self.view!r}; choose one of {', '.join(VIEWS)}")
        if self.backend != "auto" and self.backend not in BACKEND_NAMES:
            raise ValueError(f"unknown renderer backend {self.backend!r}; "
                             f"choose one of {', '.join(('auto',) + BACKEND_NAMES)}")
        if self.fps is not None and not (0 < float(self.fps) <= 240):
            raise ValueError(f"fps must be in (0, 240], got {self.fps}")
        return dataclasses.replace(self, size=(w, h), background=parse_color(self.background),
                                   keyframe_color=parse_color(self.keyframe_color))


@functools.lru_cache(maxsize=2)
def _builtin_body():
    from ..body import shared_body_model

    return shared_body_model()


# The default avatar of the last body model used, as (body model, avatar): keeping the model
# itself (not its id) means a new model that reuses a freed model's id cannot get the old avatar.
_AVATAR: tuple[object, GaussianAvatar] | None = None
_AVATAR_LOCK = threading.Lock()  # renders run in worker threads (the demo): build each avatar once


def _avatar_for(bm, options: RenderOptions) -> GaussianAvatar:
    global _AVATAR
    if options.avatar is not None:
        return options.avatar
    with _AVATAR_LOCK:
        if _AVATAR is None or _AVATAR[0] is not bm:
            _AVATAR = (bm, default_avatar(bm))
        return _AVATAR[1]


def _vertex_colors(bm) -> torch.Tensor:
    from ..body import REGIONS
    from .avatar import REGION_PALETTE

    regions = getattr(bm, "vertex_regions", None)
    V = int(bm.num_vertices) if hasattr(bm, "num_vertices") else int(np.asarray(bm.faces).max()) + 1
    if regions is None:
        return torch.tensor(REGION_PALETTE["skin"], dtype=torch.float32).expand(V, 3) / 255.0
    try:
        from ..body.regions import REGION_COLORS
    except ImportError:  # pragma: no cover
        REGION_COLORS = {}
    lut = np.zeros((256, 3))
    lut[:] = REGION_PALETTE["skin"]
    for name, code in REGIONS.items():
        lut[code] = REGION_PALETTE.get(name, REGION_COLORS.get(name, REGION_PALETTE["skin"]))
    return torch.tensor(lut[np.asarray(regions)] / 255.0, dtype=torch.float32)


def _as_sequence(seq, what: str) -> PoseSequence:
    if isinstance(seq, PoseSequence):
        return seq
    if isinstance(seq, (str, os.PathLike)):
        return PoseSequence.load(seq)
    raise TypeError(f"{what} must be a PoseSequence or a path to one, got {type(seq).__name__}")


# Clips whose posed vertices fit in this many bytes are posed once (the camera framing needs every
# frame's joints before the first frame is drawn); longer ones are posed twice, chunk by chunk.
_POSED_CACHE_BYTES = 160 * 2 ** 20


def _pose_clip(bm, seq: PoseSequence, chunk: int):
    """(joints (T, J, 3) on the CPU, the BodyOutput of every frame or None when too big to keep)."""
    V = int(bm.num_vertices) if hasattr(bm, "num_vertices") else 0
    with torch.no_grad():
        if V and seq.num_frames * V * 12 <= _POSED_CACHE_BYTES:
            out = bm(seq, chunk_size=chunk)
            return out.joints.cpu(), out
        joints = [bm(seq.slice(a, a + chunk), chunk_size=chunk).joints.cpu()
                  for a in range(0, seq.num_frames, chunk)]
    return torch.cat(joints), None


def _panel(seq: PoseSequence, bm, avatar: GaussianAvatar, backend: Backend, camera: Camera,
           opts: RenderOptions, posed=None) -> Iterator[np.ndarray]:
    """Frames of one sequence, decorated (keyframe border, caption); ``posed``: its BodyOutput, if kept."""
    faces = as_faces(bm.faces)
    bg = tuple(c / 255.0 for c in opts.background)
    keyframes = set(int(k) for k in seq.keyframes) if opts.highlight_keyframes else set()
    vcolors = _vertex_colors(bm) if backend.draws == "mesh" else None
    caption_text = None
    if opts.caption:
        caption_text = seq.text if opts.caption in (True, "auto") else str(opts.caption)
    pending: collections.deque = collections.deque()  # (t, token): frames submitted, not yet fetched

    def finished(t: int, token) -> np.ndarray:
        img = backend.fetch(token)
        if t in keyframes:
            img = draw_border(img, opts.keyframe_color)
        if caption_text is not None:
            img = draw_caption(img, caption_for_frame(t, caption_text, seq.gloss, seq.segments, opts.segment_labels))
        return img

    for a in range(0, seq.num_frames, opts.chunk_size):
        if posed is not None:
            vertices, joints = posed.vertices[a:a + opts.chunk_size], posed.joints[a:a + opts.chunk_size]
        else:
            with torch.no_grad():
                out = bm(seq.slice(a, a + opts.chunk_size), chunk_size=opts.chunk_size)
            vertices, joints = out.vertices, out.joints
        for i in range(vertices.shape[0]):
            t = a + i
            with torch.no_grad():
                if backend.draws == "gaussians" and backend.poses_avatars and avatar.surface:
                    frame = FrameData(avatar=avatar, vertices=vertices[i], faces=bm.faces)
                elif backend.draws == "gaussians":
                    frame = FrameData(gaussians=avatar.pose_for_camera(vertices[i], faces, camera))
                elif backend.draws == "mesh":
                    frame = FrameData(vertices=vertices[i], faces=faces, vertex_colors=vcolors)
                else:
                    frame = FrameData(joints=joints[i])
            # Keep the backend busy: the next frame is posed while this one is drawn.
            if len(pending) >= backend.max_in_flight:
                yield finished(*pending.popleft())
            pending.append((t, backend.submit(frame, camera, bg)))
    while pending:
        yield finished(*pending.popleft())


def render_frames(seq, options: RenderOptions | None = None, compare=None, body_model=None,
                  progress: ProgressFn | None = None) -> Iterator[np.ndarray]:
    """Render a clip frame by frame.

    Args:
        seq: a :class:`PoseSequence` (or a path to its ``.npz``): the clip to show.
        options: :class:`RenderOptions` (defaults if None).
        compare: optional second clip, shown on the **left** labelled ``options.labels[0]``
            ("reference"), with ``seq`` on the right labelled ``options.labels[1]`` ("generated").
            Both share one camera; the shorter clip holds its last frame.
        body_model: a :class:`signspark.body.BodyModel` (default: the built-in body, loaded once).
        progress: called as ``progress(done, total)`` after each frame.

    Yields:
        (H, W, 3) uint8 RGB frames (W doubles, plus a 4-pixel gap, with ``compare``).
    """
    opts = (options or RenderOptions()).resolved()
    seq = _as_sequence(seq, "seq")
    other = _as_sequence(compare, "compare") if compare is not None else None
    bm = body_model if body_model is not None else _builtin_body()
    seqs = [other, seq] if other is not None else [seq]
    backends = [get_backend(opts.backend) for _ in seqs]  # one each: a backend holds frames in flight
    backend = backends[0]
    avatar = _avatar_for(bm, opts) if backend.draws == "gaussians" else None
    w, h = opts.size
    posed = [_pose_clip(bm, s, opts.chunk_size) for s in seqs]
    joints = torch.cat([j for j, _ in posed])
    camera = camera_for_view(opts.view, joints, w, h, fov_y=opts.fov_y)
    total = max(s.num_frames for s in seqs)
    try:
        panels = [_panel(s, bm, avatar, b, camera, opts, out) for s, b, (_, out) in zip(seqs, backends, posed)]
        last: list[np.ndarray | None] = [None] * len(seqs)
        for t in range(total):
            for k, (s, gen) in enumerate(zip(seqs, panels)):
                if t < s.num_frames:
                    last[k] = next(gen)
            if other is None:
                frame = last[0]
            else:
                frame = side_by_side(last, list(opts.labels), opts.background)  # type: ignore[arg-type]
            if progress is not None:
                progress(t + 1, total)
            yield frame
    finally:
        for b in backends:
            b.close()


def render_video(seq, out_path: str | os.PathLike, options: RenderOptions | None = None, compare=None,
                 body_model=None, progress: ProgressFn | None = None) -> Path:
    """Render a clip to an H.264 mp4 (yuv420p, +faststart), written atomically.

    Arguments as :func:`render_frames`; ``out_path`` must end in ``.mp4``. Returns the path.
    """
    opts = (options or RenderOptions()).resolved()
    seq = _as_sequence(seq, "seq")
    fps = float(opts.fps or seq.fps)
    writer = Mp4Writer(out_path, fps=fps, crf=opts.crf, preset=opts.preset)
    with writer:
        for frame in render_frames(seq, opts, compare=compare, body_model=body_model, progress=progress):
            writer.write(frame)
    return writer.path


def posed_frame(seq, frame: int, body_model=None, avatar: GaussianAvatar | None = None) -> Gaussians:
    """The avatar's world-space Gaussians at ``frame`` of ``seq`` (albedo colours, as stored in a ``.ply``).

    Raises:
        ValueError: ``frame`` outside the clip.
    """
    seq = _as_sequence(seq, "seq")
    if not 0 <= int(frame) < seq.num_frames:
        raise ValueError(f"frame {frame} is outside the clip (0..{seq.num_frames - 1})")
    bm = body_model if body_model is not None else _builtin_body()
    av = avatar if avatar is not None else _avatar_for(bm, RenderOptions())
    with torch.no_grad():
        out = bm(seq.slice(int(frame), int(frame) + 1))
        return av.pose(out.vertices[0], bm.faces)


def export_ply_frame(seq, frame: int, out_path: str | os.PathLike, body_model=None,
                     avatar: GaussianAvatar | None = None) -> Path:
    """Write the avatar posed at ``frame`` of ``seq`` as a standard 3DGS ``.ply`` (albedo colours).

    Raises:
        ValueError: ``frame`` outside the clip.
    """
    return save_ply(out_path, posed_frame(seq, frame, body_model, avatar))
