"""Rendering: a 3D Gaussian avatar bound to the body mesh, renderer backends, video and .ply files.

Public API::

    from signspark.render import (render_video, render_frames, RenderOptions, available_backends,
                                  default_avatar, GaussianAvatar, save_ply, load_ply)

* :func:`render_video` / :func:`render_frames` - PoseSequence -> mp4 / frames (:mod:`.api`).
* :func:`render_video_chunks` / :func:`concat_chunks` - the mp4 in short finished pieces while it renders
  (:mod:`.chunks`).
* :class:`GaussianAvatar`, :func:`default_avatar` - Gaussians bound to triangles (:mod:`.avatar`).
* :func:`save_ply`, :func:`load_ply`, :func:`save_avatar`, :func:`load_avatar` - 3DGS files (:mod:`.ply`).
* :func:`available_backends` - which of gsplat, gl, torch, mesh, skeleton run here (:mod:`.backends`).
* :class:`Camera` and the view presets (:mod:`.camera`, :mod:`.views`).
"""

from .api import RenderOptions, export_ply_frame, parse_color, posed_frame, render_frames, render_video
from .avatar import GaussianAvatar, default_avatar
from .backends.base import BackendUnavailableError, available_backends, get_backend
from .camera import Camera
from .chunks import VideoChunk, chunk_plan, concat_chunks, render_video_chunks
from .gaussians import Gaussians
from .ply import PlyError, load_avatar, load_ply, save_avatar, save_ply
from .video import Mp4Writer, VideoError
from .views import VIEWS, camera_for_view

__all__ = [
    "render_video", "render_frames", "render_video_chunks", "concat_chunks", "chunk_plan", "VideoChunk", "RenderOptions", "export_ply_frame", "posed_frame", "parse_color",
    "available_backends", "get_backend", "BackendUnavailableError",
    "default_avatar", "GaussianAvatar", "Gaussians", "Camera", "VIEWS", "camera_for_view",
    "save_ply", "load_ply", "save_avatar", "load_avatar", "PlyError", "Mp4Writer", "VideoError",
]
