"""What every renderer backend takes and returns, and how one is picked.

A backend turns one :class:`FrameData` (the posed body of one frame: Gaussians,
mesh and/or joints) and a :class:`~signspark.render.camera.Camera` into an
``(H, W, 3)`` uint8 RGB image. Backends:

=========  ===========================================  =====================
name       draws                                        needs
=========  ===========================================  =====================
gsplat     Gaussians, gsplat ``rasterization``          CUDA, gsplat, packaging
gl         Gaussians as sorted quads (OpenGL shaders)   moderngl + EGL (CPU ok)
torch      Gaussians, vectorised tile rasterizer        nothing beyond torch
mesh       the shaded triangle mesh (OpenGL)            moderngl + EGL
skeleton   2D bones and joints, hands in detail         nothing beyond Pillow
=========  ===========================================  =====================

``"auto"`` picks the first available of gsplat, gl, torch.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import ClassVar

import numpy as np
import torch

from ..camera import Camera
from ..gaussians import Gaussians

__all__ = ["FrameData", "Backend", "BackendUnavailableError", "BACKEND_NAMES", "AUTO_ORDER",
           "get_backend", "available_backends", "backend_status"]


class BackendUnavailableError(RuntimeError):
    """The requested backend cannot run here; the message says why and what to use instead."""


@dataclasses.dataclass
class FrameData:
    """One posed frame, world space (metres, y up, +z front).

    Attributes:
        gaussians: the avatar's Gaussians for this frame (splat backends).
        vertices: (V, 3) posed mesh vertices (mesh backend).
        faces: (F, 3) int64 triangle indices.
        vertex_colors: (V, 3) RGB in [0, 1].
        joints: (J, 3) posed joints in smplx's order (skeleton backend; 127 or at least 55).
        avatar: a surface :class:`~signspark.render.avatar.GaussianAvatar` to pose on ``vertices``
            and ``faces`` inside the backend (for backends with ``poses_avatars``), instead of
            ``gaussians`` posed beforehand.
    """

    gaussians: Gaussians | None = None
    vertices: torch.Tensor | None = None
    faces: torch.Tensor | None = None
    vertex_colors: torch.Tensor | None = None
    joints: torch.Tensor | None = None
    avatar: object | None = None


class Backend:
    """Base class. Subclasses set ``name`` and ``draws`` and implement :meth:`render`."""

    name: ClassVar[str] = ""
    draws: ClassVar[str] = "gaussians"  # "gaussians", "mesh" or "joints": what FrameData must hold
    # True when the backend poses a surface avatar itself from FrameData(avatar, vertices, faces)
    # (the same result as GaussianAvatar.pose_for_camera, without building the Gaussians on the CPU).
    poses_avatars: ClassVar[bool] = False

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        """(True, "") when the backend can run here, else (False, reason)."""
        return True, ""

    def render(self, frame: FrameData, camera: Camera, background: tuple[float, float, float]) -> np.ndarray:
        """Draw one frame; ``background`` RGB in [0, 1]. Returns (H, W, 3) uint8."""
        raise NotImplementedError

    def submit(self, frame: FrameData, camera: Camera, background: tuple[float, float, float]):
        """Start drawing one frame; :meth:`fetch` with the returned token gives the image.

        Backends that draw asynchronously (OpenGL) return before the image is done, so the
        caller can prepare the next frame meanwhile; at most :attr:`max_in_flight` frames may be
        submitted and not yet fetched. The default draws at once.
        """
        return self.render(frame, camera, background)

    def fetch(self, token) -> np.ndarray:
        """The (H, W, 3) uint8 image of a :meth:`submit` (each token is fetched once, in order)."""
        return token

    max_in_flight: ClassVar[int] = 1

    def close(self) -> None:
        """Release contexts or buffers (optional)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_MODULES = {
    "gsplat": ("gsplat_backend", "GsplatBackend"),
    "gl": ("gl_backend", "GLSplatBackend"),
    "torch": ("torch_backend", "TorchSplatBackend"),
    "mesh": ("gl_backend", "GLMeshBackend"),
    "skeleton": ("skeleton_backend", "SkeletonBackend"),
}
BACKEND_NAMES = tuple(_MODULES)
AUTO_ORDER = ("gsplat", "gl", "torch")
_status_cache: dict[str, tuple[bool, str]] = {}


def _backend_class(name: str) -> type[Backend]:
    if name not in _MODULES:
        raise ValueError(f"unknown renderer backend {name!r}; choose one of {', '.join(('auto',) + BACKEND_NAMES)}")
    module, cls = _MODULES[name]
    return getattr(importlib.import_module(f"{__package__}.{module}"), cls)


def backend_status(name: str) -> tuple[bool, str]:
    """(available, reason) for one backend; cached for the process."""
    if name not in _status_cache:
        try:
            _status_cache[name] = _backend_class(name).availability()
        except ImportError as e:
            _status_cache[name] = (False, f"cannot import: {e}")
    return _status_cache[name]


def available_backends() -> list[str]:
    """Names of the backends that can run on this machine, best first."""
    order = list(AUTO_ORDER) + [n for n in BACKEND_NAMES if n not in AUTO_ORDER]
    return [n for n in order if backend_status(n)[0]]


def get_backend(name: str = "auto") -> Backend:
    """Instantiate a backend by name; ``"auto"`` picks the best available of gsplat, gl, torch.

    Raises:
        ValueError: unknown name.
        BackendUnavailableError: the named backend cannot run here (the reason is in the message).
    """
    if name == "auto":
        for n in AUTO_ORDER:
            if backend_status(n)[0]:
                return _backend_class(n)()
        reasons = "; ".join(f"{n}: {backend_status(n)[1]}" for n in AUTO_ORDER)
        raise BackendUnavailableError(f"no Gaussian renderer backend is available ({reasons})")
    ok, reason = backend_status(name)
    if not ok:
        alt = ", ".join(n for n in available_backends() if n != name) or "none"
        raise BackendUnavailableError(f"renderer backend {name!r} is not available: {reason}. Available: {alt}")
    return _backend_class(name)()
